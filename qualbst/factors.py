"""Supporting and inhibiting factors, disbursement obstacles, cross-tabs and case matrices.

What helped and what hindered, with the evidence behind every number:

* :func:`factors`: the four ``factor.*`` codes (supporting / inhibiting x
  internal / external), each split into themes (what the coded segments are
  about: staff numbers, RT/RW help, data quality, schedules...), each theme
  with how many segments, informants and documents support it, its key terms
  and its most representative quote.
* :func:`obstacles`: the ``obstacle.*`` codes counted the same way.
* :func:`code_crosstab`: codes by a case attribute (role, agency, agency level).
* :func:`case_matrix`: informants by codes (0/1 or counts) with their case
  attributes, for R or SPSS.

Counting
--------
A segment supports a code when any selected coder applied the code to it; by
default the selected coders are all human coders (ids not starting with
``auto:``), and a segment two coders coded counts once. Only informant
segments count (interviewer turns are never evidence). ``informants`` counts
distinct informants: the document's ``informant`` pseudonym when it has one
informant speaker (the same pseudonym in two documents is one person), else
``document:speaker``. Every count comes with the ids behind it
(``segment_ids``, ``informant_ids``, ``document_ids``, joined by ``;``).

Themes
------
Themes come from a lexicon a researcher edits, ``codebook/themes.yaml``
(:func:`load_themes`): each theme lists terms per language. Words are
compared by stem (:func:`qualbst.lang.stem`: Sastrawi for Indonesian,
Snowball for English), so ``diperbarui`` and ``perbarui`` match; a word ending
in ``*`` matches any word that begins so (``antr*``: antre, antrian,
antrine); a term of several words matches them in sequence. A segment goes to
the theme with the most distinct matching terms, ties to the theme listed
first. A segment no term matches continues its neighbour's point (a short
sentence like "Lima." after "Seksi Kesra cuma 5 orang"): it takes the theme
of the nearest segment of the same turn coded with the same factor, the
preceding one first; failing that it goes to ``other``. The rule is
deterministic and every assignment can be checked by hand.

Key terms are the stems with the highest TF-IDF in a group (a factor's theme
or an obstacle code), where each group of segments is one "document": term
frequency is the number of the group's segments containing the stem, inverse
document frequency ``ln((1 + G) / (1 + df)) + 1`` over the G groups of the
table (smoothed, as in scikit-learn). Stop words (spaCy's for the language,
plus the lexicon's own list) and numbers are left out; a stem must occur in at
least two of the group's segments (one, for a group of one segment). Each
stem is shown as its most frequent spelling. The quote is the segment that
says most of what its group says: the largest total TF-IDF weight of its
distinct stems, divided by the square root of their number (at least 8, so
that neither one-word sentences nor long lists win); ties go to the segment
more coders coded, then to the earlier one.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .corpus.model import is_interviewer
from .errors import CodebookError, CodingsError, QualbstError
from .tables import is_machine

if TYPE_CHECKING:
    import pandas as pd

    from .codebook import Codebook
    from .corpus.model import Document

__all__ = [
    "FACTORS_COLUMNS",
    "OBSTACLES_COLUMNS",
    "OTHER",
    "Theme",
    "ThemeLexicon",
    "case_matrix",
    "code_crosstab",
    "factor_matrix",
    "factors",
    "load_themes",
    "obstacles",
]

#: Columns of ``out/factors.csv`` fixed by CONTRACT.md; more follow them.
FACTORS_COLUMNS: tuple[str, ...] = ("factor", "theme", "segments", "informants", "documents", "quote")
_EVIDENCE_COLUMNS: tuple[str, ...] = (
    "key_terms",
    "segment_ids",
    "informant_ids",
    "document_ids",
    "quote_segment",
    "quote_document",
    "quote_turn",
    "coders",
)
FACTORS_EXTRA: tuple[str, ...] = ("theme_name", "theme_name_en", "direction", "locus", *_EVIDENCE_COLUMNS)
OBSTACLES_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "name_en",
    "segments",
    "informants",
    "documents",
    "quote",
    *_EVIDENCE_COLUMNS,
)
#: The theme of segments no lexicon term matches.
OTHER = "other"
FACTOR_PREFIX = "factor."
OBSTACLE_PREFIX = "obstacle."
KEY_TERMS = 5
MISSING = "(missing)"
#: ``code_crosstab(by=BY_CODER)``: one column per coder instead of a document field.
BY_CODER = "coder"
_THEME_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_WORD = re.compile(r"[^\W_]+")


# --------------------------------------------------------------------------
# The theme lexicon
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """One theme: an id, names, and the terms that signal it, per language.

    Examples
    --------
    >>> t = Theme("staff", "Jumlah staf", "Staff numbers", {"id": ("staf", "tenaga"), "en": ("staff",)})
    >>> t.terms["id"]
    ('staf', 'tenaga')
    """

    id: str
    name: str
    name_en: str = ""
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _THEME_ID.match(self.id) or self.id == OTHER:
            raise ValueError(
                f"theme id must be lowercase letters, digits and '-', not {OTHER!r} (got {self.id!r})"
            )
        object.__setattr__(self, "terms", MappingProxyType({k: tuple(v) for k, v in self.terms.items()}))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class ThemeLexicon:
    """The themes, in order of priority, and extra stop words per language.

    Examples
    --------
    >>> lex = ThemeLexicon((Theme("staff", "Staf", terms={"id": ("staf",)}),), {"id": ("mbak",)})
    >>> [t.id for t in lex.themes], lex.stop_words["id"]
    (['staff'], ('mbak',))
    """

    themes: tuple[Theme, ...] = ()
    stop_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "stop_words", MappingProxyType({k: tuple(v) for k, v in self.stop_words.items()})
        )

    def theme(self, theme_id: str) -> Theme:
        """Return the theme with this id (KeyError if unknown)."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


