"""Manual codings: ``codings/*.csv`` resolved to segments.

A codings file has one row per coded passage with the columns ``document``,
``code`` and ``coder``, and either ``start`` and ``end`` (offsets into the
document body, end exclusive) or ``quote`` (an exact passage of the body;
differences in whitespace and line breaks are tolerated). ``memo`` is
optional. A passage is split over the segments it overlaps: the table has one
row per (segment, code, coder) with the overlap as ``start``/``end``,
``confidence`` 1.0 and ``evidence`` naming the file, line and memo.

``interactions.csv`` (annotated interactions) and ``*.rejected.csv`` (rejected
suggestions) in the same folder are not codings files and are skipped.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus.readers import decode_bytes
from ..errors import CodingsError, Problem, ValidationError
from ..tables import CODINGS_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = ["codings_files", "find_quote", "read_codings", "resolve_codings"]

NOT_CODINGS = ("interactions.csv",)


def codings_files(folder: str | Path) -> list[Path]:
    """The codings CSVs in ``folder``, sorted (annotation files left out)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.glob("*.csv") if p.name not in NOT_CODINGS and not p.name.endswith(".rejected.csv")
    )


def find_quote(body: str, quote: str) -> list[tuple[int, int]]:
    """Every place ``quote`` occurs in ``body``, whitespace-tolerant.

    Any run of whitespace in the quote matches any run in the body (what
    ``re.finditer`` with the words joined by ``\\s+`` finds, without a
    regular expression per quote): both are compared with each run collapsed
    to one space, and the places mapped back to the body's offsets.

    Examples
    --------
    >>> find_quote("Kami kirim\\nke RT. Lalu kirim ke RT.", "kirim ke  RT")
    [(5, 16), (23, 34)]
    >>> find_quote("abc", "xyz")
    []
    """
    words = quote.split()
    if not words:
        return []
    flat, where = _collapsed(body)
    needle = " ".join(words)
    found = []
    at = flat.find(needle)
    while at >= 0:
        found.append((where[at], where[at + len(needle) - 1] + 1))
        at = flat.find(needle, at + len(needle))
    return found


@lru_cache(maxsize=8)
def _collapsed(body: str) -> tuple[str, list[int]]:
    """``body`` with each whitespace run as one space, and each character's offset in ``body``."""
    parts: list[str] = []
    where: list[int] = []
    for match in _RUNS.finditer(body):
        if match.group(0)[0].isspace():
            parts.append(" ")
            where.append(match.start())
        else:
            parts.append(match.group(0))
            where.extend(range(match.start(), match.end()))
    return "".join(parts), where


_RUNS = re.compile(r"\s+|\S+")


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = decode_bytes(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    for row in reader:
        rows.append((line + 1, {k: (v or "") for k, v in row.items() if k is not None}))
        line = reader.line_num
    return header, rows


class _SegmentIndex:
    """Segments of one document, for finding those a passage overlaps."""

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _, _ in self.spans]

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, str]]:
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        found = []
        for s, e, seg in self.spans[first:]:
            if s >= end:
                break
            if e > start and min(e, end) > max(s, start):
                found.append((max(s, start), min(e, end), seg))
        return found


