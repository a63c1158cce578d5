"""Segmentation: documents into sentence segments (the unit of coding).

Each turn is split into paragraphs at blank lines, and each paragraph into
sentences by the pipeline of :func:`qualbst.nlp.build_nlp`. A segment never
crosses a turn or a paragraph. Its id is ``<document>:<turn>:<n>``, with the
1-based turn index and the 1-based sentence number in the turn, so it is unique
in a corpus and stable while the turn's text is unchanged. Segments with no
letter or digit (``...``) are left out. Interviewer turns are segmented too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .nlp import build_nlp
from .tables import SEGMENTS_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.model import Document

__all__ = ["segment_corpus", "segment_document"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\w")


def _paragraphs(text: str, offset: int) -> list[tuple[int, str]]:
    spans: list[tuple[int, str]] = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((offset + position, text[position : match.start()]))
        position = match.end()
    spans.append((offset + position, text[position:]))
    return [(start, para) for start, para in spans if para.strip()]


def segment_document(document: Document) -> list[dict[str, Any]]:
    """Split one document into segment rows (dicts with SEGMENTS_COLUMNS keys).

    Examples
    --------
    >>> from qualbst.corpus.model import Document, Turn
    >>> body = "P: Siapa?\\nI1: Kami terima dari PT. Pos. Lalu ke RT/RW."
    >>> d = Document("x", "id", {"P": "interviewer", "I1": "informant"}, body,
    ...              (Turn(1, "P", "interviewer", 3, 9, 1), Turn(2, "I1", "informant", 14, len(body), 2)))
    >>> [(r["segment"], r["text"]) for r in segment_document(d)]
    [('x:1:1', 'Siapa?'), ('x:2:1', 'Kami terima dari PT. Pos.'), ('x:2:2', 'Lalu ke RT/RW.')]
    """
    nlp = build_nlp(document.language)
    body = document.body
    items: list[tuple[str, tuple[int, int]]] = []
    for turn in document.turns:
        for start, para in _paragraphs(body[turn.start : turn.end], turn.start):
            items.append((para, (turn.index, start)))
    rows: list[dict[str, Any]] = []
    counters: dict[int, int] = {}
    turns = {turn.index: turn for turn in document.turns}
    for doc, (turn_index, para_start) in nlp.pipe(items, as_tuples=True, batch_size=256):
        turn = turns[turn_index]
        for sent in doc.sents:
            start = para_start + sent.start_char
            end = para_start + sent.end_char
            text = body[start:end]
            stripped = text.strip()
            if not _WORD.search(stripped):
                continue
            start += len(text) - len(text.lstrip())
            end = start + len(stripped)
            counters[turn_index] = counters.get(turn_index, 0) + 1
            rows.append(
                {
                    "document": document.id,
                    "segment": f"{document.id}:{turn_index}:{counters[turn_index]}",
                    "turn": turn_index,
                    "speaker": turn.speaker,
                    "role": turn.role,
                    "start": start,
                    "end": end,
                    "text": stripped,
                }
            )
    return rows


def segment_corpus(documents: Iterable[Document]) -> pd.DataFrame:
    """Segment every document; return the segments table (CONTRACT.md columns).

    Rows are in document order, then by offset.
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for document in documents:
        rows.extend(segment_document(document))
    frame = pd.DataFrame(rows, columns=list(SEGMENTS_COLUMNS))
    return frame.astype({"turn": "int64", "start": "int64", "end": "int64"}) if len(frame) else frame