def _words(value: Any, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"'{what}' must map a language (id, en) to a list of words")
    out: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if str(lang) not in ("id", "en"):
            raise ValueError(f"'{what}' has unknown language {lang!r} (use id or en)")
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
            raise ValueError(f"'{what}.{lang}' must be a list of words")
        terms = tuple(str(i).strip() for i in items)
        empty = [t for t in terms if not _WORD.search(t)]
        if empty:
            raise ValueError(f"'{what}.{lang}' has a term without letters or digits: {empty[0]!r}")
        out[str(lang)] = terms
    return out


def load_themes(path: str | Path) -> ThemeLexicon:
    """Read a theme lexicon (``codebook/themes.yaml``).

    The file is a YAML mapping with ``themes``, a list of ``{id, name,
    name_en, terms: {id: [...], en: [...]}}`` in order of priority, and
    optional ``stop_words: {id: [...], en: [...]}``, words never taken as key
    terms.

    Raises
    ------
    CodebookError
        The file is missing or malformed, a theme lacks ``id`` or ``name``,
        an id is repeated or is ``other``, a term has no letters; the message
        names the file and the line of the theme.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "themes.yaml"
    >>> _ = p.write_text("themes:\\n  - {id: staff, name: Staf, terms: {id: [staf]}}\\n")
    >>> load_themes(p).themes[0].terms["id"]
    ('staf',)
    """
    import yaml

    from ._yaml import load_yaml

    file = Path(path)
    name = str(file)
    node, data = load_yaml(file, error=CodebookError, missing="theme lexicon not found")
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise CodebookError("expected a mapping with a 'themes' list", file=name, line=1)
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "themes" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["themes"]):
        line = lines[index] if index < len(lines) else None
        try:
            if not isinstance(entry, dict):
                raise ValueError("each theme must be a mapping with 'id', 'name' and 'terms'")
            theme_id, theme_name = entry.get("id"), entry.get("name")
            if not isinstance(theme_id, str):
                raise ValueError(f"theme 'id' is missing (got {theme_id!r})")
            if not isinstance(theme_name, str) or not theme_name.strip():
                raise ValueError(f"theme {theme_id!r}: 'name' is missing or empty")
            theme = Theme(
                theme_id,
                theme_name.strip(),
                str(entry.get("name_en") or "").strip(),
                _words(entry.get("terms"), "terms"),
            )
        except ValueError as exc:
            raise CodebookError(str(exc), file=name, line=line) from None
        if theme.id in seen:
            raise CodebookError(
                f"duplicate theme id {theme.id!r} (first at line {seen[theme.id]})", file=name, line=line
            )
        seen[theme.id] = line or 0
        themes.append(theme)
    try:
        stop = _words(data.get("stop_words"), "stop_words")
    except ValueError as exc:
        raise CodebookError(str(exc), file=name) from None
    return ThemeLexicon(tuple(themes), stop, name)


# --------------------------------------------------------------------------
# Text: tokens, stems, matching
# --------------------------------------------------------------------------


@cache
def _stem(word: str, lang: str) -> str:
    from .lang import stem

    return stem(word, lang)


def _tokens(text: str, lang: str) -> list[tuple[str, str]]:
    """(surface, stem) pairs, lowercased; hyphens and slashes split words (``RT/RW``: rt, rw)."""
    return [(w, _stem(w, lang)) for w in (m.group(0).lower() for m in _WORD.finditer(text))]


Matcher = tuple[tuple[bool, str], ...]  # per word: (is prefix, stem or prefix)


def _matcher(term: str, lang: str) -> Matcher:
    pieces: list[tuple[bool, str]] = []
    for word in term.split():
        prefix = word.endswith("*")
        parts = [p.lower() for p in _WORD.findall(word)]
        for i, part in enumerate(parts):
            if prefix and i == len(parts) - 1:
                pieces.append((True, part))
            else:
                pieces.append((False, _stem(part, lang)))
    return tuple(pieces)


