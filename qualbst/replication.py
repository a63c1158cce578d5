"""The published study beside the coded corpus: which findings and figures reproduce.

:func:`published_findings` loads the study's findings and figures from a data
file (by default the packaged ``qualbst/data/published.yaml``: Wardani &
Utama's case study of BST coordination in Kelurahan Wonokusumo);
:func:`compare_findings` checks each finding against an analysis
(:func:`qualbst.analyse`) and :func:`compare_figures` looks for each
published number in the transcripts. Both return one row per finding or
figure, marked reproduced or not, with the segments behind the verdict.

What counts as reproducing a finding is data, not code: each finding lists
checks of a few generic kinds (``types``, ``chain``, ``code``, ``theme``,
``pattern``; see :class:`Check`), and a finding is reproduced when all of its
checks hold. Counts use the human coders' codings (coder ids not starting
with ``auto:``) on informant segments; an informant is a document's
pseudonym (``document:speaker`` when a document has several informant
speakers), as in :mod:`qualbst.factors`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from ._yaml import load_yaml
from .corpus.model import is_interviewer
from .errors import QualbstError
from .tables import MACHINE_PREFIX

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.model import Document
    from .pipeline import Analysis

__all__ = [
    "CHECK_KINDS",
    "FIGURES_COLUMNS",
    "FINDINGS_COLUMNS",
    "PUBLISHED_FILE",
    "Check",
    "Figure",
    "Finding",
    "Published",
    "compare_figures",
    "compare_findings",
    "number_pattern",
    "published_findings",
    "segment_informants",
]

#: The packaged data file of the shipped study.
PUBLISHED_FILE = Path(__file__).resolve().parent / "data" / "published.yaml"
#: The kinds of check a finding may list, with their required fields.
CHECK_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "types": ("types",),
        "chain": ("type", "path"),
        "code": ("code",),
        "theme": ("factor", "theme"),
        "pattern": ("pattern",),
    }
)
FINDINGS_COLUMNS: tuple[str, ...] = (
    "finding",
    "topic",
    "statement",
    "reproduced",
    "observed",
    "checks",
    "segments",
    "documents",
    "informants",
)
FIGURES_COLUMNS: tuple[str, ...] = (
    "figure",
    "group",
    "label",
    "agency",
    "published",
    "unit",
    "reproduced",
    "stated",
    "segments",
    "documents",
    "informants",
    "quote",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --------------------------------------------------------------------------
# Records and the data file
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One test of a finding against the analysis.

    ``kind`` is one of :data:`CHECK_KINDS`; ``params`` holds the rest of the
    entry (``types``, ``path``, ``code``, ``theme``, ``pattern``,
    ``min_links``, ``min_informants``, ``describe``).

    Examples
    --------
    >>> Check("code", {"code": "aspect.parties", "min_informants": 3}).describe()
    'aspect.parties coded for at least 3 informants'
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def min_informants(self) -> int:
        """The informants a ``code``, ``theme`` or ``pattern`` check needs (default 1)."""
        return int(self.params.get("min_informants", 1))

    def describe(self) -> str:
        """The check in words."""
        p = self.params
        if self.kind == "types":
            need = int(p.get("min_links", 1))
            return f"links of each type {', '.join(map(str, p['types']))} (at least {need} each)"
        if self.kind == "chain":
            return f"{p['type']} chain {' -> '.join(map(str, p['path']))}"
        if self.kind == "code":
            return f"{p['code']} coded for at least {self.min_informants} informants"
        if self.kind == "theme":
            return f"theme {p['theme']} of {p['factor']} from at least {self.min_informants} informants"
        what = p.get("describe") or f"/{p['pattern']}/"
        return f"{what}: said by at least {self.min_informants} informants"


@dataclass(frozen=True)
class Finding:
    """One finding of the published study and the checks that would reproduce it."""

    id: str
    statement: str
    checks: tuple[Check, ...]
    topic: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Figure:
    """One number the study publishes (e.g. a ward's KPM), with where it belongs."""

    id: str
    label: str
    value: int
    unit: str = ""
    group: str = ""
    agency: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Published:
    """The findings and figures of a study, and where they come from."""

    findings: tuple[Finding, ...]
    figures: tuple[Figure, ...]
    citation: str = ""
    restated: str = ""
    note: str = ""
    path: str = ""

    def figure_group(self, group: str) -> tuple[Figure, ...]:
        """The figures of one group (e.g. ``kpm-semampir``), in file order."""
        return tuple(f for f in self.figures if f.group == group)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _check(entry: Any, bad: Any) -> Check:
    if not isinstance(entry, dict):
        raise bad("each check must be a mapping with a 'kind'")
    kind = str(entry.get("kind") or "")
    if kind not in CHECK_KINDS:
        raise bad(f"unknown check kind {entry.get('kind')!r}; use one of {', '.join(CHECK_KINDS)}")
    missing = [name for name in CHECK_KINDS[kind] if entry.get(name) in (None, "", [])]
    if missing:
        raise bad(f"a {kind} check needs {', '.join(repr(m) for m in missing)}")
    for name in ("types", "path"):
        if name in entry and not (
            isinstance(entry[name], list) and all(isinstance(v, str) for v in entry[name])
        ):
            raise bad(f"'{name}' must be a list of ids")
    if kind == "chain" and len(entry["path"]) < 2:
        raise bad("a chain 'path' needs at least two agencies")
    for name in ("min_links", "min_informants"):
        value = entry.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"'{name}' must be a whole number of at least 1 (got {value!r})")
    if kind == "pattern":
        try:
            re.compile(str(entry["pattern"]))
        except re.error as exc:
            raise bad(f"invalid regular expression {entry['pattern']!r}: {exc}") from None
    params = {k: v for k, v in entry.items() if k != "kind"}
    return Check(kind, params)


