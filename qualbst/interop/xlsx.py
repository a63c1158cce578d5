"""Spreadsheets: every table of a run in one Excel workbook, one sheet per table.

The workbook is written through pandas with openpyxl, then made byte-stable:
the document properties' creation and modification times are set to a fixed
date (:data:`FIXED_TIME`) and the zip entries get fixed dates. Text that
starts with ``=`` is stored as text, never as a formula (a transcript quote
must not run in Excel).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_bytes_atomic
from ..codebook import LANGS, Codebook
from ..errors import QualbstError
from ._zip import deterministic_zip

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CODEBOOK_COLUMNS", "FIXED_TIME", "codebook_table", "write_xlsx"]

#: Creation and modification time written into every workbook's properties.
FIXED_TIME = "2000-01-01T00:00:00Z"
#: Columns of :func:`codebook_table`.
CODEBOOK_COLUMNS: tuple[str, ...] = (
    "id",
    "parent",
    "name",
    "name_en",
    "codable",
    "color",
    "definition",
    "include",
    "exclude",
    *(f"examples_{lang}" for lang in LANGS),
    *(f"cues_{lang}" for lang in LANGS),
    "requires",
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def codebook_table(codebook: Codebook) -> pd.DataFrame:
    """One row per code, for the ``codebook`` sheet (columns :data:`CODEBOOK_COLUMNS`).

    Lists (``include``, ``exclude``, examples and cues per language) are
    joined with ``"; "``; ``requires`` is written as ``key: value`` pairs.

    Examples
    --------
    >>> from qualbst.codebook import Code
    >>> cb = Codebook((Code("a", "A", definition="d", cues={"id": ("kirim", "antar")}),), ())
    >>> codebook_table(cb).loc[0, ["id", "cues_id", "cues_en"]].tolist()
    ['a', 'kirim; antar', '']
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for code in codebook.codes:
        row: dict[str, Any] = {
            "id": code.id,
            "parent": code.parent or "",
            "name": code.name,
            "name_en": code.name_en,
            "codable": bool(code.codable),
            "color": code.color,
            "definition": code.definition,
            "include": "; ".join(code.include),
            "exclude": "; ".join(code.exclude),
        }
        for lang in LANGS:
            row[f"examples_{lang}"] = "; ".join(code.examples.get(lang, ()))
            row[f"cues_{lang}"] = "; ".join(code.cues.get(lang, ()))
        row["requires"] = "; ".join(
            f"{key}: {str(value).lower() if isinstance(value, bool) else value}"
            for key, value in code.requires.items()
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def _check_names(names: list[str]) -> None:
    seen: dict[str, str] = {}
    for name in names:
        if not name or len(name) > 31 or _SHEET_FORBIDDEN.search(name) or name.startswith("'"):
            raise QualbstError(
                f"sheet name {name!r} is not allowed: use 1 to 31 characters, none of [ ] : * ? / \\"
            )
        if name.lower() in seen:
            raise QualbstError(f"sheet names {seen[name.lower()]!r} and {name!r} differ only in case")
        seen[name.lower()] = name


def _fix_zip(data: bytes) -> bytes:
    """Fixed property times and zip dates, entries in openpyxl's order."""
    entries: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>", content)
            entries.append((info.filename, content))
    return deterministic_zip(entries)


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write DataFrames to one workbook, one sheet per table, in the order given.

    Parameters
    ----------
    tables : Mapping[str, DataFrame]
        Sheet name to table, e.g. ``{"segments": ..., "codings": ...,
        "interactions": ..., "factors": ..., "reliability": ...,
        "codebook": codebook_table(codebook)}``. Columns keep their order;
        the index is not written.
    path : str or Path
        The ``.xlsx`` to write (atomically).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    QualbstError
        If there is no table, or a sheet name is empty, longer than 31
        characters, contains ``[ ] : * ? / \\`` or repeats another one
        ignoring case (Excel's rules).

    Notes
    -----
    Equal tables give equal bytes: creation and modification times are
    :data:`FIXED_TIME` and zip entries carry a fixed date. Cells are never
    formulas; characters Excel cannot store (control characters) are removed.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = write_xlsx({"codings": pd.DataFrame({"code": ["a"], "start": [3]})}, out)
    >>> pd.read_excel(out, sheet_name="codings").to_dict("records")
    [{'code': 'a', 'start': 3}]
    """
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    names = list(tables)
    if not names:
        raise QualbstError("no tables to write: a workbook needs at least one sheet")
    _check_names(names)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name in names:
            frame = tables[name]
            text_columns = [
                c
                for c in frame.columns
                if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
            ]
            clean = frame.copy()
            for column in text_columns:
                clean[column] = clean[column].map(
                    lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                )
            clean.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.book[name]
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # a string that starts with "=": keep it text
                        cell.data_type = "s"
    return write_bytes_atomic(path, _fix_zip(buffer.getvalue()))
