"""Column names of the tables passed between pipeline steps (CONTRACT.md).

Each table is a pandas DataFrame whose columns are exactly these, in this
order; ``validate_<table>`` checks a frame and raises if it does not fit.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import QualbstError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CODINGS_COLUMNS",
    "INTERACTIONS_COLUMNS",
    "MACHINE_PREFIX",
    "MENTIONS_COLUMNS",
    "SEGMENTS_COLUMNS",
    "empty_table",
    "is_machine",
    "records",
    "validate_codings",
    "validate_segments",
    "validate_table",
]

#: Machine coders' names start with this (``auto:rules``, ``auto:model``); people's never do.
MACHINE_PREFIX = "auto:"


def is_machine(coder: object) -> bool:
    """Whether a coder name is a machine coder's.

    Examples
    --------
    >>> is_machine("auto:rules"), is_machine("coder-a")
    (True, False)
    """
    return str(coder).startswith(MACHINE_PREFIX)


SEGMENTS_COLUMNS: tuple[str, ...] = (
    "document",
    "segment",
    "turn",
    "speaker",
    "role",
    "start",
    "end",
    "text",
)
CODINGS_COLUMNS: tuple[str, ...] = (
    "document",
    "segment",
    "start",
    "end",
    "code",
    "coder",
    "confidence",
    "evidence",
)
INTERACTIONS_COLUMNS: tuple[str, ...] = (
    "document",
    "segment",
    "source",
    "target",
    "type",
    "directed",
    "quote",
)
MENTIONS_COLUMNS: tuple[str, ...] = (
    "document",
    "segment",
    "start",
    "end",
    "agency",
    "surface",
    "method",
)


def empty_table(columns: tuple[str, ...]) -> pd.DataFrame:
    """Return an empty DataFrame with the given columns.

    Examples
    --------
    >>> list(empty_table(SEGMENTS_COLUMNS).columns)[:3]
    ['document', 'segment', 'turn']
    """
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


def validate_table(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    """Check that ``frame`` has exactly ``columns`` in order; return it unchanged.

    Raises
    ------
    QualbstError
        If a column is missing, extra or out of order.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_table(pd.DataFrame({"a": [1]}), ("a",), "t").shape
    (1, 1)
    >>> validate_table(pd.DataFrame({"b": [1]}), ("a",), "t")
    Traceback (most recent call last):
    ...
    qualbst.errors.QualbstError: t table: columns must be ['a'] (got ['b'])
    """
    found = list(frame.columns)
    if found != list(columns):
        raise QualbstError(f"{name} table: columns must be {list(columns)} (got {found})")
    return frame


def validate_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a segments table (columns and unique segment ids)."""
    validate_table(frame, SEGMENTS_COLUMNS, "segments")
    if frame["segment"].duplicated().any():
        dup = frame.loc[frame["segment"].duplicated(), "segment"].iloc[0]
        raise QualbstError(f"segments table: segment id {dup!r} is not unique")
    return frame


def validate_codings(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a codings table (columns)."""
    return validate_table(frame, CODINGS_COLUMNS, "codings")


@cache
def _record_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Record", columns, rename=True)


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples of plain Python values, like
    ``frame.itertuples(index=False)`` but column by column: pandas' string
    columns are slow to read one value at a time, and the hot loops (agency
    recognition, the rule coder, feature views) read every segment.

    Examples
    --------
    >>> import pandas as pd
    >>> [(r.segment, r.turn) for r in records(pd.DataFrame({"segment": ["a:1:1"], "turn": [1]}))]
    [('a:1:1', 1)]
    """
    columns = tuple(str(c) for c in frame.columns)
    return map(_record_type(columns)._make, zip(*(frame[c].tolist() for c in frame.columns), strict=True))