def published_findings(path: str | Path | None = None) -> Published:
    """Load a study's findings and figures (default: the packaged ``published.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        A YAML mapping with ``source`` (``citation``, ``restated``, ``note``),
        ``findings`` (a list of ``{id, topic, statement, checks}``) and
        ``figures`` (a list of ``{id, label, value, unit, group, agency}``).

    Returns
    -------
    Published

    Raises
    ------
    QualbstError
        ``file:line: problem`` for a missing file, malformed YAML, a finding
        without statement or checks, an unknown check kind, a check missing a
        field, an invalid regular expression, a figure whose value is not a
        whole number, or a duplicate id.

    Examples
    --------
    >>> published = published_findings()
    >>> published.findings[0].id, published.figure_group("kpm-semampir")[-1].value
    ('three-types', 13130)
    """
    file = PUBLISHED_FILE if path is None else Path(path)
    name = str(file)
    node, data = load_yaml(file)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise QualbstError(
            "expected a mapping with 'findings' and 'figures' at the top level", file=name, line=1
        )
    nodes = {k.value: v for k, v in node.value}
    source = data.get("source") or {}
    if not isinstance(source, dict):
        source = {"citation": source}

    def entries(key: str) -> list[tuple[int, int, Any]]:
        raw = data.get(key) or []
        sub = nodes.get(key)
        if not isinstance(raw, list) or (raw and not isinstance(sub, yaml.SequenceNode)):
            line = None if sub is None else sub.start_mark.line + 1
            raise QualbstError(f"'{key}' must be a list", file=name, line=line)
        items = sub.value if isinstance(sub, yaml.SequenceNode) else []
        return [
            (n, item.start_mark.line + 1, e) for n, (item, e) in enumerate(zip(items, raw, strict=True), 1)
        ]

    seen: set[str] = set()

    def entry_id(entry: Any, what: str, number: int, line: int) -> str:
        if not isinstance(entry, dict):
            raise QualbstError(f"{what} entry {number}: must be a mapping", file=name, line=line)
        ident = entry.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise QualbstError(
                f"{what} entry {number}: 'id' must be lowercase letters, digits and '-' (got {ident!r})",
                file=name,
                line=line,
            )
        if ident in seen:
            raise QualbstError(f"{what} entry {number}: duplicate id {ident!r}", file=name, line=line)
        seen.add(ident)
        return ident

    findings: list[Finding] = []
    for number, line, entry in entries("findings"):
        ident = entry_id(entry, "findings", number, line)

        def bad(message: str, ident: str = ident, line: int = line) -> QualbstError:
            return QualbstError(f"finding {ident!r}: {message}", file=name, line=line)

        statement = _text(entry.get("statement"))
        if not statement:
            raise bad("'statement' is missing or empty")
        raw_checks = entry.get("checks")
        if not isinstance(raw_checks, list) or not raw_checks:
            raise bad("'checks' must be a non-empty list")
        checks = tuple(_check(c, bad) for c in raw_checks)
        findings.append(Finding(ident, statement, checks, _text(entry.get("topic")), line))
    figures: list[Figure] = []
    for number, line, entry in entries("figures"):
        ident = entry_id(entry, "figures", number, line)
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise QualbstError(
                f"figure {ident!r}: 'value' must be a whole number of 0 or more (got {value!r})",
                file=name,
                line=line,
            )
        figures.append(
            Figure(
                ident,
                _text(entry.get("label")) or ident,
                value,
                _text(entry.get("unit")),
                _text(entry.get("group")),
                _text(entry.get("agency")),
                line,
            )
        )
    return Published(
        tuple(findings),
        tuple(figures),
        _text(source.get("citation")),
        _text(source.get("restated")),
        _text(source.get("note")),
        name,
    )


