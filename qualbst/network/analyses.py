"""Analyses of the coordination graph, each a table.

Who brokers between levels (:func:`centrality`), the sequential chain from
the top (:func:`sequential_chains`, :func:`sequential_cycles`), reciprocal
pairs, pooled groups, whether each kind of interdependence is coordinated by
Thompson's matching mechanism (:func:`coordination_fit`), and whether the
graph reproduces the published structure in ``codebook/expected.yaml``
(:func:`load_expected`, :func:`replication_check`).

References
----------
Thompson, J. D. (1967). *Organizations in Action*. McGraw-Hill, ch. 5:
pooled interdependence is coordinated by standardisation, sequential by
planning, reciprocal by mutual adjustment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import networkx as nx
import yaml

from .._yaml import load_yaml
from ..errors import CodebookError, QualbstError
from .graph import DIRECTED_TYPES, INTERACTION_TYPES, level_rank, segment_positions

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook

__all__ = [
    "THOMPSON_MECHANISMS",
    "Expected",
    "ExpectedEdge",
    "centrality",
    "coordination_fit",
    "coordination_links",
    "fit_summary",
    "load_expected",
    "pooled_groups",
    "reciprocal_pairs",
    "replication_check",
    "replication_summary",
    "sequential_chains",
    "sequential_cycles",
]

#: Thompson's (1967) coordination mechanism for each interdependence type. The
#: default of :func:`coordination_fit`; ``codebook/expected.yaml`` states the
#: same mapping as data (``mechanisms``), and :class:`Expected` carries it.
THOMPSON_MECHANISMS: Mapping[str, str] = MappingProxyType(
    {
        "pooled": "mechanism.standardization",
        "sequential": "mechanism.planning",
        "reciprocal": "mechanism.mutual-adjustment",
    }
)

CENTRALITY_COLUMNS = (
    "agency", "name", "level", "degree", "neighbours", "in_sequential", "out_sequential",
    "weighted_degree", "betweenness",
)  # fmt: skip
CHAIN_COLUMNS = ("chain", "start", "start_level", "end", "length", "min_weight", "path")
CYCLE_COLUMNS = ("cycle", "length", "min_weight", "path", "dropped")
RECIPROCAL_COLUMNS = (
    "source", "target", "weight", "documents", "informants", "source_level", "target_level",
    "sequential",
)  # fmt: skip
POOLED_COLUMNS = ("group", "size", "agencies", "levels", "links", "weight")
LINK_COLUMNS = ("type", "source", "target", "mechanism", "segments", "matched", "fit", "evidence")
FIT_COLUMNS = ("type", "mechanism", "links", "fitting", "share", "without")
CHECK_COLUMNS = ("type", "source", "target", "status", "weight", "note")
SUMMARY_COLUMNS = ("type", "expected", "observed", "hits", "misses", "extras", "recall", "precision")
STATUSES = ("hit", "miss", "extra")


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


def _rank(graph: nx.MultiDiGraph, node: str) -> tuple[int, str]:
    return (level_rank(str(graph.nodes[node].get("level", ""))), node)


def _link(source: str, target: str, kind: str) -> str:
    return f"{source} -> {target}" if kind in DIRECTED_TYPES else f"{source} - {target}"


def _undirected_simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """Every typed link as one undirected edge per pair; weights summed."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, weight in graph.edges(data="weight", default=1):
        if simple.has_edge(u, v):
            simple.edges[u, v]["weight"] += int(weight)
        else:
            simple.add_edge(u, v, weight=int(weight))
    return simple


def _typed(graph: nx.MultiDiGraph, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(u, v, d) for u, v, k, d in graph.edges(keys=True, data=True) if d.get("type", k) == kind]


# ---------------------------------------------------------------- centrality


