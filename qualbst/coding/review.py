"""Review, not blind trust: machine codes become suggestions a person decides on.

``suggest`` lists the machine codings a person has not coded yet (and has not
rejected before) with the segment text, the evidence and the confidence, and
an empty ``decision`` column. After the researcher writes ``accept`` or
``reject`` in it, ``accept`` appends the accepted ones to ``codings/<coder>.csv``
(existing rows are never rewritten: the file is copied byte for byte and the
new rows added) and records the rejected ones in
``codings/<coder>.rejected.csv`` so they are not suggested again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_text_atomic
from ..corpus.readers import decode_bytes
from ..errors import CodingsError, Problem, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUGGESTION_COLUMNS", "AcceptResult", "accept_suggestions", "suggest"]

SUGGESTION_COLUMNS = (
    "document",
    "segment",
    "turn",
    "speaker",
    "start",
    "end",
    "text",
    "code",
    "coder",
    "confidence",
    "evidence",
    "decision",
)
REJECTED_COLUMNS = ("document", "segment", "code", "coder", "text")
NEW_FILE_COLUMNS = ("document", "code", "coder", "start", "end", "quote", "memo")


def rejected_path(codings_dir: str | Path, coder: str) -> Path:
    """Where the rejected suggestions of ``coder`` are kept."""
    return Path(codings_dir) / f"{coder}.rejected.csv"


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = decode_bytes(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text))
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    for row in reader:
        rows.append((line + 1, {k: v or "" for k, v in row.items() if k is not None}))
        line = reader.line_num
    return list(reader.fieldnames or []), rows


def suggest(
    machine: pd.DataFrame,
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coder: str,
    codings_dir: str | Path = "codings",
) -> pd.DataFrame:
    """Machine codings that ``coder`` has neither coded nor rejected.

    Returns
    -------
    DataFrame
        ``SUGGESTION_COLUMNS``, highest confidence first within each document
        and segment order, ``decision`` empty.
    """
    import pandas as pd

    mine = codings[codings["coder"] == coder]
    done = set(zip(mine["segment"], mine["code"], strict=True))
    rejected_file = rejected_path(codings_dir, coder)
    if rejected_file.exists():
        _, rows = _read_csv(rejected_file)
        done |= {(r["segment"], r["code"]) for _, r in rows}
    info = segments.set_index("segment")
    fresh = [k not in done for k in zip(machine["segment"], machine["code"], strict=True)]
    keep = machine.loc[pd.Series(fresh, index=machine.index, dtype=bool)]
    keep = keep.sort_values("confidence", ascending=False, kind="stable").drop_duplicates(["segment", "code"])
    rows_out: list[dict[str, Any]] = []
    for row in keep.itertuples(index=False):
        seg = info.loc[row.segment]
        rows_out.append(
            {
                "document": row.document,
                "segment": row.segment,
                "turn": int(seg["turn"]),
                "speaker": seg["speaker"],
                "start": int(seg["start"]),
                "end": int(seg["end"]),
                "text": seg["text"],
                "code": row.code,
                "coder": row.coder,
                "confidence": row.confidence,
                "evidence": row.evidence,
                "decision": "",
            }
        )
    frame = pd.DataFrame(rows_out, columns=list(SUGGESTION_COLUMNS))
    if frame.empty:
        return frame
    order = {s: i for i, s in enumerate(segments["segment"])}
    frame = frame.assign(_o=frame["segment"].map(order)).sort_values(["_o", "code"], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


class AcceptResult:
    """What ``accept_suggestions`` did: counts and the files it wrote."""

    def __init__(self, accepted: int, rejected: int, undecided: int, files: tuple[Path, ...]) -> None:
        self.accepted = accepted
        self.rejected = rejected
        self.undecided = undecided
        self.files = files

    def __repr__(self) -> str:
        return f"AcceptResult(accepted={self.accepted}, rejected={self.rejected}, undecided={self.undecided})"


def _append(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    """Append rows to a CSV atomically, keeping the existing bytes unchanged."""
    old = path.read_bytes().decode("utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    if not old:
        writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, old + buffer.getvalue())


def accept_suggestions(
    suggestions: str | Path, *, coder: str, codings_dir: str | Path = "codings"
) -> AcceptResult:
    """Apply the decisions in a filled-in suggestions file.

    Raises
    ------
    ValidationError
        If a ``decision`` is not ``accept``, ``reject`` or empty (naming the line),
        or the file lacks the suggestion columns.
    """
    path = Path(suggestions)
    if not path.exists():
        raise CodingsError("suggestions file not found (run 'qualbst suggest' first)", file=path)
    header, rows = _read_csv(path)
    missing = [
        c
        for c in ("document", "segment", "start", "end", "text", "code", "coder", "decision")
        if c not in header
    ]
    if missing:
        raise ValidationError([Problem(path, 1, f"missing column(s) {', '.join(missing)}")])
    problems = [
        Problem(path, line, f"decision must be accept, reject or empty (got {row['decision']!r})")
        for line, row in rows
        if row["decision"].strip().lower() not in ("accept", "reject", "")
    ]
    if problems:
        raise ValidationError(problems)
    folder = Path(codings_dir)
    target = folder / f"{coder}.csv"
    if target.exists():
        target_header, _ = _read_csv(target)
        if "start" not in target_header and "quote" not in target_header:
            raise CodingsError("has neither 'start'/'end' nor 'quote' columns", file=target, line=1)
    else:
        target_header = list(NEW_FILE_COLUMNS)
    accepted = [r for _, r in rows if r["decision"].strip().lower() == "accept"]
    rejected = [r for _, r in rows if r["decision"].strip().lower() == "reject"]
    new_rows = [
        {
            "document": r["document"],
            "code": r["code"],
            "coder": coder,
            "start": r["start"],
            "end": r["end"],
            "quote": r["text"],
            "memo": f"accepted suggestion of {r['coder']}",
        }
        for r in accepted
    ]
    files: list[Path] = []
    if new_rows:
        _append(target, target_header, new_rows)
        files.append(target)
    if rejected:
        reject_file = rejected_path(folder, coder)
        _append(reject_file, list(REJECTED_COLUMNS), rejected)
        files.append(reject_file)
    undecided = len(rows) - len(accepted) - len(rejected)
    return AcceptResult(len(accepted), len(rejected), undecided, tuple(files))
