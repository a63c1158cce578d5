"""The shipped corpus: synthetic, valid, and covering the study."""

from __future__ import annotations

from pathlib import Path

from qualbst.corpus.model import corpus_totals, describe_corpus
from qualbst.corpus.readers import read_corpus
from qualbst.pipeline import validate_project


def test_every_transcript_is_marked_synthetic(shipped: dict[str, Path]) -> None:
    documents = read_corpus(shipped["interviews"])
    assert len(documents) >= 3
    for document in documents:
        assert document.meta.get("synthetic") is True, document.path


def test_shipped_project_validates(shipped: dict[str, Path]) -> None:
    assert [str(p) for p in validate_project(**shipped)] == []


def test_corpus_totals_add_up_the_documents(shipped: dict[str, Path]) -> None:
    documents = read_corpus(shipped["interviews"])
    rows = describe_corpus(documents)
    totals = corpus_totals(documents, by="language")
    assert set(totals.index) == {"id", "en"}
    assert int(totals["documents"].sum()) == len(documents) == len(rows)
    for lang, row in totals.iterrows():
        mine = [r for r in rows if r["language"] == lang]
        assert (row["documents"], row["turns"], row["words"]) == (
            len(mine),
            sum(r["turns"] for r in mine),
            sum(r["words"] for r in mine),
        )
