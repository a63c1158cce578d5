"""Pictures of the coordination graph: a static SVG/PNG and an offline HTML page.

Both share one layout (:func:`graph_layout`): one row per agency level,
national at the top and recipients at the bottom, the agencies of a level
spread across their row. Edge colour and line style show the type (legend),
width the weight, and sequential links carry an arrow head. The HTML page is
one self-contained file (no scripts or styles from elsewhere): the graph as
inline SVG, every link clickable to show its quotes with document and turn,
and, for readers without JavaScript, every link listed with its quotes.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._io import write_bytes_atomic, write_text_atomic
from .graph import DIRECTED_TYPES, INTERACTION_TYPES, level_rank, segment_positions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["EDGE_STYLES", "LEVEL_COLORS", "draw_graph", "graph_figure", "graph_layout", "write_graph_html"]

#: How each interaction type is drawn: colour (Okabe-Ito, safe for colour
#: blindness), dash pattern (matplotlib and SVG) and legend text.
EDGE_STYLES: Mapping[str, Mapping[str, str]] = {
    "sequential": {"color": "#0072B2", "linestyle": "solid", "dasharray": "",
                   "label": "sequential (hands to, arrow)"},
    "reciprocal": {"color": "#D55E00", "linestyle": "dashed", "dasharray": "8 4",
                   "label": "reciprocal (back and forth)"},
    "pooled": {"color": "#009E73", "linestyle": "dotted", "dasharray": "2 4",
               "label": "pooled (shared resource)"},
}  # fmt: skip
_OTHER_STYLE: Mapping[str, str] = {
    "color": "#777777",
    "linestyle": "dashdot",
    "dasharray": "6 3 2 3",
    "label": "",
}
#: Fill colour of the agencies of each level.
LEVEL_COLORS: Mapping[str, str] = {
    "national": "#FDE0DD",
    "paying agent": "#FEE8C8",
    "city": "#E5F5E0",
    "district": "#DEEBF7",
    "ward": "#EFEDF5",
    "neighbourhood": "#F0F0F0",
    "recipients": "#FFF7BC",
}
_X_GAP = 2.5  # horizontal distance between agencies of one level
_Y_GAP = 1.4  # vertical distance between levels
_CURVE = {"sequential": 0.12, "reciprocal": -0.22, "pooled": 0.3}
_NODE_RY = 0.14
_NUDGE = 1.1  # sideways shift of a row holding a single agency


def _style(kind: str) -> Mapping[str, str]:
    return EDGE_STYLES.get(kind, _OTHER_STYLE)


def graph_layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions by level: one row per level present, national on top.

    In each row the agency with the most evidence (largest weighted degree)
    sits in the middle and the others alternate right and left of it in
    decreasing order (ties in the graph's node order, which is codebook
    order), so the busy chain runs down the centre. Rows are centred on
    x = 0; rows that hold one agency are nudged right and left alternately so
    that a link spanning several levels does not run through them.

    Examples
    --------
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("kpm", level="recipients"); graph.add_node("kemensos", level="national")
    >>> graph.add_node("pos", level="paying agent")
    >>> {n: (round(x, 2), y) for n, (x, y) in graph_layout(graph).items()}
    {'kpm': (-1.1, -2.8), 'kemensos': (0.0, 0.0), 'pos': (1.1, -1.4)}
    """
    base = {node: i for i, node in enumerate(graph.nodes)}
    rows: dict[int, list[str]] = {}
    for node in graph.nodes:
        rows.setdefault(level_rank(str(graph.nodes[node].get("level", ""))), []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    singles = 0
    for row_number, rank in enumerate(sorted(rows)):
        members = sorted(rows[rank], key=lambda n: (-graph.degree(n, weight="weight"), base[n]))
        count = len(members)
        slots = sorted(range(count), key=lambda i: (abs(i - (count - 1) / 2), -i))
        nudge = 0.0
        if count == 1 and row_number:
            singles += 1
            nudge = _NUDGE if singles % 2 else -_NUDGE
        for node, slot in zip(members, slots, strict=True):
            pos[node] = ((slot - (count - 1) / 2) * _X_GAP + nudge, -row_number * _Y_GAP)
    return {node: pos[node] for node in graph.nodes}


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(node)


def _half_width(label: str) -> float:
    return 0.033 * len(label) + 0.1  # matplotlib 9 pt text and the HTML's 12 px text


def _trim(center: tuple[float, float], toward: tuple[float, float], label: str) -> tuple[float, float]:
    """The point where the ray from a node's centre toward a point leaves its box."""
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    if dx == 0 and dy == 0:
        return center
    rx, ry = _half_width(label), _NODE_RY
    scale = 1.0 / max(abs(dx) / rx, abs(dy) / ry)
    return (center[0] + dx * scale, center[1] + dy * scale)


def _geometry(
    graph: nx.MultiDiGraph, pos: Mapping[str, tuple[float, float]]
) -> list[tuple[str, str, str, dict[str, Any], tuple[tuple[float, float], ...]]]:
    """Each edge with its quadratic Bezier (start, control, end), trimmed at the nodes."""
    out: list[tuple[str, str, str, dict[str, Any], tuple[tuple[float, float], ...]]] = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = str(data.get("type", key))
        a, b = u, v
        if kind not in DIRECTED_TYPES and (pos[v][1], -pos[v][0]) > (pos[u][1], -pos[u][0]):
            a, b = v, u  # undirected: bend relative to the top-down direction
        (x1, y1), (x2, y2) = pos[a], pos[b]
        rad = _CURVE.get(kind, 0.18)
        if abs(y1 - y2) > _Y_GAP * 1.5:
            rad += math.copysign(0.12, rad)  # long links bend away from the rows they cross
        control = ((x1 + x2) / 2 - rad * (y2 - y1), (y1 + y2) / 2 + rad * (x2 - x1))
        start = _trim(pos[a], control, _label(graph, a))
        end = _trim(pos[b], control, _label(graph, b))
        if (a, b) != (u, v):
            start, end = end, start
        out.append((u, v, kind, data, (start, control, end)))
    return out


def _widths(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], float]:
    weights = {(u, v, k): float(w) for u, v, k, w in graph.edges(keys=True, data="weight", default=1)}
    top = max(weights.values(), default=1.0)
    return {e: 1.0 + 3.5 * (w - 1) / (top - 1) if top > 1 else 1.5 for e, w in weights.items()}


