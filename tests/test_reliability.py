"""Intercoder reliability: published worked examples, hand-computed grids, units, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from qualbst.errors import CodingsError, QualbstError
from qualbst.reliability import (
    OVERALL,
    RELIABILITY_COLUMNS,
    _alpha_from_coincidences,
    _unit_coincidences,
    cohen_kappa,
    disagreements,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    pairwise_kappa,
    pairwise_matrix,
    percent_agreement,
    reliability,
)

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT.parent / "shared" / "reference-data" / "icr_vectors.json"


@pytest.fixture(scope="module")
def vectors() -> dict:
    if not VECTORS.exists():
        pytest.skip(
            f"reference vectors not found at {VECTORS} (shared/reference-data is not beside the repo)"
        )
    return json.loads(VECTORS.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- published examples


def test_krippendorff_2011_example_c_nominal_alpha(vectors: dict) -> None:
    data = vectors["krippendorff_2011_sectionC"]
    ratings = dict(zip(data["observers"], data["reliability_data"], strict=True))
    # Krippendorff (2011) example C: 4 observers x 12 units, missing data; alpha = 1 - 39 * 8 / 1216 = .743
    assert krippendorff_alpha(ratings) == pytest.approx(113 / 152, abs=1e-12)
    assert round(krippendorff_alpha(ratings), 3) == 0.743


def test_gwet_ac1_on_gwets_four_raters_example(vectors: dict) -> None:
    # The same 4 raters x 12 units are Gwet's (2014, Handbook) example, where AC1 = 0.77544:
    # pa = 9/11 (units rated twice or more), pe = 0.19032 (q = 5), AC1 = (pa - pe) / (1 - pe).
    data = vectors["krippendorff_2011_sectionC"]
    ratings = dict(zip(data["observers"], data["reliability_data"], strict=True))
    assert round(gwet_ac1(ratings), 5) == 0.77544


def test_krippendorff_wikipedia_three_coders(vectors: dict) -> None:
    data = vectors["wikipedia_3coders_15units"]
    ratings = dict(zip("abc", data["reliability_data"], strict=True))
    assert round(krippendorff_alpha(ratings), 6) == data["expected"]["nominal"]


def test_cohen_kappa_known_values(vectors: dict) -> None:
    wiki = vectors["cohen_kappa_wikipedia_2x2"]
    # p_o = 0.7, p_e = 0.5, kappa = 0.4
    assert cohen_kappa({"A": wiki["coder_A"], "B": wiki["coder_B"]}) == pytest.approx(0.4)
    assert percent_agreement({"A": wiki["coder_A"], "B": wiki["coder_B"]}) == pytest.approx(0.7)
    domain = vectors["cohen_kappa_domain_12_segments"]
    # p_o = 9/12, p_e = 13/48, kappa = 23/35
    assert cohen_kappa({"1": domain["coder_1"], "2": domain["coder_2"]}) == pytest.approx(23 / 35)


def test_fleiss_kappa_fleiss_worked_example() -> None:
    # Wikipedia "Fleiss' kappa" worked example: 14 raters, 10 subjects, 5 categories;
    # P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210. Rows: subjects, columns: raters per category.
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]  # fmt: skip
    ratings: dict[str, list[int]] = {f"r{i}": [] for i in range(14)}
    for row in table:
        labels = [k + 1 for k, n in enumerate(row) for _ in range(n)]
        for i, label in enumerate(labels):
            ratings[f"r{i}"].append(label)
    assert round(fleiss_kappa(ratings), 3) == 0.210


# ---------------------------------------------------------------- hand-computed grids


def test_tiny_grid_by_hand() -> None:
    ratings = {"A": [1, 1, 0, 0, 0, 0], "B": [1, 0, 1, 0, 0, 0]}
    # agree on 4 of 6 units
    assert percent_agreement(ratings) == pytest.approx(4 / 6)
    # p_A(1) = p_B(1) = 2/6: p_e = 4/36 + 16/36 = 5/9; kappa = (2/3 - 5/9) / (4/9) = 0.25
    assert cohen_kappa(ratings) == pytest.approx(0.25)
    # pooled p(1) = 4/12: Scott's pi has the same p_e here: 0.25
    assert fleiss_kappa(ratings) == pytest.approx(0.25)
    # coincidences: o_11 = 2, o_10 = o_01 = 2, o_00 = 6; n_1 = 4, n_0 = 8, n = 12
    # alpha = 1 - (n - 1) * 4 / (2 * 4 * 8) = 1 - 44/64
    assert krippendorff_alpha(ratings) == pytest.approx(1 - 44 / 64)
    # pi_1 = (1 + .5 + .5) / 6 = 1/3; p_e = 2 * 1/3 * 2/3 = 4/9; AC1 = (2/3 - 4/9) / (5/9) = 0.4
    assert gwet_ac1(ratings) == pytest.approx(0.4)


def test_three_coders_kappa_is_mean_of_pairs() -> None:
    ratings = {"A": [1, 1, 0, 0], "B": [1, 0, 0, 0], "C": [1, 1, 0, 0]}
    # A-C agree fully: kappa 1. A-B and B-C: p_o = 3/4, p_e = 2/4*1/4 + 2/4*3/4 = 1/2, kappa = 1/2
    assert cohen_kappa(ratings) == pytest.approx((1 + 0.5 + 0.5) / 3)
    # pairs agreeing: A-B 3/4, A-C 1, B-C 3/4
    assert percent_agreement(ratings) == pytest.approx((0.75 + 1 + 0.75) / 3)


def test_gwet_ac1_with_categories_never_used() -> None:
    # all four units "no" for both: one category seen; with q = 2 given, pi_yes = 0, pe = 0, AC1 = pa = 1
    ratings = {"A": ["no"] * 4, "B": ["no"] * 4}
    assert gwet_ac1(ratings, categories=["no", "yes"]) == 1.0
    assert math.isnan(gwet_ac1(ratings))  # q = 1: undefined
    assert math.isnan(cohen_kappa(ratings)) and math.isnan(krippendorff_alpha(ratings))


def test_missing_ratings_are_left_out_of_kappa() -> None:
    # unit 3 not rated by B: kappa on units 1, 2, 4 (complete): p_o = 2/3,
    # p_A(x) = 1/3, p_B(x) = 2/3, p_e = 2/9 + 2/9 = 4/9, kappa = (6/9 - 4/9) / (5/9) = 0.4
    ratings = {"A": ["x", "y", "x", "y"], "B": ["x", "x", None, "y"]}
    assert cohen_kappa(ratings) == pytest.approx(0.4)


def test_agreement_and_kappas_equal_nltks_annotation_task() -> None:
    # Observed agreement is counted on the grid, not by nltk's item-by-item Ao: every
    # coefficient must still be exactly nltk's on the units every coder rated.
    from nltk.metrics.agreement import AnnotationTask

    rng = np.random.default_rng(11)
    for _ in range(60):
        coders = [f"c{i}" for i in range(int(rng.integers(2, 5)))]
        units = int(rng.integers(3, 40))
        labels = rng.integers(0, int(rng.integers(2, 4)), (len(coders), units))
        missing = rng.random((len(coders), units)) < 0.1
        ratings = {
            c: [None if missing[i, u] else int(labels[i, u]) for u in range(units)]
            for i, c in enumerate(coders)
        }
        complete = [u for u in range(units) if not missing[:, u].any()]
        task = AnnotationTask(
            data=[(c, u, int(labels[i, u])) for i, c in enumerate(coders) for u in complete]
        )
        if len({int(labels[i, u]) for i in range(len(coders)) for u in complete}) < 2:
            continue  # one value only: kappa and pi undefined (tested elsewhere)
        assert percent_agreement(ratings) == pytest.approx(task.avg_Ao(), abs=1e-15)
        pairs = [
            task.kappa_pairwise(a, b)
            for j, a in enumerate(coders)
            for b in coders[j + 1 :]
            if not math.isclose(task.Ae_kappa(a, b), 1.0)
        ]
        assert cohen_kappa(ratings) == pytest.approx(float(np.mean(pairs)), abs=1e-15)
        assert fleiss_kappa(ratings) == pytest.approx(task.pi(), abs=1e-15)


def test_bad_ratings() -> None:
    with pytest.raises(QualbstError, match="at least two coders"):
        cohen_kappa({"A": [1, 2]})
    with pytest.raises(QualbstError, match="lengths A=2, B=1"):
        percent_agreement({"A": [1, 2], "B": [1]})
    with pytest.raises(QualbstError, match="not among the categories"):
        gwet_ac1({"A": [1, 2], "B": [1, 1]}, categories=[1])


def test_bootstrap_coincidences_equal_krippendorff_package() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        data = rng.integers(0, 3, (4, 30)).astype(float)
        data[rng.random(data.shape) < 0.3] = np.nan
        counts = np.stack([(data == v).sum(axis=0) for v in range(3)], axis=1)
        mine = _alpha_from_coincidences(_unit_coincidences(counts).sum(axis=0, keepdims=True), 3)[0]
        theirs = krippendorff.alpha(
            reliability_data=data, level_of_measurement="nominal", value_domain=[0, 1, 2]
        )
        assert mine == pytest.approx(theirs)


# ---------------------------------------------------------------- from codings


def segments_table() -> pd.DataFrame:
    rows = [
        ("d1", "d1:1:1", 1, "P", "interviewer", "Apa kendalanya?"),
        ("d1", "d1:2:1", 2, "I1", "informant", "Stafnya cuma lima."),
        ("d1", "d1:2:2", 2, "I1", "informant", "Datanya nggak update."),
        ("d1", "d1:3:1", 3, "P", "interviewer", "Lalu?"),
        ("d1", "d1:4:1", 4, "I1", "informant", "RT bantu."),
        ("d1", "d1:4:2", 4, "I1", "informant", "Itu saja."),
        ("d2", "d2:1:1", 1, "P", "interviewer", "And then?"),
        ("d2", "d2:2:1", 2, "E1", "informant", "People moved."),
        ("d2", "d2:2:2", 2, "E1", "informant", "Some died."),
        ("d3", "d3:1:1", 1, "I3", "informant", "Other document."),
    ]
    frame = pd.DataFrame(rows, columns=["document", "segment", "turn", "speaker", "role", "text"])
    return frame.assign(start=0, end=1)[
        ["document", "segment", "turn", "speaker", "role", "start", "end", "text"]
    ]


def codings_table(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(segment, code, coder) -> a codings table."""
    return pd.DataFrame(
        [
            {"document": s.split(":")[0], "segment": s, "start": 0, "end": 1, "code": code, "coder": coder,
             "confidence": 1.0, "evidence": f"{coder}.csv:{i + 2}"}
            for i, (s, code, coder) in enumerate(rows)
        ]
    )  # fmt: skip