def resolve_codings(
    rows: Iterable[tuple[str, int, Mapping[str, str]]],
    documents: Iterable[Document],
    codebook: Codebook,
    segments: pd.DataFrame,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Resolve raw codings rows to segment-level codings.

    Parameters
    ----------
    rows : iterable of (file, line, row)
        One CSV row each, with the file and line it came from.
    documents : iterable of Document
    codebook : Codebook
    segments : DataFrame
        The segments table of ``documents``.

    Returns
    -------
    (list of dict, list of Problem)
        Codings rows (CONTRACT.md columns) and every problem found.
    """
    by_id = {d.id: d for d in documents}
    index = {
        doc: _SegmentIndex(list(zip(g["start"], g["end"], g["segment"], strict=True)))
        for doc, g in segments.groupby("document", sort=False)
    }
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for file, line, row in rows:

        def bad(message: str, file: str = file, line: int = line) -> None:
            problems.append(Problem(file, line, message))

        doc_id = row.get("document", "").strip()
        code = row.get("code", "").strip()
        coder = row.get("coder", "").strip()
        if doc_id not in by_id:
            bad(f"unknown document {doc_id!r} (not in the transcripts folder)")
            continue
        if not codebook.has_code(code):
            bad(f"unknown code {code!r} (not in the codebook)")
            continue
        if not codebook.code(code).codable:
            bad(f"code {code!r} is a category and cannot be applied; use one of its children")
            continue
        if not coder:
            bad("empty 'coder'")
            continue
        document = by_id[doc_id]
        body = document.body
        quote = row.get("quote", "").strip()
        if row.get("start", "").strip() or row.get("end", "").strip():
            try:
                start, end = int(row["start"]), int(row["end"])
            except (KeyError, ValueError):
                bad(f"'start' and 'end' must be whole numbers (got {row.get('start')!r}, {row.get('end')!r})")
                continue
            if not 0 <= start < end <= len(body):
                bad(f"offsets {start}-{end} are outside the text of {doc_id!r} (0-{len(body)})")
                continue
            if quote and " ".join(body[start:end].split()) != " ".join(quote.split()):
                bad(f"the quote does not match the text at offsets {start}-{end}")
                continue
        elif quote:
            places = find_quote(body, quote)
            if not places:
                bad(f"quote not found in {doc_id!r}: {quote[:60]!r}")
                continue
            if len(places) > 1:
                lines = ", ".join(str(document.line_of(s)) for s, _ in places[:5])
                bad(
                    f"quote occurs {len(places)} times in {doc_id!r} (lines {lines}); "
                    "quote more words or give start and end"
                )
                continue
            start, end = places[0]
        else:
            bad("each row needs either 'quote' or 'start' and 'end'")
            continue
        pieces = index[doc_id].overlapping(start, end) if doc_id in index else []
        if not pieces:
            bad(f"the passage {start}-{end} of {doc_id!r} covers no segment")
            continue
        memo = row.get("memo", "").strip()
        evidence = f"{Path(file).name}:{line}" + (f" memo: {memo}" if memo else "")
        for s, e, segment in pieces:
            key = (segment, code, coder)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "document": doc_id,
                    "segment": segment,
                    "start": s,
                    "end": e,
                    "code": code,
                    "coder": coder,
                    "confidence": 1.0,
                    "evidence": evidence,
                }
            )
    return out, problems


def read_codings(
    folder: str | Path,
    documents: Iterable[Document],
    codebook: Codebook,
    segments: pd.DataFrame,
    *,
    files: Iterable[str | Path] | None = None,
) -> pd.DataFrame:
    """Read and resolve every codings CSV in ``folder`` (or the given ``files``).

    Returns
    -------
    DataFrame
        The codings table (CONTRACT.md columns), sorted by document, start,
        code and coder.

    Raises
    ------
    ValidationError
        Listing every bad row as ``file:line: problem``.
    """
    import pandas as pd

    paths = [Path(f) for f in files] if files is not None else codings_files(folder)
    raw: list[tuple[str, int, Mapping[str, str]]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            header, rows = _rows(path)
        except CodingsError as exc:
            problems.append(Problem(path, exc.line, exc.message))
            continue
        except Exception as exc:  # a CorpusError from decoding, csv.Error
            problems.append(Problem(path, getattr(exc, "line", None), getattr(exc, "message", str(exc))))
            continue
        missing = [c for c in ("document", "code", "coder") if c not in header]
        if missing:
            problems.append(Problem(path, 1, f"missing column(s) {', '.join(missing)}"))
            continue
        if "quote" not in header and not {"start", "end"} <= set(header):
            problems.append(Problem(path, 1, "needs a 'quote' column or 'start' and 'end' columns"))
            continue
        raw.extend((str(path), line, row) for line, row in rows)
    documents = list(documents)
    rows_out, more = resolve_codings(raw, documents, codebook, segments)
    problems += more
    if problems:
        raise ValidationError(problems)
    frame = pd.DataFrame(rows_out, columns=list(CODINGS_COLUMNS))
    if frame.empty:
        return frame
    order = {d.id: i for i, d in enumerate(documents)}
    frame = frame.assign(_doc=frame["document"].map(order))
    frame = frame.sort_values(["_doc", "start", "code", "coder"], kind="stable").drop(columns="_doc")
    return frame.reset_index(drop=True)