def _matches(matcher: Matcher, tokens: Sequence[tuple[str, str]]) -> bool:
    size = len(matcher)
    for start in range(len(tokens) - size + 1):
        for (prefix, value), (surface, stem) in zip(matcher, tokens[start : start + size], strict=True):
            if prefix and not surface.startswith(value):
                break
            if not prefix and stem != value:
                break
        else:
            return True
    return False


@cache
def _spacy_stop_words(lang: str) -> frozenset[str]:
    if lang == "id":
        from spacy.lang.id.stop_words import STOP_WORDS
    else:
        from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """The coded informant segments of the selected coders, with what is needed to count them."""

    coders: tuple[str, ...]
    rows: pd.DataFrame  # segment, code, coder (informant segments only)
    segments: Mapping[str, Mapping[str, Any]]  # segment id -> document, turn, speaker, text
    informant: Mapping[str, str]  # segment id -> informant key
    language: Mapping[str, str]  # document id -> language
    order: Mapping[str, int]  # segment id -> position in the corpus


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise QualbstError(
            f"{name} table: missing column(s) {', '.join(missing)} (got {list(frame.columns)}); "
            "see CONTRACT.md for its columns"
        )


def _select_coders(codings: pd.DataFrame, coder: str | Iterable[str] | None) -> tuple[str, ...]:
    known = sorted({str(c) for c in codings["coder"]})
    if coder is None:
        humans = tuple(c for c in known if not is_machine(c))
        if known and not humans:
            raise CodingsError(
                f"no human coder's codings (coders present: {', '.join(known)}); pass coder=... to "
                f"summarise machine codes, e.g. coder={known[0]!r}"
            )
        return humans
    chosen = tuple(dict.fromkeys([coder] if isinstance(coder, str) else [str(c) for c in coder]))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise QualbstError(
            f"unknown coder(s) {', '.join(repr(c) for c in unknown)}: not in the codings; "
            f"known coders: {', '.join(known) or 'none'}"
        )
    return chosen


def _evidence(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    documents: Iterable[Document],
    coder: str | Iterable[str] | None,
) -> _Evidence:
    _require(codings, ("document", "segment", "code", "coder"), "codings")
    _require(segments, ("document", "segment", "turn", "speaker", "role", "text"), "segments")
    docs = {d.id: d for d in documents}
    unknown_docs = sorted(set(codings["document"].astype(str)) - set(docs))
    if unknown_docs:
        raise CodingsError(
            f"codings refer to document(s) not among the documents given: {', '.join(unknown_docs[:5])}; "
            "pass the documents the codings were made on"
        )
    unknown_segments = sorted(set(codings["segment"].astype(str)) - set(segments["segment"].astype(str)))
    if unknown_segments:
        raise CodingsError(
            f"codings refer to segment(s) not in the segments table: {', '.join(unknown_segments[:5])}; "
            "make the codings and the segments from the same transcripts"
        )
    chosen = _select_coders(codings, coder)
    speakers: dict[str, set[str]] = {}
    info: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    for position, (seg, doc, turn, speaker, role, text) in enumerate(
        zip(
            segments["segment"].astype(str),
            segments["document"].astype(str),
            segments["turn"],
            segments["speaker"].astype(str),
            segments["role"].astype(str),
            segments["text"].astype(str),
            strict=True,
        )
    ):
        if is_interviewer(role):
            continue
        info[seg] = {"document": doc, "turn": int(turn), "speaker": speaker, "text": text}
        order[seg] = position
        speakers.setdefault(doc, set()).add(speaker)
    informant: dict[str, str] = {}
    for seg, row in info.items():
        doc = docs.get(row["document"])
        single = doc is not None and len(speakers.get(row["document"], ())) <= 1
        informant[seg] = (
            doc.informant if single and doc is not None else f"{row['document']}:{row['speaker']}"
        )
    rows = codings.loc[
        codings["coder"].astype(str).isin(chosen) & codings["segment"].astype(str).isin(info),
        ["segment", "code", "coder"],
    ].astype(str)
    return _Evidence(
        coders=chosen,
        rows=rows.reset_index(drop=True),
        segments=info,
        informant=informant,
        language={d.id: d.language for d in docs.values()},
        order=order,
    )


def _codes_with_prefix(evidence: _Evidence, codebook: Codebook | None, prefix: str) -> list[str]:
    if codebook is not None:
        return [c for c in codebook.codable_ids if c.startswith(prefix)]
    return sorted({c for c in evidence.rows["code"] if c.startswith(prefix)})


def _segments_of(evidence: _Evidence, code: str) -> list[str]:
    hits = set(evidence.rows.loc[evidence.rows["code"] == code, "segment"])
    return sorted(hits, key=lambda s: evidence.order[s])


