"""The one error tree of qualbst.

Every problem with a user's input is a :class:`QualbstError` whose message
names the file, the line and what is wrong, in the form ``file:line: problem``.
The command line turns these into one line on stderr and exit status 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CodebookError",
    "CodingsError",
    "CorpusError",
    "Problem",
    "QualbstError",
    "ValidationError",
]


class Problem:
    """One located problem: a file, an optional line and a message.

    Examples
    --------
    >>> str(Problem("interviews/a.md", 3, "turn label 'X' is not in speakers"))
    "interviews/a.md:3: turn label 'X' is not in speakers"
    >>> str(Problem("codebook/codebook.yaml", None, "no codes"))
    'codebook/codebook.yaml: no codes'
    """

    __slots__ = ("file", "line", "message")

    def __init__(self, file: str | Path, line: int | None, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.file!r}, {self.line!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.file, self.line, self.message) == (other.file, other.line, other.message)

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.message))


class QualbstError(Exception):
    """Base class of every error qualbst raises on bad input.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    file : str or Path, optional
        The file the problem is in.
    line : int, optional
        The 1-based line in that file.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        return str(Problem(self.file, self.line, self.message))


class CorpusError(QualbstError):
    """A transcript cannot be read: encoding, front matter, turns."""


class CodebookError(QualbstError):
    """The codebook or the agency dictionary is invalid."""


class CodingsError(QualbstError):
    """A codings file is invalid: unknown code or document, unresolvable quote."""


class ValidationError(QualbstError):
    """Several problems at once, as found by ``validate_project``.

    Parameters
    ----------
    problems : iterable of Problem
        Every problem found; the message lists them one per line.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("?", None, "invalid input")
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        super().__init__(first.message + suffix, file=first.file, line=first.line)