def _targets(path: str | Path) -> tuple[Path, Path]:
    target = Path(path)
    stem = target.with_suffix("") if target.suffix.lower() in (".svg", ".png") else target
    return stem.with_suffix(".svg"), stem.with_suffix(".png")


def draw_graph(
    graph: nx.MultiDiGraph, path: str | Path, *, title: str = "", min_weight: int = 1
) -> tuple[Path, Path]:
    """Draw ``graph`` by level to an SVG and a PNG picture.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`~qualbst.network.build_graph`.
    path : str or Path
        ``out/graph.svg``, ``out/graph.png`` or ``out/graph``: both pictures
        are written beside each other with that stem.
    title : str, optional
        Shown above the graph.
    min_weight : int, default 1
        Leave out links supported by fewer segments (the legend says so); the
        agencies stay. ``write_graph_html`` always shows every link.

    Returns
    -------
    (Path, Path)
        The SVG and the PNG written.

    Notes
    -----
    Drawn with matplotlib's object interface (no pyplot, no global state) on
    the Agg canvas. The SVG is byte-stable: fixed ``svg.hashsalt``, no date
    in its metadata, text kept as text. Each edge is an SVG group with id
    ``edge-<type>-<source>--<target>``, each agency ``node-<id>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("pos", level="paying agent"); graph.add_node("kpm", level="recipients")
    >>> _ = graph.add_edge("pos", "kpm", key="sequential", type="sequential", weight=1)
    >>> svg, png = draw_graph(graph, pathlib.Path(tempfile.mkdtemp()) / "graph.svg")
    >>> svg.name, png.name, b"edge-sequential-pos--kpm" in svg.read_bytes()
    ('graph.svg', 'graph.png', True)
    """
    import matplotlib

    svg_path, png_path = _targets(path)
    with matplotlib.rc_context(_RC):
        fig = graph_figure(graph, title=title, min_weight=min_weight)
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    return write_bytes_atomic(svg_path, svg.getvalue()), write_bytes_atomic(png_path, png.getvalue())


