"""Interactions from coded segments: direction, lists, denials, and scoring."""

from __future__ import annotations

import pandas as pd
import pytest

from qualbst.codebook import load_codebook
from qualbst.network.interactions import (
    evaluate_extraction,
    evaluate_interactions,
    extract_interactions,
    segment_pairs,
)

from .conftest import ROOT
from .test_coding import doc


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "codebook")


@pytest.mark.parametrize(
    ("text", "kind", "own", "pairs"),
    [
        # order of mention, with target markers
        ("Kemensos menyerahkan data ke PT Pos, lalu Pos kirim ke kecamatan.", "sequential", None,
         [("kemensos", "pos"), ("pos", "kecamatan")]),
        # 'dari' marks the source: the passive receiver comes first in the sentence
        ("Kelurahan menerima undangan dari kecamatan.", "sequential", None, [("kecamatan", "kelurahan")]),
        # a receiving verb reverses the order of mention; kami = the informant's agency
        ("Kami terima undangannya lewat kecamatan.", "sequential", "kelurahan", [("kecamatan", "kelurahan")]),
        # 'lewat' makes RT an intermediary: kelurahan -> RT -> families ('warga' after 'ke')
        ("Dari kelurahan lewat RT dibagi ke warga.", "sequential", None, [("kelurahan", "rtrw"), ("rtrw", "kpm")]),
        # houses named between a party and the next one the chain goes on to are not a step of it
        ("Dinsos survei ke rumah, terus diunggah lewat SIKS-NG ke Pusdatin.", "sequential", None,
         [("dinsos", "pusdatin")]),
        # 'data KPM' is what is handed over, not a party
        ("Kemensos nyerahkan data KPM ke PT Pos.", "sequential", None, [("kemensos", "pos")]),
        # 'di Kemensos' is a place
        ("Dikirim ke Pusdatin di Kemensos.", "sequential", "dinsos", [("dinsos", "pusdatin")]),
        # a passive receiving verb right before an agency names it as the receiver (its agent)
        ("Kami unggah ke SIKS-NG, nanti diterima Pusdatin di Jakarta.", "sequential", "dinsos",
         [("dinsos", "pusdatin")]),
        ("Berkasnya dikirim kecamatan, lalu diterima oleh kelurahan.", "sequential", None,
         [("kecamatan", "kelurahan")]),
        ("The list from the district was received by the ward office.", "sequential", None,
         [("kecamatan", "kelurahan")]),
        # ...but an active one with 'dari' still reverses the order of mention
        ("Undangan diterima kelurahan dari kecamatan.", "sequential", None, [("kecamatan", "kelurahan")]),
        # English: from ... to
        ("The list goes from the ministry to the postal service.", "sequential", None, [("kemensos", "pos")]),
        # reciprocal and pooled are undirected, ids in order
        ("Kelurahan cek ulang sama RT, hasilnya dilaporkan balik.", "reciprocal", None, [("kelurahan", "rtrw")]),
        ("Pegirian dan Wonokusumo sama-sama pakai DTKS.", "pooled", None, [("kelurahan", "kelurahan-pegirian")]),
    ],
)  # fmt: skip
def test_pairs(book, text: str, kind: str, own: str | None, pairs: list[tuple[str, str]]) -> None:
    lang = "en" if text.startswith("The ") else "id"
    assert segment_pairs(text, kind, lang=lang, codebook=book, own_agency=own) == pairs