HAND = [
    ("d1:2:1", "x", "A"),
    ("d1:4:1", "x", "A"),
    ("d2:2:1", "y", "A"),
    ("d1:1:1", "x", "A"),  # interviewer segment: never a unit
    ("d1:2:1", "x", "B"),
    ("d1:2:2", "x", "B"),
    ("d2:2:2", "y", "B"),
    ("d3:1:1", "x", "auto:rules"),  # a machine coder: not compared by default
]


def test_reliability_segment_level_by_hand() -> None:
    table = reliability(codings_table(HAND), segments_table(), bootstrap=0)
    assert list(table.columns[:5]) == list(RELIABILITY_COLUMNS)
    assert list(table["code"]) == ["x", "y", OVERALL]
    rows = table.set_index("code")
    # units: the 6 informant segments of d1 and d2 (both coders cover both documents)
    assert set(rows["units"]) == {6} and rows.loc["x", "documents"] == 2
    # x: A = [1,0,1,0,0,0], B = [1,1,0,0,0,0]: see test_tiny_grid_by_hand for the numbers
    assert rows.loc["x", "percent_agreement"] == pytest.approx(4 / 6)
    assert rows.loc["x", "cohen_kappa"] == pytest.approx(0.25)
    assert rows.loc["x", "fleiss_kappa"] == pytest.approx(0.25)
    assert rows.loc["x", "krippendorff_alpha"] == pytest.approx(1 - 44 / 64)
    assert rows.loc["x", "gwet_ac1"] == pytest.approx(0.4)
    assert rows.loc["x", "coded_units"] == 3
    # y: A = [0,0,0,0,1,0], B = [0,0,0,0,0,1]: p_o = 4/6, p_e = 1/36 + 25/36, kappa = (24 - 26) / 10
    assert rows.loc["y", "cohen_kappa"] == pytest.approx(-0.2)
    # overall: 12 items, 8 agreements; pooled p(1) = 3/12 for both: p_e = 1/16 + 9/16 = 10/16;
    # kappa = (2/3 - 5/8) / (3/8) = 1/9
    assert rows.loc[OVERALL, "items"] == 12
    assert rows.loc[OVERALL, "percent_agreement"] == pytest.approx(8 / 12)
    assert rows.loc[OVERALL, "cohen_kappa"] == pytest.approx(1 / 9)
    assert rows.loc[OVERALL, "coders"] == "A;B" and rows.loc[OVERALL, "unit"] == "segment"
    assert math.isnan(rows.loc["x", "alpha_low"])  # bootstrap=0: no interval


