"""Agency recognition and the transparent rule coder (``coder = auto:rules``).

Both read their knowledge from the codebook: agencies and aliases from
``agencies.yaml``; cues and structural requirements from ``codebook.yaml``.
No code branches on a particular code or agency id.

A segment gets a code when

1. it is an informant's (interviewer turns are never coded);
2. at least one of the code's cues matches, on the stem or the lowercase form,
   and is not negated (a negator within three words before it, with no
   punctuation between: ``tidak``, ``ndak``, ``nggak``, ``belum``, ``not``...);
3. the code's ``requires`` hold: ``agencies: N`` asks for N distinct agencies
   mentioned in the segment or the segment before it in the same turn
   (``kami``/``kita``/``we`` count as the informant's own agency). This is how
   the interdependence codes ask for a relation rather than a word: a handoff
   or feedback cue between two parties. ``parallel: true`` further asks that
   the agencies be parallel units (Thompson's pooled interdependence: units
   doing the same job on a shared resource): two of them of the same level,
   a plural by reduplication ("kelurahan-kelurahan"), or a word of parallel
   work (``qualbst/lang/<lang>/parallel_words.txt``: ``masing-masing``,
   ``tiap``, ``sama-sama``, "each", "both"...) in the same segments. A shared
   resource alone ("diambil dari DTKS", "paid from the national budget") is
   not pooled interdependence. ``yields_to: [codes]`` withholds the code
   from a segment the rule coder gives one of those codes: the codebook's
   sequential interdependence yields to reciprocal, since a flow that comes
   back to the sender is reciprocal ("kami kirim ke Pos, Pos kirim balik").

``evidence`` names every cue that fired and the words it matched, the
agencies that satisfied a requirement and what made them parallel; ``confidence`` is ``1 - 0.5**n`` for
``n`` distinct cues (one cue 0.5, two 0.75, three 0.875).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from ..corpus.model import is_interviewer
from ..lang import load_words
from ..tables import CODINGS_COLUMNS, MENTIONS_COLUMNS
from .matching import Annotator, annotator, reduplicated

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = ["RULES_CODER", "code_rules", "find_mentions"]

RULES_CODER = "auto:rules"


def _parallel(
    agencies: set[str], surfaces: list[str], texts: list[str], codebook: Codebook, ann: Annotator
) -> str | None:
    """Why ``agencies`` (named as ``surfaces`` in ``texts``) are parallel units
    (see module docstring), or None."""
    by_level: dict[str, list[str]] = defaultdict(list)
    for agency in sorted(agencies):
        by_level[codebook.level_of(agency)].append(agency)
    for level, same in sorted(by_level.items()):
        if level and len(same) > 1:
            return f"{', '.join(same)} ({level})"
    words = _parallel_words(ann.lang)
    for text in texts:
        for token in ann.make_doc(text):
            if token.lower_ in words:
                return repr(token.text)
    plural = next((s for s in surfaces if reduplicated(s)), None)
    return repr(plural) if plural else None


@cache
def _parallel_words(lang: str) -> frozenset[str]:
    return frozenset(w.lower() for w in load_words(lang, "parallel_words"))


def _docs_by_language(segments: pd.DataFrame, documents: Iterable[Document]) -> dict[str, Document]:
    by_id = {d.id: d for d in documents}
    missing = sorted(set(segments["document"]) - set(by_id))
    if missing:
        raise ValueError(f"segments of unknown documents: {', '.join(missing)}")
    return by_id


def _mention_rows(
    segments: pd.DataFrame, documents: Iterable[Document], codebook: Codebook
) -> list[tuple[Any, ...]]:
    """The mentions table's rows (MENTIONS_COLUMNS)."""
    by_id = _docs_by_language(segments, documents)
    rows: list[tuple[Any, ...]] = []
    for document_id, group in segments.groupby("document", sort=False):
        document = by_id[str(document_id)]
        ann = annotator(codebook, document.language)
        owns = [document.agency_for(role) for role in group["role"].tolist()]
        found = ann.mentions_in(group["text"].tolist(), owns)  # one Doc per document
        for segment, start, mentions in zip(
            group["segment"].tolist(), group["start"].tolist(), found, strict=True
        ):
            rows += [
                (document.id, segment, start + m.start, start + m.end, m.agency, m.surface, m.method)
                for m in mentions
            ]
    return rows


