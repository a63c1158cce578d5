"""The coordination graph and its analyses, on hand-made interactions."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from qualbst.codebook import Agency, Code, Codebook, load_codebook
from qualbst.corpus.model import Document
from qualbst.errors import CodebookError, QualbstError
from qualbst.network import (
    THOMPSON_MECHANISMS,
    EmptyGraphWarning,
    Expected,
    ExpectedEdge,
    build_graph,
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

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["document", "segment", "source", "target", "type", "directed", "quote"]
LEVELS = {
    "kemensos": "national", "pusdatin": "national", "pos": "paying agent", "dinsos": "city",
    "kecamatan": "district", "kelurahan": "ward", "kelurahan-pegirian": "ward",
    "rtrw": "neighbourhood", "kpm": "recipients",
}  # fmt: skip
CODES = (
    "interdependence.pooled", "interdependence.sequential", "interdependence.reciprocal",
    "mechanism.standardization", "mechanism.planning", "mechanism.mutual-adjustment",
)  # fmt: skip


@pytest.fixture
def codebook() -> Codebook:
    return Codebook(
        tuple(Code(c, c, definition="d") for c in CODES),
        tuple(Agency(a, a.upper(), name_en=f"{a} (en)", level=lvl) for a, lvl in LEVELS.items()),
    )


@pytest.fixture
def documents() -> list[Document]:
    return [
        Document("d1", "id", {"P": "interviewer"}, "", (), meta={"informant": "Informan 1"}),
        Document("d2", "id", {"P": "interviewer"}, "", (), meta={"informant": "Informan 2"}),
    ]


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


ROWS = [
    ("d1", "d1:2:1", "kemensos", "pos", "sequential", True, "Data dari Kemensos turun ke PT Pos."),
    ("d1", "d1:2:2", "pos", "kecamatan", "sequential", True, "Pos kirim undangan ke kecamatan."),
    ("d2", "d2:10:1", "pos", "kecamatan", "sequential", True, "Undangan dari Pos lewat kecamatan."),
    ("d2", "d2:10:1", "pos", "kecamatan", "sequential", True, "Undangan dari Pos"),  # same segment again
    ("d2", "d2:4:1", "pos", "kecamatan", "sequential", "true", "Pos ke kecamatan dulu."),
    ("d1", "d1:3:1", "rtrw", "kelurahan", "reciprocal", False, "RT lapor balik ke kelurahan."),
    ("d2", "d2:5:1", "kelurahan", "rtrw", "reciprocal", "false", "Kami cek ulang sama RT."),
    ("d1", "d1:4:1", "kecamatan", "kelurahan", "pooled", None, "Sama-sama dari DTKS."),
]


# ------------------------------------------------------------------ build


def test_build_graph_edges_carry_their_evidence(codebook, documents) -> None:
    graph = build_graph(frame(ROWS), codebook, documents=documents)
    assert isinstance(graph, nx.MultiDiGraph)
    # one edge per (pair, type); undirected types stored once, smaller id first
    assert sorted(graph.edges(keys=True)) == [
        ("kecamatan", "kelurahan", "pooled"),
        ("kelurahan", "rtrw", "reciprocal"),
        ("kemensos", "pos", "sequential"),
        ("pos", "kecamatan", "sequential"),
    ]
    edge = graph.edges["pos", "kecamatan", "sequential"]
    # 4 rows, 3 distinct segments (d2:10:1 twice) -> weight 3;
    # segments in document, turn, sentence order: d2:4:1 before d2:10:1 (not string order)
    assert edge["weight"] == 3
    assert edge["segments"] == ["d1:2:2", "d2:4:1", "d2:10:1"]
    assert edge["turns"] == [2, 4, 10]
    # the longer of the two quotes of d2:10:1 is kept, aligned with its segment
    assert edge["quotes"] == [
        "Pos kirim undangan ke kecamatan.",
        "Pos ke kecamatan dulu.",
        "Undangan dari Pos lewat kecamatan.",
    ]
    assert edge["documents"] == ["d1", "d2"]
    assert edge["informants"] == ["Informan 1", "Informan 2"]
    assert edge["directed"] is True and edge["type"] == "sequential"
    recip = graph.edges["kelurahan", "rtrw", "reciprocal"]
    assert recip["directed"] is False and recip["weight"] == 2
    assert not graph.has_edge("rtrw", "kelurahan")


def test_build_graph_nodes(codebook, documents) -> None:
    graph = build_graph(frame(ROWS), codebook, documents=documents)
    # codebook order, only agencies with an edge
    assert list(graph.nodes) == ["kemensos", "pos", "kecamatan", "kelurahan", "rtrw"]
    pos = graph.nodes["pos"]
    assert (pos["name"], pos["name_en"], pos["level"], pos["parent"]) == (
        "POS",
        "pos (en)",
        "paying agent",
        "",
    )
    # without a mentions table: distinct interaction segments naming pos:
    # d1:2:1, d1:2:2, d2:10:1, d2:4:1 -> 4
    assert pos["mentions"] == 4
    assert pos["informants"] == ["Informan 1", "Informan 2"]
    assert graph.nodes["kemensos"]["informants"] == ["Informan 1"]


def test_build_graph_with_mentions(codebook, documents) -> None:
    mentions = pd.DataFrame(
        [
            ("d2", "d2:1:1", 0, 6, "dinsos", "Dinsos", "alias"),
            ("d2", "d2:1:2", 9, 15, "dinsos", "Dinsos", "alias"),
            ("d1", "d1:2:1", 0, 3, "pos", "Pos", "alias"),
        ],
        columns=["document", "segment", "start", "end", "agency", "surface", "method"],
    )
    graph = build_graph(frame(ROWS[:2]), codebook, documents=documents, mentions=mentions)
    # dinsos has no edge but two mentions: it is a node
    assert graph.nodes["dinsos"]["mentions"] == 2
    assert graph.nodes["dinsos"]["informants"] == ["Informan 2"]
    # with a mentions table, mentions count its rows: pos once
    assert graph.nodes["pos"]["mentions"] == 1
    assert graph.nodes["kecamatan"]["mentions"] == 0
    bad = mentions.assign(agency=["dinsos", "dinas", "pos"])
    with pytest.raises(QualbstError, match=r"mentions row 2 .*unknown agency 'dinas'"):
        build_graph(frame(ROWS[:2]), codebook, mentions=bad)


def test_build_graph_without_documents_uses_document_ids(codebook) -> None:
    graph = build_graph(frame(ROWS[:1]), codebook)
    assert graph.edges["kemensos", "pos", "sequential"]["informants"] == ["d1"]


def test_segments_table_gives_turns(codebook) -> None:
    segments = pd.DataFrame(
        {"document": ["d1"], "segment": ["free"], "turn": [7], "speaker": ["I"], "role": ["informant"],
         "start": [0], "end": [4], "text": ["Teks"]}
    )  # fmt: skip
    rows = frame(
        [
            ("d1", "free", "pos", "kpm", "sequential", True, "q"),
            ("d1", "other", "pos", "kpm", "sequential", True, "r"),
        ]
    )
    graph = build_graph(rows, codebook, segments=segments)
    # "free" is in the table (turn 7); "other" is neither in it nor an id with a turn
    assert graph.edges["pos", "kpm", "sequential"]["turns"] == [7, None]


def test_build_graph_is_independent_of_row_order(codebook, documents) -> None:
    one = build_graph(frame(ROWS), codebook, documents=documents)
    two = build_graph(frame(ROWS[::-1]), codebook, documents=documents)
    assert list(one.edges(keys=True, data=True)) == list(two.edges(keys=True, data=True))
    assert list(one.nodes(data=True)) == list(two.nodes(data=True))


def test_build_graph_does_not_mutate_input(codebook) -> None:
    rows = frame(ROWS)
    before = rows.copy()
    build_graph(rows, codebook)
    pd.testing.assert_frame_equal(rows, before)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("d1", "d1:1:1", "kantor-pos", "kpm", "sequential", True, ""),
            r"interactions row 2 \(document 'd1', segment 'd1:1:1'\): unknown agency 'kantor-pos' in 'source'",
        ),
        (
            ("d1", "d1:1:1", "pos", "warga", "sequential", True, ""),
            r"row 2 .*unknown agency 'warga' in 'target'",
        ),
        (
            ("d1", "d1:1:1", "pos", "kpm", "parallel", False, ""),
            r"row 2 .*unknown type 'parallel'; use one of pooled, sequential, reciprocal",
        ),
        (("d1", "d1:1:1", "pos", "pos", "pooled", False, ""), r"row 2 .*both 'pos'"),
        (
            ("d1", "d1:1:1", "pos", "kpm", "sequential", False, ""),
            r"row 2 .*'directed' is False but sequential links are directed",
        ),
        (("d1", "d1:1:1", "pos", "kpm", "reciprocal", "yes", ""), r"row 2 .*reciprocal links are undirected"),
        (("d1", "", "pos", "kpm", "reciprocal", False, ""), r"row 2 .*must not be empty"),
    ],
)
def test_bad_interaction_names_the_row(codebook, row, message) -> None:
    with pytest.raises(QualbstError, match=message):
        build_graph(frame([ROWS[0], row]), codebook)


def test_missing_column(codebook) -> None:
    with pytest.raises(QualbstError, match="interactions table: missing column type"):
        build_graph(frame(ROWS).drop(columns=["type"]), codebook)


def test_empty_interactions_warn_and_give_an_empty_graph(codebook) -> None:
    with pytest.warns(EmptyGraphWarning, match="no interactions"):
        graph = build_graph(frame([]), codebook)
    assert graph.number_of_nodes() == 0 and graph.number_of_edges() == 0
    # the analyses still return their (empty) tables
    assert list(centrality(graph).columns)[:3] == ["agency", "name", "level"]
    assert len(sequential_chains(graph)) == 0
    assert len(sequential_cycles(graph)) == 0
    assert len(reciprocal_pairs(graph)) == 0
    assert len(pooled_groups(graph)) == 0
    fit = coordination_fit(graph, pd.DataFrame({"segment": [], "code": []}))
    assert fit["links"].tolist() == [0, 0, 0] and fit["share"].isna().all()


# ---------------------------------------------------------------- analyses


def hand_graph(edges: list[tuple[str, str, str, int]], **extra) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node, level in LEVELS.items():
        graph.add_node(node, level=level, name=node.upper())
    for u, v, kind, weight in edges:
        graph.add_edge(u, v, key=kind, type=kind, directed=kind == "sequential", weight=weight, **extra)
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    return graph


def test_centrality() -> None:
    graph = hand_graph(
        [
            ("kemensos", "pos", "sequential", 1),
            ("pos", "kecamatan", "sequential", 2),
            ("kecamatan", "kelurahan", "sequential", 1),
            ("kecamatan", "kelurahan", "pooled", 1),
            ("kelurahan", "rtrw", "reciprocal", 2),
        ]
    )
    table = centrality(graph)
    # simple projection is the path kemensos - pos - kecamatan - kelurahan - rtrw (n = 5);
    # betweenness of the i-th node (0-based) = i * (4 - i) pairs / ((n-1)(n-2)/2 = 6):
    # pos 3/6, kecamatan 4/6, kelurahan 3/6, ends 0.
    # ties on 0.5 broken by weighted degree: kelurahan 1 + 1 + 2 = 4 before pos 1 + 2 = 3
    assert table["agency"].tolist() == ["kecamatan", "kelurahan", "pos", "rtrw", "kemensos"]
    assert table["betweenness"].tolist() == [0.666667, 0.5, 0.5, 0.0, 0.0]
    row = table.set_index("agency").loc["kecamatan"]
    # kecamatan: pos->kecamatan, kecamatan->kelurahan (seq) and the pooled link: 3 typed links,
    # 2 neighbours, weights 2 + 1 + 1 = 4
    assert (
        row["degree"],
        row["neighbours"],
        row["in_sequential"],
        row["out_sequential"],
        row["weighted_degree"],
    ) == (3, 2, 1, 1, 4)
    assert row["level"] == "district"
    assert isinstance(table.to_dict("records")[0]["betweenness"], float)


CHAIN_EDGES = [
    ("kemensos", "pos", "sequential", 2),
    ("pos", "kecamatan", "sequential", 2),
    ("pos", "kpm", "sequential", 1),
    ("kecamatan", "kelurahan", "sequential", 3),
    ("kelurahan", "rtrw", "sequential", 2),
    ("rtrw", "kelurahan", "sequential", 2),  # MBR route upward: a 2-cycle with equal weights
    ("kelurahan", "dinsos", "sequential", 1),
    ("dinsos", "pusdatin", "sequential", 1),
    ("rtrw", "kpm", "sequential", 2),
]


def test_sequential_cycles_drop_the_upward_edge_on_a_tie() -> None:
    cycles = sequential_cycles(hand_graph(CHAIN_EDGES))
    # kelurahan -> rtrw (2) and rtrw -> kelurahan (2) tie on weight; the upward one
    # (neighbourhood to ward, against the top-down flow) is dropped
    assert cycles.to_dict("records") == [
        {
            "cycle": 1,
            "length": 2,
            "min_weight": 2,
            "path": "kelurahan -> rtrw -> kelurahan",
            "dropped": "rtrw -> kelurahan",
        }
    ]


def test_sequential_cycles_drop_the_weakest_edge() -> None:
    edges = [
        e if e[:2] != ("kelurahan", "rtrw") else ("kelurahan", "rtrw", "sequential", 1) for e in CHAIN_EDGES
    ]
    cycles = sequential_cycles(hand_graph(edges))
    assert cycles["dropped"].tolist() == ["kelurahan -> rtrw"]


def test_sequential_cycles_limit_shortest_first() -> None:
    edges = [("kemensos", "pos", "sequential", 1), ("pos", "kemensos", "sequential", 1),
             ("pos", "kecamatan", "sequential", 1), ("kecamatan", "kemensos", "sequential", 1)]  # fmt: skip
    # cycles: kemensos->pos->kemensos (2) and kecamatan->kemensos->pos->kecamatan (3)
    assert sequential_cycles(hand_graph(edges))["length"].tolist() == [2, 3]
    assert sequential_cycles(hand_graph(edges), limit=1)["path"].tolist() == ["kemensos -> pos -> kemensos"]


def test_sequential_chains() -> None:
    chains = sequential_chains(hand_graph(CHAIN_EDGES))
    # after dropping rtrw -> kelurahan the only source is kemensos; the ends are kpm and
    # pusdatin. The longest path to kpm (5 links) beats kemensos -> pos -> kpm (2).
    assert chains[["start", "end", "length", "min_weight", "path"]].values.tolist() == [
        ["kemensos", "kpm", 5, 2, "kemensos -> pos -> kecamatan -> kelurahan -> rtrw -> kpm"],
        ["kemensos", "pusdatin", 5, 1, "kemensos -> pos -> kecamatan -> kelurahan -> dinsos -> pusdatin"],
    ]
    assert chains["chain"].tolist() == [1, 2]
    assert chains["start_level"].tolist() == ["national", "national"]
    assert chains.attrs["dropped"] == ["rtrw -> kelurahan"]


def test_sequential_chains_tie_on_length_takes_the_heavier_path() -> None:
    edges = [("pos", "kecamatan", "sequential", 1), ("kecamatan", "kpm", "sequential", 1),
             ("pos", "kelurahan", "sequential", 5), ("kelurahan", "kpm", "sequential", 1)]  # fmt: skip
    # both paths have 2 links; total weight 6 via kelurahan beats 2 via kecamatan
    assert sequential_chains(hand_graph(edges))["path"].tolist() == ["pos -> kelurahan -> kpm"]


def test_reciprocal_pairs() -> None:
    graph = hand_graph(CHAIN_EDGES)
    graph.add_edge("kelurahan", "rtrw", key="reciprocal", type="reciprocal", weight=3,
                   documents=["d1", "d2"], informants=["I1", "I2"])  # fmt: skip
    graph.add_edge(
        "kelurahan", "pos", key="reciprocal", type="reciprocal", weight=1, documents=["d1"], informants=["I1"]
    )
    table = reciprocal_pairs(graph)
    assert table.to_dict("records") == [
        {"source": "kelurahan", "target": "rtrw", "weight": 3, "documents": 2, "informants": 2,
         "source_level": "ward", "target_level": "neighbourhood", "sequential": "both"},
        {"source": "kelurahan", "target": "pos", "weight": 1, "documents": 1, "informants": 1,
         "source_level": "ward", "target_level": "paying agent", "sequential": ""},
    ]  # fmt: skip


def test_pooled_groups() -> None:
    graph = hand_graph(
        [
            ("kecamatan", "kelurahan", "pooled", 2),
            ("kelurahan", "kelurahan-pegirian", "pooled", 3),
            ("kecamatan", "pos", "pooled", 1),
            ("dinsos", "kpm", "pooled", 1),
            ("kemensos", "pos", "sequential", 9),  # not pooled: no effect
        ]
    )
    table = pooled_groups(graph)
    # two components: {pos, kecamatan, kelurahan, kelurahan-pegirian} (3 links, 2 + 3 + 1 = 6)
    # and {dinsos, kpm}; members listed top level first
    assert table.to_dict("records") == [
        {"group": 1, "size": 4, "agencies": "pos, kecamatan, kelurahan, kelurahan-pegirian",
         "levels": "paying agent, district, ward", "links": 3, "weight": 6},
        {"group": 2, "size": 2, "agencies": "dinsos, kpm", "levels": "city, recipients", "links": 1, "weight": 1},
    ]  # fmt: skip


def fit_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for u, v, kind, segments in [
        ("pos", "kecamatan", "sequential", ["d1:2:2"]),
        ("kecamatan", "kelurahan", "sequential", ["d1:5:1"]),
        ("kelurahan", "rtrw", "reciprocal", ["d2:3:1", "d2:8:1"]),
        ("kecamatan", "kelurahan", "pooled", ["d1:7:1"]),
    ]:
        graph.add_edge(u, v, key=kind, type=kind, weight=len(segments), segments=segments)
    return graph


CODINGS = pd.DataFrame(
    {
        "document": ["d1", "d1", "d1", "d2", "d2"],
        "segment": ["d1:2:3", "d1:6:1", "d1:7:4", "d2:3:1", "d2:8:1"],
        "code": ["mechanism.planning", "mechanism.planning", "mechanism.standardization",
                 "mechanism.mutual-adjustment", "mechanism.planning"],
        "coder": ["a"] * 5,
    }
)  # fmt: skip


def test_coordination_fit_window_1() -> None:
    fit = coordination_fit(fit_graph(), CODINGS)
    # pooled: d1:7:1 vs standardization at d1:7:4 -> 3 sentences apart > 1: no fit
    # sequential: pos->kecamatan d1:2:2 vs planning d1:2:3 (1 apart, same turn): fit;
    #             kecamatan->kelurahan d1:5:1 vs planning d1:6:1: other turn, no fit
    # reciprocal: d2:3:1 carries mutual adjustment itself: fit (planning at d2:8:1 does not count)
    assert fit.to_dict("records") == [
        {"type": "pooled", "mechanism": "mechanism.standardization", "links": 1, "fitting": 0, "share": 0.0,
         "without": "kecamatan - kelurahan"},
        {"type": "sequential", "mechanism": "mechanism.planning", "links": 2, "fitting": 1, "share": 0.5,
         "without": "kecamatan -> kelurahan"},
        {"type": "reciprocal", "mechanism": "mechanism.mutual-adjustment", "links": 1, "fitting": 1, "share": 1.0,
         "without": ""},
    ]  # fmt: skip


def test_fit_summary_of_the_links_is_coordination_fit() -> None:
    links = coordination_links(fit_graph(), CODINGS, window=3)
    assert fit_summary(links).equals(coordination_fit(fit_graph(), CODINGS, window=3))
    # every type of the mapping gets a row, even with no links
    only = fit_summary(links[links["type"] == "pooled"])
    assert only["links"].tolist() == [1, 0, 0] and only["share"].isna().tolist() == [False, True, True]


def test_coordination_window() -> None:
    wide = coordination_fit(fit_graph(), CODINGS, window=3)
    assert wide["fitting"].tolist() == [1, 1, 1]  # d1:7:4 is now near d1:7:1
    turn = coordination_fit(fit_graph(), CODINGS, window=None)
    assert turn["fitting"].tolist() == [1, 1, 1]  # same turn, any distance
    exact = coordination_fit(fit_graph(), CODINGS, window=0)
    assert exact["fitting"].tolist() == [0, 0, 1]  # d1:2:3 is not d1:2:2
    links = coordination_links(fit_graph(), CODINGS)
    recip = links[links["type"] == "reciprocal"].iloc[0]
    # 2 supporting segments, 1 with mutual adjustment
    assert (int(recip["segments"]), int(recip["matched"]), bool(recip["fit"]), recip["evidence"]) == (
        2,
        1,
        True,
        "d2:3:1",
    )


def test_coordination_uses_the_segments_table() -> None:
    graph = nx.MultiDiGraph()
    graph.add_edge("pos", "kpm", key="sequential", type="sequential", weight=1, segments=["s-a"])
    codings = pd.DataFrame({"segment": ["s-b"], "code": ["mechanism.planning"]})
    segments = pd.DataFrame(
        {"document": ["d", "d"], "segment": ["s-b", "s-a"], "turn": [3, 3], "start": [20, 0]}
    )
    # ids without turn numbers: only with the table are s-a (1st) and s-b (2nd) neighbours
    assert coordination_fit(graph, codings)["fitting"].tolist() == [0, 0, 0]
    assert coordination_fit(graph, codings, segments=segments)["fitting"].tolist() == [0, 1, 0]


def test_coordination_mechanisms_from_data() -> None:
    swapped = {"pooled": "mechanism.planning", "sequential": "mechanism.standardization",
               "reciprocal": "mechanism.mutual-adjustment"}  # fmt: skip
    fit = coordination_fit(fit_graph(), CODINGS, mechanisms=Expected((), swapped))
    assert fit["mechanism"].tolist() == [
        "mechanism.planning",
        "mechanism.standardization",
        "mechanism.mutual-adjustment",
    ]
    assert fit["fitting"].tolist() == [0, 0, 1]
    with pytest.raises(QualbstError, match="no coordination mechanism for type 'pooled'"):
        coordination_fit(fit_graph(), CODINGS, mechanisms={"sequential": "mechanism.planning"})
    with pytest.raises(ValueError, match="window must be 0 or more"):
        coordination_fit(fit_graph(), CODINGS, window=-1)
    with pytest.raises(QualbstError, match="codings table: missing column 'code'"):
        coordination_fit(fit_graph(), CODINGS.drop(columns=["code"]))


# ------------------------------------------------------- expected structure


def test_shipped_expected_yaml_loads() -> None:
    book = load_codebook(ROOT / "codebook")
    expected = load_expected(ROOT / "codebook" / "expected.yaml", book)
    kinds = [e.type for e in expected.edges]
    assert (kinds.count("sequential"), kinds.count("reciprocal"), kinds.count("pooled")) == (9, 4, 6)
    assert dict(expected.mechanisms) == dict(THOMPSON_MECHANISMS)
    assert all(e.note for e in expected.edges) and "Wardani" in expected.source
    keys = {e.key for e in expected.edges}
    assert ("sequential", "kemensos", "pos") in keys and ("sequential", "rtrw", "kelurahan") in keys
    assert ("reciprocal", "kelurahan", "pos") in keys  # written pos - kelurahan, stored in id order


def write_expected(
    tmp_path: Path, edges: str, mechanisms: str = "{pooled: mechanism.standardization}"
) -> Path:
    path = tmp_path / "expected.yaml"
    path.write_text(f"source: test\nmechanisms: {mechanisms}\nedges:\n{edges}", encoding="utf-8")
    return path


GOOD = "  - {type: sequential, source: kemensos, target: pos, note: n}\n"


@pytest.mark.parametrize(
    ("edges", "mechanisms", "message"),
    [
        (
            GOOD + "  - {type: parallel, source: pos, target: kpm}\n",
            None,
            r"expected\.yaml:5: edges entry 2: unknown type 'parallel'",
        ),
        (
            GOOD + "  - {type: pooled, source: pos, target: kantor}\n",
            None,
            r"expected\.yaml:5: edges entry 2: unknown agency 'kantor' in 'target'",
        ),
        (GOOD + "  - {type: pooled, target: pos}\n", None, r"entry 2: unknown agency None in 'source'"),
        (
            GOOD + "  - {type: pooled, source: pos, target: pos}\n",
            None,
            r"entry 2: source and target are both 'pos'",
        ),
        (
            GOOD + "  - {type: sequential, source: kemensos, target: pos}\n",
            None,
            r"entry 2: duplicate of entry 1",
        ),
        (
            "  - {type: pooled, source: pos, target: kpm}\n  - {type: pooled, source: kpm, target: pos}\n",
            None,
            r"entry 2: duplicate of entry 1 \(kpm - pos, pooled\)",
        ),
        ("  - just text\n", None, r"entry 1: must be a mapping"),
        (GOOD, "{parallel: mechanism.planning}", r"expected\.yaml:2: mechanisms: unknown type 'parallel'"),
        (GOOD, "{pooled: mechanism.rules}", r"mechanisms: pooled: unknown code 'mechanism.rules'"),
        ("", None, r"'edges' must be a list"),
    ],
)
def test_load_expected_errors(tmp_path, codebook, edges, mechanisms, message) -> None:
    path = write_expected(tmp_path, edges, *(() if mechanisms is None else (mechanisms,)))
    with pytest.raises(CodebookError, match=message):
        load_expected(path, codebook)


def test_load_expected_file_problems(tmp_path, codebook) -> None:
    with pytest.raises(CodebookError, match=r"nope\.yaml: file not found"):
        load_expected(tmp_path / "nope.yaml", codebook)
    bad = tmp_path / "bad.yaml"
    bad.write_text("edges: [\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad\.yaml:\d+: malformed YAML"):
        load_expected(bad, codebook)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad\.yaml:1: expected a mapping"):
        load_expected(bad, codebook)


def test_replication_check_and_summary() -> None:
    graph = hand_graph(
        [
            ("kemensos", "pos", "sequential", 3),
            ("pos", "kpm", "sequential", 1),
            ("kelurahan", "rtrw", "reciprocal", 2),
            ("kecamatan", "kelurahan", "pooled", 1),
        ]
    )
    expected = Expected(
        (
            ExpectedEdge("sequential", "kemensos", "pos", "top"),
            ExpectedEdge("sequential", "kpm", "pos"),  # the wrong direction: a miss, and pos->kpm an extra
            ExpectedEdge("reciprocal", "kelurahan", "rtrw"),
            ExpectedEdge("reciprocal", "dinsos", "kecamatan"),
        ),
        THOMPSON_MECHANISMS,
    )
    check = replication_check(graph, expected)
    assert check[["type", "source", "target", "status", "weight"]].values.tolist() == [
        ["pooled", "kecamatan", "kelurahan", "extra", 1],
        ["sequential", "kemensos", "pos", "hit", 3],
        ["sequential", "kpm", "pos", "miss", 0],
        ["sequential", "pos", "kpm", "extra", 1],
        ["reciprocal", "kelurahan", "rtrw", "hit", 2],
        ["reciprocal", "dinsos", "kecamatan", "miss", 0],
    ]
    assert check["note"].tolist()[1] == "top"
    summary = replication_summary(check).set_index("type")
    # sequential: 1 hit, 1 miss, 1 extra -> recall 1/2, precision 1/2
    assert summary.loc["sequential", ["expected", "observed", "hits", "misses", "extras"]].tolist() == [
        2,
        2,
        1,
        1,
        1,
    ]
    assert summary.loc["sequential", "recall"] == 0.5 and summary.loc["sequential", "precision"] == 0.5
    # pooled: nothing expected -> recall undefined, precision 0/1
    assert math.isnan(summary.loc["pooled", "recall"]) and summary.loc["pooled", "precision"] == 0.0
    assert summary.loc["reciprocal", "recall"] == 0.5 and summary.loc["reciprocal", "precision"] == 1.0


def test_replication_check_min_weight() -> None:
    graph = hand_graph([("kemensos", "pos", "sequential", 3), ("pos", "kpm", "sequential", 1)])
    expected = [ExpectedEdge("sequential", "pos", "kpm")]
    check = replication_check(graph, expected, min_weight=2)
    # pos->kpm rests on one segment: below 2, so it counts as not found (a miss, weight kept);
    # kemensos->pos (3) is an extra
    assert check[["source", "status", "weight"]].values.tolist() == [
        ["pos", "miss", 1],
        ["kemensos", "extra", 3],
    ]