#: Drawing settings: a fixed SVG hash salt and text kept as text, so the SVG is byte-stable.
_RC: dict[Any, Any] = {"svg.hashsalt": "qualbst", "svg.fonttype": "none", "font.size": 9}


def graph_figure(graph: nx.MultiDiGraph, *, title: str = "", min_weight: int = 1) -> Figure:
    """The picture :func:`draw_graph` writes, as a matplotlib ``Figure`` (for a notebook).

    Parameters are those of :func:`draw_graph`. The figure is made with
    matplotlib's object interface (no pyplot state); Jupyter shows it when
    it is the value of a cell.

    Examples
    --------
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("pos", level="paying agent"); graph.add_node("kpm", level="recipients")
    >>> _ = graph.add_edge("pos", "kpm", key="sequential", type="sequential", weight=1)
    >>> [t.get_text() for t in graph_figure(graph, title="BST").axes[0].texts][:1]
    ['BST']
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    if min_weight > 1:
        kept = nx.MultiDiGraph()
        kept.add_nodes_from(graph.nodes(data=True))
        kept.add_edges_from(
            (u, v, k, d)
            for u, v, k, d in graph.edges(keys=True, data=True)
            if d.get("weight", 1) >= min_weight
        )
        graph = kept
    pos = graph_layout(graph)
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    left, right = min(xs) - 2.4, max(xs) + 1.6
    bottom, top = min(ys) - 0.5, max(ys) + (1.0 if title else 0.6)
    width = max(right - left, 7.0)
    height = max(top - bottom, 2.0) + 0.8  # room for the legend below
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width * 0.95, height * 0.95))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(left, left + width)
        ax.set_ylim(top - height, top)
        ax.set_aspect("equal", adjustable="datalim")
        ax.axis("off")
        if title:
            ax.text((left + right) / 2, top - 0.3, title, ha="center", va="center", fontsize=12)
        levels = sorted({str(d.get("level", "")) for _, d in graph.nodes(data=True)}, key=level_rank)
        for level in levels:
            y = next(pos[n][1] for n, d in graph.nodes(data=True) if d.get("level", "") == level)
            ax.text(left + 0.15, y, level or "?", ha="left", va="center", color="#555555", style="italic")
        widths = _widths(graph)
        for u, v, kind, _data, (start, control, end) in _geometry(graph, pos):
            style = _style(kind)
            patch = FancyArrowPatch(
                path=MplPath([start, control, end], [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3]),
                arrowstyle="-|>,head_length=7,head_width=3.5" if kind in DIRECTED_TYPES else "-",
                color=style["color"],
                linestyle=style["linestyle"],
                linewidth=widths[(u, v, kind)],
                alpha=0.9,
                zorder=1,
            )
            patch.set_gid(f"edge-{kind}-{u}--{v}")
            ax.add_patch(patch)
        for node, data in graph.nodes(data=True):
            x, y = pos[node]
            text = ax.text(
                x,
                y,
                _label(graph, node),
                ha="center",
                va="center",
                zorder=3,
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "facecolor": LEVEL_COLORS.get(str(data.get("level", "")), "#FFFFFF"),
                    "edgecolor": "#333333",
                    "linewidth": 0.8,
                },
            )
            text.set_gid(f"node-{node}")
        if graph.number_of_edges() == 0:
            ax.text((left + right) / 2, (top + bottom) / 2, "no interactions", ha="center", color="#777777")
        present = [
            k
            for k in INTERACTION_TYPES
            if any(d.get("type", kk) == k for *_, kk, d in graph.edges(keys=True, data=True))
        ]
        handles = [
            Line2D(
                [],
                [],
                color=_style(k)["color"],
                linestyle=_style(k)["linestyle"],  # type: ignore[arg-type]
                linewidth=2,
                label=_style(k)["label"],
            )
            for k in (present or INTERACTION_TYPES)
        ]
        ax.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
                  title="line width: number of supporting segments"
                  + (f"; links with fewer than {min_weight} hidden" if min_weight > 1 else ""))  # fmt: skip
    return fig


# --------------------------------------------------------------------- HTML

_SCALE = 100.0  # SVG pixels per layout unit

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 80em; }
.wrap { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
svg { border: 1px solid #ddd; max-width: 100%; height: auto; background: #fff; }
a.edge path.hit { stroke: transparent; stroke-width: 14; fill: none; }
a.edge:hover path.line, a.edge.active path.line { stroke-opacity: 1; filter: drop-shadow(0 0 2px #000); }
a.edge:focus { outline: none; }
path.line { fill: none; stroke-opacity: 0.85; }
.node rect { stroke: #333; stroke-width: 1; }
.node text, .level { font-size: 12px; }
.level { fill: #555; font-style: italic; }
#panel { flex: 1 1 22em; min-width: 18em; border-left: 3px solid #ccc; padding-left: 1em; }
blockquote { margin: 0.3em 0; font-style: italic; }
.cite { color: #555; font-size: 0.9em; margin: 0 0 0.8em 0; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend svg { border: none; vertical-align: middle; }
h3 small { font-weight: normal; color: #555; }
"""

