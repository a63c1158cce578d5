"""Record types of a corpus: documents and their speaker turns.

Offsets are character offsets (Unicode code points) into a document's
``body``: the text after the closing ``---`` line of the front matter and its
newline, after line ends have been normalised to LF and a BOM removed. Spans
are half-open (``end`` exclusive), so ``body[start:end]`` is the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DOCUMENT_ID",
    "LANGUAGES",
    "Document",
    "Turn",
    "corpus_totals",
    "describe_corpus",
    "guess_role",
    "interviewer_rows",
    "is_interviewer",
]

DOCUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGES = ("id", "en")
INTERVIEWER = "interviewer"
#: Speaker labels taken for the interviewer when no metadata says who speaks.
INTERVIEWER_LABELS = frozenset({"p", "q", "int", "interviewer", "pewawancara", "peneliti", "penanya"})


def guess_role(label: str) -> str:
    """The role a speaker label suggests when no metadata names it.

    Examples
    --------
    >>> guess_role("P"), guess_role("Pewawancara"), guess_role("I3")
    ('interviewer', 'interviewer', 'informant')
    """
    return INTERVIEWER if label.strip().lower() in INTERVIEWER_LABELS else "informant"


def interviewer_rows(roles: pd.Series) -> pd.Series:
    """:func:`is_interviewer` of each role in a column (a boolean Series).

    Examples
    --------
    >>> import pandas as pd
    >>> interviewer_rows(pd.Series(["interviewer", "informant", " Interviewer"])).tolist()
    [True, False, True]
    """
    return roles.astype(str).str.strip().str.lower() == INTERVIEWER


def is_interviewer(role: Any) -> bool:
    """Whether a speaker role (a turn's, a segment's) is the interviewer's.

    Examples
    --------
    >>> is_interviewer(" Interviewer"), is_interviewer("informant")
    (True, False)
    """
    return str(role).strip().lower() == INTERVIEWER


@dataclass(frozen=True)
class Turn:
    """One speaker turn of a document.

    Parameters
    ----------
    index : int
        1-based position of the turn in its document, counting every speaker.
    speaker : str
        The turn's label as written (a key of the document's ``speakers``).
    role : str
        What ``speakers`` says of that label, e.g. ``interviewer``.
    start, end : int
        Offsets of the turn's text (after ``LABEL:``) in the body.
    line : int
        1-based line in the source file where the turn starts.

    Examples
    --------
    >>> Turn(1, "P", "interviewer", 3, 10, 5).is_interviewer
    True
    """

    index: int
    speaker: str
    role: str
    start: int
    end: int
    line: int

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError(f"turn index must be >= 1 (got {self.index})")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"turn offsets must satisfy 0 <= start <= end (got {self.start}, {self.end})")

    @property
    def is_interviewer(self) -> bool:
        """Whether the interviewer speaks this turn (never coded)."""
        return is_interviewer(self.role)


@dataclass(frozen=True)
class Document:
    """A transcript: metadata, the normalised body and its turns.

    Parameters
    ----------
    id : str
        Unique document id: lowercase letters, digits and ``-``.
    language : str
        ``id`` (Indonesian) or ``en`` (English).
    speakers : Mapping[str, str]
        Turn label to speaker role, e.g. ``{"P": "interviewer", "I3": "informant"}``.
    body : str
        The text the offsets count in.
    turns : tuple of Turn
        In order of appearance.
    meta : Mapping[str, Any]
        Every front-matter field (case attributes), ``id`` and ``speakers`` included.
    path : str
        The file it was read from.
    body_line : int
        1-based line of the file on which the body starts (for messages).

    Examples
    --------
    >>> d = Document("a", "id", {"P": "interviewer"}, "P: Halo", (Turn(1, "P", "interviewer", 3, 7, 1),))
    >>> d.turn_text(d.turns[0])
    'Halo'
    """

    id: str
    language: str
    speakers: Mapping[str, str]
    body: str
    turns: tuple[Turn, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    path: str = ""
    body_line: int = 1

    def __post_init__(self) -> None:
        if not DOCUMENT_ID.match(self.id):
            raise ValueError(f"document id must be lowercase letters, digits and '-' (got {self.id!r})")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES} (got {self.language!r})")
        object.__setattr__(self, "speakers", MappingProxyType(dict(self.speakers)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        for turn in self.turns:
            if turn.end > len(self.body):
                raise ValueError(f"turn {turn.index} ends after the body ({turn.end} > {len(self.body)})")

    def __hash__(self) -> int:
        return hash((self.id, self.body))

    def turn_text(self, turn: Turn) -> str:
        """Return the text of ``turn``."""
        return self.body[turn.start : turn.end]

    def line_of(self, offset: int) -> int:
        """Return the 1-based line in the source file of a body offset."""
        return self.body_line + self.body.count("\n", 0, offset)

    def turn_at(self, offset: int) -> Turn | None:
        """Return the turn containing ``offset``, or None between turns."""
        for turn in self.turns:
            if turn.start <= offset < max(turn.end, turn.start + 1):
                return turn
        return None

    @property
    def informant(self) -> str:
        """The informant's pseudonym, or the document id."""
        return str(self.meta.get("informant") or self.id)

    @property
    def agency(self) -> str | None:
        """The informant's canonical agency id, if given."""
        value = self.meta.get("agency")
        return None if value in (None, "") else str(value)

    def agency_for(self, role: Any) -> str | None:
        """The agency ``kami``/``we`` stands for in a turn of speaker ``role``: the
        informant's agency; none for the interviewer (who speaks for the researchers)."""
        return None if is_interviewer(role) else self.agency

    @property
    def role(self) -> str:
        """The informant's role (case attribute ``role``), or ''."""
        return str(self.meta.get("role") or "")


def describe_corpus(documents: tuple[Document, ...] | list[Document]) -> list[dict[str, Any]]:
    """One summary row per document: id, informant, role, agency, language, turns, words.

    Words are runs of letters and digits in the body (speaker labels included).

    Examples
    --------
    >>> t = Turn(1, "P", "interviewer", 3, 13, 1)
    >>> d = Document("a", "id", {"P": "interviewer"}, "P: Halo semua", (t,))
    >>> describe_corpus([d])[0]["words"]
    3
    """
    return [
        {
            "document": d.id,
            "informant": d.informant,
            "role": d.role,
            "agency": d.agency or "",
            "language": d.language,
            "turns": len(d.turns),
            "words": len(re.findall(r"\w+", d.body)),
        }
        for d in documents
    ]


def corpus_totals(documents: tuple[Document, ...] | list[Document], by: str = "language") -> pd.DataFrame:
    """Documents, turns and words per value of a :func:`describe_corpus` column.

    Examples
    --------
    >>> t = Turn(1, "P", "interviewer", 3, 13, 1)
    >>> docs = [Document(i, lang, {"P": "interviewer"}, "P: Halo semua", (t,)) for i, lang in
    ...         (("a", "id"), ("b", "id"), ("c", "en"))]
    >>> table = corpus_totals(docs)
    >>> list(table.columns), table.loc["id"].tolist(), table.loc["en"].tolist()
    (['documents', 'turns', 'words'], [2, 2, 6], [1, 1, 3])
    """
    import pandas as pd

    rows = pd.DataFrame(describe_corpus(documents), columns=["document", by, "turns", "words"])
    return rows.groupby(by).agg(
        documents=("document", "size"), turns=("turns", "sum"), words=("words", "sum")
    )
