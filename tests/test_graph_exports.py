"""Exports (GraphML, GEXF, JSON) and pictures (SVG, PNG, HTML) of the coordination graph."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from qualbst.codebook import Agency, Codebook
from qualbst.corpus.model import Document
from qualbst.network import (
    EmptyGraphWarning,
    build_graph,
    draw_graph,
    flatten_graph,
    graph_layout,
    write_gexf,
    write_graph_html,
    write_graph_json,
    write_graphml,
)

LEVELS = {
    "kemensos": "national", "pos": "paying agent", "dinsos": "city", "kecamatan": "district",
    "kelurahan": "ward", "kelurahan-pegirian": "ward", "rtrw": "neighbourhood", "kpm": "recipients",
}  # fmt: skip
ROWS = [
    ("d1", "d1:2:1", "kemensos", "pos", "sequential", True, "Data KPM dari Kemensos turun ke PT Pos."),
    ("d1", "d1:2:2", "pos", "kecamatan", "sequential", True, "Pos kirim undangan ke kecamatan."),
    ("d2", "d2:4:1", "pos", "kecamatan", "sequential", True, 'Undangan dari Pos & "RT" <lewat> kecamatan.'),
    ("d2", "d2:5:1", "kelurahan", "rtrw", "reciprocal", False, "Kami cek ulang sama RT, terus lapor balik."),
    ("d1", "d1:6:1", "kecamatan", "kelurahan", "pooled", False, "Sama-sama pakai DTKS."),
    ("d1", "d1:7:1", "rtrw", "kpm", "sequential", True, "RT antar undangan ke rumah KPM."),
    ("d2", "d2:9:1", "kelurahan", "kelurahan-pegirian", "pooled", False, "Pegirian ya ngurus sendiri."),
]


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    book = Codebook((), tuple(Agency(a, a.title(), level=level) for a, level in LEVELS.items()))
    docs = [
        Document("d1", "id", {"P": "interviewer"}, "", (), meta={"informant": "Informan 1"}),
        Document("d2", "id", {"P": "interviewer"}, "", (), meta={"informant": "Informan 2"}),
    ]
    rows = pd.DataFrame(
        ROWS, columns=["document", "segment", "source", "target", "type", "directed", "quote"]
    )
    return build_graph(rows, book, documents=docs)


def empty_graph() -> nx.MultiDiGraph:
    book = Codebook((), (Agency("pos", "Pos", level="paying agent"),))
    rows = pd.DataFrame(columns=["document", "segment", "source", "target", "type", "directed", "quote"])
    with pytest.warns(EmptyGraphWarning):
        return build_graph(rows, book)


def typed_weights(g: nx.MultiDiGraph, type_attr: str = "type") -> dict[tuple[str, str, str], float]:
    return {(u, v, str(d[type_attr])): float(d["weight"]) for u, v, d in g.edges(data=True)}


# ----------------------------------------------------------------- exports


def test_flatten_graph_makes_scalars_and_keeps_the_input(graph) -> None:
    flat = flatten_graph(graph)
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())
    for _, _, data in flat.edges(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())
    edge = flat.edges["pos", "kecamatan", "sequential:pos:kecamatan"]
    assert edge["segments"] == "d1:2:2; d2:4:1" and edge["n_segments"] == 2
    assert edge["quotes"] == 'Pos kirim undangan ke kecamatan. | Undangan dari Pos & "RT" <lewat> kecamatan.'
    assert edge["turns"] == "2; 4" and edge["n_informants"] == 2
    # the input keeps its lists
    assert graph.edges["pos", "kecamatan", "sequential"]["segments"] == ["d1:2:2", "d2:4:1"]


def test_graphml_round_trip(graph, tmp_path) -> None:
    path = write_graphml(graph, tmp_path / "graph.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert list(back.nodes) == list(graph.nodes)
    assert typed_weights(back) == typed_weights(graph)
    assert back.nodes["kelurahan"]["level"] == "ward"
    assert back.nodes["pos"]["informants"] == "Informan 1; Informan 2"
    edge = back.edges["kelurahan", "rtrw", "reciprocal:kelurahan:rtrw"]
    assert edge["directed"] is False and edge["weight"] == 1
    assert edge["quotes"] == "Kami cek ulang sama RT, terus lapor balik."
    # byte-stable
    assert write_graphml(graph, tmp_path / "again.graphml").read_bytes() == path.read_bytes()


def test_gexf_round_trip(graph, tmp_path) -> None:
    path = write_gexf(graph, tmp_path / "graph.gexf")
    back = nx.read_gexf(path)
    assert sorted(back.nodes) == sorted(graph.nodes)
    # GEXF reserves an edge's "type": ours is in "interaction"; GEXF weights are floats
    assert typed_weights(back, "interaction") == typed_weights(graph)
    assert len({d["id"] for _, _, d in back.edges(data=True)}) == graph.number_of_edges()  # unique edge ids
    text = path.read_text(encoding="utf-8")
    assert "lastmodifieddate" not in text
    assert write_gexf(graph, tmp_path / "again.gexf").read_bytes() == path.read_bytes()


def test_json_round_trip_keeps_lists(graph, tmp_path) -> None:
    path = write_graph_json(graph, tmp_path / "graph.json")
    back = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert isinstance(back, nx.MultiDiGraph)
    assert list(back.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(back.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
    assert write_graph_json(graph, tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_empty_graph_writes_valid_empty_exports(tmp_path) -> None:
    empty = empty_graph()
    graphml = nx.read_graphml(write_graphml(empty, tmp_path / "g.graphml"), force_multigraph=True)
    gexf = nx.read_gexf(write_gexf(empty, tmp_path / "g.gexf"))
    data = json.loads(write_graph_json(empty, tmp_path / "g.json").read_text(encoding="utf-8"))
    linked = nx.node_link_graph(data, edges="edges")
    for back in (graphml, gexf, linked):
        assert back.number_of_nodes() == 0 and back.number_of_edges() == 0
    # and they say why
    assert (
        graphml.graph["note"]
        == data["graph"]["note"]
        == "no interactions: the coordination graph has no edges"
    )


# ----------------------------------------------------------------- pictures


def test_layout_by_level(graph) -> None:
    pos = graph_layout(graph)
    ys = {node: y for node, (_, y) in pos.items()}
    # national on top, recipients at the bottom, one row per level
    assert ys["kemensos"] > ys["pos"] > ys["kecamatan"] > ys["kelurahan"] > ys["rtrw"] > ys["kpm"]
    assert ys["kelurahan"] == ys["kelurahan-pegirian"]
    assert pos["kelurahan"][0] != pos["kelurahan-pegirian"][0]


def test_draw_graph_svg_and_png(graph, tmp_path) -> None:
    svg, png = draw_graph(graph, tmp_path / "graph.svg")
    assert svg == tmp_path / "graph.svg" and png == tmp_path / "graph.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.fromstring(svg.read_bytes())
    ids = [el.get("id", "") for el in root.iter()]
    edges = sorted(i for i in ids if i.startswith("edge-"))
    assert edges == sorted(f"edge-{k}-{u}--{v}" for u, v, k in graph.edges(keys=True))
    assert sorted(i for i in ids if i.startswith("node-")) == sorted(f"node-{n}" for n in graph.nodes)
    text = svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    # byte-stable SVG
    again, _ = draw_graph(graph, tmp_path / "again")
    assert again.read_bytes() == svg.read_bytes()


def test_draw_graph_min_weight_hides_weak_links(graph, tmp_path) -> None:
    svg, _ = draw_graph(graph, tmp_path / "strong.png", min_weight=2)
    ids = [el.get("id", "") for el in ET.fromstring(svg.read_bytes()).iter()]
    # only pos -> kecamatan has 2 segments; every agency stays
    assert [i for i in ids if i.startswith("edge-")] == ["edge-sequential-pos--kecamatan"]
    assert len([i for i in ids if i.startswith("node-")]) == graph.number_of_nodes()


def test_draw_empty_graph(tmp_path) -> None:
    svg, png = draw_graph(empty_graph(), tmp_path / "graph.svg")
    ET.fromstring(svg.read_bytes())
    assert png.exists() and "no interactions" in svg.read_text(encoding="utf-8")


def test_graph_html_is_offline_and_holds_every_quote(graph, tmp_path) -> None:
    path = write_graph_html(graph, tmp_path / "graph.html")
    text = path.read_text(encoding="utf-8")
    # nothing loaded from elsewhere: every src/href is a fragment, no http at all
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", text)
    assert refs and all(ref.startswith("#") for ref in refs)
    assert "http" not in text and "@import" not in text and "url(#" in text
    for *_, quote in ROWS:
        assert html.escape(quote) in text
    assert "<lewat>" not in text  # quotes are escaped
    # document and turn with each quote; one section per edge, linked from the graph
    assert "d2, turn 4" in text and "d1, turn 7" in text
    sections = re.findall(r'<section id="(link-\d+)"', text)
    assert len(sections) == graph.number_of_edges()
    assert sorted(re.findall(r'data-link="(link-\d+)"', text)) == sorted(sections)
    # the inline SVG is well-formed XML with one clickable element per edge
    start = text.index('<svg viewBox="0 0')
    root = ET.fromstring(text[start : text.index("</svg>", start) + len("</svg>")])
    assert len([a for a in root.iter("a") if "edge" in a.get("class", "")]) == graph.number_of_edges()
    assert "<script>" in text and "addEventListener" in text
    assert write_graph_html(graph, tmp_path / "again.html").read_bytes() == path.read_bytes()


def test_graph_html_empty(tmp_path) -> None:
    text = write_graph_html(empty_graph(), tmp_path / "graph.html").read_text(encoding="utf-8")
    assert "No interactions: the graph has no links." in text
    assert "http" not in text


def test_writers_accept_str_paths(graph, tmp_path) -> None:
    target = str(tmp_path / "sub" / "graph.graphml")
    assert Path(write_graphml(graph, target)).exists()
