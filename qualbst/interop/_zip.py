"""Zip archives with the same bytes for the same content (no clock, fixed modes)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

__all__ = ["FIXED_DATE", "deterministic_zip"]

#: The earliest date a zip entry can carry; used for every entry.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """Zip ``(name, data)`` entries, in the order given, with fixed metadata.

    Every entry gets the same date (:data:`FIXED_DATE`), Unix permissions
    ``rw-r--r--`` and DEFLATE level 9, so equal input gives equal bytes.

    Examples
    --------
    >>> deterministic_zip([("a.txt", b"x")]) == deterministic_zip([("a.txt", b"x")])
    True
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()
