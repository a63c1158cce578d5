"""The report: one self-contained HTML page a reviewer opens offline.

:func:`build_report` renders an :class:`~qualbst.pipeline.Analysis` as one
page: the corpus, the codebook, code frequencies by informant, intercoder
reliability, the coordination graph (inline SVG) and its analyses, the fit of
Thompson's coordination mechanisms, the supporting/inhibiting factor matrix
with its themes and quotes, the disbursement obstacles, and the replication
check against the published study. :func:`write_report` writes it
(``out/report.html``).

Evidence
--------
Every count links to the quotes behind it. Each distinct set of segments is
listed once, in an evidence list (``id="q-..."``) near the end of the page:
the segments grouped by informant, each with document, turn, speaker and the
quoted text, and a link to the segment in the transcripts appendix, where
every segment of the corpus has its segment id (``document:turn:n``) as its
anchor and can be read in context. Counts of a code per informant link to
that informant's group inside the code's list (``q-code-<code>--<informant>``),
so a quote is not repeated once per table that counts it. A number with
nothing behind it (a zero) is not a link; a number from the structure of the
graph (degree, betweenness) links to the agency's links, each of which links
to its quotes; a summary count links to the table rows it counts.

The page reads without JavaScript: plain HTML, inline CSS and inline SVG,
nothing loaded from elsewhere (no CDN, no web fonts, no images). A small
inline script only enhances it: a clicked number opens its quotes in a panel
over the page, and table columns sort on a click.
"""

from __future__ import annotations

import html
import itertools
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._io import write_text_atomic
from .errors import QualbstError
from .tables import is_machine

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import Analysis

__all__ = ["build_report", "write_report"]

TITLE = "qualbst report"


# --------------------------------------------------------------------------
# Small HTML helpers
# --------------------------------------------------------------------------


def _esc(value: Any) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def _slug(value: str) -> str:
    """An id fragment: letters, digits, ``.``, ``:``, ``_`` and ``-`` kept, the rest ``-``.

    Examples
    --------
    >>> _slug("Informan 3 (kel-a)")
    'informan-3-kel-a'
    """
    return re.sub(r"[^a-z0-9_.:]+", "-", value.lower()).strip("-") or "x"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pandas NA
    except (TypeError, ValueError):
        return False


def _fmt(value: Any, kind: str = "int") -> str:
    """A number as shown: ``int`` with thousands separators, ``ratio`` (3 decimals), ``percent``.

    Examples
    --------
    >>> _fmt(12345), _fmt(0.78912, "ratio"), _fmt(0.9621, "percent"), _fmt(float("nan"), "ratio")
    ('12,345', '0.789', '96.2%', '–')
    """
    if _missing(value):
        return "–"
    if kind == "ratio":
        return f"{float(value):.3f}"
    if kind == "percent":
        return f"{100 * float(value):.1f}%"
    return f"{int(value):,}"


def _num(value: Any, anchor: str | None, kind: str = "int", *, title: str = "") -> str:
    """A number linked to the evidence behind it (a zero, a missing value or no anchor: plain)."""
    text = _fmt(value, kind)
    zero = not _missing(value) and kind == "int" and int(value) == 0
    if anchor is None or _missing(value) or zero:
        return _esc(text)
    tip = f' title="{_esc(title)}"' if title else ""
    return f'<a class="n" href="#{_esc(anchor)}"{tip}>{_esc(text)}</a>'


def _td(content: str, *, num: bool = False, cls: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", cls) if c)
    return f'<td class="{classes}">{content}</td>' if classes else f"<td>{content}</td>"


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    table_id: str = "",
    cls: str = "sortable",
    numeric: Sequence[int] = (),
    caption: str = "",
) -> str:
    """A table of ready HTML cells (``<td>...``); ``numeric``: the columns to right-align."""
    ident = f' id="{_esc(table_id)}"' if table_id else ""
    heads = "".join(
        f'<th scope="col" class="num">{_esc(h)}</th>' if i in numeric else f'<th scope="col">{_esc(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "\n".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table{ident} class="{cls}">{cap}<thead><tr>{heads}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table></div>"
    )


def _ids(value: Any, sep: str = ";") -> list[str]:
    """Ids joined by ``sep`` (also tolerating ``"; "``); empty and missing give []."""
    if _missing(value):
        return []
    return [part.strip() for part in str(value).split(sep) if part.strip()]