@pytest.mark.parametrize(
    ("text", "kind", "own", "pairs"),
    [
        # a list sharing one marker is parallel: both sources hand to the receiver, not to each other
        ("Kalau dapat info dari kecamatan atau Dinsos langsung kami teruskan ke RT.", "sequential", "kelurahan",
         [("kecamatan", "kelurahan"), ("dinsos", "kelurahan"), ("kelurahan", "rtrw")]),
        ("Kami bantu sosialisasi ke kecamatan, kelurahan.", "sequential", "dinsos",
         [("dinsos", "kecamatan"), ("dinsos", "kelurahan")]),
        ("Ada permintaan dari pusat, dari kelurahan, tiap hari.", "sequential", "dinsos",
         [("kemensos", "dinsos"), ("kelurahan", "dinsos")]),
        # "ke X atau ke Y" is a choice of receivers; "ke X, ke Y, ke Z" (below) is a chain
        ("Warganya kami arahkan ke Dinsos atau ke kelurahan.", "sequential", "pos",
         [("pos", "dinsos"), ("pos", "kelurahan")]),
        ("Undangan dibawa ke kecamatan, ke kelurahan, ke RT.", "sequential", "pos",
         [("kecamatan", "kelurahan"), ("kelurahan", "rtrw")]),
        # a denial runs on along the list of receivers
        ("Kami nggak pernah kirim data ke Wonokusumo, ke Sidotopo, nggak pernah.", "sequential",
         "kelurahan-pegirian", []),
        # ...but a comma before a new clause's subject is not a list
        ("Kalau undangan sudah datang dari Kantor Pos, kecamatan ngabari kami.", "sequential", "kelurahan",
         [("pos", "kecamatan"), ("kecamatan", "kelurahan")]),
        # the programme's recipients are at the end of a chain, never a reciprocal or pooled party
        ("Kelurahan minta ke RT, RT minta ke warganya, difoto.", "reciprocal", "dinsos", [("kelurahan", "rtrw")]),
        ("Kelurahan minta ke RT, RT minta ke warganya, difoto.", "sequential", "dinsos",
         [("kelurahan", "rtrw"), ("rtrw", "kpm")]),
        # the pool's source is not a member of the pool
        ("Datanya dari Kemensos, dipakai kecamatan dan kelurahan.", "pooled", None, [("kecamatan", "kelurahan")]),
        # 'kami' pools with its peers, not with the units it oversees or keeps the register for
        ("Kami ngurus wilayah kami, Pegirian ngurus wilayahnya.", "pooled", "kelurahan",
         [("kelurahan", "kelurahan-pegirian")]),
        ("Kami punya tiga puluh satu kecamatan dan semua kelurahan, kerjanya sendiri-sendiri.", "pooled", "dinsos",
         [("kecamatan", "kelurahan")]),
    ],
)  # fmt: skip
def test_pairs_of_lists_and_roles(
    book, text: str, kind: str, own: str | None, pairs: list[tuple[str, str]]
) -> None:
    assert segment_pairs(text, kind, lang="id", codebook=book, own_agency=own) == pairs


def test_what_comes_from_one_agency_comes_to_the_speaker(book) -> None:
    # with no receiver named, the receiver is the informant, not the agency named a segment before
    text = "Juga surat-surat dari Dinsos, surat edaran soal jadwal."
    pairs = segment_pairs(
        text, "sequential", lang="id", codebook=book, own_agency="kecamatan", context_agency="pos"
    )
    assert pairs == [("dinsos", "kecamatan")]
    # 'ke saya': the informant speaking for their office receives
    text = "Tiap kelurahan kirim datanya sendiri ke saya."
    assert segment_pairs(text, "sequential", lang="id", codebook=book, own_agency="dinsos") == [
        ("kelurahan", "dinsos")
    ]
    # a receiving verb alone names who receives, not from whom
    text = "Sebagian besar KPM sudah menerima uangnya."
    assert segment_pairs(text, "sequential", lang="id", codebook=book, own_agency="kelurahan") == []
    # a handoff to one agency is still read from the one named before
    text = "Terus dikirim ke kelurahan."
    pairs = segment_pairs(
        text, "sequential", lang="id", codebook=book, own_agency="rtrw", context_agency="kecamatan"
    )
    assert pairs == [("kecamatan", "kelurahan")]


def test_a_ward_named_alone_is_not_linked_to_the_ward_named_before(book) -> None:
    # the issue: no ward-to-ward edge unless a segment states one
    text = "Pernah juga salah sortir, undangan nyelip di bendel Pegirian."
    pairs = segment_pairs(
        text, "reciprocal", lang="id", codebook=book, own_agency="pos", context_agency="kelurahan"
    )
    assert pairs == [("kelurahan-pegirian", "pos")]  # the informant's office, not Wonokusumo
    # an agency of another kind is still read from the segment before
    pairs = segment_pairs(
        text, "reciprocal", lang="id", codebook=book, own_agency="pos", context_agency="kecamatan"
    )
    assert pairs == [("kecamatan", "kelurahan-pegirian")]