def test_reliability_turn_and_document_units() -> None:
    codings, segments = codings_table(HAND), segments_table()
    turns = reliability(codings, segments, unit="turn", bootstrap=0).set_index("code")
    # units d1:2, d1:4, d2:2. x: A = [1,1,0], B = [1,0,0]: p_o = 2/3,
    # p_e = 2/3 * 1/3 + 1/3 * 2/3 = 4/9, kappa = (2/9) / (5/9) = 0.4
    assert turns.loc["x", "units"] == 3
    assert turns.loc["x", "cohen_kappa"] == pytest.approx(0.4)
    # y: both coded d2:2 only: perfect agreement, p_e = 5/9 < 1: kappa 1
    assert turns.loc["y", "cohen_kappa"] == pytest.approx(1.0)
    docs = reliability(codings, segments, unit="document", bootstrap=0).set_index("code")
    # units d1, d2: x in d1 for both, y in d2 for both
    assert docs.loc["x", "units"] == 2 and docs.loc["x", "percent_agreement"] == 1.0
    assert docs.loc["x", "cohen_kappa"] == pytest.approx(1.0)


def test_skip_uncoded_leaves_out_units_nobody_coded() -> None:
    table = reliability(codings_table(HAND), segments_table(), skip_uncoded=True, bootstrap=0)
    rows = table.set_index("code")
    # d1:4:2 ("Itu saja.") had no code from A or B: 5 units left.
    # x: A = [1,0,1,0,0], B = [1,1,0,0,0]: p_o = 3/5, p_e = 4/25 + 9/25, kappa = (2/25) / (12/25)
    assert rows.loc["x", "units"] == 5
    assert rows.loc["x", "percent_agreement"] == pytest.approx(0.6)
    assert rows.loc["x", "cohen_kappa"] == pytest.approx(1 / 6)


