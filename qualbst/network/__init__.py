"""The coordination network: agencies linked by Thompson's interdependence types.

:func:`build_graph` makes a :class:`networkx.MultiDiGraph` from the
interactions table; the analyses return tables; the writers export the graph
(GraphML, GEXF, node-link JSON) and draw it (SVG, PNG, an offline HTML page).
"""

from .analyses import (
    THOMPSON_MECHANISMS,
    Expected,
    ExpectedEdge,
    centrality,
    coordination_fit,
    coordination_links,
    fit_summary,
    load_expected,
    pooled_groups,
    reciprocal_pairs,
    replication_check,
    replication_summary,
    sequential_chains,
    sequential_cycles,
)
from .draw import draw_graph, graph_figure, graph_layout, write_graph_html
from .export import flatten_graph, write_gexf, write_graph_json, write_graphml
from .graph import DIRECTED_TYPES, INTERACTION_TYPES, EmptyGraphWarning, build_graph

__all__ = [
    "DIRECTED_TYPES",
    "INTERACTION_TYPES",
    "THOMPSON_MECHANISMS",
    "EmptyGraphWarning",
    "Expected",
    "ExpectedEdge",
    "build_graph",
    "centrality",
    "coordination_fit",
    "coordination_links",
    "draw_graph",
    "fit_summary",
    "flatten_graph",
    "graph_figure",
    "graph_layout",
    "load_expected",
    "pooled_groups",
    "reciprocal_pairs",
    "replication_check",
    "replication_summary",
    "sequential_chains",
    "sequential_cycles",
    "write_gexf",
    "write_graph_html",
    "write_graph_json",
    "write_graphml",
]
