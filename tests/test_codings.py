"""Manual codings: quotes and offsets resolved to segments; every bad row named."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualbst.codebook import load_codebook
from qualbst.coding.manual import read_codings
from qualbst.corpus.readers import read_corpus
from qualbst.errors import ValidationError
from qualbst.segments import segment_corpus


def load(project: dict[str, Path]):
    docs = read_corpus(project["interviews"])
    book = load_codebook(project["codebook"])
    return docs, book, segment_corpus(docs)


def test_quotes_resolve_to_segments(project: dict[str, Path]) -> None:
    docs, book, segments = load(project)
    codings = read_codings(project["codings"], docs, book, segments)
    body = docs[0].body
    row = codings[codings["code"] == "interdependence.reciprocal"].iloc[0]
    # The quote spans a line break in the CSV and in the transcript.
    assert body[row["start"] : row["end"]] == "kami cek ulang dengan RT"
    assert row["segment"] == "doc-a:2:3" and row["coder"] == "coder-a"
    assert row["evidence"] == "coder-a.csv:3"
    seq = codings[(codings["code"] == "interdependence.sequential") & (codings["document"] == "doc-a")]
    assert seq.iloc[0]["evidence"] == "coder-a.csv:2 memo: handoff"
    assert len(codings) == 4 and set(codings["confidence"]) == {1.0}


def test_passage_over_two_segments_gives_two_rows(project: dict[str, Path]) -> None:
    (project["codings"] / "coder-b.csv").write_text(
        "document,code,coder,start,end\ndoc-a,obstacle.moved,coder-b,28,100\n", encoding="utf-8"
    )
    docs, book, segments = load(project)
    codings = read_codings(project["codings"], docs, book, segments)
    rows = codings[codings["coder"] == "coder-b"]
    assert list(rows["segment"]) == ["doc-a:2:1", "doc-a:2:2"]
    for row in rows.itertuples():
        seg = segments.set_index("segment").loc[row.segment]
        assert seg["start"] <= row.start < row.end <= seg["end"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("doc-a,obstacle.moved,b,tidak ada di sini,", "quote not found in 'doc-a'"),
        (
            "doc-a,obstacle.moved,b,kami,",
            "quote occurs 4 times in 'doc-a' \\(lines 11, 11, 14, 16\\)",
        ),
        ("doc-z,obstacle.moved,b,kami,", "unknown document 'doc-z'"),
        ("doc-a,obstacle.nope,b,kami,", "unknown code 'obstacle.nope'"),
        ("doc-a,obstacle,b,kami,", "code 'obstacle' is a category"),
        ("doc-a,obstacle.moved,b,,9999", "offsets 1-9999 are outside the text"),
    ],
)
def test_bad_rows_name_file_and_line(project: dict[str, Path], row: str, message: str) -> None:
    if row.endswith(",9999"):
        content = "document,code,coder,start,end\ndoc-a,obstacle.moved,b,1,9999\n"
    else:
        content = "document,code,coder,quote,memo\n" + row + "\n"
    (project["codings"] / "coder-b.csv").write_text(content, encoding="utf-8")
    docs, book, segments = load(project)
    with pytest.raises(ValidationError, match=message) as info:
        read_codings(project["codings"], docs, book, segments)
    assert str(info.value.problems[0]).startswith(f"{project['codings'] / 'coder-b.csv'}:2: ")


def test_missing_columns(project: dict[str, Path]) -> None:
    (project["codings"] / "x.csv").write_text("document,code\ndoc-a,x\n", encoding="utf-8")
    docs, book, segments = load(project)
    with pytest.raises(ValidationError, match="missing column\\(s\\) coder"):
        read_codings(project["codings"], docs, book, segments)


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(alphabet="ab \n\t\u00a0.", max_size=40),
    quote=st.text(alphabet="ab \n.", max_size=8),
)
def test_find_quote_is_the_whitespace_tolerant_regex(body: str, quote: str) -> None:
    """find_quote finds exactly what re.finditer with the quote's words joined by \\s+ finds."""
    import re

    from qualbst.coding.manual import find_quote

    words = quote.split()
    expected = (
        [(m.start(), m.end()) for m in re.finditer(r"\s+".join(re.escape(w) for w in words), body)]
        if words
        else []
    )
    assert find_quote(body, quote) == expected
