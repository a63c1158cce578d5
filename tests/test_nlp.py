"""The language pipeline: abbreviations, codes and sentences."""

from __future__ import annotations

import pytest

from qualbst.nlp import build_nlp


@pytest.mark.parametrize(
    "abbreviation",
    ["PT.", "Rp.", "No.", "Bpk.", "Ibu.", "Kel.", "Kec.", "Jl.", "dll.", "dsb.", "a.n."],
)
def test_no_sentence_break_after_abbreviation(abbreviation: str) -> None:
    nlp = build_nlp("id")
    text = f"Surat itu dari {abbreviation} Wonokusumo kemarin. Lalu dibagi."
    assert [s.text for s in nlp(text).sents] == [
        f"Surat itu dari {abbreviation} Wonokusumo kemarin.",
        "Lalu dibagi.",
    ]


def test_money_and_regulation_stay_in_one_sentence() -> None:
    nlp = build_nlp("id")
    doc = nlp("Bantuannya Rp. 300.000 per bulan, dasarnya Kepmensos No. 54/HUK/2020. Terus ke RT/RW.")
    assert [s.text for s in doc.sents] == [
        "Bantuannya Rp. 300.000 per bulan, dasarnya Kepmensos No. 54/HUK/2020.",
        "Terus ke RT/RW.",
    ]


@pytest.mark.parametrize("word", ["RT/RW", "SIKS-NG", "54/HUK/2020", "300.000", "a.n."])
def test_codes_stay_single_tokens(word: str) -> None:
    tokens = [t.text for t in build_nlp("id")(f"Lewat {word}, katanya.")]
    assert tokens == ["Lewat", word, ",", "katanya", "."]


def test_english_pipeline_keeps_titles() -> None:
    doc = build_nlp("en")("Ms. Okafor called the Post Office. They didn't answer.")
    assert [s.text for s in doc.sents] == [
        "Ms. Okafor called the Post Office.",
        "They didn't answer.",
    ]


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="language must be 'id' or 'en'"):
        build_nlp("fr")