def _natural(label: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", label))


# --------------------------------------------------------------------------
# Evidence: every segment set listed once
# --------------------------------------------------------------------------


@dataclass
class _List:
    anchor: str
    titles: list[str]
    segments: tuple[str, ...]
    category: str
    marks: Mapping[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # informant -> group anchor


@dataclass(frozen=True)
class _Segment:
    id: str
    document: str
    turn: int
    speaker: str
    text: str
    informant: str


class _Evidence:
    """The evidence lists of a page: one per distinct segment set, in order of first use."""

    CATEGORIES: Mapping[str, str] = {
        "codes": "Segments by code",
        "disagreements": "Disagreements between coders",
        "graph": "Links of the coordination graph",
        "agencies": "Agencies, chains and their links",
        "factors": "Factor themes and obstacles",
        "findings": "Published findings and figures",
        "other": "Other evidence",
    }

    def __init__(self, segments: pd.DataFrame, informants: Mapping[str, str]) -> None:
        self.segments: dict[str, _Segment] = {}
        self.order: dict[str, int] = {}
        for number, row in enumerate(segments.itertuples(index=False)):
            seg = str(row.segment)
            self.order[seg] = number
            self.segments[seg] = _Segment(
                seg,
                str(row.document),
                int(row.turn),
                str(row.speaker),
                str(row.text),
                informants.get(seg, str(row.document)),
            )
        self.lists: dict[str, _List] = {}
        self._keys: dict[tuple[str, ...], str] = {}
        self.indexes: dict[str, tuple[str, str, str]] = {}  # anchor -> (category, title, html)

    def known(self, segments: Iterable[str]) -> tuple[str, ...]:
        """The segments of the corpus among ``segments``, unique, in corpus order."""
        return tuple(sorted({s for s in segments if s in self.segments}, key=self.order.__getitem__))

    def add(
        self,
        hint: str,
        segments: Iterable[str],
        title: str,
        *,
        category: str = "other",
        marks: Mapping[str, str] | None = None,
    ) -> str | None:
        """Register a segment set; return the anchor of its list (None when empty).

        The same set registered twice gets one list (with the first one's
        marks), whose heading names every title it was registered under.
        """
        segs = self.known(segments)
        if not segs:
            return None
        if segs in self._keys:
            found = self.lists[self._keys[segs]]
            if title not in found.titles:
                found.titles.append(title)
            return found.anchor
        anchor = base = f"q-{_slug(hint)}"
        number = 2
        while anchor in self.lists or anchor in self.indexes:
            anchor, number = f"{base}-{number}", number + 1
        entry = _List(anchor, [title], segs, category, dict(marks or {}))
        seen: set[str] = set()
        for seg in segs:
            who = self.segments[seg].informant
            if who not in entry.groups:
                group = f"{anchor}--{_slug(who)}"
                while group in seen:
                    group += "-"
                seen.add(group)
                entry.groups[who] = group
        self.lists[anchor] = entry
        self._keys[segs] = anchor
        return anchor

    def group(self, anchor: str | None, informant: str) -> str | None:
        """The anchor of one informant's group inside a list (None when it has none)."""
        if anchor is None or anchor not in self.lists:
            return None
        return self.lists[anchor].groups.get(informant)

    def index(self, hint: str, title: str, body: str, *, category: str = "agencies") -> str:
        """Register a list of links (not quotes), e.g. an agency's links; return its anchor."""
        anchor = base = f"q-{_slug(hint)}"
        number = 2
        while anchor in self.lists or anchor in self.indexes:
            anchor, number = f"{base}-{number}", number + 1
        self.indexes[anchor] = (category, title, body)
        return anchor

    def render_list(self, entry: _List) -> str:
        segs = [self.segments[s] for s in entry.segments]
        by_informant: dict[str, list[_Segment]] = {}
        for seg in segs:
            by_informant.setdefault(seg.informant, []).append(seg)
        documents = {s.document for s in segs}
        parts = [
            f'<section class="evidence" id="{_esc(entry.anchor)}">',
            f"<h3>{' · '.join(_esc(t) for t in entry.titles)}</h3>",
            f'<p class="meta">{len(segs)} segment{"s" if len(segs) != 1 else ""}, '
            f"{len(by_informant)} informant{'s' if len(by_informant) != 1 else ''}, "
            f"{len(documents)} document{'s' if len(documents) != 1 else ''}</p>",
        ]
        for who, items in by_informant.items():
            docs = sorted({s.document for s in items})
            speakers = ", ".join(sorted({s.speaker for s in items}))
            parts.append(
                f'<div class="grp" id="{_esc(entry.groups[who])}"><h4>{_esc(who)} '
                f"<small>({_esc(speakers)}; {_esc(', '.join(docs))}; {len(items)})</small></h4><ol>"
            )
            for seg in items:
                mark = entry.marks.get(seg.id, "")
                where = f"turn {seg.turn}" if len(docs) == 1 else f"{seg.document}, turn {seg.turn}"
                parts.append(
                    f'<li><a href="#{_esc(seg.id)}">{_esc(where)}</a> <q>{_esc(seg.text)}</q>'
                    + (f" <i>{_esc(mark)}</i>" if mark else "")
                    + "</li>"
                )
            parts.append("</ol></div>")
        parts.append("</section>")
        return "\n".join(parts)

    def render(self) -> str:
        out: list[str] = []
        for category, heading in self.CATEGORIES.items():
            lists = [e for e in self.lists.values() if e.category == category]
            indexes = [(a, t, b) for a, (c, t, b) in self.indexes.items() if c == category]
            if not lists and not indexes:
                continue
            out.append(f'<div class="evidence-group" id="evidence-{category}"><h3>{_esc(heading)}</h3>')
            for anchor, title, body in indexes:
                out.append(
                    f'<section class="evidence index" id="{_esc(anchor)}">'
                    f"<h3>{_esc(title)}</h3>{body}</section>"
                )
            out.extend(self.render_list(e) for e in lists)
            out.append("</div>")
        return "\n".join(out)


# --------------------------------------------------------------------------
# What every section needs
# --------------------------------------------------------------------------


@dataclass
class _Context:
    analysis: Analysis
    evidence: _Evidence
    informant: dict[str, str]  # informant segment -> informant
    counted: pd.DataFrame  # (segment, code, coder) of the counting coders on informant segments
    counting: list[str]  # the human coders, or the machine ones when there is none
    code_lists: dict[str, str | None] = field(default_factory=dict)
    edge_lists: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    agency_index: dict[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        return self.analysis.tables


def _context(analysis: Analysis) -> _Context:
    from .replication import segment_informants

    project = analysis.project
    informant = segment_informants(project.segments, project.documents)
    evidence = _Evidence(project.segments, informant)
    codings = analysis.codings
    coders = sorted({str(c) for c in codings["coder"]}) if len(codings) else []
    humans = [c for c in coders if not is_machine(c)]
    counting = humans or coders
    chosen = codings[codings["coder"].astype(str).isin(counting)] if len(codings) else codings
    counted = chosen.assign(
        segment=chosen["segment"].astype(str),
        code=chosen["code"].astype(str),
        coder=chosen["coder"].astype(str),
    )[["segment", "code", "coder"]]
    counted = counted[counted["segment"].isin(set(informant))].drop_duplicates()
    return _Context(analysis, evidence, informant, counted, counting)


def _coders_of(ctx: _Context, code: str) -> dict[str, str]:
    """Segment -> ``"only coder-a"`` where some counting coders did not apply ``code`` to it."""
    rows = ctx.counted[ctx.counted["code"] == code]
    out: dict[str, list[str]] = {}
    for seg, coder in zip(rows["segment"], rows["coder"], strict=True):
        out.setdefault(seg, []).append(coder)
    everyone = len(ctx.counting)
    return {seg: "only " + ", ".join(sorted(who)) for seg, who in out.items() if len(set(who)) < everyone}


def _code_list(ctx: _Context, code: str) -> str | None:
    """The list of segments coded ``code`` by the counting coders (informant segments)."""
    if code not in ctx.code_lists:
        segments = ctx.counted.loc[ctx.counted["code"] == code, "segment"]
        ctx.code_lists[code] = ctx.evidence.add(
            f"code-{code}",
            segments,
            f"Coded {code}",
            category="codes",
            marks=_coders_of(ctx, code),
        )
    return ctx.code_lists[code]


def _edge_key(graph: Any, kind: str, source: str, target: str) -> tuple[str, str, str] | None:
    pairs = ((source, target),) if kind == "sequential" else ((source, target), (target, source))
    for u, v in pairs:
        if graph.has_edge(u, v, key=kind):
            return (u, v, kind)
    return None


def _arrow(u: str, v: str, kind: str) -> str:
    from .network import DIRECTED_TYPES

    return f"{u} → {v}" if kind in DIRECTED_TYPES else f"{u} – {v}"


def _register_edges(ctx: _Context) -> None:
    graph = ctx.analysis.graph
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = str(data.get("type", key))
        ctx.edge_lists[(str(u), str(v), str(key))] = ctx.evidence.add(
            f"edge-{kind}-{u}--{v}",
            [str(s) for s in data.get("segments", ())],
            f"{_arrow(str(u), str(v), kind)} ({kind})",
            category="graph",
        )


def _edge_list(ctx: _Context, kind: str, source: str, target: str) -> str | None:
    key = _edge_key(ctx.analysis.graph, kind, source, target)
    return None if key is None else ctx.edge_lists.get(key)


def _edge_segments(ctx: _Context, key: tuple[str, str, str] | None) -> list[str]:
    if key is None:
        return []
    data = ctx.analysis.graph.get_edge_data(key[0], key[1], key=key[2]) or {}
    return [str(s) for s in data.get("segments", ())]


def _missing_table(ctx: _Context, name: str, why: str) -> str:
    notes = [n for n in ctx.analysis.notes if name.split("-")[0] in n]
    said = f" ({_esc('; '.join(notes))})" if notes else ""
    return f'<p class="none">Not computed: {_esc(why)}{said}.</p>'


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


def _corpus_section(ctx: _Context) -> str:
    from .corpus.model import describe_corpus

    project = ctx.analysis.project
    rows = describe_corpus(list(project.documents))
    segs = project.segments
    informant_segs = segs[segs["segment"].astype(str).isin(set(ctx.informant))]
    per_doc = informant_segs.groupby("document").size().to_dict()
    languages: dict[str, int] = {}
    roles: dict[str, list[str]] = {}
    for doc in project.documents:
        languages[doc.language] = languages.get(doc.language, 0) + 1
        roles.setdefault(doc.role or "(no role given)", []).append(doc.id)
    informants = sorted(set(ctx.informant.values()), key=_natural)
    turns = sum(r["turns"] for r in rows)
    words = sum(r["words"] for r in rows)
    synthetic = sum(1 for d in project.documents if d.meta.get("synthetic"))
    lang_text = ", ".join(f"{_esc(k)}: {_num(n, 'transcripts')}" for k, n in sorted(languages.items()))
    summary = (
        f"<p>{_num(len(rows), 'transcripts')} documents ({lang_text}) with "
        f"{_num(len(informants), 'transcripts')} informants: {_num(turns, 'transcripts')} turns, "
        f"{_num(len(segs), 'transcripts')} segments ({_num(len(informant_segs), 'transcripts')} "
        f"spoken by informants), {_num(words, 'transcripts')} words.</p>"
    )
    if synthetic:
        summary += (
            f'<p class="warn">{_num(synthetic, "transcripts")} of the documents are marked '
            "<code>synthetic: true</code>: reconstructed, not real interviews.</p>"
        )
    body = []
    for r in rows:
        anchor = f"doc-{r['document']}"
        body.append(
            [
                _td(f'<a href="#{_esc(anchor)}">{_esc(r["document"])}</a>'),
                _td(_esc(r["informant"])),
                _td(_esc(r["role"])),
                _td(_esc(r["agency"])),
                _td(_esc(r["language"])),
                _td(_num(r["turns"], anchor), num=True),
                _td(_num(per_doc.get(r["document"], 0), anchor), num=True),
                _td(_num(r["words"], anchor), num=True),
            ]
        )
    table = _table(
        ["document", "informant", "role", "agency", "language", "turns", "informant segments", "words"],
        body,
        table_id="corpus-table",
        numeric=(5, 6, 7),
    )
    role_rows = [
        [_td(_esc(role)), _td(", ".join(f'<a href="#doc-{_esc(d)}">{_esc(d)}</a>' for d in docs))]
        for role, docs in sorted(roles.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    roles_table = _table(["informant role", "documents"], role_rows, table_id="roles-table")
    return (
        '<section id="corpus"><h2>Corpus</h2>'
        + summary
        + table
        + "<h3>Roles</h3>"
        + roles_table
        + "<p>Each document links to its transcript in the appendix; every segment there has its id "
        "(<code>document:turn:n</code>) as its anchor.</p></section>"
    )


def _codebook_section(ctx: _Context) -> str:
    book = ctx.analysis.project.codebook
    rows = []
    for code in book.codes:
        count = len(set(ctx.counted.loc[ctx.counted["code"] == code.id, "segment"]))
        anchor = _code_list(ctx, code.id) if code.codable else None
        names = _esc(code.name) + (f"<br><i>{_esc(code.name_en)}</i>" if code.name_en else "")
        rows.append(
            [
                _td(f"<code>{_esc(code.id)}</code>", cls="" if code.codable else "parent"),
                _td(names),
                _td(_esc(code.definition)),
                _td(_num(count, anchor) if code.codable else "", num=True),
            ]
        )
    who = ", ".join(ctx.counting) or "none"
    return (
        '<section id="codebook"><h2>Codebook</h2>'
        f"<p>{len(book.codes)} codes ({len(book.codable_ids)} codable). Segments: informant segments "
        f"coded with the code by any of {_esc(who)} (a segment two coders coded counts once).</p>"
        + _table(["id", "name", "definition", "segments"], rows, table_id="codebook-table", numeric=(3,))
        + "</section>"
    )


def _frequency_section(ctx: _Context) -> str:
    book = ctx.analysis.project.codebook
    informants = sorted(set(ctx.informant.values()), key=_natural)
    documents: dict[str, set[str]] = {}
    for seg, who in ctx.informant.items():
        documents.setdefault(who, set()).add(ctx.evidence.segments[seg].document)
    counted = ctx.counted.assign(informant=ctx.counted["segment"].map(ctx.informant))
    rows = []
    for code in book.codable_ids:
        sub = counted[counted["code"] == code]
        per = sub.drop_duplicates(["segment"]).groupby("informant").size().to_dict()
        anchor = _code_list(ctx, code)
        cells = [_td(f"<code>{_esc(code)}</code>")]
        for who in informants:
            cells.append(
                _td(_num(per.get(who, 0), ctx.evidence.group(anchor, who), title=f"{code}, {who}"), num=True)
            )
        cells.append(_td(_num(sum(per.values()), anchor), num=True))
        cells.append(_td(_num(len(per), anchor), num=True))
        rows.append(cells)
    headers = ["code", *informants, "segments", "informants"]
    head_titles = "; ".join(f"{w}: {', '.join(sorted(documents.get(w, ())))}" for w in informants)
    return (
        '<section id="frequencies"><h2>Code frequencies by informant</h2>'
        f"<p>Informant segments coded with each code by any of {_esc(', '.join(ctx.counting) or 'none')}; "
        "each count links to that informant's quotes in the code's list. Informants and their documents: "
        f"{_esc(head_titles)}.</p>"
        + _table(
            headers,
            rows,
            table_id="frequency-table",
            cls="sortable compact",
            numeric=tuple(range(1, len(headers))),
        )
        + "</section>"
    )


def _disagreement_lists(ctx: _Context) -> tuple[dict[str, str | None], str | None]:
    """Code -> the list of units the coders disagree on; and the container anchor."""
    table = ctx.tables.get("disagreements")
    out: dict[str, str | None] = {}
    if table is None or table.empty:
        return out, None
    for code, rows in table.groupby("code", sort=False):
        segs = [s for value in rows["segment"] for s in _ids(value)]
        marks = _coders_of(ctx, str(code))
        marks = {s: marks.get(s, "none of " + ", ".join(ctx.counting)) for s in segs}
        out[str(code)] = ctx.evidence.add(
            f"disagree-{code}",
            segs,
            f"Disagreements on {code}",
            category="disagreements",
            marks=marks,
        )
    return out, "evidence-disagreements"


def _reliability_section(ctx: _Context) -> str:
    table = ctx.tables.get("reliability")
    head = '<section id="reliability"><h2>Intercoder reliability</h2>'
    if table is None or table.empty:
        return head + _missing_table(ctx, "reliability", "needs two or more coders") + "</section>"
    dis, dis_all = _disagreement_lists(ctx)
    dis_counts: dict[str, int] = {}
    dis_table = ctx.tables.get("disagreements")
    if dis_table is not None and not dis_table.empty:
        dis_counts = {str(k): int(v) for k, v in dis_table.groupby("code").size().items()}
    unit = str(table["unit"].iloc[0]) if "unit" in table.columns else "segment"
    coders = _ids(table["coders"].iloc[0]) if "coders" in table.columns else []
    rows = []
    for rec in table.to_dict("records"):
        code = str(rec["code"])
        overall = code.startswith("(")
        coded = "evidence-codes" if overall else _code_list(ctx, code)
        disagree = dis_all if overall else dis.get(code)
        metric = disagree or coded  # no disagreement: the units all coders agree on
        n_dis = sum(dis_counts.values()) if overall else dis_counts.get(code, 0)
        what = "the disagreements behind it" if disagree else "the coded units"
        cells = [
            _td(f"<code>{_esc(code)}</code>"),
            _td(_num(rec.get("units"), "transcripts", title="every informant unit compared"), num=True),
            _td(_num(rec.get("coded_units"), coded, title="units coded by at least one coder"), num=True),
            _td(_num(n_dis, disagree, title="units the coders disagree on"), num=True),
        ]
        for column, kind in (
            ("percent_agreement", "percent"),
            ("cohen_kappa", "ratio"),
            ("fleiss_kappa", "ratio"),
            ("krippendorff_alpha", "ratio"),
            ("alpha_low", "ratio"),
            ("alpha_high", "ratio"),
            ("gwet_ac1", "ratio"),
        ):
            cells.append(_td(_num(rec.get(column), metric, kind, title=what), num=True))
        cells.append(_td(_esc(rec.get("note") or "")))
        rows.append(cells)
    headers = [
        "code",
        f"units ({unit})",
        "coded",
        "disagree",
        "agreement",
        "Cohen's κ",
        "Fleiss' κ",
        "Krippendorff's α",
        "α 95% low",
        "α 95% high",
        "Gwet's AC1",
        "note",
    ]
    explain = (
        f"<p><b>Unit: {_esc(unit)}</b> (informant {_esc(unit)}s of the documents every coder covered; "
        "interviewer turns are never units). "
        f"Coders compared: {_esc(', '.join(coders) or '?')}. Each code is judged present or absent in each "
        "unit. Agreement is the share of units on which two coders agree; Cohen's κ (mean over pairs), "
        "Fleiss' κ, Krippendorff's α (nominal, with a bootstrap 95% interval) and Gwet's AC1 correct it "
        "for chance. <i>coded</i>: units at least one coder gave the code; <i>disagree</i>: units where "
        "some did and some did not. The coefficients link to the disagreements (or, where there are "
        "none, to the coded units); a quote some coders did not code names the coders who did.</p>"
    )
    if unit != "segment":
        explain += (
            f"<p>The lists behind the numbers show the coded segments inside those {_esc(unit)}s "
            f"(a {_esc(unit)} counts as coded when any of its segments is).</p>"
        )
    return (
        head
        + explain
        + _table(headers, rows, table_id="reliability-table", numeric=tuple(range(1, 11)))
        + "</section>"
    )


def _graph_svg(ctx: _Context) -> str:
    """The graph as inline SVG (from :func:`qualbst.network.write_graph_html`), links to evidence."""
    from .network import write_graph_html

    graph = ctx.analysis.graph
    with tempfile.TemporaryDirectory(prefix="qualbst-report-") as tmp:
        page = write_graph_html(graph, Path(tmp) / "graph.html").read_text(encoding="utf-8")
    match = re.search(r"<svg viewBox=.*?</svg>", page, flags=re.DOTALL)
    if match is None:  # pragma: no cover - write_graph_html always draws one
        return '<p class="none">The graph picture could not be drawn.</p>'
    targets = {
        f"edge-{data.get('type', k)}-{u}--{v}": ctx.edge_lists.get((str(u), str(v), str(k)))
        for u, v, k, data in graph.edges(keys=True, data=True)
    }

    def relink(m: re.Match[str]) -> str:
        edge_id = html.unescape(m.group(1))
        anchor = targets.get(edge_id)
        href = f' href="#{_esc(anchor)}"' if anchor else ""
        return f'{href} id="{m.group(1)}"'

    svg = re.sub(r' href="#link-\d+" data-link="link-\d+" id="([^"]*)"', relink, match.group(0))
    return svg.replace("<svg viewBox=", '<svg id="graph-svg" viewBox=', 1)


def _graph_section(ctx: _Context) -> str:
    from .network.draw import EDGE_STYLES

    graph = ctx.analysis.graph
    legend = []
    for style in EDGE_STYLES.values():
        dash = f' stroke-dasharray="{_esc(style["dasharray"])}"' if style["dasharray"] else ""
        legend.append(
            f'<span><svg width="40" height="10" aria-hidden="true"><line x1="0" y1="5" x2="40" y2="5" '
            f'stroke="{_esc(style["color"])}" stroke-width="2.5"{dash}/></svg> {_esc(style["label"])}</span>'
        )
    rows = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = str(data.get("type", key))
        anchor = ctx.edge_lists.get((str(u), str(v), str(key)))
        rows.append(
            [
                _td(_esc(kind)),
                _td(_esc(_arrow(str(u), str(v), kind))),
                _td(_num(int(data.get("weight", 1)), anchor), num=True),
                _td(_num(len(set(data.get("documents", ()))), anchor), num=True),
                _td(_num(len(set(data.get("informants", ()))), anchor), num=True),
            ]
        )
    n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    return (
        '<section id="graph"><h2>Coordination graph</h2>'
        f"<p>{_num(n_nodes, 'centrality-table')} agencies, {_num(n_edges, 'links-table')} links, one row "
        "per agency level (national at the top). Line width: number of supporting segments. Every link "
        "in the picture links to its quotes; the same links are listed in the table below.</p>"
        f'<p class="legend">{"".join(legend)}</p>'
        f'<div class="graph">{_graph_svg(ctx)}</div>'
        + f"<details><summary>All {n_edges} links, with their evidence</summary>"
        + _table(
            ["type", "link", "segments", "documents", "informants"],
            rows,
            table_id="links-table",
            numeric=(2, 3, 4),
        )
        + "</details></section>"
    )


def _agency_indexes(ctx: _Context) -> None:
    graph = ctx.analysis.graph
    for node in graph.nodes:
        rows = []
        for u, v, key, data in [
            *graph.out_edges(node, keys=True, data=True),
            *graph.in_edges(node, keys=True, data=True),
        ]:
            kind = str(data.get("type", key))
            anchor = ctx.edge_lists.get((str(u), str(v), str(key)))
            rows.append(
                f"<li>{_esc(_arrow(str(u), str(v), kind))} ({_esc(kind)}): "
                f"{_num(int(data.get('weight', 1)), anchor)} segments</li>"
            )
        name = graph.nodes[node].get("name", node)
        body = f"<ul>{''.join(rows)}</ul>" if rows else "<p>No links.</p>"
        ctx.agency_index[str(node)] = ctx.evidence.index(f"agency-{node}", f"{node}: {name}, its links", body)


def _analyses_section(ctx: _Context) -> str:
    out = ['<section id="analyses"><h2>Graph analyses</h2>']
    graph = ctx.analysis.graph
    central = ctx.tables.get("centrality")
    out.append("<h3>Centrality</h3>")
    if central is None or central.empty:
        out.append(_missing_table(ctx, "centrality", "the graph has no agencies"))
    else:
        rows = []
        for rec in central.to_dict("records"):
            agency = str(rec["agency"])
            index = ctx.agency_index.get(agency)
            rows.append(
                [
                    _td(f"<code>{_esc(agency)}</code> {_esc(rec.get('name', ''))}"),
                    _td(_esc(rec.get("level", ""))),
                    _td(_num(rec.get("degree"), index), num=True),
                    _td(_num(rec.get("neighbours"), index), num=True),
                    _td(_num(rec.get("in_sequential"), index), num=True),
                    _td(_num(rec.get("out_sequential"), index), num=True),
                    _td(_num(rec.get("weighted_degree"), index), num=True),
                    _td(_num(rec.get("betweenness"), index, "ratio"), num=True),
                ]
            )
        out.append(
            "<p>Degree: links (each type counted); weighted degree: supporting segments over those links; "
            "betweenness: the share of shortest paths through the agency. Each number links to the "
            "agency's links, each with its quotes.</p>"
        )
        out.append(
            _table(
                ["agency", "level", "degree", "neighbours", "in (sequential)", "out (sequential)",
                 "weighted degree", "betweenness"],
                rows,
                table_id="centrality-table",
                numeric=tuple(range(2, 8)),
            )
        )  # fmt: skip
    chains = ctx.tables.get("chains")
    out.append("<h3>Sequential chains</h3>")
    if chains is None or chains.empty:
        out.append(_missing_table(ctx, "chains", "no sequential links"))
    else:
        rows = []
        for rec in chains.to_dict("records"):
            path = [p.strip() for p in str(rec["path"]).split("->")]
            hops, items = [_esc(path[0])], []
            weakest: tuple[int, str | None] = (10**9, None)
            for a, b in itertools.pairwise(path):
                key = _edge_key(graph, "sequential", a, b)
                anchor = None if key is None else ctx.edge_lists.get(key)
                segs = _edge_segments(ctx, key)
                weakest = min(weakest, (len(segs), anchor), key=lambda t: t[0])
                hops.append(f" →<sup>{_num(len(segs), anchor)}</sup> {_esc(b)}")
                items.append(f"<li>{_esc(a)} → {_esc(b)}: {_num(len(segs), anchor)} segments</li>")
            chain_list = ctx.evidence.index(
                f"chain-{rec['chain']}", f"Sequential chain {rec['path']}", f"<ol>{''.join(items)}</ol>"
            )
            rows.append(
                [
                    _td(_num(rec["chain"], chain_list), num=True),
                    _td("".join(hops)),
                    _td(_num(rec.get("length"), chain_list), num=True),
                    _td(_num(rec.get("min_weight"), weakest[1], title="the weakest link"), num=True),
                ]
            )
        out.append(
            "<p>Longest top-down paths of sequential links (each hop's number: its segments); "
            "weakest link: the fewest segments on one hop.</p>"
        )
        out.append(
            _table(
                ["chain", "path", "length", "weakest link"], rows, table_id="chains-table", numeric=(0, 2, 3)
            )
        )
    recip = ctx.tables.get("reciprocal")
    out.append("<h3>Reciprocal pairs</h3>")
    if recip is None or recip.empty:
        out.append(_missing_table(ctx, "reciprocal", "no reciprocal links"))
    else:
        rows = []
        for rec in recip.to_dict("records"):
            anchor = _edge_list(ctx, "reciprocal", str(rec["source"]), str(rec["target"]))
            rows.append(
                [
                    _td(f"{_esc(rec['source'])} ⇄ {_esc(rec['target'])}"),
                    _td(f"{_esc(rec.get('source_level', ''))} ⇄ {_esc(rec.get('target_level', ''))}"),
                    _td(_num(rec.get("weight"), anchor), num=True),
                    _td(_num(rec.get("documents"), anchor), num=True),
                    _td(_num(rec.get("informants"), anchor), num=True),
                    _td(_esc(rec.get("sequential", ""))),
                ]
            )
        out.append(
            _table(
                ["pair", "levels", "segments", "documents", "informants", "also sequential"],
                rows,
                table_id="reciprocal-table",
                numeric=(2, 3, 4),
            )
        )
    pooled = ctx.tables.get("pooled")
    out.append("<h3>Pooled groups</h3>")
    if pooled is None or pooled.empty:
        out.append(_missing_table(ctx, "pooled", "no pooled links"))
    else:
        rows = []
        for rec in pooled.to_dict("records"):
            members = {a.strip() for a in str(rec["agencies"]).split(",")}
            union = [
                s
                for (u, v, k) in ctx.edge_lists
                if k == "pooled" and u in members and v in members
                for s in _edge_segments(ctx, (u, v, k))
            ]
            anchor = ctx.evidence.add(
                f"pooled-{rec['group']}",
                union,
                f"Pooled group {rec['group']}: {rec['agencies']}",
                category="graph",
            )
            rows.append(
                [
                    _td(_num(rec["group"], anchor), num=True),
                    _td(_esc(rec["agencies"])),
                    _td(_esc(rec.get("levels", ""))),
                    _td(_num(rec.get("size"), anchor), num=True),
                    _td(_num(rec.get("links"), anchor), num=True),
                    _td(_num(rec.get("weight"), anchor), num=True),
                ]
            )
        out.append("<p>Agencies drawing on a shared resource (connected by pooled links).</p>")
        out.append(
            _table(
                ["group", "agencies", "levels", "size", "links", "segments"],
                rows,
                table_id="pooled-table",
                numeric=(0, 3, 4, 5),
            )
        )
    out.append("</section>")
    return "\n".join(out)


def _fit_section(ctx: _Context) -> str:
    from .network import fit_summary

    table = ctx.tables.get("coordination-fit")
    head = '<section id="fit"><h2>Coordination fit</h2>'
    if table is None or table.empty:
        return head + _missing_table(ctx, "coordination", "no links") + "</section>"
    totals = ctx.tables.get("coordination-fit-summary")
    if totals is None:
        totals = fit_summary(table)
    summary = []
    for rec in totals.to_dict("records"):
        anchor = f"fit-{_slug(str(rec['type']))}" if rec["links"] else None
        summary.append(
            [
                _td(_esc(rec["type"])),
                _td(f"<code>{_esc(rec['mechanism'])}</code>"),
                _td(_num(rec["links"], anchor), num=True),
                _td(_num(rec["fitting"], anchor), num=True),
                _td(_num(rec["share"], anchor, "percent"), num=True),
            ]
        )
    detail = []
    for kind, rows in table.groupby("type", sort=False):
        anchor = f"fit-{_slug(str(kind))}"
        body = []
        for rec in rows.to_dict("records"):
            edge = _edge_list(ctx, str(kind), str(rec["source"]), str(rec["target"]))
            matched = ctx.evidence.add(
                f"fit-{kind}-{rec['source']}--{rec['target']}",
                _ids(rec.get("evidence"), ";"),
                f"{_arrow(str(rec['source']), str(rec['target']), str(kind))} ({kind}): "
                f"segments coded {rec['mechanism']}",
                category="graph",
            )
            body.append(
                [
                    _td(_esc(_arrow(str(rec["source"]), str(rec["target"]), str(kind)))),
                    _td(_num(rec.get("segments"), edge), num=True),
                    _td(_num(rec.get("matched"), matched), num=True),
                    _td("yes" if rec.get("fit") else "no", cls="yes" if rec.get("fit") else "no"),
                ]
            )
        detail.append(
            f'<h3 id="{_esc(anchor)}">{_esc(kind)} links and '
            f"<code>{_esc(rows['mechanism'].iloc[0])}</code></h3>"
            + _table(["link", "segments", "with the mechanism", "fit"], body, numeric=(1, 2))
        )
    return (
        head + "<p>Thompson (1967) pairs pooled interdependence with standardisation, sequential with "
        "planning and reciprocal with mutual adjustment. A link fits when one of its supporting "
        "segments, or a neighbouring sentence of the same turn, is coded with the matching mechanism. "
        "<i>With the mechanism</i> counts those supporting segments; it links to the mechanism-coded "
        "segments that make them fit. The summary counts link to the links of each type.</p>"
        + _table(
            ["type", "mechanism", "links", "fitting", "share"],
            summary,
            table_id="fit-table",
            numeric=(2, 3, 4),
        )
        + "".join(detail)
        + "</section>"
    )


_FACTOR_CELLS = (
    ("supporting", "internal"),
    ("supporting", "external"),
    ("inhibiting", "internal"),
    ("inhibiting", "external"),
)


def _support_cells(ctx: _Context, rec: Mapping[str, Any], anchor: str | None) -> list[str]:
    """Segments, informants and documents (each linked to the quotes) and the representative quote."""
    counts = [_td(_num(rec[key], anchor), num=True) for key in ("segments", "informants", "documents")]
    return [*counts, _td(_quote_cite(ctx, rec), cls="quote")]


def _quote_cite(ctx: _Context, rec: Mapping[str, Any]) -> str:
    seg = str(rec.get("quote_segment") or "")
    quote = f"<q>{_esc(rec.get('quote', ''))}</q>"
    if seg in ctx.evidence.segments:
        where = ctx.evidence.segments[seg]
        quote += (
            f' <a class="seg" href="#{_esc(seg)}">{_esc(where.informant)}, {_esc(where.document)}, '
            f"turn {where.turn}</a>"
        )
    return quote


def _factors_section(ctx: _Context) -> str:
    table = ctx.tables.get("factors")
    head = '<section id="factors"><h2>Supporting and inhibiting factors</h2>'
    if table is None or table.empty:
        return head + _missing_table(ctx, "factors", "needs human codings") + "</section>"
    anchors: list[str | None] = []
    for rec in table.to_dict("records"):
        anchors.append(
            ctx.evidence.add(
                f"theme-{rec['factor']}-{rec['theme']}",
                _ids(rec.get("segment_ids")),
                f"{rec['factor']}: {rec.get('theme_name_en') or rec['theme']}",
                category="factors",
            )
        )
    records = table.to_dict("records")
    cells: dict[tuple[str, str], str] = {}
    for direction, locus in _FACTOR_CELLS:
        code = f"factor.{direction}.{locus}"
        mine = [(r, a) for r, a in zip(records, anchors, strict=True) if r["factor"] == code]
        total = len(set(ctx.counted.loc[ctx.counted["code"] == code, "segment"]))
        items = []
        for n, (rec, anchor) in enumerate(mine):
            quote = f"<blockquote>{_quote_cite(ctx, rec)}</blockquote>" if n < 2 else ""
            items.append(
                f"<li><b>{_esc(rec.get('theme_name_en') or rec['theme'])}</b>: "
                f"{_num(rec['segments'], anchor)} segments, {_num(rec['informants'], anchor)} informants"
                f"{quote}</li>"
            )
        cells[(direction, locus)] = (
            f'<p class="cell-head"><code>{_esc(code)}</code>: '
            f"{_num(total, _code_list(ctx, code))} segments</p>"
            + (f"<ul>{''.join(items)}</ul>" if items else '<p class="none">No segments.</p>')
        )
    matrix = (
        '<div class="scroll"><table id="factor-matrix" class="matrix"><thead><tr><th></th>'
        '<th scope="col">internal (inside the agencies)</th><th scope="col">external (RT/RW, community)</th>'
        "</tr></thead><tbody>"
        + "".join(
            f'<tr><th scope="row">{d}</th>'
            f"<td>{cells[(d, 'internal')]}</td><td>{cells[(d, 'external')]}</td></tr>"
            for d in ("supporting", "inhibiting")
        )
        + "</tbody></table></div>"
    )
    rows = []
    for rec, anchor in zip(records, anchors, strict=True):
        rows.append(
            [
                _td(f"<code>{_esc(rec['factor'])}</code>"),
                _td(
                    f"{_esc(rec.get('theme_name_en') or rec['theme'])}<br><small>{_esc(rec['theme'])}</small>"
                ),
                _td(_esc(rec.get("key_terms", ""))),
                *_support_cells(ctx, rec, anchor),
            ]
        )
    return (
        head + "<p>The four <code>factor.*</code> codes as a 2×2 matrix, each split into themes (what the "
        "coded segments are about, from <code>codebook/themes.yaml</code>), with how many segments, "
        "informants and documents support each and its most representative quote.</p>"
        + matrix
        + "<h3>All themes</h3>"
        + _table(
            ["factor", "theme", "key terms", "segments", "informants", "documents", "representative quote"],
            rows,
            table_id="factor-table",
            numeric=(3, 4, 5),
        )
        + "</section>"
    )


def _obstacles_section(ctx: _Context) -> str:
    table = ctx.tables.get("obstacles")
    head = '<section id="obstacles"><h2>Disbursement obstacles</h2>'
    if table is None or table.empty:
        return head + _missing_table(ctx, "obstacles", "needs human codings") + "</section>"
    rows = []
    for rec in table.to_dict("records"):
        anchor = ctx.evidence.add(
            f"obstacle-{rec['code']}",
            _ids(rec.get("segment_ids")),
            f"{rec['code']}: {rec.get('name_en') or rec.get('name', '')}",
            category="factors",
        )
        rows.append(
            [
                _td(f"<code>{_esc(rec['code'])}</code><br>{_esc(rec.get('name_en') or rec.get('name', ''))}"),
                _td(_esc(rec.get("key_terms", ""))),
                *_support_cells(ctx, rec, anchor),
            ]
        )
    return (
        head
        + _table(
            ["obstacle", "key terms", "segments", "informants", "documents", "representative quote"],
            rows,
            table_id="obstacle-table",
            numeric=(2, 3, 4),
        )
        + "</section>"
    )


def _replication_section(ctx: _Context) -> str:
    from .replication import compare_figures, compare_findings, published_findings

    out = ['<section id="replication"><h2>Replication</h2>']
    project = ctx.analysis.project
    try:
        published = published_findings()
        findings = compare_findings(ctx.analysis, published=published)
        figures = compare_figures(project.segments, project.documents, published=published)
    except QualbstError as exc:
        out.append(f'<p class="none">The published findings could not be compared: {_esc(exc)}.</p>')
        findings = figures = None
        published = None
    if published is not None and findings is not None and figures is not None:
        if published.citation:
            out.append(f'<p class="cite">Published study: {_esc(published.citation)}</p>')
        if published.note:
            out.append(f"<p>{_esc(published.note)}</p>")
        done = int(findings["reproduced"].sum())
        out.append(
            f'<h3 id="findings">Findings</h3><p>{_num(done, "findings-table")} of '
            f"{_num(len(findings), 'findings-table')} findings reproduced (a finding is reproduced when "
            "every one of its checks holds; its numbers link to the segments behind the verdict).</p>"
        )
        rows = []
        for rec in findings.to_dict("records"):
            segs = _ids(rec.get("segments"))
            anchor = ctx.evidence.add(
                f"finding-{rec['finding']}", segs, f"Finding {rec['finding']}", category="findings"
            )
            ok = bool(rec["reproduced"])
            rows.append(
                [
                    _td(f"<b>{_esc(rec['finding'])}</b><br>{_esc(rec['statement'])}"),
                    _td("reproduced" if ok else "not reproduced", cls="yes" if ok else "no"),
                    _td(_esc(rec.get("observed", ""))),
                    _td(_num(len(segs), anchor), num=True),
                    _td(_num(rec.get("documents"), anchor), num=True),
                    _td(_num(rec.get("informants"), anchor), num=True),
                ]
            )
        out.append(
            _table(
                ["finding", "verdict", "what the corpus shows", "segments", "documents", "informants"],
                rows,
                table_id="findings-table",
                numeric=(3, 4, 5),
            )
        )
        out.append('<h3 id="figures">Published figures</h3>')
        rows = []
        for rec in figures.to_dict("records"):
            segs = _ids(rec.get("segments"))
            anchor = ctx.evidence.add(
                f"figure-{rec['figure']}",
                segs,
                f"Figure {rec['label']}: {rec['published']}",
                category="findings",
            )
            ok = bool(rec["reproduced"])
            rows.append(
                [
                    _td(_esc(rec["label"])),
                    _td(_esc(rec.get("agency", ""))),
                    _td(_num(rec["published"], anchor) + f" {_esc(rec.get('unit', ''))}", num=True),
                    _td(_esc(rec.get("stated", "")) or "–"),
                    _td("stated" if ok else "not stated", cls="yes" if ok else "no"),
                    _td(_num(len(segs), anchor), num=True),
                    _td(_num(rec.get("informants"), anchor), num=True),
                ]
            )
        out.append(
            "<p>Each published number looked for in the informants' words (4849, 4.849, 4,849 or 4 849).</p>"
            + _table(
                ["figure", "agency", "published", "in the transcripts", "verdict", "segments", "informants"],
                rows,
                table_id="figures-table",
                numeric=(2, 5, 6),
            )
        )
    out.append('<h3 id="expected">Expected structure</h3>')
    table = ctx.tables.get("replication")
    if table is None or table.empty:
        out.append(_missing_table(ctx, "replication", "no codebook/expected.yaml"))
    else:
        statuses = {
            "hit": "expected and found",
            "miss": "expected, not found",
            "extra": "found, not expected",
        }
        counts = []
        parts = []
        for status, label in statuses.items():
            rows_of = table[table["status"] == status]
            anchor = f"expected-{status}"
            counts.append(f"{label}: {_num(len(rows_of), anchor)}")
            body = []
            for rec in rows_of.to_dict("records"):
                edge = _edge_list(ctx, str(rec["type"]), str(rec["source"]), str(rec["target"]))
                body.append(
                    [
                        _td(_esc(rec["type"])),
                        _td(_esc(_arrow(str(rec["source"]), str(rec["target"]), str(rec["type"])))),
                        _td(_num(rec.get("weight"), edge), num=True),
                        _td(_esc(rec.get("note") or "")),
                    ]
                )
            parts.append(
                f'<h4 id="{anchor}">{_esc(label)} ({len(rows_of)})</h4>'
                + (
                    _table(
                        ["type", "link", "segments", "note"], body, table_id=f"{anchor}-table", numeric=(2,)
                    )
                    if body
                    else '<p class="none">None.</p>'
                )
            )
        out.append(
            "<p>The graph against the links the study reports (<code>codebook/expected.yaml</code>): "
            + "; ".join(counts)
            + ".</p>"
            + "".join(parts)
        )
    out.append("</section>")
    return "\n".join(out)


def _transcripts_section(ctx: _Context) -> str:
    project = ctx.analysis.project
    applied: dict[str, dict[str, list[str]]] = {}
    for seg, code, coder in zip(
        ctx.counted["segment"], ctx.counted["code"], ctx.counted["coder"], strict=True
    ):
        applied.setdefault(seg, {}).setdefault(code, []).append(coder)
    everyone = len(ctx.counting)
    codes = {
        seg: "; ".join(
            code if len(set(who)) >= everyone else f"{code} ({', '.join(sorted(who))})"
            for code, who in sorted(per.items())
        )
        for seg, per in applied.items()
    }
    by_turn: dict[tuple[str, int], list[_Segment]] = {}
    for seg in ctx.evidence.segments.values():
        by_turn.setdefault((seg.document, seg.turn), []).append(seg)
    out = [
        '<section id="transcripts"><h2>Appendix: transcripts</h2>',
        "<p>Every segment of the corpus, in order, anchored by its id (<code>document:turn:n</code>). "
        "Coded segments are underlined: hover one to see its codes (with the coders, where not all of "
        f"{_esc(', '.join(ctx.counting) or 'the coders')} applied it). Interviewer turns are grey; the small "
        "number after the speaker is the turn.</p>",
    ]
    for doc in project.documents:
        meta = ", ".join(
            _esc(f"{k}: {doc.meta[k]}")
            for k in ("informant", "role", "agency", "date", "language")
            if doc.meta.get(k) not in (None, "")
        )
        synthetic = ' <span class="warn">synthetic</span>' if doc.meta.get("synthetic") else ""
        out.append(
            f'<article class="doc" id="doc-{_esc(doc.id)}"><h3>{_esc(doc.id)}{synthetic}</h3>'
            f'<p class="meta">{meta}</p>'
        )
        for turn in doc.turns:
            segs = by_turn.get((doc.id, turn.index), [])
            spans = []
            for seg in segs:
                tip = codes.get(seg.id)
                extra = f' class="c" title="{_esc(tip)}"' if tip else ""
                spans.append(f'<span id="{_esc(seg.id)}"{extra}>{_esc(seg.text)}</span>')
            who = "iv" if turn.is_interviewer else "inf"
            out.append(
                f'<p class="turn {who}"><span class="who">{_esc(turn.speaker)} '
                f"<small>{turn.index}</small></span> {' '.join(spans)}</p>"
            )
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------

_CSS = """
:root { --ink: #222; --muted: #666; --line: #ddd; --mark: #fff3b0; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0;
       line-height: 1.45; }
main { max-width: 82em; margin: 0 auto; padding: 1em 1.5em 4em; }
nav.toc { background: #f6f6f6; padding: 0.6em 1em; border: 1px solid var(--line); }
nav.toc a { margin-right: 1em; white-space: nowrap; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid var(--line); margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
thead th { background: #f0f0f0; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.compact { font-size: 0.8em; } table.compact th { writing-mode: sideways-lr; }
.scroll { overflow-x: auto; }
td.yes { color: #006d2c; font-weight: 600; } td.no { color: #a50f15; font-weight: 600; }
td.quote { max-width: 32em; } td.parent { color: var(--muted); font-style: italic; }
a.n { font-weight: 600; text-decoration: none; border-bottom: 1px dotted; }
q { font-style: italic; } blockquote { margin: 0.3em 0 0.5em 0.5em; font-size: 0.92em; }
.matrix td { width: 50%; } .matrix th[scope=row] { writing-mode: sideways-lr; background: #f0f0f0; }
.cell-head { margin: 0 0 0.3em; font-weight: 600; }
.none { color: var(--muted); font-style: italic; } .warn { color: #a50f15; }
.meta, .cite { color: var(--muted); font-size: 0.9em; }
.graph svg { border: 1px solid var(--line); max-width: 100%; height: auto; background: #fff; }
a.edge path.hit { stroke: transparent; stroke-width: 14; fill: none; }
a.edge:hover path.line, a.edge:focus path.line { stroke-opacity: 1; filter: drop-shadow(0 0 2px #000); }
path.line { fill: none; stroke-opacity: 0.85; }
.node rect { stroke: #333; stroke-width: 1; } .node text, text.level { font-size: 12px; }
text.level { fill: #555; font-style: italic; }
.legend span { display: inline-block; margin-right: 1.2em; } .legend svg { vertical-align: middle; }
section.evidence { border-left: 3px solid var(--line); padding-left: 0.8em; margin: 1.2em 0; }
section.evidence h3 { font-size: 1em; margin-bottom: 0; }
.grp h4 { margin: 0.5em 0 0.2em; font-size: 0.95em; }
section.evidence ol { margin: 0; padding-left: 1.5em; font-size: 0.92em; }
section.evidence i, a.seg, section.evidence li > a { color: var(--muted); font-size: 0.88em; }
.turn { margin: 0.25em 0; } .turn.iv { color: var(--muted); } .who { font-weight: 600; margin-right: 0.3em; }
.turn span.c { border-bottom: 1px solid #b7d3ea; }
:target { background: var(--mark); } section.evidence:target, .grp:target { outline: 2px solid #e6c200; }
dialog#panel { max-width: 60em; width: 90vw; max-height: 80vh; overflow: auto; border: 1px solid #999; }
dialog#panel .bar { position: sticky; top: 0; background: #fff; text-align: right; }
@media print { nav.toc, dialog { display: none; } a.n { border: none; } }
"""

_SCRIPT = """
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (panel && typeof panel.showModal === "function") {
    var body = panel.querySelector(".body");
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var href = link.getAttribute("href") || "";
      if (href.charAt(0) !== "#") { return; }
      var target = document.getElementById(href.slice(1));
      if (!target || !link.matches("a.n, a.edge")) {
        if (panel.open && panel.contains(link)) { panel.close(); }  // go to it on the page
        return;
      }
      event.preventDefault();
      var copy = target.cloneNode(true);
      copy.removeAttribute("id");
      var inner = copy.querySelectorAll("[id]");
      for (var i = 0; i < inner.length; i++) { inner[i].removeAttribute("id"); }
      body.innerHTML = "";
      var list = target.closest("section.evidence");
      if (list && list !== target && list.querySelector("h3")) {
        body.appendChild(list.querySelector("h3").cloneNode(true));  // which list the group is from
      }
      body.appendChild(copy);
      panel.querySelector(".goto").setAttribute("href", href);
      if (!panel.open) { panel.showModal(); }
      panel.scrollTop = 0;
    });
    panel.querySelector(".close").addEventListener("click", function () { panel.close(); });
    panel.addEventListener("click", function (event) { if (event.target === panel) { panel.close(); } });
  }
  function key(cell) {
    var text = (cell.textContent || "").trim().replace(/,/g, "").replace(/%$/, "");
    var number = parseFloat(text);
    return isNaN(number) || !/^-?[0-9.]+$/.test(text) ? text.toLowerCase() : number;
  }
  var tables = document.querySelectorAll("table.sortable");
  for (var t = 0; t < tables.length; t++) {
    (function (table) {
      var heads = table.querySelectorAll("thead th");
      for (var h = 0; h < heads.length; h++) {
        (function (th, column) {
          th.style.cursor = "pointer";
          th.title = "sort";
          th.addEventListener("click", function () {
            var tbody = table.tBodies[0];
            var rows = Array.prototype.slice.call(tbody.rows);
            var down = th.getAttribute("data-sort") !== "down";
            rows.sort(function (a, b) {
              var x = key(a.cells[column] || a), y = key(b.cells[column] || b);
              if (typeof x !== typeof y) { x = String(x); y = String(y); }
              return (x < y ? -1 : x > y ? 1 : 0) * (down ? -1 : 1);
            });
            for (var r = 0; r < rows.length; r++) { tbody.appendChild(rows[r]); }
            th.setAttribute("data-sort", down ? "down" : "up");
          });
        })(heads[h], h);
      }
    })(tables[t]);
  }
})();
"""

_SECTIONS = (
    ("corpus", "Corpus"),
    ("codebook", "Codebook"),
    ("frequencies", "Code frequencies"),
    ("reliability", "Reliability"),
    ("graph", "Graph"),
    ("analyses", "Graph analyses"),
    ("fit", "Coordination fit"),
    ("factors", "Factors"),
    ("obstacles", "Obstacles"),
    ("replication", "Replication"),
    ("evidence", "Evidence"),
    ("transcripts", "Transcripts"),
)


def _machine_coders(described: dict[str, str]) -> str:
    """How the machine codings on the page were made: one line per machine coder."""
    if not described:
        return ""
    items = "".join(f"<li><b>{_esc(coder)}</b>: {_esc(text)}</li>" for coder, text in described.items())
    head = "<p>Machine codings (suggestions, not a person's judgement):</p>"
    return f'<div class="machine">{head}<ul>{items}</ul></div>'


def build_report(analysis: Analysis, *, title: str = TITLE) -> str:
    """Render an analysis as one self-contained, offline HTML page.

    Parameters
    ----------
    analysis : Analysis
        From :func:`qualbst.analyse`. Tables it lacks (e.g. reliability with
        a single coder) are reported as not computed, with the analysis'
        notes saying why.
    title : str, optional
        The page title.

    Returns
    -------
    str
        The page: HTML with inline CSS, inline SVG and an optional inline
        script; nothing is loaded from elsewhere.

    Notes
    -----
    Counts use the human coders' codings (coder ids not starting with
    ``auto:``; the machine coders' when there is no human coder) on
    informant segments, a segment coded by several coders counting once, as
    :mod:`qualbst.factors` counts. Each count links to the evidence list of
    its segments (see the module docstring); all text is HTML-escaped.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from qualbst.codebook import Code, Codebook
    >>> from qualbst.corpus.model import Document, Turn
    >>> from qualbst.pipeline import Analysis, Project
    >>> body = "I1: Staf <kami> cuma 5."
    >>> d = Document("a", "id", {"I1": "informant"}, body, (Turn(1, "I1", "informant", 4, 23, 1),),
    ...              {"informant": "Informan 1"})
    >>> segs = pd.DataFrame({"document": ["a"], "segment": ["a:1:1"], "turn": [1], "speaker": ["I1"],
    ...                      "role": ["informant"], "start": [4], "end": [23],
    ...                      "text": ["Staf <kami> cuma 5."]})
    >>> cods = pd.DataFrame({"document": ["a"], "segment": ["a:1:1"], "start": [4], "end": [23],
    ...                      "code": ["staff"], "coder": ["A"], "confidence": [1.0], "evidence": [""]})
    >>> book = Codebook((Code("staff", "Staf"),), ())
    >>> page = build_report(Analysis(Project((d,), book, segs, cods), pd.DataFrame(), cods,
    ...                              pd.DataFrame(), nx.MultiDiGraph(), {}))
    >>> "Staf &lt;kami&gt; cuma 5." in page, "<kami>" in page, 'href="#q-code-staff--informan-1"' in page
    (True, False, True)
    """
    ctx = _context(analysis)
    _register_edges(ctx)
    _agency_indexes(ctx)
    sections = [
        _corpus_section(ctx),
        _codebook_section(ctx),
        _frequency_section(ctx),
        _reliability_section(ctx),
        _graph_section(ctx),
        _analyses_section(ctx),
        _fit_section(ctx),
        _factors_section(ctx),
        _obstacles_section(ctx),
        _replication_section(ctx),
    ]
    evidence = (
        '<section id="evidence"><h2>Appendix: evidence</h2>'
        "<p>The segments behind the numbers above, each set listed once and grouped by informant; "
        "each quote links to its place in the transcripts.</p>"
        + (ctx.evidence.render() or '<p class="none">No evidence.</p>')
        + "</section>"
    )
    transcripts = _transcripts_section(ctx)
    notes = "".join(f"<li>{_esc(n)}</li>" for n in analysis.notes)
    project = analysis.project
    toc = " ".join(f'<a href="#{a}">{_esc(t)}</a>' for a, t in _SECTIONS)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qualbst">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{len(project.documents)} documents · codebook {_esc(project.codebook.path)} · '
        f"coders: {_esc(', '.join(sorted(set(map(str, analysis.codings['coder'])))) or 'none')}</p>",
        "<p>Every number links to the quotes behind it (the evidence appendix); every quote links to its "
        "place in the transcripts. The page needs no network and no JavaScript.</p>",
        _machine_coders(analysis.machine_coders),
        f'<nav class="toc">{toc}</nav>',
        f'<div class="notes"><h2>Notes</h2><ul>{notes}</ul></div>' if notes else "",
        *sections,
        evidence,
        transcripts,
        "</main>",
        '<dialog id="panel"><div class="bar"><a class="goto" href="#evidence">go to the list</a> '
        '<button class="close" type="button">close</button></div><div class="body"></div></dialog>',
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(page)


def write_report(analysis: Analysis, path: str | Path, *, title: str = TITLE) -> Path:
    """Write :func:`build_report` of ``analysis`` to ``path`` (UTF-8, atomically).

    Parameters
    ----------
    analysis : Analysis
    path : str or Path
        Usually ``out/report.html``.
    title : str, optional

    Returns
    -------
    Path
        The file written.
    """
    return write_text_atomic(path, build_report(analysis, title=title))
