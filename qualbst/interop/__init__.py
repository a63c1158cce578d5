"""Interoperability: REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``), spreadsheets.

Examples
--------
>>> from qualbst.interop import code_guid
>>> code_guid("obstacle.moved") == code_guid("obstacle.moved")
True
"""

from __future__ import annotations

from .qdpx import ImportResult, export_qdpx, import_qdpx, validate_qdpx
from .refi import code_guid, read_qdc, refi_guid, validate_qdc, write_codebook, write_qdc
from .xlsx import codebook_table, write_xlsx

__all__ = [
    "ImportResult",
    "code_guid",
    "codebook_table",
    "export_qdpx",
    "import_qdpx",
    "read_qdc",
    "refi_guid",
    "validate_qdc",
    "validate_qdpx",
    "write_codebook",
    "write_qdc",
    "write_xlsx",
]
