"""Factors, obstacles, cross-tabs and the case matrix on tiny hand-made tables."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import pytest

from qualbst.codebook import Code, Codebook
from qualbst.corpus.model import Document
from qualbst.errors import CodebookError, CodingsError, QualbstError
from qualbst.factors import (
    FACTORS_COLUMNS,
    OTHER,
    Theme,
    ThemeLexicon,
    case_matrix,
    code_crosstab,
    factor_matrix,
    factors,
    load_themes,
    obstacles,
)

ROOT = Path(__file__).resolve().parents[1]

DOCS = [
    Document("d1", "id", {"P": "interviewer", "I1": "informant"}, "", (),
             {"informant": "Informan 1", "role": "Staf Kesra", "agency": "kelurahan", "agency_level": "ward",
              "date": datetime.date(2022, 5, 30)}),
    Document("d2", "en", {"P": "interviewer", "E1": "informant"}, "", (),
             {"informant": "Informant E1", "role": "Manager", "agency": "dinsos", "agency_level": "city"}),
    # the same informant as d1, interviewed again: one informant, two documents
    Document("d3", "id", {"P": "interviewer", "I1": "informant"}, "", (),
             {"informant": "Informan 1", "role": "Staf Kesra", "agency": "kelurahan"}),
    # no codings at all
    Document("d4", "id", {"P": "interviewer", "I4": "informant"}, "", (), {"informant": "Informan 4"}),
]  # fmt: skip

SEGMENTS = [
    ("d1", "d1:1:1", 1, "P", "interviewer", "Apa faktor pendukung dan penghambatnya?"),
    ("d1", "d1:2:1", 2, "I1", "informant", "Stafnya cuma lima orang."),
    ("d1", "d1:2:2", 2, "I1", "informant", "Lima."),
    ("d1", "d1:4:1", 4, "I1", "informant", "Antriannya panjang, panas."),
    ("d1", "d1:4:2", 4, "I1", "informant", "Pak RT bantu ngatur antrian."),
    ("d1", "d1:6:1", 6, "I1", "informant", "Hujan deras waktu itu."),
    ("d2", "d2:2:1", 2, "E1", "informant", "We had five staff for forty thousand households."),
    ("d2", "d2:2:2", 2, "E1", "informant", "The block leader helped a lot."),
    ("d3", "d3:2:1", 2, "I1", "informant", "Staf kami sedikit, kewalahan."),
    ("d3", "d3:2:2", 2, "I1", "informant", "Orangnya sudah meninggal."),
    ("d4", "d4:2:1", 2, "I4", "informant", "Tidak ada."),
]

LEXICON = ThemeLexicon(
    (
        Theme("staff", "Jumlah staf", "Staff numbers", {"id": ("staf", "lima orang"), "en": ("staff",)}),
        Theme("queues", "Antrean", "Queues", {"id": ("antr*", "panas"), "en": ("queue",)}),
        Theme("rtrw", "RT/RW", "RT/RW", {"id": ("pak rt", "rt"), "en": ("block leader",)}),
    ),
    {"id": ("pak",)},
)

INH_INT, INH_EXT = "factor.inhibiting.internal", "factor.inhibiting.external"
SUP_EXT, SUP_INT = "factor.supporting.external", "factor.supporting.internal"

CODINGS = [
    ("d1:1:1", SUP_INT, "A"),  # an interviewer segment: never evidence
    ("d1:2:1", INH_INT, "A"),
    ("d1:2:1", INH_INT, "B"),  # the same segment from two coders counts once
    ("d1:2:2", INH_INT, "A"),  # no term: takes the theme of d1:2:1 (same turn)
    ("d2:2:1", INH_INT, "B"),
    ("d3:2:1", INH_INT, "A"),
    ("d1:4:1", INH_EXT, "A"),
    ("d1:6:1", INH_EXT, "A"),  # no term, alone in its turn: other
    ("d1:4:2", SUP_EXT, "A"),  # "antrian" and "pak rt", "rt": rtrw has 2 terms, queues 1
    ("d2:2:2", SUP_EXT, "auto:rules"),  # a machine coder: not counted by default
    ("d3:2:2", "obstacle.deceased", "A"),
    ("d1:2:1", "obstacle.moved", "auto:rules"),
]


def segments_table() -> pd.DataFrame:
    frame = pd.DataFrame(SEGMENTS, columns=["document", "segment", "turn", "speaker", "role", "text"])
    return frame.assign(start=0, end=1)[
        ["document", "segment", "turn", "speaker", "role", "start", "end", "text"]
    ]


def codings_table(rows: list[tuple[str, str, str]] = CODINGS) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"document": s.split(":")[0], "segment": s, "start": 0, "end": 1, "code": c, "coder": k,
             "confidence": 1.0, "evidence": ""}
            for s, c, k in rows
        ]
    )  # fmt: skip


def codebook() -> Codebook:
    ids = [SUP_INT, SUP_EXT, INH_INT, INH_EXT, "obstacle.deceased", "obstacle.moved", "obstacle.refused"]
    return Codebook(tuple(Code(i, i.replace(".", " "), name_en=i.upper(), definition="d") for i in ids), ())


# ---------------------------------------------------------------- factors


def test_factors_counts_by_hand() -> None:
    table = factors(codings_table(), segments_table(), DOCS, themes=LEXICON)
    assert list(table.columns[:6]) == list(FACTORS_COLUMNS)
    # no codebook: factor codes sorted; themes by segments, other last
    keys = list(zip(table["factor"], table["theme"], strict=True))
    assert keys == [(INH_EXT, "queues"), (INH_EXT, OTHER), (INH_INT, "staff"), (SUP_EXT, "rtrw")]
    staff = table.set_index(["factor", "theme"]).loc[(INH_INT, "staff")]
    # d1:2:1 (A and B, once), d1:2:2 (inherits from d1:2:1), d2:2:1 (en "staff"), d3:2:1
    assert staff["segment_ids"] == "d1:2:1;d1:2:2;d2:2:1;d3:2:1"
    assert staff["segments"] == 4
    # Informan 1 speaks in d1 and d3: one informant; Informant E1 in d2
    assert staff["informants"] == 2 and staff["informant_ids"] == "Informan 1;Informant E1"
    assert staff["documents"] == 3 and staff["document_ids"] == "d1;d2;d3"
    assert (staff["direction"], staff["locus"], staff["theme_name_en"]) == (
        "inhibiting",
        "internal",
        "Staff numbers",
    )
    assert staff["coders"] == "A;B"
    # interviewer segment d1:1:1 is no evidence: no supporting.internal row
    assert SUP_INT not in set(table["factor"])
    # the block leader (auto:rules only) is not counted
    rtrw = table.set_index(["factor", "theme"]).loc[(SUP_EXT, "rtrw")]
    assert rtrw["segment_ids"] == "d1:4:2"


def test_quote_and_key_terms() -> None:
    table = factors(codings_table(), segments_table(), DOCS, themes=LEXICON).set_index(["factor", "theme"])
    staff = table.loc[(INH_INT, "staff")]
    # stems per segment (stop words left out): d1:2:1 staf, orang... d3:2:1 staf, kami?, kewalahan;
    # "staf" is in two of the group's segments: the only key term that occurs twice here
    assert staff["key_terms"].split(", ")[0] == "staf"
    # a one-segment group quotes its segment, with where it is
    other = table.loc[(INH_EXT, OTHER)]
    assert other["quote"] == "Hujan deras waktu itu."
    assert (other["quote_segment"], other["quote_document"], other["quote_turn"]) == ("d1:6:1", "d1", 6)


def test_factors_with_codebook_order_and_machine_coder() -> None:
    table = factors(codings_table(), segments_table(), DOCS, themes=LEXICON, codebook=codebook())
    assert list(dict.fromkeys(table["factor"])) == [SUP_EXT, INH_INT, INH_EXT]
    auto = factors(codings_table(), segments_table(), DOCS, themes=LEXICON, coder="auto:rules")
    assert list(zip(auto["factor"], auto["theme"], auto["segments"], strict=True)) == [(SUP_EXT, "rtrw", 1)]
    assert auto.loc[0, "quote"] == "The block leader helped a lot."


def test_factors_without_lexicon_put_everything_in_other() -> None:
    table = factors(codings_table(), segments_table(), DOCS)
    assert set(table["theme"]) == {OTHER}
    # inhibiting.internal: d1:2:1, d1:2:2, d2:2:1, d3:2:1
    assert table.set_index("factor").loc[INH_INT, "segments"] == 4


def test_factors_are_deterministic() -> None:
    first = factors(codings_table(), segments_table(), DOCS, themes=LEXICON)
    shuffled = codings_table().sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(first, factors(shuffled, segments_table(), DOCS, themes=LEXICON))


def test_theme_ties_go_to_the_theme_listed_first() -> None:
    rows = [("d1:4:1", INH_EXT, "A")]  # "Antriannya panjang, panas.": queues has 2 terms (antr*, panas)
    reordered = ThemeLexicon((Theme("heat", "Panas", terms={"id": ("panas", "antr*")}), *LEXICON.themes))
    table = factors(codings_table(rows), segments_table(), DOCS, themes=reordered)
    assert table.loc[0, "theme"] == "heat"  # 2 terms each: the first listed wins


# ---------------------------------------------------------------- obstacles


def test_obstacles_counted_the_same_way() -> None:
    table = obstacles(codings_table(), segments_table(), DOCS, codebook=codebook())
    assert list(table["code"]) == ["obstacle.deceased", "obstacle.moved", "obstacle.refused"]
    rows = table.set_index("code")
    assert rows.loc["obstacle.deceased", "segments"] == 1
    assert rows.loc["obstacle.deceased", "quote"] == "Orangnya sudah meninggal."
    assert rows.loc["obstacle.deceased", "name_en"] == "OBSTACLE.DECEASED"
    # moved: only auto:rules coded it; refused: nobody. Both rows are there with zeros.
    assert rows.loc["obstacle.moved", "segments"] == 0 and rows.loc["obstacle.refused", "informants"] == 0
    assert rows.loc["obstacle.refused", "quote"] == "" and pd.isna(rows.loc["obstacle.refused", "quote_turn"])
    assert list(obstacles(codings_table(), segments_table(), DOCS)["code"]) == ["obstacle.deceased"]


# ---------------------------------------------------------------- cross-tabs and case matrix


def test_code_crosstab_by_agency_level() -> None:
    table = code_crosstab(codings_table(), segments_table(), DOCS, by="agency_level", codebook=codebook())
    # d1 ward, d2 city, d3 and d4 have no agency_level
    assert list(table.columns) == ["code", "city", "ward", "(missing)", "total"]
    rows = table.set_index("code")
    # inhibiting.internal: d1:2:1, d1:2:2 (ward), d2:2:1 (city), d3:2:1 (missing)
    assert list(rows.loc[INH_INT]) == [1, 2, 1, 4]
    assert list(rows.loc[SUP_INT]) == [0, 0, 0, 0]  # interviewer segment only
    informants = code_crosstab(codings_table(), segments_table(), DOCS, by="agency", value="informants")
    # inhibiting.internal, by agency: dinsos E1; kelurahan Informan 1 (d1 and d3): one informant;
    # (missing): d4, not coded
    assert list(informants.columns) == ["code", "dinsos", "kelurahan", "(missing)", "total"]
    assert list(informants.set_index("code").loc[INH_INT]) == [1, 1, 0, 2]


def test_code_crosstab_by_coder_counts_each_persons_codes_and_their_union() -> None:
    table = code_crosstab(codings_table(), segments_table(), DOCS, by="coder", codebook=codebook())
    assert list(table.columns) == ["code", "A", "B", "total"]  # human coders only, by default
    rows = table.set_index("code")
    # inhibiting.internal: A on d1:2:1, d1:2:2, d3:2:1; B on d1:2:1, d2:2:1; union of four segments
    assert list(rows.loc[INH_INT]) == [3, 2, 4]
    assert list(rows.loc[SUP_INT]) == [0, 0, 0]  # interviewer segment only
    people = code_crosstab(codings_table(), segments_table(), DOCS, by="coder", value="informants")
    # A's inhibiting.internal: Informan 1 (d1, d3) is one informant; B: Informan 1 and E1
    assert list(people.set_index("code").loc[INH_INT]) == [1, 2, 2]
    machine = code_crosstab(codings_table(), segments_table(), DOCS, by="coder", coder=["A", "auto:rules"])
    assert list(machine.columns) == ["code", "A", "auto:rules", "total"]


def test_factor_matrix_counts_distinct_evidence_over_themes() -> None:
    table = factors(codings_table(), segments_table(), DOCS, codebook=codebook(), themes=LEXICON)
    segments = factor_matrix(table)
    assert list(segments.index) == ["supporting", "inhibiting"]
    assert list(segments.columns) == ["internal", "external"]
    crosstab = code_crosstab(codings_table(), segments_table(), DOCS, codebook=codebook()).set_index("code")
    for direction in ("supporting", "inhibiting"):
        for locus in ("internal", "external"):
            assert segments.loc[direction, locus] == crosstab.loc[f"factor.{direction}.{locus}", "total"]
    informants = factor_matrix(table, value="informants")
    # inhibiting.external spans two themes (queues, other), both from Informan 1: one informant
    assert segments.loc["inhibiting", "external"] == 2 and informants.loc["inhibiting", "external"] == 1
    assert informants.loc["inhibiting", "internal"] == 2 and segments.loc["inhibiting", "internal"] == 4
    assert factor_matrix(table, value="documents").loc["inhibiting", "internal"] == 3
    with pytest.raises(QualbstError, match="value must be"):
        factor_matrix(table, value="words")


def test_code_crosstab_errors() -> None:
    with pytest.raises(QualbstError, match=r"no document has the field 'level'.*agency_level"):
        code_crosstab(codings_table(), segments_table(), DOCS, by="level")
    with pytest.raises(QualbstError, match="value must be segments, informants or documents"):
        code_crosstab(codings_table(), segments_table(), DOCS, value="words")


def test_case_matrix_binary_and_counts() -> None:
    binary = case_matrix(codings_table(), segments_table(), DOCS, codebook=codebook())
    assert list(binary.columns[:8]) == ["document", "informant", "speaker", "role", "agency", "agency_level", "date",
                                        SUP_INT]  # fmt: skip
    assert list(binary["document"]) == ["d1", "d2", "d3", "d4"]  # the uncoded d4 too
    assert binary.loc[0, "date"] == "2022-05-30" and pd.isna(binary.loc[3, "agency"])
    d1 = binary.set_index("document").loc["d1"]
    assert (d1[INH_INT], d1[INH_EXT], d1[SUP_EXT], d1[SUP_INT]) == (1, 1, 1, 0)
    counts = case_matrix(codings_table(), segments_table(), DOCS, counts=True, codebook=codebook())
    # d1: inhibiting.internal on d1:2:1 and d1:2:2; inhibiting.external on d1:4:1 and d1:6:1
    assert counts.set_index("document").loc["d1", INH_INT] == 2
    assert counts.set_index("document").loc["d1", INH_EXT] == 2
    assert int(counts.set_index("document").loc["d4", list(codebook().codable_ids)].sum()) == 0


# ---------------------------------------------------------------- theme lexicon


def test_load_themes(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(
        "stop_words: {id: [mbak]}\nthemes:\n  - id: staff\n    name: Staf\n    name_en: Staff\n"
        "    terms: {id: [staf, lima orang], en: [staff]}\n",
        encoding="utf-8",
    )
    lexicon = load_themes(path)
    assert lexicon.themes[0] == Theme(
        "staff", "Staf", "Staff", {"id": ("staf", "lima orang"), "en": ("staff",)}
    )
    assert lexicon.stop_words["id"] == ("mbak",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "themes:\n  - {id: a, name: A}\n  - {id: a, name: B}\n",
            r"themes.yaml:3: duplicate theme id 'a' \(first at line 2\)",
        ),
        ("themes:\n  - {id: a}\n", r"themes.yaml:2: theme 'a': 'name' is missing"),
        ("themes:\n  - {id: other, name: O}\n", "themes.yaml:2: theme id must be .* not 'other'"),
        (
            "themes:\n  - {id: a, name: A, terms: {jv: [x]}}\n",
            "themes.yaml:2: 'terms' has unknown language 'jv'",
        ),
        ("themes:\n  - {id: a, name: A, terms: {id: ['--']}}\n", "term without letters or digits"),
        ("- a\n- b\n", "themes.yaml:1: expected a mapping with a 'themes' list"),
        ("themes: [\n", "themes.yaml:2: malformed YAML"),
    ],
)
def test_bad_theme_lexicon(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        load_themes(path)


def test_missing_lexicon(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="theme lexicon not found"):
        load_themes(tmp_path / "nope.yaml")


def test_shipped_lexicon_has_both_languages() -> None:
    lexicon = load_themes(ROOT / "codebook" / "themes.yaml")
    assert len(lexicon.themes) >= 5
    for theme in lexicon.themes:
        assert theme.name and theme.name_en
        assert theme.terms.get("id") and theme.terms.get("en"), theme.id


def test_lexicon_found_beside_the_codebook(tmp_path: Path) -> None:
    (tmp_path / "themes.yaml").write_text(
        "themes:\n  - {id: weather, name: Cuaca, terms: {id: [hujan]}}\n", encoding="utf-8"
    )
    book = Codebook(codebook().codes, (), path=str(tmp_path))
    table = factors(codings_table(), segments_table(), DOCS, codebook=book)
    assert table.set_index("factor").loc[INH_EXT].set_index("theme").loc["weather", "segment_ids"] == "d1:6:1"


# ---------------------------------------------------------------- bad input


def test_unknown_coder_lists_the_known_ones() -> None:
    with pytest.raises(QualbstError, match=r"unknown coder\(s\) 'Z'.*known coders: A, B, auto:rules"):
        factors(codings_table(), segments_table(), DOCS, coder="Z")


def test_only_machine_codings_need_a_coder() -> None:
    rows = [r for r in CODINGS if r[2].startswith("auto:")]
    with pytest.raises(CodingsError, match=r"no human coder's codings.*coder='auto:rules'"):
        obstacles(codings_table(rows), segments_table(), DOCS)


def test_codings_on_unknown_documents_or_segments() -> None:
    with pytest.raises(CodingsError, match="not among the documents given: d1"):
        factors(codings_table(), segments_table(), DOCS[1:])
    bad = codings_table([*CODINGS, ("d1:9:9", INH_INT, "A")])
    with pytest.raises(CodingsError, match="not in the segments table: d1:9:9"):
        case_matrix(bad, segments_table(), DOCS)
    with pytest.raises(QualbstError, match="segments table: missing column"):
        factors(codings_table(), segments_table().drop(columns="speaker"), DOCS)