# --------------------------------------------------------------------------
# Evidence helpers
# --------------------------------------------------------------------------


def segment_informants(segments: pd.DataFrame, documents: Iterable[Document]) -> dict[str, str]:
    """The informant of every informant segment: the document's pseudonym, or
    ``document:speaker`` when the document has several informant speakers.

    Interviewer segments are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> d = Document("a", "id", {"P": "interviewer", "I1": "informant"}, "", (), {"informant": "Informan 1"})
    >>> segs = pd.DataFrame({"document": ["a", "a"], "segment": ["a:1:1", "a:2:1"],
    ...                      "speaker": ["P", "I1"], "role": ["interviewer", "informant"]})
    >>> segment_informants(segs, [d])
    {'a:2:1': 'Informan 1'}
    """
    by_id = {d.id: d for d in documents}
    out: dict[str, str] = {}
    for doc_id, seg_id, speaker, role in zip(
        segments["document"], segments["segment"], segments["speaker"], segments["role"], strict=True
    ):
        if is_interviewer(role):
            continue
        document = by_id.get(str(doc_id))
        if document is None:
            out[str(seg_id)] = str(doc_id)
            continue
        speakers = [s for s, r in document.speakers.items() if not is_interviewer(r)]
        out[str(seg_id)] = document.informant if len(speakers) <= 1 else f"{doc_id}:{speaker}"
    return out


def number_pattern(value: int) -> re.Pattern[str]:
    """A pattern for a whole number as transcripts write it: 4849, 4.849, 4,849 or 4 849.

    The number must stand alone: no digit, and no separator followed by a
    digit, on either side (so 4.849 is not found in 14.849 or 4.8490).

    Examples
    --------
    >>> p = number_pattern(4849)
    >>> [bool(p.search(t)) for t in ["KPM-nya 4.849.", "4,849 KPM", "4849", "14.849", "4.8490"]]
    [True, True, True, False, False]
    """
    digits = str(int(value))
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    body = r"[.,\u00a0\u202f ]?".join(groups)
    return re.compile(rf"(?<![\d])(?<![\d][.,])({body})(?![\d])(?![.,]\d)")


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------


@dataclass
class _Outcome:
    holds: bool
    observed: str
    segments: list[str]


class _Context:
    """What the checks look at, computed once per comparison."""

    def __init__(self, analysis: Analysis) -> None:
        project = analysis.project
        self.graph = analysis.graph
        self.tables = analysis.tables
        self.segments = project.segments
        self.informant = segment_informants(project.segments, project.documents)
        self.document = dict(
            zip(
                project.segments["segment"].astype(str), project.segments["document"].astype(str), strict=True
            )
        )
        codings = analysis.codings
        human = codings[~codings["coder"].astype(str).str.startswith(MACHINE_PREFIX)]
        self.coded: dict[str, list[str]] = {}
        for code, seg in sorted(
            set(zip(human["code"].astype(str), human["segment"].astype(str), strict=True))
        ):
            if seg in self.informant:
                self.coded.setdefault(code, []).append(seg)
        self.order = {str(s): i for i, s in enumerate(project.segments["segment"])}

    def sort(self, segments: Iterable[str]) -> list[str]:
        return sorted(set(segments), key=lambda s: (self.order.get(s, len(self.order)), s))

    def informants(self, segments: Iterable[str]) -> set[str]:
        return {self.informant[s] for s in segments if s in self.informant}


def _edge(graph: Any, kind: str, source: str, target: str) -> dict[str, Any] | None:
    for u, v in ((source, target), (target, source)) if kind != "sequential" else ((source, target),):
        if graph.has_edge(u, v, key=kind):
            return dict(graph.get_edge_data(u, v, key=kind))
    return None