def test_code_nobody_applied_is_undefined_with_a_note() -> None:
    table = reliability(codings_table(HAND), segments_table(), codes=["y", "x", "z"], bootstrap=0)
    assert list(table["code"]) == ["y", "x", "z", OVERALL]  # the order given
    z = table.set_index("code").loc["z"]
    assert z["percent_agreement"] == 1.0 and z["gwet_ac1"] == 1.0
    assert (
        math.isnan(z["cohen_kappa"]) and math.isnan(z["krippendorff_alpha"]) and math.isnan(z["fleiss_kappa"])
    )
    assert "no compared coder applied this code" in z["note"] and "undefined" in z["note"]
    # z is left out of the pooled overall row: still 2 codes x 6 units
    assert table.set_index("code").loc[OVERALL, "items"] == 12


def test_bootstrap_is_seeded_and_brackets_alpha() -> None:
    rows = [(f"d1:{t}:1", "x", c) for t in (2, 4) for c in "AB"] + [
        ("d1:2:2", "x", "A"),
        ("d2:2:1", "x", "B"),
    ]
    codings, segments = codings_table(rows), segments_table()
    first = reliability(codings, segments, bootstrap=200, seed=3)
    again = reliability(codings, segments, bootstrap=200, seed=3)
    other = reliability(codings, segments, bootstrap=200, seed=4)
    pd.testing.assert_frame_equal(first, again)
    x = first.set_index("code").loc["x"]
    assert x["alpha_low"] <= x["krippendorff_alpha"] <= x["alpha_high"]
    assert (x["alpha_low"], x["alpha_high"]) != tuple(
        other.set_index("code").loc["x", ["alpha_low", "alpha_high"]]
    )


def test_interval_of_a_code_does_not_depend_on_other_codes() -> None:
    codings, segments = codings_table(HAND), segments_table()
    both = reliability(codings, segments, bootstrap=100).set_index("code")
    alone = reliability(codings, segments, codes=["x"], bootstrap=100).set_index("code")
    assert both.loc["x", "alpha_low"] == alone.loc["x", "alpha_low"]


def test_three_coders_and_pairwise_table() -> None:
    rows = [*HAND, ("d1:2:1", "x", "C"), ("d1:4:1", "x", "C"), ("d2:2:1", "y", "C")]
    codings, segments = codings_table(rows), segments_table()
    table = reliability(codings, segments, coders=["A", "B", "C"], bootstrap=0).set_index("code")
    pairs = pairwise_kappa(codings, segments, coders=["A", "B", "C"])
    x = pairs[pairs["code"] == "x"]
    assert list(zip(x["coder_1"], x["coder_2"], strict=True)) == [("A", "B"), ("A", "C"), ("B", "C")]
    # C coded exactly as A: kappa(A, C) = 1; A-B and B-C as in the two-coder case: 0.25
    assert list(x["cohen_kappa"]) == pytest.approx([0.25, 1.0, 0.25])
    assert table.loc["x", "cohen_kappa"] == pytest.approx(x["cohen_kappa"].mean())
    assert table.loc["x", "coders"] == "A;B;C"
    matrix = pairwise_matrix(pairs)
    assert list(matrix.columns) == ["A / B", "A / C", "B / C"]
    assert list(matrix.index) == list(dict.fromkeys(pairs["code"]))
    assert matrix.loc["x"].tolist() == pytest.approx([0.25, 1.0, 0.25])