_SCRIPT = """
(function () {
  var panel = document.getElementById("panel");
  var links = document.querySelectorAll("a.edge");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault();
      var section = document.getElementById(this.getAttribute("data-link"));
      if (section) { panel.innerHTML = section.innerHTML; }
      var active = document.querySelectorAll("a.edge.active");
      for (var j = 0; j < active.length; j++) { active[j].classList.remove("active"); }
      this.classList.add("active");
    });
  }
})();
"""


def _arrow(source: str, target: str, kind: str) -> str:
    return f"{source} → {target}" if kind in DIRECTED_TYPES else f"{source} – {target}"


def _quote_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str, int | None]]:
    """(segment, quote, document, turn) for each piece of evidence on an edge."""
    segments = [str(s) for s in data.get("segments", ())]
    quotes = list(data.get("quotes", ())) + [""] * len(segments)
    turns = list(data.get("turns", ())) + [None] * len(segments)
    documents = list(data.get("documents", ()))
    positions = segment_positions(segments)
    rows = []
    for i, segment in enumerate(segments):
        place = positions[segment]
        document = place[0] if place is not None else documents[0] if len(documents) == 1 else ""
        turn = turns[i] if turns[i] is not None else place[1] if place is not None else None
        rows.append((segment, str(quotes[i] or ""), document, turn))
    return rows


