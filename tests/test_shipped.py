"""The shipped corpus: synthetic, valid, and covering the study."""

from __future__ import annotations

from pathlib import Path

from qualbst.corpus.readers import read_corpus
from qualbst.pipeline import validate_project


def test_every_transcript_is_marked_synthetic(shipped: dict[str, Path]) -> None:
    documents = read_corpus(shipped["interviews"])
    assert len(documents) >= 3
    for document in documents:
        assert document.meta.get("synthetic") is True, document.path


def test_shipped_project_validates(shipped: dict[str, Path]) -> None:
    assert [str(p) for p in validate_project(**shipped)] == []