# --------------------------------------------------------------------------
# Counting, key terms and quotes
# --------------------------------------------------------------------------


def _counts(evidence: _Evidence, segment_ids: Sequence[str]) -> dict[str, Any]:
    informants = sorted({evidence.informant[s] for s in segment_ids})
    documents = sorted({evidence.segments[s]["document"] for s in segment_ids}, key=str)
    return {
        "segments": len(segment_ids),
        "informants": len(informants),
        "documents": len(documents),
        "segment_ids": ";".join(segment_ids),
        "informant_ids": ";".join(informants),
        "document_ids": ";".join(documents),
    }


@dataclass
class _Profile:
    """Content stems of each segment and their spellings, for TF-IDF."""

    stems: dict[str, list[str]]  # segment -> distinct content stems, in order
    spelling: dict[str, Counter[str]]  # stem -> surface forms


def _profile(evidence: _Evidence, segment_ids: Iterable[str], lexicon: ThemeLexicon) -> _Profile:
    stems: dict[str, list[str]] = {}
    spelling: dict[str, Counter[str]] = {}
    for seg in segment_ids:
        if seg in stems:
            continue
        lang = evidence.language.get(evidence.segments[seg]["document"], "id")
        stop = _spacy_stop_words(lang) | {w.lower() for w in lexicon.stop_words.get(lang, ())}
        distinct: dict[str, None] = {}
        for surface, stem in _tokens(evidence.segments[seg]["text"], lang):
            if surface in stop or stem in stop or surface.isdigit() or len(surface) < 2:
                continue
            distinct.setdefault(stem)
            spelling.setdefault(stem, Counter())[surface] += 1
        stems[seg] = list(distinct)
    return _Profile(stems, spelling)


def _tfidf(groups: Mapping[Any, Sequence[str]], profile: _Profile) -> dict[Any, dict[str, float]]:
    """Per group: stem -> TF-IDF weight (tf = segments of the group containing the stem)."""
    tf: dict[Any, Counter[str]] = {
        key: Counter(s for seg in segs for s in profile.stems[seg]) for key, segs in groups.items()
    }
    df: Counter[str] = Counter(s for counter in tf.values() for s in counter)
    total = len(groups)
    return {
        key: {s: n * (math.log((1 + total) / (1 + df[s])) + 1) for s, n in counter.items()}
        for key, counter in tf.items()
    }