def test_a_plural_mention_stands_for_every_ward_the_transcript_names(book) -> None:
    wards = {"ward": ["kelurahan", "kelurahan-ampel", "kelurahan-pegirian"], "district": ["kecamatan"]}

    def pairs(text: str, kind: str, own: str) -> list[tuple[str, str]]:
        return segment_pairs(text, kind, lang="id", codebook=book, own_agency=own, named=wards)

    assert pairs("Undangannya kami bagikan ke lima kelurahan.", "sequential", "kecamatan") == [
        ("kecamatan", "kelurahan"), ("kecamatan", "kelurahan-ampel"), ("kecamatan", "kelurahan-pegirian")
    ]  # fmt: skip
    assert pairs("Tiap kelurahan kirim datanya sendiri ke saya.", "sequential", "dinsos") == [
        ("kelurahan", "dinsos"), ("kelurahan-ampel", "dinsos"), ("kelurahan-pegirian", "dinsos")
    ]  # fmt: skip
    # the wards of one plural pool with each other, and are not handed to one another
    assert pairs("Kelurahan-kelurahan itu sama-sama pakai DTKS.", "pooled", "kecamatan") == [
        ("kelurahan", "kelurahan-ampel"), ("kelurahan", "kelurahan-pegirian"),
        ("kelurahan-ampel", "kelurahan-pegirian"),
    ]  # fmt: skip
    chain = pairs("Kecamatan bagi ke kelurahan-kelurahan, kelurahan ke RW.", "sequential", "rtrw")
    assert ("kelurahan-ampel", "kelurahan") not in chain and ("kelurahan", "rtrw") in chain
    # without the transcript's wards, or for one ward, nothing changes
    text = "Undangannya kami bagikan ke lima kelurahan."
    assert segment_pairs(text, "sequential", lang="id", codebook=book, own_agency="kecamatan") == [
        ("kecamatan", "kelurahan")
    ]
    assert pairs("Undangannya kami bagikan ke kelurahan.", "sequential", "kecamatan") == [
        ("kecamatan", "kelurahan")
    ]


def _sequential(segment: str) -> pd.DataFrame:
    """One person's ``interdependence.sequential`` coding of one segment of document ``t``."""
    return pd.DataFrame({"document": ["t"], "segment": [segment], "start": [0], "end": [1],
                         "code": ["interdependence.sequential"], "coder": ["a"], "confidence": [1.0],
                         "evidence": [""]})  # fmt: skip


def test_extract_reads_the_wards_a_plural_stands_for_from_the_whole_transcript(book) -> None:
    from qualbst.segments import segment_corpus

    d = doc("Tiap kelurahan kirim datanya ke saya. Pegirian cepat, Wonokusumo agak lambat.", agency="dinsos")
    segments = segment_corpus([d])
    table = extract_interactions(segments, _sequential("t:2:1"), [d], book)
    assert sorted(zip(table["source"], table["target"], strict=True)) == [
        ("kelurahan", "dinsos"), ("kelurahan-pegirian", "dinsos")
    ]  # fmt: skip


def test_one_agency_named_is_no_pool(book) -> None:
    # "tiap kelurahan" pools the wards with each other; the informant is not the other party
    text = "Tiap kelurahan pegang data KPM-nya sendiri, sumbernya sama-sama DTKS."
    assert segment_pairs(text, "pooled", lang="id", codebook=book, own_agency="dinsos") == []
    assert segment_pairs(text, "reciprocal", lang="id", codebook=book, own_agency="dinsos") == [
        ("dinsos", "kelurahan")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Kemensos, PT Pos, kecamatan dan kelurahan.",  # a list of agencies is not an interaction
        "Kami ndak pernah cek silang sama Pegirian.",  # a denied relation is not one
        "Kelurahan tidak kirim ke kecamatan.",
    ],
)
def test_not_interactions(book, text: str) -> None:
    assert segment_pairs(text, "sequential", lang="id", codebook=book, own_agency="kelurahan") == []


def test_javanese_tak_before_a_verb_states_a_link(book) -> None:
    # "tak kirim" is "I send it" (Surabaya Javanese), "tak bisa kirim" "cannot send it"
    said = segment_pairs("Datanya tak kirim ke kecamatan.", "sequential", lang="id", codebook=book,
                         own_agency="kelurahan")  # fmt: skip
    denied = segment_pairs("Datanya tak bisa kirim ke kecamatan.", "sequential", lang="id", codebook=book,
                           own_agency="kelurahan")  # fmt: skip
    assert (said, denied) == ([("kelurahan", "kecamatan")], [])