def centrality(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Degree and betweenness of every agency: who brokers between levels.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`~qualbst.network.build_graph`.

    Returns
    -------
    DataFrame
        One row per agency: ``agency``, ``name``, ``level``, ``degree``
        (typed links touching it, every type counted), ``neighbours``
        (distinct agencies it is linked to), ``in_sequential`` and
        ``out_sequential`` (sequential links into and out of it),
        ``weighted_degree`` (sum of the weights of its links) and
        ``betweenness``. Sorted by betweenness, then weighted degree (both
        descending), then agency id.

    Notes
    -----
    Betweenness is computed on the undirected simple projection (one edge per
    linked pair, whatever the types and directions), unweighted, normalised
    by :math:`(n-1)(n-2)/2`, and rounded to 6 decimals: the share of shortest
    paths between other agencies that pass through this one.

    References
    ----------
    Freeman, L. C. (1977). A set of measures of centrality based on
    betweenness. *Sociometry* 40(1), 35-41.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_edge("a", "b", key="sequential", type="sequential", weight=2)
    'sequential'
    >>> graph.add_edge("b", "c", key="sequential", type="sequential", weight=1)
    'sequential'
    >>> centrality(graph)[["agency", "degree", "weighted_degree", "betweenness"]].values.tolist()
    [['b', 2, 3, 1.0], ['a', 1, 2, 0.0], ['c', 1, 1, 0.0]]
    """
    simple = _undirected_simple(graph)
    between = nx.betweenness_centrality(simple, normalized=True) if len(simple) else {}
    rows: list[dict[str, Any]] = []
    for node in graph.nodes:
        data = graph.nodes[node]
        seq_in = sum(
            1 for _, _, k, d in graph.in_edges(node, keys=True, data=True) if d.get("type", k) == "sequential"
        )
        seq_out = sum(
            1
            for _, _, k, d in graph.out_edges(node, keys=True, data=True)
            if d.get("type", k) == "sequential"
        )
        rows.append(
            {
                "agency": node,
                "name": str(data.get("name", "")),
                "level": str(data.get("level", "")),
                "degree": int(graph.degree(node)),
                "neighbours": int(simple.degree(node)),
                "in_sequential": seq_in,
                "out_sequential": seq_out,
                "weighted_degree": int(graph.degree(node, weight="weight")),
                "betweenness": round(float(between.get(node, 0.0)), 6),
            }
        )
    rows.sort(key=lambda r: (-r["betweenness"], -r["weighted_degree"], r["agency"]))
    return _frame(rows, CENTRALITY_COLUMNS)


# ------------------------------------------------------- sequential structure


def _sequential_digraph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    seq = nx.DiGraph()
    for u, v, data in _typed(graph, "sequential"):
        seq.add_edge(u, v, weight=int(data.get("weight", 1)))
    return seq


def _break_cycles(graph: nx.MultiDiGraph, seq: nx.DiGraph) -> tuple[nx.DiGraph, list[tuple[str, str]]]:
    """Drop the weakest edge on a cycle until none is left; return the DAG and the drops.

    Among the edges that lie on a cycle (the edges inside a strongly connected
    component) the one dropped first has the smallest weight; on a tie, one
    that runs upward (from a lower level to a higher one) before one that does
    not, then the first by (source, target).
    """
    dag = seq.copy()
    dropped: list[tuple[str, str]] = []
    while True:
        candidates = [
            (u, v)
            for component in nx.strongly_connected_components(dag)
            if len(component) > 1
            for u, v in dag.subgraph(component).edges
        ]
        if not candidates:
            return dag, dropped

        def weakest(edge: tuple[str, str]) -> tuple[int, bool, str, str]:
            u, v = edge
            upward = _rank(graph, u)[0] > _rank(graph, v)[0]
            return (int(dag.edges[u, v]["weight"]), not upward, u, v)

        u, v = min(candidates, key=weakest)
        dag.remove_edge(u, v)
        dropped.append((u, v))


def _canonical_cycle(cycle: list[str]) -> list[str]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def sequential_cycles(graph: nx.MultiDiGraph, *, limit: int | None = 100) -> pd.DataFrame:
    """The cycles of the sequential subgraph, and the edges dropped to break them.

    Sequential interdependence is a fixed order; a cycle means the data say
    A hands to B and, through some path, B hands back to A (for instance the
    downward distribution and the upward MBR proposal route between the same
    two levels). :func:`sequential_chains` computes its chains after dropping
    the edges named in ``dropped``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    limit : int or None, default 100
        Report at most this many cycles, shortest first (None: all). A dense
        graph has very many; the dropped edges do not depend on the limit.

    Returns
    -------
    DataFrame
        One row per simple cycle: ``cycle`` (1-based), ``length`` (edges),
        ``min_weight`` (its weakest edge), ``path`` (``"a -> b -> a"``,
        starting at the smallest id) and ``dropped`` (the dropped edges on
        this cycle, ``"; "``-joined). Sorted by length, then path. Empty when
        the sequential subgraph has no cycle.

    Notes
    -----
    Edges are dropped one at a time until no cycle is left: each time the
    weakest edge that lies on a cycle (lowest weight; on a tie an edge that
    runs upward, from a lower level to a higher one, against the top-down
    flow; then by source and target id).

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("a", level="ward"); graph.add_node("b", level="neighbourhood")
    >>> _ = graph.add_edge("a", "b", key="sequential", type="sequential", weight=3)
    >>> _ = graph.add_edge("b", "a", key="sequential", type="sequential", weight=1)
    >>> sequential_cycles(graph)[["path", "dropped"]].values.tolist()
    [['a -> b -> a', 'b -> a']]
    """
    seq = _sequential_digraph(graph)
    _, dropped = _break_cycles(graph, seq)
    found: list[list[str]] = []
    bound = 1
    while limit is None or len(found) < limit:
        bound += 1
        if bound > seq.number_of_nodes():
            break
        found += [_canonical_cycle(c) for c in nx.simple_cycles(seq, length_bound=bound) if len(c) == bound]
    found.sort(key=lambda c: (len(c), c))
    if limit is not None:
        found = found[:limit]
    rows: list[dict[str, Any]] = []
    for number, cycle in enumerate(found, start=1):
        edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        on_cycle = [f"{u} -> {v}" for u, v in dropped if (u, v) in edges]
        rows.append(
            {
                "cycle": number,
                "length": len(edges),
                "min_weight": min(int(seq.edges[e]["weight"]) for e in edges),
                "path": " -> ".join([*cycle, cycle[0]]),
                "dropped": "; ".join(on_cycle),
            }
        )
    return _frame(rows, CYCLE_COLUMNS)


def sequential_chains(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The longest sequential chains, from each source to each end it reaches.

    Parameters
    ----------
    graph : networkx.MultiDiGraph

    Returns
    -------
    DataFrame
        One row per (start, end) pair: ``chain`` (1-based), ``start`` (an
        agency no sequential link leads into), ``start_level``, ``end`` (an
        agency with no sequential link out), ``length`` (links), ``min_weight``
        (the weakest link on the chain) and ``path`` (``"a -> b -> c"``).
        Sorted from the top: by the level of the start, start id, length
        (descending) and end id. ``attrs["dropped"]`` lists the edges dropped
        to break cycles (see :func:`sequential_cycles`).

    Notes
    -----
    Computed on the sequential subgraph after the cycles are broken (a DAG).
    Of the paths from a start to an end the longest is reported; on a tie the
    one with the larger total weight, then the first in id order.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> for u, v in [("kemensos", "pos"), ("pos", "kpm"), ("pos", "kecamatan"), ("kecamatan", "kpm")]:
    ...     _ = graph.add_edge(u, v, key="sequential", type="sequential", weight=1)
    >>> sequential_chains(graph)[["start", "end", "length", "path"]].values.tolist()
    [['kemensos', 'kpm', 3, 'kemensos -> pos -> kecamatan -> kpm']]
    """
    seq = _sequential_digraph(graph)
    dag, dropped = _break_cycles(graph, seq)
    order = list(nx.lexicographical_topological_sort(dag))
    starts = sorted((n for n in dag if dag.in_degree(n) == 0), key=lambda n: _rank(graph, n))
    rows: list[dict[str, Any]] = []
    for start in starts:
        # best[v] = (length, total weight, path) of the best path start -> v
        best: dict[str, tuple[int, int, list[str]]] = {start: (0, 0, [start])}
        for node in order:
            if node not in best:
                continue
            length, total, path = best[node]
            for succ in dag.successors(node):
                candidate = (length + 1, total + int(dag.edges[node, succ]["weight"]), [*path, succ])
                old = best.get(succ)
                if (
                    old is None
                    or (candidate[0], candidate[1]) > (old[0], old[1])
                    or ((candidate[0], candidate[1]) == (old[0], old[1]) and candidate[2] < old[2])
                ):
                    best[succ] = candidate
        ends = sorted(
            (n for n in best if dag.out_degree(n) == 0 and n != start),
            key=lambda n: (-best[n][0], n),
        )
        for end in ends:
            length, _, path = best[end]
            rows.append(
                {
                    "start": start,
                    "start_level": str(graph.nodes[start].get("level", "")),
                    "end": end,
                    "length": length,
                    "min_weight": min(int(dag.edges[u, v]["weight"]) for u, v in itertools.pairwise(path)),
                    "path": " -> ".join(path),
                }
            )
    for number, row in enumerate(rows, start=1):
        row["chain"] = number
    frame = _frame(rows, CHAIN_COLUMNS)
    frame.attrs["dropped"] = [f"{u} -> {v}" for u, v in dropped]
    return frame


# ---------------------------------------------------- reciprocal and pooled


def reciprocal_pairs(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The reciprocal links, with how well each is supported.

    Returns
    -------
    DataFrame
        One row per reciprocal pair: ``source`` and ``target`` (ids in order),
        ``weight`` (segments), ``documents`` and ``informants`` (how many
        distinct), ``source_level``, ``target_level`` and ``sequential``:
        ``"both"`` when sequential links also run both ways between the two,
        ``"a -> b"`` when one runs one way, ``""`` when none. Sorted by weight
        (descending), then source and target.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("kelurahan", "rtrw", key="reciprocal", type="reciprocal", weight=2,
    ...                documents=["d1", "d2"], informants=["I1", "I2"])
    >>> _ = graph.add_edge("kelurahan", "rtrw", key="sequential", type="sequential", weight=4)
    >>> reciprocal_pairs(graph)[["source", "target", "weight", "informants", "sequential"]].values.tolist()
    [['kelurahan', 'rtrw', 2, 2, 'kelurahan -> rtrw']]
    """
    rows: list[dict[str, Any]] = []
    for u, v, data in _typed(graph, "reciprocal"):
        forward = graph.has_edge(u, v, key="sequential")
        backward = graph.has_edge(v, u, key="sequential")
        sequential = (
            "both"
            if forward and backward
            else f"{u} -> {v}"
            if forward
            else f"{v} -> {u}"
            if backward
            else ""
        )
        rows.append(
            {
                "source": u,
                "target": v,
                "weight": int(data.get("weight", 1)),
                "documents": len(data.get("documents", ())),
                "informants": len(data.get("informants", ())),
                "source_level": str(graph.nodes[u].get("level", "")),
                "target_level": str(graph.nodes[v].get("level", "")),
                "sequential": sequential,
            }
        )
    rows.sort(key=lambda r: (-r["weight"], r["source"], r["target"]))
    return _frame(rows, RECIPROCAL_COLUMNS)


def pooled_groups(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Groups of agencies joined by pooled links (connected components).

    Returns
    -------
    DataFrame
        One row per group: ``group`` (1-based), ``size``, ``agencies`` (ids,
        top level first, ``", "``-joined), ``levels`` (distinct levels, top
        first), ``links`` (pooled links inside) and ``weight`` (their summed
        weight). Largest group first, then by first agency.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("kecamatan", "kelurahan", key="pooled", type="pooled", weight=2)
    >>> _ = graph.add_edge("pos", "kecamatan", key="pooled", type="pooled", weight=1)
    >>> _ = graph.add_edge("dinsos", "kpm", key="pooled", type="pooled", weight=1)
    >>> pooled_groups(graph)[["size", "agencies", "links", "weight"]].values.tolist()
    [[3, 'kecamatan, kelurahan, pos', 2, 3], [2, 'dinsos, kpm', 1, 1]]
    """
    pool = nx.Graph()
    for u, v, data in _typed(graph, "pooled"):
        pool.add_edge(u, v, weight=int(data.get("weight", 1)))
    groups = [sorted(c, key=lambda n: _rank(graph, n)) for c in nx.connected_components(pool)]
    groups.sort(key=lambda members: (-len(members), _rank(graph, members[0])))
    rows: list[dict[str, Any]] = []
    for number, members in enumerate(groups, start=1):
        sub = pool.subgraph(members)
        levels = sorted({str(graph.nodes[n].get("level", "")) for n in members}, key=level_rank)
        rows.append(
            {
                "group": number,
                "size": len(members),
                "agencies": ", ".join(members),
                "levels": ", ".join(levels),
                "links": sub.number_of_edges(),
                "weight": int(sub.size(weight="weight")),
            }
        )
    return _frame(rows, POOLED_COLUMNS)


# ------------------------------------------------------ coordination fit


def _mechanism_map(mechanisms: Mapping[str, str] | Expected | None) -> Mapping[str, str]:
    if mechanisms is None:
        return THOMPSON_MECHANISMS
    if isinstance(mechanisms, Expected):
        return mechanisms.mechanisms
    return mechanisms


def coordination_links(
    graph: nx.MultiDiGraph,
    codings: pd.DataFrame,
    *,
    mechanisms: Mapping[str, str] | Expected | None = None,
    window: int | None = 1,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For every link, whether its segments (or nearby ones) show the matching mechanism.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    codings : DataFrame
        The codings table (CONTRACT.md; ``segment`` and ``code`` are used).
        Pass one coder's rows to judge by one coder.
    mechanisms : mapping or Expected, optional
        Interdependence type -> mechanism code id. Default
        :data:`THOMPSON_MECHANISMS`; pass ``load_expected(...)`` to take the
        mapping from ``codebook/expected.yaml``.
    window : int or None, default 1
        How near a mechanism coding may be (see Notes); 0 means the supporting
        segment itself, None anywhere in the same turn.
    segments : DataFrame, optional
        The segments table, for the positions of segments; without it they
        are read from the ids ``<document>:<turn>:<n>``.

    Returns
    -------
    DataFrame
        One row per link: ``type``, ``source``, ``target``, ``mechanism``,
        ``segments`` (supporting segments), ``matched`` (how many of them have
        the mechanism within the window), ``fit`` (bool: at least one) and
        ``evidence`` (the segments that carry the mechanism code, ``"; "``-joined).
        In type order, then source and target.

    Raises
    ------
    QualbstError
        A link's type has no mechanism in ``mechanisms``, or ``codings`` has no
        ``segment`` or ``code`` column.
    ValueError
        ``window`` is negative.

    Notes
    -----
    A segment is *near* a supporting segment when both are in the same turn of
    the same document and their positions in that turn (1-based sentence
    numbers) differ by at most ``window`` (any distance when ``window`` is
    None). A segment whose position is unknown
    is near only itself. Every coder's codings count, unless filtered first.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("pos", "kecamatan", key="sequential", type="sequential", weight=1,
    ...                    segments=["d:2:1"])
    >>> codings = pd.DataFrame({"segment": ["d:2:2"], "code": ["mechanism.planning"]})
    >>> coordination_links(graph, codings)[["source", "matched", "fit", "evidence"]].values.tolist()
    [['pos', 1, True, 'd:2:2']]
    """
    if window is not None and window < 0:
        raise ValueError(f"window must be 0 or more (got {window})")
    mapping = _mechanism_map(mechanisms)
    for column in ("segment", "code"):
        if column not in codings.columns:
            raise QualbstError(f"codings table: missing column {column!r} (got {list(codings.columns)})")
    links = [
        (str(d.get("type", k)), u, v, [str(s) for s in d.get("segments", ())])
        for u, v, k, d in graph.edges(keys=True, data=True)
    ]
    for kind, u, v, _ in links:
        if kind not in mapping:
            raise QualbstError(
                f"no coordination mechanism for type {kind!r} (link {_link(u, v, kind)}); "
                f"give one in 'mechanisms' (known: {', '.join(sorted(mapping)) or 'none'})"
            )
    wanted = set(mapping.values())
    coded: dict[str, set[str]] = {}
    for segment, code in zip(codings["segment"].tolist(), codings["code"].tolist(), strict=True):
        if code in wanted:
            coded.setdefault(str(code), set()).add(str(segment))
    all_segments = {s for _, _, _, segs in links for s in segs} | {s for v in coded.values() for s in v}
    positions = segment_positions(sorted(all_segments), segments)
    near: dict[str, dict[tuple[str, int], list[tuple[int, str]]]] = {}
    for code, found in coded.items():
        by_turn = near.setdefault(code, {})
        for segment in found:
            place = positions.get(segment)
            if place is not None:
                by_turn.setdefault((place[0], place[1]), []).append((place[2], segment))

    def matches(segment: str, code: str) -> list[str]:
        place = positions.get(segment)
        if place is None:
            return [segment] if segment in coded.get(code, set()) else []
        candidates = near.get(code, {}).get((place[0], place[1]), [])
        return [s for n, s in candidates if window is None or abs(n - place[2]) <= window]

    type_order = {kind: i for i, kind in enumerate(INTERACTION_TYPES)}
    rows: list[dict[str, Any]] = []
    for kind, u, v, segs in links:
        code = mapping[kind]
        hits = {s: matches(s, code) for s in segs}
        evidence = sorted(
            {m for found in hits.values() for m in found}, key=lambda s: (positions.get(s) or ("", 0, 0), s)
        )
        matched = sum(1 for found in hits.values() if found)
        rows.append(
            {
                "type": kind,
                "source": u,
                "target": v,
                "mechanism": code,
                "segments": len(segs),
                "matched": matched,
                "fit": matched > 0,
                "evidence": "; ".join(evidence),
            }
        )
    rows.sort(key=lambda r: (type_order.get(r["type"], len(type_order)), r["type"], r["source"], r["target"]))
    return _frame(rows, LINK_COLUMNS)


def coordination_fit(
    graph: nx.MultiDiGraph,
    codings: pd.DataFrame,
    *,
    mechanisms: Mapping[str, str] | Expected | None = None,
    window: int | None = 1,
    segments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per interdependence type, the share of links coordinated by Thompson's matching mechanism.

    Parameters and the meaning of *near* are those of
    :func:`coordination_links`, of which this is the summary.

    Returns
    -------
    DataFrame
        One row per type of the mapping (in the order pooled, sequential,
        reciprocal): ``type``, ``mechanism``, ``links``, ``fitting`` (links
        with the mechanism in or near a supporting segment), ``share``
        (fitting / links, rounded to 4 decimals; NaN when there are no links)
        and ``without`` (the links without it, ``"; "``-joined).

    Raises
    ------
    QualbstError, ValueError
        As :func:`coordination_links`.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("pos", "kecamatan", key="sequential", type="sequential", weight=1,
    ...                    segments=["d:2:1"])
    >>> _ = graph.add_edge("kecamatan", "kelurahan", key="sequential", type="sequential", weight=1,
    ...                    segments=["d:5:1"])
    >>> codings = pd.DataFrame({"segment": ["d:2:1"], "code": ["mechanism.planning"]})
    >>> row = coordination_fit(graph, codings).to_dict("records")[1]
    >>> row["links"], row["fitting"], row["share"], row["without"]
    (2, 1, 0.5, 'kecamatan -> kelurahan')
    """
    links = coordination_links(graph, codings, mechanisms=mechanisms, window=window, segments=segments)
    return fit_summary(links, mechanisms=mechanisms)


def fit_summary(
    links: pd.DataFrame, *, mechanisms: Mapping[str, str] | Expected | None = None
) -> pd.DataFrame:
    """:func:`coordination_fit` from a :func:`coordination_links` table already made.

    ``mechanisms`` must be those the links were judged against (default:
    Thompson's); every type it names gets a row, with no links or some.

    Examples
    --------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"type": ["pooled"], "source": ["a"], "target": ["b"], "fit": [False]})
    >>> fit_summary(links)[["type", "links", "fitting", "without"]].values.tolist()[0]
    ['pooled', 1, 0, 'a - b']
    """
    mapping = _mechanism_map(mechanisms)
    kinds = [k for k in INTERACTION_TYPES if k in mapping] + sorted(set(mapping) - set(INTERACTION_TYPES))
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        mine = links[links["type"] == kind]
        fitting = int(mine["fit"].sum())
        without = [
            _link(u, v, kind)
            for u, v, fit in zip(
                mine["source"].tolist(), mine["target"].tolist(), mine["fit"].tolist(), strict=True
            )
            if not fit
        ]
        rows.append(
            {
                "type": kind,
                "mechanism": mapping[kind],
                "links": len(mine),
                "fitting": fitting,
                "share": round(fitting / len(mine), 4) if len(mine) else float("nan"),
                "without": "; ".join(without),
            }
        )
    return _frame(rows, FIT_COLUMNS)


# ------------------------------------------------------ replication check


@dataclass(frozen=True)
class ExpectedEdge:
    """One link the published study reports.

    Undirected types keep ``source < target``.

    Examples
    --------
    >>> ExpectedEdge("sequential", "kemensos", "pos").key
    ('sequential', 'kemensos', 'pos')
    """

    type: str
    source: str
    target: str
    note: str = ""
    line: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """``(type, source, target)``: how the edge is matched."""
        return (self.type, self.source, self.target)


@dataclass(frozen=True)
class Expected:
    """The expected structure: typed links and each type's coordination mechanism.

    Examples
    --------
    >>> e = Expected((ExpectedEdge("pooled", "kecamatan", "pos"),), {"pooled": "mechanism.standardization"})
    >>> e.mechanisms["pooled"], len(e.edges)
    ('mechanism.standardization', 1)
    """

    edges: tuple[ExpectedEdge, ...]
    mechanisms: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mechanisms", MappingProxyType(dict(self.mechanisms)))


def _yaml_mapping(path: Path) -> tuple[Any, Any]:
    name = str(path)
    node, data = load_yaml(path, error=CodebookError)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise CodebookError(
            "expected a mapping with 'mechanisms' and 'edges' at the top level", file=name, line=1
        )
    return node, data


def _child(node: yaml.MappingNode, key: str) -> Any:
    for k, v in node.value:
        if k.value == key:
            return v
    return None


def load_expected(path: str | Path, codebook: Codebook) -> Expected:
    """Load and check ``codebook/expected.yaml``: the structure a study reports.

    Parameters
    ----------
    path : str or Path
        A YAML mapping with ``source`` (where the structure is published),
        ``mechanisms`` (type -> mechanism code id) and ``edges`` (a list of
        ``{type, source, target, note}``).
    codebook : Codebook
        Agencies and mechanism codes must exist in it.

    Returns
    -------
    Expected

    Raises
    ------
    CodebookError
        ``file:line: entry N: problem`` for an unknown type or agency, a
        mechanism code not in the codebook, an edge from an agency to itself,
        a duplicate edge, a missing field or malformed YAML.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualbst.codebook import Agency, Code, Codebook
    >>> cb = Codebook((Code("mechanism.planning", "P", definition="x"),),
    ...               (Agency("pos", "Pos", level="paying agent"), Agency("kemensos", "K", level="national")))
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "expected.yaml"
    >>> _ = p.write_text("mechanisms: {sequential: mechanism.planning}\\n"
    ...                  "edges:\\n  - {type: sequential, source: kemensos, target: pos}\\n")
    >>> load_expected(p, cb).edges[0].key
    ('sequential', 'kemensos', 'pos')
    """
    file = Path(path)
    name = str(file)
    node, data = _yaml_mapping(file)
    known_types = ", ".join(INTERACTION_TYPES)
    mechanisms: dict[str, str] = {}
    raw_mechanisms = data.get("mechanisms") or {}
    mech_node = _child(node, "mechanisms")
    if not isinstance(raw_mechanisms, dict):
        line = None if mech_node is None else mech_node.start_mark.line + 1
        raise CodebookError("'mechanisms' must map a type to a mechanism code id", file=name, line=line)
    mech_lines = (
        {k.value: k.start_mark.line + 1 for k, _ in mech_node.value}
        if isinstance(mech_node, yaml.MappingNode)
        else {}
    )
    for kind, code in raw_mechanisms.items():
        line = mech_lines.get(kind)
        if kind not in INTERACTION_TYPES:
            raise CodebookError(
                f"mechanisms: unknown type {kind!r}; use one of {known_types}", file=name, line=line
            )
        if not isinstance(code, str) or not codebook.has_code(code):
            raise CodebookError(
                f"mechanisms: {kind}: unknown code {code!r}; use a code id of codebook.yaml",
                file=name,
                line=line,
            )
        mechanisms[kind] = code
    raw_edges = data.get("edges")
    edges_node = _child(node, "edges")
    if not isinstance(raw_edges, list) or not isinstance(edges_node, yaml.SequenceNode):
        line = None if edges_node is None else edges_node.start_mark.line + 1
        raise CodebookError("'edges' must be a list of {type, source, target, note}", file=name, line=line)
    edges: list[ExpectedEdge] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, (item, entry) in enumerate(zip(edges_node.value, raw_edges, strict=True), start=1):
        line = item.start_mark.line + 1

        def bad(message: str, number: int = number, line: int = line) -> CodebookError:
            return CodebookError(f"edges entry {number}: {message}", file=name, line=line)

        if not isinstance(entry, dict):
            raise bad("must be a mapping {type, source, target, note}")
        kind = entry.get("type")
        if kind not in INTERACTION_TYPES:
            raise bad(f"unknown type {kind!r}; use one of {known_types}")
        ends = []
        for role in ("source", "target"):
            agency = entry.get(role)
            if not isinstance(agency, str) or not codebook.has_agency(agency):
                raise bad(f"unknown agency {agency!r} in '{role}'; use an id from agencies.yaml")
            ends.append(agency)
        source, target = ends
        if source == target:
            raise bad(f"source and target are both {source!r}")
        if kind not in DIRECTED_TYPES and target < source:
            source, target = target, source
        edge = ExpectedEdge(str(kind), source, target, " ".join(str(entry.get("note") or "").split()), line)
        if edge.key in seen:
            raise bad(f"duplicate of entry {seen[edge.key]} ({_link(source, target, kind)}, {kind})")
        seen[edge.key] = number
        edges.append(edge)
    return Expected(tuple(edges), mechanisms, " ".join(str(data.get("source") or "").split()), name)


def replication_check(
    graph: nx.MultiDiGraph, expected: Expected | Iterable[ExpectedEdge], *, min_weight: int = 1
) -> pd.DataFrame:
    """The graph against the expected structure: every link a hit, a miss or an extra.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    expected : Expected or iterable of ExpectedEdge
    min_weight : int, default 1
        Count a link of the graph as found only when at least this many
        segments support it (2 or 3 sets aside links resting on one passage).

    Returns
    -------
    DataFrame
        One row per link: ``type``, ``source``, ``target``, ``status``
        (``hit``: expected and found; ``miss``: expected, not found;
        ``extra``: found, not expected), ``weight`` (segments supporting it
        in the graph; 0 when absent, and a miss may have a weight below
        ``min_weight``) and ``note`` (from the expected file).
        Sorted by type, status, source and target. A sequential link counts
        only in its direction; pooled and reciprocal links in either.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("kemensos", "pos", key="sequential", type="sequential", weight=3)
    >>> _ = graph.add_edge("pos", "kpm", key="sequential", type="sequential", weight=1)
    >>> exp = [ExpectedEdge("sequential", "kemensos", "pos"), ExpectedEdge("sequential", "kpm", "pos")]
    >>> replication_check(graph, exp)[["source", "target", "status", "weight"]].values.tolist()
    [['kemensos', 'pos', 'hit', 3], ['kpm', 'pos', 'miss', 0], ['pos', 'kpm', 'extra', 1]]
    """
    wanted = {e.key: e for e in (expected.edges if isinstance(expected, Expected) else expected)}
    found: dict[tuple[str, str, str], int] = {}
    for u, v, k, d in graph.edges(keys=True, data=True):
        kind = str(d.get("type", k))
        if kind not in DIRECTED_TYPES and v < u:
            u, v = v, u
        found[(kind, u, v)] = found.get((kind, u, v), 0) + int(d.get("weight", 1))
    kept = {key for key, weight in found.items() if weight >= min_weight}
    rows: list[dict[str, Any]] = []
    for key in sorted(set(wanted) | kept):
        status = "hit" if key in wanted and key in kept else "miss" if key in wanted else "extra"
        rows.append(
            {
                "type": key[0],
                "source": key[1],
                "target": key[2],
                "status": status,
                "weight": found.get(key, 0),
                "note": wanted[key].note if key in wanted else "",
            }
        )
    type_order = {kind: i for i, kind in enumerate(INTERACTION_TYPES)}
    rows.sort(
        key=lambda r: (
            type_order.get(r["type"], len(type_order)),
            r["type"],
            STATUSES.index(r["status"]),
            r["source"],
            r["target"],
        )
    )
    return _frame(rows, CHECK_COLUMNS)


def replication_summary(check: pd.DataFrame) -> pd.DataFrame:
    """Per type, how much of the expected structure the graph reproduces.

    Parameters
    ----------
    check : DataFrame
        The table :func:`replication_check` returns.

    Returns
    -------
    DataFrame
        One row per type (pooled, sequential, reciprocal, then any other in
        ``check``): ``type``, ``expected`` (hits + misses), ``observed`` (hits
        + extras), ``hits``, ``misses``, ``extras``, ``recall`` (hits /
        expected) and ``precision`` (hits / observed), rounded to 4 decimals,
        NaN when the denominator is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> check = pd.DataFrame({"type": ["sequential"] * 3, "status": ["hit", "miss", "extra"]})
    >>> row = replication_summary(check).to_dict("records")[1]
    >>> row["type"], row["hits"], row["misses"], row["extras"], row["recall"], row["precision"]
    ('sequential', 1, 1, 1, 0.5, 0.5)
    """
    kinds = list(INTERACTION_TYPES) + sorted(set(map(str, check["type"])) - set(INTERACTION_TYPES))
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        statuses = check.loc[check["type"] == kind, "status"]
        hits, misses, extras = (int((statuses == s).sum()) for s in STATUSES)

        def ratio(part: int, whole: int) -> float:
            return round(part / whole, 4) if whole else float("nan")

        rows.append(
            {
                "type": kind,
                "expected": hits + misses,
                "observed": hits + extras,
                "hits": hits,
                "misses": misses,
                "extras": extras,
                "recall": ratio(hits, hits + misses),
                "precision": ratio(hits, hits + extras),
            }
        )
    return _frame(rows, SUMMARY_COLUMNS)