def write_graph_html(graph: nx.MultiDiGraph, path: str | Path, *, title: str = "Coordination graph") -> Path:
    """Write one self-contained, offline HTML page of ``graph`` with its evidence.

    The graph is inline SVG laid out as :func:`draw_graph` does. Each link is
    a link to its section below, which lists its quotes with document and
    turn; a small inline script shows that section beside the graph when a
    link is clicked. Without JavaScript the click jumps to the section. The
    page loads nothing from elsewhere (no CDN, no fonts, no images).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    path : str or Path
    title : str, optional

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("pos", level="paying agent"); graph.add_node("kpm", level="recipients")
    >>> _ = graph.add_edge("pos", "kpm", key="sequential", type="sequential", weight=1,
    ...                segments=["d:2:1"], quotes=["Pos bayar ke KPM."], documents=["d"])
    >>> p = write_graph_html(graph, pathlib.Path(tempfile.mkdtemp()) / "graph.html")
    >>> text = p.read_text(encoding="utf-8")
    >>> "Pos bayar ke KPM." in text, "d, turn 2" in text
    (True, True)
    """
    esc = html.escape
    pos = graph_layout(graph)
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    left, right = min(xs) - 2.3, max(xs) + 1.5
    bottom, top = min(ys) - 0.6, max(ys) + 0.6

    def px(point: tuple[float, float]) -> str:
        return f"{(point[0] - left) * _SCALE:.1f},{(top - point[1]) * _SCALE:.1f}"

    width, height = (right - left) * _SCALE, (top - bottom) * _SCALE
    widths = _widths(graph)
    parts: list[str] = [
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{esc(title)}">',
        "<defs>",
    ]
    kinds = [
        k
        for k in INTERACTION_TYPES
        if k in {str(d.get("type", k2)) for *_, k2, d in graph.edges(keys=True, data=True)}
    ]
    for kind in INTERACTION_TYPES:
        if kind in DIRECTED_TYPES:
            parts.append(
                f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                f'markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{_style(kind)["color"]}"/></marker>'
            )
    parts.append("</defs>")
    levels = sorted({str(d.get("level", "")) for _, d in graph.nodes(data=True)}, key=level_rank)
    for level in levels:
        y = next(pos[n][1] for n, d in graph.nodes(data=True) if d.get("level", "") == level)
        parts.append(f'<text class="level" x="8" y="{(top - y) * _SCALE + 4:.1f}">{esc(level or "?")}</text>')
    sections: list[str] = []
    parts.append('<g class="edges">')
    for number, (u, v, kind, data, (start, control, end)) in enumerate(_geometry(graph, pos), start=1):
        style = _style(kind)
        link_id = f"link-{number}"
        d = f"M{px(start)} Q{px(control)} {px(end)}"
        dash = f' stroke-dasharray="{style["dasharray"]}"' if style["dasharray"] else ""
        marker = f' marker-end="url(#arrow-{kind})"' if kind in DIRECTED_TYPES else ""
        weight = int(data.get("weight", 1))
        label = f"{_arrow(u, v, kind)} ({kind}, {weight} segment{'s' if weight != 1 else ''})"
        parts.append(
            f'<a class="edge type-{esc(kind)}" href="#{link_id}" data-link="{link_id}" '
            f'id="edge-{esc(kind)}-{esc(u)}--{esc(v)}"><title>{esc(label)}</title>'
            f'<path class="hit" d="{d}"/>'
            f'<path class="line" d="{d}" stroke="{style["color"]}" '
            f'stroke-width="{widths[(u, v, kind)]:.2f}"{dash}{marker}/></a>'
        )
        documents = list(data.get("documents", ()))
        informants = list(data.get("informants", ()))
        items = []
        for segment, quote, document, turn in _quote_rows(data):
            where = ", ".join(p for p in (document, f"turn {turn}" if turn is not None else "") if p)
            items.append(
                f"<li><blockquote>{esc(quote) or '<em>(no quote)</em>'}</blockquote>"
                f'<p class="cite">{esc(where)} <code>{esc(segment)}</code></p></li>'
            )
        sections.append(
            f'<section id="{link_id}" class="link"><h3>{esc(_arrow(u, v, kind))} '
            f"<small>{esc(kind)}; {weight} segment{'s' if weight != 1 else ''}, "
            f"{len(documents)} document{'s' if len(documents) != 1 else ''}"
            f"{'; informants: ' + esc(', '.join(map(str, informants))) if informants else ''}</small></h3>"
            f"<ol>{''.join(items)}</ol></section>"
        )
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for node, data in graph.nodes(data=True):
        x, y = pos[node]
        label = _label(graph, node)
        w, h = _half_width(label) * 2 * _SCALE, _NODE_RY * 2 * _SCALE
        cx, cy = (x - left) * _SCALE, (top - y) * _SCALE
        fill = LEVEL_COLORS.get(str(data.get("level", "")), "#FFFFFF")
        tip = f"{data.get('name', node)} ({data.get('level', '')}); mentions: {data.get('mentions', 0)}"
        parts.append(
            f'<g class="node" id="node-{esc(node)}"><title>{esc(tip)}</title>'
            f'<rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="8" fill="{fill}"/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle">{esc(label)}</text></g>'
        )
    parts.append("</g></svg>")
    legend = []
    for kind in kinds or INTERACTION_TYPES:
        style = _style(kind)
        dash = f' stroke-dasharray="{style["dasharray"]}"' if style["dasharray"] else ""
        legend.append(
            f'<span><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="{style["color"]}" '
            f'stroke-width="2.5"{dash}/></svg> {esc(style["label"])}</span>'
        )
    n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    summary = (
        f"{n_nodes} agenc{'ies' if n_nodes != 1 else 'y'}, {n_edges} link{'s' if n_edges != 1 else ''}. "
        "Click a link to see the quotes that support it."
        if n_edges
        else "No interactions: the graph has no links."
    )
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(summary)} Line width: number of supporting segments.</p>",
        f'<p class="legend">{"".join(legend)}</p>',
        '<div class="wrap">',
        "".join(parts),
        '<aside id="panel"><p>Select a link in the graph to read its evidence here.</p></aside>',
        "</div>",
        "<h2>Links and their evidence</h2>",
        *(sections or ["<p>None.</p>"]),
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return write_text_atomic(path, "\n".join(page))