def _key_terms(weights: Mapping[str, float], segs: Sequence[str], profile: _Profile) -> str:
    minimum = 1 if len(segs) == 1 else 2
    support = Counter(s for seg in segs for s in profile.stems[seg])
    spelled = {s: sorted(profile.spelling[s].items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for s in weights}
    ranked = sorted((s for s in weights if support[s] >= minimum), key=lambda s: (-weights[s], spelled[s]))
    return ", ".join(spelled[s] for s in ranked[:KEY_TERMS])


def _quote(
    evidence: _Evidence, weights: Mapping[str, float], segs: Sequence[str], profile: _Profile
) -> dict[str, Any]:
    if not segs:
        return {"quote": "", "quote_segment": "", "quote_document": "", "quote_turn": None}
    coders_of = evidence.rows.groupby("segment")["coder"].nunique().to_dict()
    best = max(
        segs,
        key=lambda s: (
            round(
                sum(weights.get(t, 0.0) for t in profile.stems[s]) / math.sqrt(max(len(profile.stems[s]), 8)),
                9,
            ),
            coders_of.get(s, 0),
            -evidence.order[s],
        ),
    )
    info = evidence.segments[best]
    return {
        "quote": info["text"],
        "quote_segment": best,
        "quote_document": info["document"],
        "quote_turn": info["turn"],
    }


def _assign_theme(tokens: Sequence[tuple[str, str]], matchers: Sequence[tuple[Theme, list[Matcher]]]) -> str:
    best, best_score = OTHER, 0
    stems = {stem for _, stem in tokens}
    for theme, theme_matchers in matchers:
        score = sum(
            1
            for m in theme_matchers
            # a term with a whole word the segment lacks cannot match: skip the scan
            if all(prefix or value in stems for prefix, value in m) and _matches(m, tokens)
        )
        if score > best_score:
            best, best_score = theme.id, score
    return best


def _with_context(evidence: _Evidence, segs: Sequence[str], own: Mapping[str, str]) -> list[str]:
    """Each segment's theme; one no term matches takes its turn's nearest themed neighbour's.

    ``segs`` are one code's segments in corpus order. A short sentence such as
    "Lima." continues the point of the sentence before it, so it takes the
    theme of the nearest preceding segment of the same turn (and code) that
    has one, else of the nearest following one; failing both it is ``other``.
    """
    turn_of = [(evidence.segments[s]["document"], evidence.segments[s]["turn"]) for s in segs]
    out: list[str] = []
    for i, seg in enumerate(segs):
        theme = own[seg]
        if theme == OTHER:
            before = [j for j in range(i - 1, -1, -1) if turn_of[j] == turn_of[i]]
            after = [j for j in range(i + 1, len(segs)) if turn_of[j] == turn_of[i]]
            for j in [*before, *after]:
                if own[segs[j]] != OTHER:
                    theme = own[segs[j]]
                    break
        out.append(theme)
    return out


def _lexicon(themes: ThemeLexicon | str | Path | None, codebook: Codebook | None) -> ThemeLexicon:
    if isinstance(themes, ThemeLexicon):
        return themes
    if themes is not None:
        return load_themes(themes)
    if codebook is not None and codebook.path:
        path = Path(codebook.path) / "themes.yaml"
        if path.exists():
            return load_themes(path)
    return ThemeLexicon()


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def factors(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    documents: Iterable[Document],
    *,
    codebook: Codebook | None = None,
    coder: str | Iterable[str] | None = None,
    themes: ThemeLexicon | str | Path | None = None,
) -> pd.DataFrame:
    """Supporting and inhibiting factors by theme, each with its evidence.

    Parameters
    ----------
    codings : DataFrame
        The codings table (CONTRACT.md).
    segments : DataFrame
        The segments table.
    documents : iterable of Document
        The documents (for informants and language).
    codebook : Codebook, optional
        Gives the factor codes in codebook order and, by default, the theme
        lexicon ``themes.yaml`` in the codebook's folder. Without it: the
        ``factor.*`` codes used, sorted.
    coder : str or iterable of str, optional
        Whose codings count. Default: the union of all human coders.
    themes : ThemeLexicon or path, optional
        The theme lexicon. Default: ``<codebook folder>/themes.yaml`` when it
        exists; with no lexicon every segment is in theme ``other``.

    Returns
    -------
    DataFrame
        One row per factor code and theme with at least one segment, factors
        in code order, themes by segments (most first), then lexicon order,
        ``other`` last. Columns ``factor, theme, segments, informants,
        documents, quote`` (CONTRACT.md), then ``theme_name, theme_name_en,
        direction`` (supporting / inhibiting), ``locus`` (internal /
        external), ``key_terms``, ``segment_ids``, ``informant_ids``,
        ``document_ids``, ``quote_segment``, ``quote_document``,
        ``quote_turn``, ``coders``. See the module docstring for counting,
        themes, key terms and the choice of quote.

    Raises
    ------
    QualbstError
        An unknown coder (listing the known ones); a table without its columns.
    CodingsError
        Codings on documents or segments not given; only machine coders and
        ``coder=None``.
    CodebookError
        A malformed theme lexicon.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> docs = [Document("d", "id", {"I": "informant"}, "", (), {"informant": "Informan 1"})]
    >>> seg = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:2"], "turn": 1, "speaker": "I",
    ...     "role": "informant", "text": ["Stafnya cuma lima orang.", "RT bantu nganter undangan."]})
    >>> cod = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:2"], "coder": "A",
    ...     "code": ["factor.inhibiting.internal", "factor.supporting.external"]})
    >>> lex = ThemeLexicon((Theme("staff", "Staf", terms={"id": ("staf",)}),))
    >>> for row in factors(cod, seg, docs, themes=lex).itertuples():
    ...     print(row.factor, row.theme, row.segments, row.informants, row.quote)
    factor.inhibiting.internal staff 1 1 Stafnya cuma lima orang.
    factor.supporting.external other 1 1 RT bantu nganter undangan.
    """
    import pandas as pd

    evidence = _evidence(codings, segments, documents, coder)
    lexicon = _lexicon(themes, codebook)
    codes = _codes_with_prefix(evidence, codebook, FACTOR_PREFIX)
    matcher_cache: dict[str, list[tuple[Theme, list[Matcher]]]] = {}

    def matchers(lang: str) -> list[tuple[Theme, list[Matcher]]]:
        if lang not in matcher_cache:
            matcher_cache[lang] = [
                (t, [_matcher(term, lang) for term in t.terms.get(lang, ())]) for t in lexicon.themes
            ]
        return matcher_cache[lang]

    groups: dict[tuple[str, str], list[str]] = {}
    own: dict[str, str] = {}
    for code in codes:
        segs = _segments_of(evidence, code)
        for seg in segs:
            if seg not in own:
                lang = evidence.language.get(evidence.segments[seg]["document"], "id")
                own[seg] = _assign_theme(_tokens(evidence.segments[seg]["text"], lang), matchers(lang))
        for seg, theme in zip(segs, _with_context(evidence, segs, own), strict=True):
            groups.setdefault((code, theme), []).append(seg)
    profile = _profile(evidence, own, lexicon)
    weights = _tfidf(groups, profile)
    rank = {t.id: i for i, t in enumerate(lexicon.themes)}
    rows: list[dict[str, Any]] = []
    for code in codes:
        keys = [k for k in groups if k[0] == code]
        keys.sort(key=lambda k: (k[1] == OTHER, -len(groups[k]), rank.get(k[1], len(rank))))
        parts = code.split(".")
        for key in keys:
            segs = groups[key]
            found = lexicon.theme(key[1]) if key[1] != OTHER else None
            rows.append(
                {
                    "factor": code,
                    "theme": key[1],
                    **_counts(evidence, segs),
                    **_quote(evidence, weights[key], segs, profile),
                    "theme_name": found.name if found else "Lainnya",
                    "theme_name_en": found.name_en if found else "Other",
                    "direction": parts[1] if len(parts) > 2 else "",
                    "locus": parts[2] if len(parts) > 2 else "",
                    "key_terms": _key_terms(weights[key], segs, profile),
                    "coders": ";".join(evidence.coders),
                }
            )
    frame = pd.DataFrame(rows, columns=[*FACTORS_COLUMNS, *FACTORS_EXTRA])
    return frame.astype(
        {"segments": "int64", "informants": "int64", "documents": "int64", "quote_turn": "Int64"}
    )


def factor_matrix(table: pd.DataFrame, *, value: str = "segments") -> pd.DataFrame:
    """The factor codes as a matrix: direction (supporting, inhibiting) by
    locus (internal, external), from a :func:`factors` table.

    Each cell counts the distinct segments, informants or documents (``value``)
    behind the code, over all its themes (the union of the themes'
    ``segment_ids``, ``informant_ids`` or ``document_ids``: an informant who
    speaks to two themes counts once). Codes without a direction and locus
    (not ``factor.<direction>.<locus>``) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"direction": ["supporting", "supporting", "inhibiting"],
    ...     "locus": ["external", "external", "internal"], "segment_ids": ["a:1:1;a:2:1", "b:1:1", "a:3:1"],
    ...     "informant_ids": ["I1", "I1;I2", "I1"], "document_ids": ["a", "b", "a"]})
    >>> factor_matrix(table, value="informants").to_dict("index")
    {'supporting': {'internal': 0, 'external': 2}, 'inhibiting': {'internal': 1, 'external': 0}}
    """
    import pandas as pd

    if value not in ("segments", "informants", "documents"):
        raise QualbstError(f"value must be segments, informants or documents (got {value!r})")
    column = {"segments": "segment_ids", "informants": "informant_ids", "documents": "document_ids"}[value]
    _require(table, ("direction", "locus", column), "factors")
    ids: dict[tuple[str, str], set[str]] = {}
    for direction, locus, joined in zip(table["direction"], table["locus"], table[column], strict=True):
        if direction and locus:
            ids.setdefault((str(direction), str(locus)), set()).update(_split_ids(joined))
    directions = ["supporting", "inhibiting", *sorted({d for d, _ in ids} - {"supporting", "inhibiting"})]
    loci = ["internal", "external", *sorted({lo for _, lo in ids} - {"internal", "external"})]
    frame = pd.DataFrame(
        [[len(ids.get((d, lo), ())) for lo in loci] for d in directions],
        index=pd.Index(directions, name="direction"),
        columns=pd.Index(loci, name="locus"),
    )
    return frame.astype("int64")


def _split_ids(joined: Any) -> list[str]:
    if joined is None or (isinstance(joined, float) and joined != joined):
        return []
    return [part for part in str(joined).split(";") if part]


def obstacles(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    documents: Iterable[Document],
    *,
    coder: str | Iterable[str] | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The disbursement obstacles (``obstacle.*`` codes), counted as :func:`factors` counts.

    Parameters
    ----------
    codings, segments, documents
        As in :func:`factors`.
    coder : str or iterable of str, optional
        Whose codings count. Default: the union of all human coders.
    codebook : Codebook, optional
        Gives every obstacle code in codebook order (codes nobody applied get
        a row of zeros) and their names. Without it: the codes used, sorted.

    Returns
    -------
    DataFrame
        One row per obstacle code: ``code, name, name_en, segments,
        informants, documents, quote, key_terms, segment_ids, informant_ids,
        document_ids, quote_segment, quote_document, quote_turn, coders``.
        Key terms and quotes as in :func:`factors`, each code one group.

    Raises
    ------
    QualbstError, CodingsError
        As :func:`factors`.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> docs = [Document("d", "id", {"I": "informant"}, "", ())]
    >>> seg = pd.DataFrame({"document": "d", "segment": ["d:1:1"], "turn": 1, "speaker": "I",
    ...     "role": "informant", "text": ["Orangnya sudah meninggal."]})
    >>> cod = pd.DataFrame({"document": "d", "segment": ["d:1:1"], "coder": "A", "code": "obstacle.deceased"})
    >>> obstacles(cod, seg, docs)[["code", "segments", "quote"]].values.tolist()
    [['obstacle.deceased', 1, 'Orangnya sudah meninggal.']]
    """
    import pandas as pd

    evidence = _evidence(codings, segments, documents, coder)
    codes = _codes_with_prefix(evidence, codebook, OBSTACLE_PREFIX)
    groups = {code: _segments_of(evidence, code) for code in codes}
    lexicon = _lexicon(None, codebook)
    profile = _profile(evidence, [s for segs in groups.values() for s in segs], lexicon)
    weights = _tfidf(groups, profile)
    rows: list[dict[str, Any]] = []
    for code in codes:
        segs = groups[code]
        known = codebook is not None and codebook.has_code(code)
        rows.append(
            {
                "code": code,
                "name": codebook.code(code).name if codebook is not None and known else "",
                "name_en": codebook.code(code).name_en if codebook is not None and known else "",
                **_counts(evidence, segs),
                **_quote(evidence, weights[code], segs, profile),
                "key_terms": _key_terms(weights[code], segs, profile),
                "coders": ";".join(evidence.coders),
            }
        )
    frame = pd.DataFrame(rows, columns=list(OBSTACLES_COLUMNS))
    return frame.astype(
        {"segments": "int64", "informants": "int64", "documents": "int64", "quote_turn": "Int64"}
    )


def _attribute(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _case_attributes(documents: Sequence[Document]) -> list[str]:
    fields: dict[str, None] = {}
    for document in documents:
        for key in document.meta:
            if key not in ("id", "informant", "speakers"):
                fields.setdefault(str(key))
    return list(fields)


def _all_codes(evidence: _Evidence, codebook: Codebook | None) -> list[str]:
    if codebook is not None:
        return list(codebook.codable_ids)
    return sorted(set(evidence.rows["code"]))


def code_crosstab(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    documents: Iterable[Document],
    *,
    by: str = "role",
    coder: str | Iterable[str] | None = None,
    codebook: Codebook | None = None,
    value: str = "segments",
) -> pd.DataFrame:
    """Codes by a case attribute: how often each code occurs for each role, agency or level.

    Parameters
    ----------
    codings, segments, documents
        As in :func:`factors`.
    by : str, default "role"
        Any front-matter field of the documents (``role``, ``agency``,
        ``agency_level``, ``language``...). A document without it is in
        column ``(missing)``. ``"coder"`` gives one column per coder counted
        (what each person coded with each code) and ``total`` their union.
    coder : str or iterable of str, optional
        Whose codings count. Default: the union of all human coders.
    codebook : Codebook, optional
        Rows for every codable code in codebook order; without it, the codes used, sorted.
    value : {"segments", "informants", "documents"}, default "segments"
        What a cell counts: distinct coded segments, informants or documents.

    Returns
    -------
    DataFrame
        Column ``code``, one column per value of ``by`` (sorted, ``(missing)``
        last) and ``total`` (distinct over all columns).

    Raises
    ------
    QualbstError
        ``by`` is a field no document has (the message lists the fields), an
        unknown ``value`` or coder.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> docs = [Document(d, "id", {"I": "informant"}, "", (), {"agency": a})
    ...         for d, a in [("a", "rtrw"), ("b", "pos")]]
    >>> seg = pd.DataFrame({"document": ["a", "a", "b"], "segment": ["a:1:1", "a:1:2", "b:1:1"], "turn": 1,
    ...     "speaker": "I", "role": "informant", "text": ["x", "y", "z"]})
    >>> cod = pd.DataFrame({"document": ["a", "a", "b"], "segment": ["a:1:1", "a:1:2", "b:1:1"], "coder": "A",
    ...     "code": "obstacle.moved"})
    >>> code_crosstab(cod, seg, docs, by="agency")
                 code  pos  rtrw  total
    0  obstacle.moved    1     2      3
    """
    import pandas as pd

    if value not in ("segments", "informants", "documents"):
        raise QualbstError(f"value must be segments, informants or documents (got {value!r})")
    documents = list(documents)
    evidence = _evidence(codings, segments, documents, coder)
    if by == BY_CODER:
        return _coder_crosstab(evidence, codebook, value)
    fields = sorted({str(k) for d in documents for k in d.meta})
    if by not in fields:
        raise QualbstError(
            f"no document has the field {by!r}; fields in the front matter: {', '.join(fields)}"
        )
    attribute = {d.id: _attribute(d.meta.get(by)) for d in documents}
    column_of = {d: (MISSING if v is None else str(v)) for d, v in attribute.items()}
    columns = sorted({c for c in column_of.values() if c != MISSING}) + (
        [MISSING] if MISSING in column_of.values() else []
    )

    rows = []
    for code in _all_codes(evidence, codebook):
        segs = _segments_of(evidence, code)
        row: dict[str, Any] = {"code": code}
        for column in columns:
            row[column] = _measure(
                evidence, value, (s for s in segs if column_of[evidence.segments[s]["document"]] == column)
            )
        row["total"] = _measure(evidence, value, segs)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["code", *columns, "total"])
    return frame.astype(dict.fromkeys([*columns, "total"], "int64"))


def _measure(evidence: _Evidence, value: str, segs: Iterable[str]) -> int:
    """Distinct segments, or their distinct informants or documents."""
    segs = set(segs)
    if value == "segments":
        return len(segs)
    if value == "informants":
        return len({evidence.informant[s] for s in segs})
    return len({evidence.segments[s]["document"] for s in segs})


def _coder_crosstab(evidence: _Evidence, codebook: Codebook | None, value: str) -> pd.DataFrame:
    import pandas as pd

    columns = list(evidence.coders)
    by_pair: dict[tuple[str, str], set[str]] = {}
    for seg, code, who in zip(
        evidence.rows["segment"], evidence.rows["code"], evidence.rows["coder"], strict=True
    ):
        by_pair.setdefault((code, who), set()).add(seg)
    rows = []
    for code in _all_codes(evidence, codebook):
        row: dict[str, Any] = {"code": code}
        for who in columns:
            row[who] = _measure(evidence, value, by_pair.get((code, who), ()))
        row["total"] = _measure(evidence, value, _segments_of(evidence, code))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["code", *columns, "total"])
    return frame.astype(dict.fromkeys([*columns, "total"], "int64"))


def case_matrix(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    documents: Iterable[Document],
    *,
    counts: bool = False,
    coder: str | Iterable[str] | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Informants by codes, with their case attributes: the matrix users take to R or SPSS.

    Parameters
    ----------
    codings, segments, documents
        As in :func:`factors`.
    counts : bool, default False
        Cells count the informant's distinct coded segments; by default 1
        when the code occurs at all, else 0.
    coder : str or iterable of str, optional
        Whose codings count. Default: the union of all human coders.
    codebook : Codebook, optional
        A column for every codable code in codebook order; without it, the codes used, sorted.

    Returns
    -------
    DataFrame
        One row per informant (per document, or per informant speaker of a
        document with several), in document order, uncoded informants
        included: ``document, informant, speaker``, every other front-matter
        field (dates as ISO text), then one integer column per code.

    Raises
    ------
    QualbstError, CodingsError
        As :func:`factors`.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> docs = [Document(d, "id", {"I": "informant"}, "", (), {"informant": d.upper(), "agency": "pos"})
    ...         for d in "ab"]
    >>> seg = pd.DataFrame({"document": ["a", "a", "b"], "segment": ["a:1:1", "a:1:2", "b:1:1"], "turn": 1,
    ...     "speaker": "I", "role": "informant", "text": ["x", "y", "z"]})
    >>> cod = pd.DataFrame({"document": "a", "segment": ["a:1:1", "a:1:2"], "coder": "A",
    ...     "code": "obstacle.moved"})
    >>> case_matrix(cod, seg, docs, counts=True)
      document informant speaker agency  obstacle.moved
    0        a         A       I    pos               2
    1        b         B       I    pos               0
    """
    import pandas as pd

    documents = list(documents)
    evidence = _evidence(codings, segments, documents, coder)
    codes = _all_codes(evidence, codebook)
    attributes = _case_attributes(documents)
    cases: dict[str, dict[str, Any]] = {}
    speakers_by_doc: dict[str, list[str]] = {}
    for info in evidence.segments.values():
        speakers = speakers_by_doc.setdefault(info["document"], [])
        if info["speaker"] not in speakers:
            speakers.append(info["speaker"])
    for document in documents:
        labels = (
            speakers_by_doc.get(document.id)
            or [label for label, role in document.speakers.items() if not is_interviewer(role)][:1]
            or [""]
        )
        for label in labels:
            key = document.informant if len(labels) == 1 else f"{document.id}:{label}"
            row: dict[str, Any] = {"document": document.id, "informant": key, "speaker": label}
            row.update({a: _attribute(document.meta.get(a)) for a in attributes})
            row.update(dict.fromkeys(codes, 0))
            cases[f"{document.id}\t{label}"] = row
    coded: dict[tuple[str, str], set[str]] = {}
    for seg, code in zip(evidence.rows["segment"], evidence.rows["code"], strict=True):
        info = evidence.segments[seg]
        coded.setdefault((f"{info['document']}\t{info['speaker']}", code), set()).add(seg)
    for (case, code), segs in coded.items():
        if case in cases and code in cases[case]:
            cases[case][code] = len(segs) if counts else 1
    frame = pd.DataFrame(
        list(cases.values()), columns=["document", "informant", "speaker", *attributes, *codes]
    )
    return frame.astype(dict.fromkeys(codes, "int64"))
