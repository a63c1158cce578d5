"""Codes and agencies: load and validate ``codebook/*.yaml``.

``codebook/codebook.yaml`` is a YAML list of codes; ``codebook/agencies.yaml``
a YAML list of agencies (shapes in CONTRACT.md). :func:`load_codebook` reads
both, checks them, and returns one frozen :class:`Codebook`. Every problem
names the file, the line of the entry and the entry's id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ._yaml import load_yaml
from .errors import CodebookError, Problem, ValidationError

__all__ = [
    "AGENCY_LEVELS",
    "REQUIRED_AGENCIES",
    "REQUIRED_CODES",
    "Agency",
    "Code",
    "Codebook",
    "load_codebook",
    "normalize_alias",
]

REQUIRED_CODES: tuple[str, ...] = (
    "aspect.parties",
    "aspect.guidelines",
    "interdependence.pooled",
    "interdependence.sequential",
    "interdependence.reciprocal",
    "mechanism.standardization",
    "mechanism.planning",
    "mechanism.mutual-adjustment",
    "factor.supporting.internal",
    "factor.supporting.external",
    "factor.inhibiting.internal",
    "factor.inhibiting.external",
    "obstacle.deceased",
    "obstacle.moved",
    "obstacle.double-aid",
    "obstacle.refused",
    "obstacle.deadline",
    "obstacle.name-mismatch",
)
REQUIRED_AGENCIES: tuple[str, ...] = (
    "kemensos",
    "pusdatin",
    "pos",
    "pemkot",
    "dinsos",
    "dprd",
    "kecamatan",
    "kelurahan",
    "kelurahan-ampel",
    "kelurahan-pegirian",
    "kelurahan-sidotopo",
    "kelurahan-ujung",
    "rtrw",
    "kpm",
)
AGENCY_LEVELS: tuple[str, ...] = (
    "national",
    "paying agent",
    "city",
    "district",
    "ward",
    "neighbourhood",
    "recipients",
)
CODE_ID = re.compile(r"^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$")
AGENCY_ID = re.compile(r"^[a-z][a-z0-9-]*$")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
CUE_WORD = re.compile(r"^[\w/'.,-]+\*?$")
#: In a cue, a word of its own that lets up to two other words stand there
#: ("personel ~ kurang" finds "personel kami kurang").
CUE_GAP = "~"
LANGS = ("id", "en")


def normalize_alias(text: str) -> str:
    """Casefold and collapse whitespace, as aliases are compared.

    Examples
    --------
    >>> normalize_alias("  Kantor   Pos ")
    'kantor pos'
    """
    return " ".join(text.casefold().split())


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Code:
    """One code of the codebook.

    ``cues`` and ``examples`` map a language (``id``, ``en``) to a tuple of
    strings; ``requires`` holds structural conditions for the rule coder
    (``{"agencies": 2}``, ``{"agencies": 2, "parallel": True}``,
    ``{"yields_to": ["interdependence.reciprocal"]}``: not given where the
    rule coder gives one of those codes to the same segment).

    Examples
    --------
    >>> Code("obstacle.moved", "Pindah domisili", definition="KPM moved away.").parent
    'obstacle'
    """

    id: str
    name: str
    name_en: str = ""
    definition: str = ""
    parent: str | None = None
    codable: bool = True
    color: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    requires: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not CODE_ID.match(self.id):
            raise ValueError(f"code id must be dotted lowercase words (got {self.id!r})")
        if self.parent is None and "." in self.id:
            object.__setattr__(self, "parent", self.id.rsplit(".", 1)[0])
        for name in ("examples", "cues", "requires", "extra"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Agency:
    """One canonical agency: id, names, level, parent and aliases.

    ``nouns`` are common nouns that name the agency only at the receiving end
    of a handoff ("dibagi ke warga"); ``exclude`` lists words that look like a
    misspelt alias but are not this agency (``Kepmensos``, the minister's decree, is one letter from
    ``Kemensos``); fuzzy matching never maps them here. ``generic`` are the
    aliases that name an office of the agency's level rather than this one
    ("lurah", "kantor kelurahan"): an informant from another agency of the same
    level means their own office by them.

    Examples
    --------
    >>> a = Agency("pos", "PT Pos Indonesia", level="paying agent", aliases=("Kantor Pos",))
    >>> a.surface_forms()
    ('PT Pos Indonesia', 'Kantor Pos')
    """

    id: str
    name: str
    name_en: str = ""
    level: str = ""
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    nouns: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not AGENCY_ID.match(self.id):
            raise ValueError(f"agency id must be lowercase letters, digits and '-' (got {self.id!r})")

    def surface_forms(self) -> tuple[str, ...]:
        """The name, the English name and every alias, without duplicates."""
        seen: dict[str, str] = {}
        for form in (self.name, self.name_en, *self.aliases):
            if form and normalize_alias(form) not in seen:
                seen[normalize_alias(form)] = form
        return tuple(seen.values())


@dataclass(frozen=True)
class Codebook:
    """The codes and the agencies of a project.

    Examples
    --------
    >>> cb = Codebook((Code("a", "A", definition="x"), Code("a.b", "B", definition="y")), ())
    >>> cb.code("a.b").parent, cb.codable_ids
    ('a', ('a', 'a.b'))
    """

    codes: tuple[Code, ...]
    agencies: tuple[Agency, ...]
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_codes", {c.id: c for c in self.codes})
        object.__setattr__(self, "_agencies", {a.id: a for a in self.agencies})

    def code(self, code_id: str) -> Code:
        """Return the code with this id (KeyError if unknown)."""
        return self._codes[code_id]  # type: ignore[attr-defined]

    def agency(self, agency_id: str) -> Agency:
        """Return the agency with this id (KeyError if unknown)."""
        return self._agencies[agency_id]  # type: ignore[attr-defined]

    def has_code(self, code_id: str) -> bool:
        """Whether a code with this id exists."""
        return code_id in self._codes  # type: ignore[attr-defined]

    def has_agency(self, agency_id: str) -> bool:
        """Whether an agency with this id exists."""
        return agency_id in self._agencies  # type: ignore[attr-defined]

    def level_of(self, agency_id: str) -> str:
        """The level of the agency with this id ('' if unknown)."""
        agency = self._agencies.get(agency_id)  # type: ignore[attr-defined]
        return agency.level if agency is not None else ""

    @property
    def codable_ids(self) -> tuple[str, ...]:
        """Ids of the codes a coder may apply, in codebook order."""
        return tuple(c.id for c in self.codes if c.codable)

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        """The codes whose parent is ``code_id`` (None: the top level)."""
        return tuple(c for c in self.codes if c.parent == code_id)


def _yaml_entries(path: Path) -> list[tuple[int, Any]]:
    """Load a YAML list; return (line, entry) pairs."""
    name = str(path)
    node, data = load_yaml(path, error=CodebookError)
    if data is None:
        raise CodebookError("the file is empty: expected a YAML list", file=name, line=1)
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise CodebookError("expected a YAML list of entries at the top level", file=name, line=1)
    return [(item.start_mark.line + 1, entry) for item, entry in zip(node.value, data, strict=True)]


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ValueError(f"'{what}' must be a list of strings")
    return tuple(str(v) for v in value)


def _by_lang(value: Any, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if isinstance(value, list):  # a plain list: for every language
        return {lang: _str_list(value, what) for lang in LANGS}
    if not isinstance(value, dict):
        raise ValueError(f"'{what}' must map a language (id, en) to a list of strings")
    unknown = sorted(set(map(str, value)) - set(LANGS))
    if unknown:
        raise ValueError(f"'{what}' has unknown language {unknown[0]!r} (use id or en)")
    return {str(lang): _str_list(items, f"{what}.{lang}") for lang, items in value.items()}


_CODE_FIELDS = {
    "id", "name", "name_en", "parent", "codable", "color", "definition",
    "include", "exclude", "examples", "cues", "requires",
}  # fmt: skip


def _code(entry: Any) -> Code:
    if not isinstance(entry, dict):
        raise ValueError("each code must be a mapping with at least 'id', 'name' and 'definition'")
    code_id = entry.get("id")
    if not isinstance(code_id, str) or not CODE_ID.match(code_id):
        raise ValueError(f"'id' must be dotted lowercase words like 'obstacle.moved' (got {code_id!r})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"code {code_id!r}: 'name' is missing or empty")
    definition = entry.get("definition")
    if not isinstance(definition, str) or not definition.strip():
        raise ValueError(f"code {code_id!r}: 'definition' is missing or empty")
    color = entry.get("color") or ""
    if color and not COLOR.match(str(color)):
        raise ValueError(f"code {code_id!r}: 'color' must be six-digit #RRGGBB (got {color!r})")
    cues = _by_lang(entry.get("cues"), "cues")
    for items in cues.values():
        for cue in items:
            words = cue.split()
            last = len(words) - 1
            if (
                not words
                or not all(CUE_WORD.match(w) or (w == CUE_GAP and 0 < i < last) for i, w in enumerate(words))
                or any(a == b == CUE_GAP for a, b in pairwise(words))
            ):
                raise ValueError(
                    f"code {code_id!r}: cue {cue!r} is not a valid pattern "
                    "(words of letters, digits, - / ' . , with an optional trailing *; "
                    f"a lone {CUE_GAP} between two words stands for up to two other words)"
                )
    requires = entry.get("requires") or {}
    if not isinstance(requires, dict):
        raise ValueError(f"code {code_id!r}: 'requires' must be a mapping like {{agencies: 2}}")
    if "agencies" in requires and not (isinstance(requires["agencies"], int) and requires["agencies"] >= 1):
        raise ValueError(f"code {code_id!r}: 'requires.agencies' must be a positive whole number")
    if "parallel" in requires and not isinstance(requires["parallel"], bool):
        raise ValueError(f"code {code_id!r}: 'requires.parallel' must be true or false")
    if "yields_to" in requires:
        yields = requires["yields_to"]
        if isinstance(yields, str):
            yields = [yields]
        if not (isinstance(yields, list) and yields and all(isinstance(y, str) and y for y in yields)):
            raise ValueError(
                f"code {code_id!r}: 'requires.yields_to' must be a code id or a list of code ids"
            )
        if code_id in yields:
            raise ValueError(f"code {code_id!r}: 'requires.yields_to' names the code itself")
        requires = {**requires, "yields_to": [str(y) for y in yields]}
    unknown = sorted(set(requires) - {"agencies", "parallel", "yields_to"})
    if unknown:
        raise ValueError(
            f"code {code_id!r}: unknown requirement(s) {', '.join(map(repr, unknown))} "
            "(known: agencies, parallel, yields_to)"
        )
    parent = entry.get("parent")
    return Code(
        id=code_id,
        name=name.strip(),
        name_en=str(entry.get("name_en") or "").strip(),
        definition=" ".join(definition.split()),
        parent=None if parent in (None, "") else str(parent),
        codable=bool(entry.get("codable", True)),
        color=str(color).upper(),
        include=_str_list(entry.get("include"), "include"),
        exclude=_str_list(entry.get("exclude"), "exclude"),
        examples=_by_lang(entry.get("examples"), "examples"),
        cues=cues,
        requires=dict(requires),
        extra={k: v for k, v in entry.items() if k not in _CODE_FIELDS},
    )


def _agency(entry: Any) -> Agency:
    if not isinstance(entry, dict):
        raise ValueError("each agency must be a mapping with at least 'id', 'name' and 'level'")
    agency_id = entry.get("id")
    if not isinstance(agency_id, str) or not AGENCY_ID.match(agency_id):
        raise ValueError(f"'id' must be lowercase letters, digits and '-' (got {agency_id!r})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"agency {agency_id!r}: 'name' is missing or empty")
    level = entry.get("level")
    if level not in AGENCY_LEVELS:
        raise ValueError(
            f"agency {agency_id!r}: 'level' must be one of {', '.join(AGENCY_LEVELS)} (got {level!r})"
        )
    parent = entry.get("parent")
    return Agency(
        id=agency_id,
        name=name.strip(),
        name_en=str(entry.get("name_en") or "").strip(),
        level=str(level),
        parent=None if parent in (None, "") else str(parent),
        aliases=_str_list(entry.get("aliases"), "aliases"),
        exclude=_str_list(entry.get("exclude"), "exclude"),
        nouns=_str_list(entry.get("nouns"), "nouns"),
        generic=_str_list(entry.get("generic"), "generic"),
    )


def _check_ids(
    items: list[tuple[int, Any]],
    file: str,
    what: str,
    required: tuple[str, ...],
    check_required: bool,
    invalid: set[str],
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, item in items:
        if item.id in seen:
            problems.append(
                Problem(file, line, f"duplicate {what} id {item.id!r} (first at line {seen[item.id]})")
            )
        else:
            seen[item.id] = line
    for line, item in items:
        if item.parent is not None and item.parent not in seen:
            problems.append(Problem(file, line, f"{what} {item.id!r}: unknown parent {item.parent!r}"))
    if check_required:
        for needed in required:
            if needed not in seen and needed not in invalid:
                problems.append(Problem(file, None, f"required {what} id {needed!r} is missing"))
    return problems


def _check_yields(codes: list[tuple[int, Code]], file: str) -> list[Problem]:
    """``requires.yields_to`` names codable codes that yield to none (one level only,
    so that no two codes cancel each other)."""
    problems: list[Problem] = []
    codable = {code.id: code for _, code in codes if code.codable}
    for line, code in codes:
        for other in code.requires.get("yields_to", ()):
            if other not in codable:
                message = f"'requires.yields_to' names {other!r}, not a codable code"
            elif codable[other].requires.get("yields_to"):
                message = (
                    f"yields to {other!r}, which itself yields to other codes "
                    "(one level only, so that no two codes cancel each other)"
                )
            else:
                continue
            problems.append(Problem(file, line, f"code {code.id!r}: {message}"))
    return problems


def load_codebook(folder: str | Path, *, require_contract_ids: bool | None = None) -> Codebook:
    """Load and validate ``codebook.yaml`` and ``agencies.yaml`` from ``folder``.

    Parameters
    ----------
    folder : str or Path
        The codebook folder (``codebook/`` in a project).
    require_contract_ids : bool, optional
        Require every code and agency id of CONTRACT.md (the shipped study).
        By default they are required when the codebook uses any of them (a
        replication of the study must keep them all), and not for a codebook
        that uses none (another study, or a project imported from a QDA tool).

    Raises
    ------
    ValidationError
        Listing every problem (duplicate ids, unknown parents, missing required
        ids, empty definitions, invalid cues, alias collisions between two
        agencies), each with file, line and entry.
    """
    root = Path(folder)
    problems: list[Problem] = []
    codes_file = root / "codebook.yaml"
    agencies_file = root / "agencies.yaml"
    loaded: dict[str, list[tuple[int, Any]]] = {"codes": [], "agencies": []}
    invalid: dict[str, set[str]] = {"codes": set(), "agencies": set()}
    for key, path, build in (("codes", codes_file, _code), ("agencies", agencies_file, _agency)):
        try:
            entries = _yaml_entries(path)
        except CodebookError as exc:
            problems.append(Problem(exc.file or path, exc.line, exc.message))
            continue
        for line, entry in entries:
            try:
                loaded[key].append((line, build(entry)))
            except ValueError as exc:
                problems.append(Problem(path, line, str(exc)))
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    invalid[key].add(entry["id"])  # reported already; not "missing" too

    def required(key: str, ids: tuple[str, ...]) -> bool:
        if require_contract_ids is not None:
            return require_contract_ids
        used = {item.id for _, item in loaded[key]} | invalid[key]
        return bool(used & set(ids))

    problems += _check_ids(
        loaded["codes"],
        str(codes_file),
        "code",
        REQUIRED_CODES,
        required("codes", REQUIRED_CODES),
        invalid["codes"],
    )
    problems += _check_yields(loaded["codes"], str(codes_file))
    problems += _check_ids(
        loaded["agencies"],
        str(agencies_file),
        "agency",
        REQUIRED_AGENCIES,
        required("agencies", REQUIRED_AGENCIES),
        invalid["agencies"],
    )
    owners: dict[str, tuple[str, int]] = {}
    for line, agency in loaded["agencies"]:
        forms = {normalize_alias(f) for f in agency.surface_forms()}
        for form in agency.generic:
            if normalize_alias(form) not in forms:
                problems.append(
                    Problem(
                        agencies_file,
                        line,
                        f"generic form {form!r} of agency {agency.id!r} is not one of its aliases; "
                        "list it under 'aliases' too",
                    )
                )
        for form in agency.surface_forms():
            key = normalize_alias(form)
            owner = owners.get(key)
            if owner is not None and owner[0] != agency.id:
                problems.append(
                    Problem(
                        agencies_file,
                        line,
                        f"alias {form!r} of agency {agency.id!r} is also an alias of "
                        f"{owner[0]!r} (line {owner[1]}); an alias must name one agency",
                    )
                )
            owners.setdefault(key, (agency.id, line))
    if problems:
        raise ValidationError(problems)
    return Codebook(
        codes=tuple(code for _, code in loaded["codes"]),
        agencies=tuple(agency for _, agency in loaded["agencies"]),
        path=str(root),
    )