def test_machine_coder_when_named() -> None:
    rows = [("d1:2:1", "x", "A"), ("d1:2:1", "x", "auto:rules"), ("d1:4:1", "x", "auto:rules")]
    table = reliability(codings_table(rows), segments_table(), coders=["A", "auto:rules"], bootstrap=0)
    # only d1 is covered by both: its 4 informant segments; agree on 3
    assert table.loc[0, "units"] == 4 and table.loc[0, "percent_agreement"] == pytest.approx(0.75)


def test_disagreements_list_the_units_to_settle() -> None:
    codings, segments = codings_table(HAND), segments_table()
    table = disagreements(codings, segments)
    assert list(table.columns) == ["document", "turn", "segment", "unit", "code", "text", "A", "B",
                                   "A_codes", "B_codes"]  # fmt: skip
    assert list(zip(table["segment"], table["code"], table["A"], table["B"], strict=True)) == [
        ("d1:2:2", "x", False, True),
        ("d1:4:1", "x", True, False),
        ("d2:2:1", "y", True, False),
        ("d2:2:2", "y", False, True),
    ]
    first = table.iloc[0]
    assert first["text"] == "Datanya nggak update." and first["turn"] == 2 and first["B_codes"] == "x"
    turns = disagreements(codings, segments, unit="turn")
    # only turn d1:4 differs (x by A alone); the segment A coded is named
    assert list(turns["unit"]) == ["d1:4"] and list(turns["segment"]) == ["d1:4:1"]
    assert turns.loc[0, "text"] == "RT bantu. Itu saja."
    assert disagreements(codings, segments, unit="document").empty


# ---------------------------------------------------------------- bad input


def test_single_coder_asks_for_a_second() -> None:
    only_a = codings_table([r for r in HAND if r[2] == "A"])
    with pytest.raises(CodingsError, match=r"at least two coders.*only 'A'.*add a second coder"):
        reliability(only_a, segments_table())
    with pytest.raises(CodingsError, match="at least two coders"):
        reliability(codings_table(HAND), segments_table(), coders=["A"])


def test_unknown_coder_lists_the_known_ones() -> None:
    with pytest.raises(QualbstError, match=r"unknown coder\(s\) 'Z'.*known coders: A, B, auto:rules"):
        reliability(codings_table(HAND), segments_table(), coders=["A", "Z"])


def test_coder_without_shared_documents_is_named() -> None:
    rows = [*HAND, ("d3:1:1", "x", "C")]
    with pytest.raises(CodingsError, match=r"coder 'C' \(from C.csv\) has no document in common.*coded d3"):
        reliability(codings_table(rows), segments_table(), coders=["A", "B", "C"])
    with pytest.raises(
        CodingsError,
        match=r"coders 'A' \(from A.csv\) and 'C' \(from C.csv\) have no document in common: 'A' coded d1, d2; 'C' coded d3",
    ):
        disagreements(codings_table(rows), segments_table(), coders=["A", "C"])


def test_no_document_shared_by_all_coders() -> None:
    rows = [("d1:2:1", "x", "A"), ("d2:2:1", "x", "A"), ("d2:2:1", "x", "B"), ("d3:1:1", "x", "B"),
            ("d3:1:1", "x", "C"), ("d1:2:1", "x", "C")]  # fmt: skip
    with pytest.raises(CodingsError, match="no document was coded by all of 'A', 'B', 'C'"):
        reliability(codings_table(rows), segments_table(), coders=["A", "B", "C"])


def test_bad_options_and_tables() -> None:
    codings, segments = codings_table(HAND), segments_table()
    with pytest.raises(QualbstError, match="unit must be one of segment, turn, document"):
        reliability(codings, segments, unit="paragraph")
    with pytest.raises(QualbstError, match="bootstrap must be 0 or a positive"):
        reliability(codings, segments, bootstrap=-1)
    with pytest.raises(QualbstError, match="segments table: missing column"):
        reliability(codings, segments.drop(columns="role"))
    with pytest.raises(CodingsError, match="not in the segments table: d9:1:1"):
        reliability(codings_table([*HAND, ("d9:1:1", "x", "A")]), segments)
    with pytest.raises(CodingsError, match="no codings to compare"):
        reliability(codings.iloc[0:0], segments)