def _run_check(check: Check, ctx: _Context) -> _Outcome:
    p = check.params
    need = check.min_informants
    if check.kind == "types":
        wanted = [str(t) for t in p["types"]]
        min_links = int(p.get("min_links", 1))
        parts, segs, holds = [], [], True
        for kind in wanted:
            links = [d for *_, k, d in ctx.graph.edges(keys=True, data=True) if str(d.get("type", k)) == kind]
            holds &= len(links) >= min_links
            parts.append(f"{kind}: {len(links)} link{'s' if len(links) != 1 else ''}")
            if links:  # the best-supported link of the type shows it exists
                best = max(links, key=lambda d: int(d.get("weight", 1)))
                segs += [str(s) for s in best.get("segments", ())]
        return _Outcome(holds, ", ".join(parts), segs)
    if check.kind == "chain":
        kind, path = str(p["type"]), [str(a) for a in p["path"]]
        parts, segs, holds = [], [], True
        for source, target in itertools.pairwise(path):
            data = _edge(ctx.graph, kind, source, target)
            if data is None:
                holds = False
                parts.append(f"{source} -> {target} missing")
            else:
                parts.append(f"{source} -> {target} ({int(data.get('weight', 1))})")
                segs += [str(s) for s in data.get("segments", ())]
        return _Outcome(holds, "; ".join(parts), segs)
    if check.kind == "code":
        code = str(p["code"])
        segs = ctx.coded.get(code, [])
        who = ctx.informants(segs)
        return _Outcome(
            len(who) >= need, f"{code}: {len(segs)} segments, {len(who)} informants (need {need})", segs
        )
    if check.kind == "theme":
        factor, theme = str(p["factor"]), str(p["theme"])
        table = ctx.tables.get("factors")
        if table is None or table.empty:
            return _Outcome(False, "no factor table (no human codings)", [])
        rows = table[(table["factor"] == factor) & (table["theme"] == theme)]
        if rows.empty:
            return _Outcome(False, f"{factor} has no theme {theme}", [])
        row = rows.iloc[0]
        segs = [s for s in str(row.get("segment_ids") or "").split(";") if s]
        count = int(row["informants"])
        return _Outcome(
            count >= need,
            f"{factor} / {theme}: {int(row['segments'])} segments, {count} informants (need {need})",
            segs,
        )
    pattern = re.compile(str(p["pattern"]), re.IGNORECASE)
    segs = [
        str(s)
        for s, text in zip(ctx.segments["segment"], ctx.segments["text"], strict=True)
        if str(s) in ctx.informant and pattern.search(str(text))
    ]
    who = ctx.informants(segs)
    what = p.get("describe") or f"/{p['pattern']}/"
    return _Outcome(
        len(who) >= need, f"{what}: {len(segs)} segments, {len(who)} informants (need {need})", segs
    )


def compare_findings(analysis: Analysis, *, published: Published | None = None) -> pd.DataFrame:
    """Each published finding, marked reproduced or not, with what the corpus shows.

    Parameters
    ----------
    analysis : Analysis
        From :func:`qualbst.analyse` (graph, factor table, codings, segments).
    published : Published, optional
        Default: :func:`published_findings` of the packaged study.

    Returns
    -------
    DataFrame
        One row per finding, in file order: ``finding`` (id), ``topic``,
        ``statement``, ``reproduced`` (bool: every check holds), ``observed``
        (what each check found, ``"; "``-joined, each marked ``[holds]`` or
        ``[fails]``), ``checks`` (the checks in words, ``"; "``-joined),
        ``segments`` (the segments behind the verdict, in corpus order,
        ``;``-joined), ``documents`` and ``informants`` (how many).

    Notes
    -----
    The evidence of a ``types`` check is the best-supported link of each
    type; of a ``chain``, every link on it; of ``code``, ``theme`` and
    ``pattern`` checks, every segment counted.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from qualbst.codebook import Codebook
    >>> from qualbst.corpus.model import Document
    >>> from qualbst.pipeline import Analysis, Project
    >>> d = Document("a", "en", {"E1": "informant"}, "", (), {"informant": "Informant E1"})
    >>> segs = pd.DataFrame({"document": ["a"], "segment": ["a:1:1"], "turn": [1], "speaker": ["E1"],
    ...                      "role": ["informant"], "start": [0], "end": [0], "text": ["About 80 percent."]})
    >>> codings = pd.DataFrame({"segment": [], "code": [], "coder": []})
    >>> analysis = Analysis(Project((d,), Codebook((), ()), segs, codings), pd.DataFrame(), codings,
    ...                     pd.DataFrame(), nx.MultiDiGraph(), {})
    >>> pub = Published((Finding("success-80", "About 80% successful.",
    ...                          (Check("pattern", {"pattern": "80 percent"}),)),), ())
    >>> compare_findings(analysis, published=pub)[["finding", "reproduced", "informants"]].values.tolist()
    [['success-80', True, 1]]
    """
    import pandas as pd

    published = published if published is not None else published_findings()
    ctx = _Context(analysis)
    rows: list[dict[str, Any]] = []
    for finding in published.findings:
        outcomes = [_run_check(check, ctx) for check in finding.checks]
        segs = ctx.sort(s for o in outcomes for s in o.segments)
        rows.append(
            {
                "finding": finding.id,
                "topic": finding.topic,
                "statement": finding.statement,
                "reproduced": all(o.holds for o in outcomes),
                "observed": "; ".join(f"{o.observed} [{'holds' if o.holds else 'fails'}]" for o in outcomes),
                "checks": "; ".join(c.describe() for c in finding.checks),
                "segments": ";".join(segs),
                "documents": len({ctx.document[s] for s in segs if s in ctx.document}),
                "informants": len(ctx.informants(segs)),
            }
        )
    return pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))


