"""The machine coders on wording the shipped transcripts do not use.

``tests/fixtures/unseen/`` holds four short transcripts (two per language,
synthetic) written after the shipped corpus, in other words, about the same
coordination: a regression guard that cues generalise through roots,
synonyms and the shape of a statement rather than the shipped phrases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualbst.codebook import load_codebook
from qualbst.coding.rules import code_rules
from qualbst.corpus.readers import read_corpus
from qualbst.network.interactions import extract_interactions
from qualbst.segments import segment_corpus

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = Path(__file__).parent / "fixtures" / "unseen"


@pytest.fixture(scope="module")
def coded() -> tuple:
    documents = read_corpus(UNSEEN)
    book = load_codebook(ROOT / "codebook")
    segments = segment_corpus(documents)
    codings = code_rules(segments, documents, book)
    interactions = extract_interactions(segments, codings, documents, book, coders=["auto:rules"])
    return segments, codings, interactions


# (segment, code) the rule coder must give: handoffs, feedback loops, shared resources,
# staff shortage and obstacles, each said in words no shipped transcript uses.
EXPECTED = [
    ("probe-en:2:1", "interdependence.sequential"),  # "passes it down to us ... hand it over to the wards"
    ("probe-en:4:1", "interdependence.sequential"),  # "we forward it to the post office"
    ("probe-en2:2:2", "interdependence.sequential"),  # "pass them on to the districts"
    ("probe-en2:4:2", "interdependence.reciprocal"),  # "back and forth with them"
    ("probe-en2:6:1", "interdependence.pooled"),  # "one common register ... the same programme budget"
    ("probe-en:12:1", "factor.inhibiting.internal"),  # "did not have enough staff"
    ("probe-en:12:1", "obstacle.deceased"),  # "passed away"
    ("probe-id:2:1", "interdependence.sequential"),  # "Dinsos menyerahkan ke kami ... kami limpahkan"
    ("probe-id:6:1", "interdependence.reciprocal"),  # "mereka perbaiki ... mengabari kami lagi"
    ("probe-id:8:1", "interdependence.pooled"),  # "kuota kota yang sama"
    ("probe-id:12:1", "obstacle.moved"),  # "pindah alamat"
    ("probe-id:12:1", "factor.inhibiting.internal"),  # "Personel kami kurang": the cue "personel ~ kurang"
    ("probe-id2:2:2", "interdependence.sequential"),  # "dikirim ke kami, terus kami bagi ke kecamatan"
    ("probe-id2:6:1", "interdependence.pooled"),  # "DTKS yang sama"
    ("probe-id2:10:1", "interdependence.reciprocal"),  # "dilempar balik ke kami untuk ditindaklanjuti"
]


@pytest.mark.parametrize(("segment", "code"), EXPECTED)
def test_rule_coder_finds_the_relation_in_new_words(coded: tuple, segment: str, code: str) -> None:
    _, codings, _ = coded
    given = set(codings.loc[codings["segment"] == segment, "code"])
    assert code in given, f"{segment}: {code} not among {sorted(given)}"


def test_links_from_new_words(coded: tuple) -> None:
    _, _, interactions = coded
    links = set(
        zip(
            interactions["document"],
            interactions["source"],
            interactions["target"],
            interactions["type"],
            strict=True,
        )
    )
    assert ("probe-en", "kecamatan", "pos", "sequential") in links  # "we forward it to the post office"
    assert ("probe-id", "kemensos", "dinsos", "sequential") in links  # "turun dari Kemensos ke Dinsos"
    assert ("probe-id2", "dinsos", "kecamatan", "sequential") in links  # "kami bagi ke kecamatan"
    assert ("probe-en2", "dinsos", "dprd", "reciprocal") in links  # council passes complaints back