def find_mentions(segments: pd.DataFrame, documents: Iterable[Document], codebook: Codebook) -> pd.DataFrame:
    """Every agency mention in every segment.

    Parameters
    ----------
    segments : DataFrame
        The segments table.
    documents : iterable of Document
        The documents the segments come from (language, informant's agency).
    codebook : Codebook
        Agencies and their aliases.

    Returns
    -------
    DataFrame
        ``document, segment, start, end, agency, surface, method``: offsets into
        the document body; method ``alias`` (a name or alias, any case),
        ``fuzzy`` (one letter from a one-word alias of six or more letters, when
        exactly one agency is that close) or ``pronoun`` (``kami``, ``kita``,
        ``we`` in an informant turn, resolved to the front-matter ``agency``;
        ``beliau`` and ``mereka`` are left alone).

    Examples
    --------
    >>> import qualbst as qb
    >>> project = qb.load_project()
    >>> doc = project.document("kec-semampir-kesos")
    >>> segments = project.segments[project.segments["document"] == doc.id]
    >>> rows = find_mentions(segments, [doc], project.codebook)
    >>> sorted(set(rows["method"]))
    ['alias', 'pronoun']
    """
    import pandas as pd

    return pd.DataFrame(_mention_rows(segments, documents, codebook), columns=list(MENTIONS_COLUMNS))


def code_rules(
    segments: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    mentions: pd.DataFrame | None = None,
    context: int = 1,
) -> pd.DataFrame:
    """Code informant segments with the codebook's cues (see module docstring).

    Parameters
    ----------
    segments : DataFrame
        The segments table.
    documents : iterable of Document
    codebook : Codebook
    mentions : DataFrame, optional
        Agency mentions (from :func:`find_mentions`); computed when omitted.
    context : int, default 1
        How many earlier segments of the same turn count towards a code's
        ``requires: {agencies: N}``.

    Returns
    -------
    DataFrame
        Codings (CONTRACT.md columns) with coder ``auto:rules``.
    """
    import pandas as pd

    documents = list(documents)
    by_id = _docs_by_language(segments, documents)
    if mentions is None:
        mentions = find_mentions(segments, documents, codebook)
    agencies_in: dict[str, set[str]] = defaultdict(set)
    surfaces_in: dict[str, list[str]] = defaultdict(list)
    for seg_id, agency, surface in zip(
        mentions["segment"].tolist(), mentions["agency"].tolist(), mentions["surface"].tolist(), strict=True
    ):
        agencies_in[seg_id].add(agency)
        surfaces_in[seg_id].append(surface)
    required = {code.id: int(code.requires.get("agencies", 0)) for code in codebook.codes if code.codable}
    parallel = {code.id for code in codebook.codes if code.codable and code.requires.get("parallel")}
    yields = {
        code.id: frozenset(code.requires["yields_to"])
        for code in codebook.codes
        if code.codable and code.requires.get("yields_to")
    }
    text_of = dict(zip(segments["segment"].tolist(), segments["text"].tolist(), strict=True))
    order = {code.id: i for i, code in enumerate(codebook.codes)}
    rows: list[tuple[Any, ...]] = []  # CODINGS_COLUMNS, then the code's place for sorting
    for document_id, group in segments.groupby("document", sort=False):
        document = by_id[str(document_id)]
        ann = annotator(codebook, document.language)
        previous: list[tuple[int, str]] = []  # (turn, segment) of the last segments
        cues = ann.cues_in(group["text"].tolist())  # one Doc per document, as find_mentions read it
        columns = (group[c].tolist() for c in ("segment", "turn", "role", "start", "end"))
        for segment, turn, role, start, end, matches in zip(*columns, cues, strict=True):
            if is_interviewer(role):
                continue
            window = [s for t, s in previous[-context:] if t == turn] if context else []
            previous.append((turn, segment))
            if not matches:
                continue
            nearby: set[str] = set(agencies_in.get(segment, ()))
            for other in window:
                nearby |= agencies_in.get(other, set())
            by_code: dict[str, list[str]] = defaultdict(list)
            given: list[tuple[Any, ...]] = []
            for match in matches:
                if match.negated:
                    continue
                note = f"'{match.cue}'={match.surface!r}"
                if note not in by_code[match.code]:
                    by_code[match.code].append(note)
            for code_id, notes in by_code.items():
                need = required.get(code_id, 0)
                if need and len(nearby) < need:
                    continue
                evidence = "cue " + ", ".join(notes)
                if need:
                    evidence += f"; agencies {', '.join(sorted(nearby))}"
                if code_id in parallel:
                    here = [segment, *window]
                    surfaces = [x for s in here for x in surfaces_in.get(s, ())]
                    why = _parallel(nearby, surfaces, [text_of[s] for s in here], codebook, ann)
                    if why is None:
                        continue
                    evidence += f"; parallel: {why}"
                confidence = round(1 - 0.5 ** len(notes), 4)
                place = order[code_id]
                given.append(
                    (
                        document.id,
                        segment,
                        int(start),
                        int(end),
                        code_id,
                        RULES_CODER,
                        confidence,
                        evidence,
                        place,
                    )
                )
            codes_here = {row[4] for row in given}
            rows += [row for row in given if not yields.get(row[4], frozenset()) & codes_here]
    rows.sort(key=lambda row: (row[0], row[2], row[-1]))  # stable: a segment's codes in codebook order
    return pd.DataFrame([row[:-1] for row in rows], columns=list(CODINGS_COLUMNS))