def compare_figures(
    segments: pd.DataFrame,
    documents: Sequence[Document],
    *,
    published: Published | None = None,
    group: str | None = None,
) -> pd.DataFrame:
    """Each published figure beside what the transcripts state.

    A figure is reproduced when an informant segment states the number
    (:func:`number_pattern`: 4849, 4.849, 4,849 or 4 849).

    Parameters
    ----------
    segments : DataFrame
        The segments table (CONTRACT.md).
    documents : sequence of Document
    published : Published, optional
        Default: :func:`published_findings` of the packaged study.
    group : str, optional
        Only the figures of this group (e.g. ``kpm-semampir``, the KPM table).

    Returns
    -------
    DataFrame
        One row per figure, in file order: ``figure``, ``group``, ``label``,
        ``agency``, ``published`` (int), ``unit``, ``reproduced`` (bool),
        ``stated`` (the number as the transcripts write it, distinct forms
        ``"; "``-joined), ``segments`` (``;``-joined ids, corpus order),
        ``documents`` and ``informants`` (how many), ``quote`` (the first
        segment stating it, or ``""``).

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.corpus.model import Document
    >>> d = Document("a", "id", {"I4": "informant"}, "", (), {"informant": "Informan 4"})
    >>> segs = pd.DataFrame({"document": ["a"], "segment": ["a:1:1"], "speaker": ["I4"],
    ...                      "role": ["informant"], "text": ["Ampel paling sedikit, 1.173."]})
    >>> pub = Published((), (Figure("kpm-ampel", "Ampel", 1173), Figure("kpm-ujung", "Ujung", 2177)))
    >>> compare_figures(segs, [d], published=pub)[["figure", "reproduced", "stated"]].values.tolist()
    [['kpm-ampel', True, '1.173'], ['kpm-ujung', False, '']]
    """
    import pandas as pd

    published = published if published is not None else published_findings()
    informant = segment_informants(segments, documents)
    rows: list[dict[str, Any]] = []
    texts = [
        (str(s), str(d), str(t))
        for s, d, t in zip(segments["segment"], segments["document"], segments["text"], strict=True)
        if str(s) in informant
    ]
    for figure in published.figures:
        if group is not None and figure.group != group:
            continue
        pattern = number_pattern(figure.value)
        found = [(s, d, t, m.group(1)) for s, d, t in texts for m in [pattern.search(t)] if m]
        stated = sorted({form for *_, form in found})
        rows.append(
            {
                "figure": figure.id,
                "group": figure.group,
                "label": figure.label,
                "agency": figure.agency,
                "published": figure.value,
                "unit": figure.unit,
                "reproduced": bool(found),
                "stated": "; ".join(stated),
                "segments": ";".join(s for s, *_ in found),
                "documents": len({d for _, d, *_ in found}),
                "informants": len({informant[s] for s, *_ in found}),
                "quote": found[0][2] if found else "",
            }
        )
    return pd.DataFrame(rows, columns=list(FIGURES_COLUMNS))
