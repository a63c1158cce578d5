"""Write the coordination graph: GraphML, GEXF (Gephi) and node-link JSON.

Each writer uses networkx's own writer on a copy of the graph whose list
attributes are flattened to scalars (GraphML and GEXF hold only scalars):
ids are ``"; "``-joined, quotes ``" | "``-joined, and counts are added as
integers (``n_segments``, ``n_documents``, ``n_informants``). JSON keeps the
lists, since JSON can. Files are written atomically and byte-stable: the same
graph gives the same bytes (GEXF's ``lastmodifieddate`` is left out). An empty
graph writes a valid, empty file whose graph attribute ``note`` says so.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx

from .._io import write_bytes_atomic, write_text_atomic

__all__ = ["flatten_graph", "write_gexf", "write_graph_json", "write_graphml"]

ID_SEPARATOR = "; "
QUOTE_SEPARATOR = " | "
EMPTY_NOTE = "no interactions: the coordination graph has no edges"
_LASTMODIFIED = re.compile(rb'\s+lastmodifieddate="[^"]*"')
_COUNTS = {"segments": "n_segments", "documents": "n_documents", "informants": "n_informants"}


def _scalar(name: str, value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value) if isinstance(value, list | tuple) else sorted(value)
        separator = QUOTE_SEPARATOR if name == "quotes" else ID_SEPARATOR
        return separator.join("" if item is None else " ".join(str(item).split()) for item in items)
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _flat_attrs(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        out[name] = _scalar(name, value)
        if name in _COUNTS and isinstance(value, list | tuple | set | frozenset):
            out[_COUNTS[name]] = len(value)
    return out


def flatten_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are all scalars (str, int, float, bool).

    Lists become strings (``"; "``-joined, quotes ``" | "``-joined), None
    becomes ``""``, and the lengths of ``segments``, ``documents`` and
    ``informants`` are added as ``n_segments``, ``n_documents`` and
    ``n_informants``. Edge keys become ``<type>:<source>:<target>`` so that
    they are unique in the file (the type stays in ``type``). ``graph`` is not
    changed.

    Examples
    --------
    >>> graph = nx.MultiDiGraph()
    >>> graph.add_node("pos", informants=["I1", "I2"])
    >>> _ = graph.add_edge("pos", "kpm", key="sequential", type="sequential", segments=["d:1:1", "d:2:1"])
    >>> flat = flatten_graph(graph)
    >>> flat.nodes["pos"]["informants"], list(flat.edges(keys=True, data="n_segments"))
    ('I1; I2', [('pos', 'kpm', 'sequential:pos:kpm', 2)])
    """
    flat = nx.MultiDiGraph()
    flat.graph.update(_flat_attrs(dict(graph.graph)))
    if graph.number_of_edges() == 0:
        flat.graph["note"] = EMPTY_NOTE
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **_flat_attrs(dict(data)))
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = str(data.get("type", key))
        flat.add_edge(u, v, key=f"{kind}:{u}:{v}", **_flat_attrs(dict(data)))
    return flat


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML (flattened; edge ids ``<type>:<source>:<target>``).

    Read it back with ``nx.read_graphml(path, force_multigraph=True)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> graph = nx.MultiDiGraph(); _ = graph.add_edge("a", "b", key="pooled", type="pooled", weight=2)
    >>> p = write_graphml(graph, pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
    >>> [d["weight"] for *_, d in nx.read_graphml(p, force_multigraph=True).edges(data=True)]
    [2]
    """
    buffer = io.BytesIO()
    nx.write_graphml(flatten_graph(graph), buffer, encoding="utf-8", prettyprint=True)
    return write_bytes_atomic(path, buffer.getvalue())


def write_gexf(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF 1.2 for Gephi (flattened, no modification date).

    The interaction type is in the edge attribute ``interaction`` and the edge
    label, because GEXF reserves an edge's ``type`` for
    directed/undirected; the file's edges are all written as directed (a
    networkx reader refuses mixed files), and ``directed`` says which links
    really are.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> graph = nx.MultiDiGraph(); _ = graph.add_edge("a", "b", key="pooled", type="pooled", weight=2)
    >>> p = write_gexf(graph, pathlib.Path(tempfile.mkdtemp()) / "g.gexf")
    >>> [(d["interaction"], d["weight"]) for *_, d in nx.read_gexf(p).edges(data=True)]
    [('pooled', 2.0)]
    """
    flat = flatten_graph(graph)
    for _, _, key, data in flat.edges(keys=True, data=True):
        kind = data.pop("type", "")
        data["interaction"] = kind
        data["label"] = kind
        data["id"] = key
    buffer = io.BytesIO()
    nx.write_gexf(flat, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    return write_bytes_atomic(path, _LASTMODIFIED.sub(b"", buffer.getvalue(), count=1))


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_json_value(v) for v in value)
    if isinstance(value, bool | str | int | float) or value is None:
        return value
    return str(value)


def write_graph_json(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``graph`` as node-link JSON (``nodes``, ``edges``), lists kept as JSON arrays.

    Read it back with ``nx.node_link_graph(json.load(f), edges="edges")``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> graph = nx.MultiDiGraph()
    >>> _ = graph.add_edge("a", "b", key="pooled", type="pooled", segments=["d:1:1"])
    >>> p = write_graph_json(graph, pathlib.Path(tempfile.mkdtemp()) / "g.json")
    >>> flat = nx.node_link_graph(json.loads(p.read_text()), edges="edges")
    >>> list(flat.edges(keys=True, data="segments"))
    [('a', 'b', 'pooled', ['d:1:1'])]
    """
    flat = nx.MultiDiGraph()
    flat.graph.update({k: _json_value(v) for k, v in graph.graph.items()})
    if graph.number_of_edges() == 0:
        flat.graph["note"] = EMPTY_NOTE
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _json_value(v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _json_value(x) for k, x in data.items()})
    payload = nx.node_link_data(flat, edges="edges")
    return write_text_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