def test_extract_reads_only_interdependence_codings(book) -> None:
    d = doc("Undangan dari kecamatan kami bagikan ke RT. Kami rapat dengan Dinsos.", agency="kelurahan")
    from qualbst.segments import segment_corpus

    segments = segment_corpus([d])
    codings = pd.DataFrame({"document": ["t", "t"], "segment": ["t:2:1", "t:2:2"], "start": [0, 0], "end": [1, 1],
                            "code": ["interdependence.sequential", "mechanism.mutual-adjustment"],
                            "coder": ["a", "a"], "confidence": [1.0, 1.0], "evidence": ["", ""]})  # fmt: skip
    table = extract_interactions(segments, codings, [d], book)
    assert table[["segment", "source", "target", "type", "directed"]].values.tolist() == [
        ["t:2:1", "kecamatan", "kelurahan", "sequential", True],
        ["t:2:1", "kelurahan", "rtrw", "sequential", True],
    ]
    assert table["quote"].iloc[0] == "Undangan dari kecamatan kami bagikan ke RT."


def test_evaluate_graph_level() -> None:
    segments = pd.DataFrame({"segment": ["d:2:1", "d:4:1"], "document": ["d", "d"], "turn": [2, 4]})
    extracted = pd.DataFrame({"document": ["d", "d"], "segment": ["d:2:1", "d:4:1"], "source": ["a", "a"],
                              "target": ["b", "b"], "type": ["sequential", "sequential"]})  # fmt: skip
    gold = pd.DataFrame(
        {"document": ["d"], "turn": [2], "source": ["a"], "target": ["b"], "type": ["sequential"]}
    )
    table = evaluate_interactions(extracted, gold, segments).set_index(["level", "type"])
    # turn level: (d,2,a,b) found, (d,4,a,b) extra -> P 0.5, R 1; graph level: one edge a->b both sides
    assert table.loc[("turn", "sequential"), "precision"] == 0.5
    assert table.loc[("graph", "sequential"), "f1"] == 1.0


def test_evaluate_extraction_scores_each_coders_codes(book) -> None:
    from qualbst.segments import segment_corpus

    d = doc("Undangan dari kecamatan kami bagikan ke RT. Kami rapat dengan Dinsos.", agency="kelurahan")
    segments = segment_corpus([d])
    row = {"document": "t", "start": 0, "end": 1, "confidence": 1.0, "evidence": ""}
    codings = pd.DataFrame([
        {**row, "segment": "t:2:1", "code": "interdependence.sequential", "coder": "coder-a"},
        {**row, "segment": "t:2:2", "code": "interdependence.sequential", "coder": "coder-b"},
    ])  # fmt: skip
    # the annotation: the two handoffs coder-a's passage states, in turn 2
    gold = pd.DataFrame({"document": ["t", "t"], "turn": [2, 2], "source": ["kecamatan", "kelurahan"],
                         "target": ["kelurahan", "rtrw"], "type": ["sequential"] * 2})  # fmt: skip
    table = evaluate_extraction(segments, codings, [d], book, gold, against="coder-a", machine="none")
    assert list(table.columns[:2]) == ["codes", "level"]
    scores = table[table["type"] == "all"].set_index(["codes", "level"])["f1"]
    assert scores[("coder-a", "turn")] == 1.0 and scores[("coder-a", "graph")] == 1.0
    # coder-b coded the meeting sentence as a handoff: it states none, so none of the links is found
    assert scores[("coder-b", "turn")] == 0.0


def test_extract_takes_the_partner_of_a_one_agency_segment_from_the_segment_before(book) -> None:
    from qualbst.segments import segment_corpus

    # the second segment names one agency: the other party is the one the first segment named last
    d = doc("Undangan dari kecamatan kami bagikan ke RT. Terus diserahkan ke warga.", agency="kelurahan")
    segments = segment_corpus([d])
    table = extract_interactions(segments, _sequential("t:2:2"), [d], book)
    assert list(zip(table["segment"], table["source"], table["target"], strict=True)) == [
        ("t:2:2", "rtrw", "kpm")
    ]
