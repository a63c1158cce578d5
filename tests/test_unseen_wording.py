"""The machine coders on wording the shipped transcripts do not use.

``tests/fixtures/unseen/`` holds four short transcripts (two per language,
synthetic) written after the shipped corpus, in other words, about the same
coordination: a regression guard that cues generalise through roots,
synonyms and the shape of a statement rather than the shipped phrases.

``tests/fixtures/unseen2/`` holds six more (three per language, 134 informant
sentences), written by a separate session that read the codebook's
definitions and the agency list but not the cue lists, with an answer key
(coder ``key`` in ``codings/key.csv``: 127 segment codes; 41 typed links in
``codings/interactions.csv``, at the turn their note quotes) made before any
coder ran on them (blind figures: README, "Auto-coding"); cues
for the misses that are ordinary wording (``reach``, ``unggah``,
``dikembalikan``, ``pagu``, ``said no``...) were then added where they did not
lower agreement on the shipped corpus, so the figures below are no longer
blind: they guard what was learnt. ``tests/fixtures/unseen3/`` (ids
``probe4-*``, written fourth: six transcripts, 64 codes, 31 links, stressing
handoffs and loops told without the usual verbs) went through the same round.
``tests/fixtures/unseen4/`` (ids ``probe7-*``, six transcripts, 117 codes, 75
links, registers from Javanese-mixed Indonesian to analytical English) was
scored blind on arrival (its README) and then used like unseen2 and unseen3:
the codebook's "sequential yields to reciprocal" (a flow back to the sender)
was chosen on it, and cues for its ordinary wording were added.

``tests/fixtures/heldout/`` is a third set made the same way (six transcripts,
a key of 123 codes and 47 links) that no cue was fitted to: it measures.
``tests/fixtures/heldout2/`` (ids ``probe5-*``, 138 codes, 58 links) is a
fourth, written blind later and kept the same way, and ``tests/fixtures/heldout3/``
(ids ``probe6-*``, 116 codes, 71 links) a fifth, written blind beside
``unseen4`` and scored on arrival, and ``tests/fixtures/heldout4/`` (ids
``probe8-*``, 110 codes, 64 links) a sixth, written blind and scored on arrival
at b2941f1. Their floors below sit well
under the figures measured when each arrived, so that they catch a regression
without inviting anyone to tune on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualbst.codebook import load_codebook
from qualbst.coding.evaluate import score_codings
from qualbst.coding.rules import code_rules
from qualbst.corpus.readers import read_corpus
from qualbst.network.interactions import extract_interactions
from qualbst.segments import segment_corpus

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = Path(__file__).parent / "fixtures" / "unseen"
HELDOUT = Path(__file__).parent / "fixtures" / "heldout"


def _rule_coded(folder: Path) -> tuple:
    """The shipped codebook, and the segments, rule codings and interactions of ``folder``'s transcripts."""
    documents = read_corpus(folder)
    book = load_codebook(ROOT / "codebook")
    segments = segment_corpus(documents)
    codings = code_rules(segments, documents, book)
    interactions = extract_interactions(segments, codings, documents, book, coders=["auto:rules"])
    return book, segments, codings, interactions


@pytest.fixture(scope="module")
def coded() -> tuple:
    return _rule_coded(UNSEEN)[1:]


# (segment, code) the rule coder must give: handoffs, feedback loops, shared resources,
# staff shortage and obstacles, each said in words no shipped transcript uses.
EXPECTED = [
    ("probe-en:2:1", "interdependence.sequential"),  # "passes it down to us ... hand it over to the wards"
    # "they return the corrected list to us and we forward it to the post office": a flow back,
    # so reciprocal; the forward leg to the post office is lost, since sequential yields to
    # reciprocal in the whole segment (codebook.yaml; README, "Auto-coding")
    ("probe-en:4:1", "interdependence.reciprocal"),
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
    assert (
        "probe-en",
        "dinsos",
        "kecamatan",
        "sequential",
    ) in links  # "the social services department passes it down to us"
    # "they return the corrected list to us" (the forward leg after it, "we forward it to the post
    # office", is lost: sequential yields to reciprocal in the whole segment)
    assert ("probe-en", "kecamatan", "kelurahan", "reciprocal") in links
    assert ("probe-id", "kemensos", "dinsos", "sequential") in links  # "turun dari Kemensos ke Dinsos"
    assert ("probe-id2", "dinsos", "kecamatan", "sequential") in links  # "kami bagi ke kecamatan"
    assert ("probe-en2", "dinsos", "dprd", "reciprocal") in links  # council passes complaints back


def _probe_project(name: str) -> tuple:
    """A probe set laid out as a project (``interviews/``, ``codings/key.csv``,
    ``codings/interactions.csv``) with the shipped codebook, and its annotated links."""
    from qualbst import load_project
    from qualbst.network.interactions import read_interactions_annotation

    folder = Path(__file__).parent / "fixtures" / name
    project = load_project(
        interviews=folder / "interviews", codebook=ROOT / "codebook", codings=folder / "codings"
    )
    annotated = read_interactions_annotation(
        folder / "codings" / "interactions.csv", project.documents, project.codebook
    )
    return project, annotated


def _typed(document: str, a: str, b: str, kind: str) -> tuple[str, ...]:
    return (document, a, b, kind) if kind == "sequential" else (document, *sorted((a, b)), kind)


def _links(frame) -> set[tuple[str, ...]]:
    """(document, source, target, type) of an interactions table; pooled and reciprocal undirected."""
    return {
        _typed(*row)
        for row in zip(frame["document"], frame["source"], frame["target"], frame["type"], strict=True)
    }


# Floors per fitted set: (interdependence kappa, all-codes kappa, link precision, link recall).
# Measured when its cues were added: unseen2 0.69 / 0.70, P 0.68 R 0.56; unseen3 0.76 / 0.59, P 0.50 R 0.81;
# unseen4 0.80 / 0.66, P 0.59 R 0.55 (0.77 / 0.66 blind, before sequential yielded to reciprocal).
FLOORS = {
    "unseen2": (0.6, 0.6, 0.55, 0.45),
    "unseen3": (0.6, 0.5, 0.45, 0.6),
    "unseen4": (0.65, 0.55, 0.5, 0.45),
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def blind(request: pytest.FixtureRequest) -> tuple:
    project, annotated = _probe_project(request.param)
    book = project.codebook
    codings = code_rules(project.segments, project.documents, book)
    interactions = extract_interactions(
        project.segments, codings, project.documents, book, coders=["auto:rules"]
    )
    return project, codings, interactions, annotated, FLOORS[request.param]


def test_answer_key_reads_as_a_project(blind: tuple) -> None:
    project, _, _, annotated, _ = blind
    assert set(project.codings["coder"]) == {"key"}
    assert set(annotated["type"]) == {"pooled", "sequential", "reciprocal"}


def test_rule_coder_against_the_answer_key(blind: tuple) -> None:
    """Turn level, macro kappa over the interdependence codes and over all codes."""
    project, codings, _, _, floors = blind
    table = score_codings(
        project.codings, codings, project.segments, codes=list(project.codebook.codable_ids), level="turn"
    )
    inter = table[table["code"].str.startswith("interdependence.")]
    assert inter["kappa"].mean() >= floors[0], inter[["code", "support", "predicted", "tp", "kappa"]]
    assert table["kappa"].mean() >= floors[1], table[["code", "support", "predicted", "tp", "kappa"]]


def test_links_against_the_answer_key(blind: tuple) -> None:
    """Typed links per document (direction for sequential)."""
    _, _, interactions, annotated, floors = blind
    got, want = _links(interactions), _links(annotated)
    hits = len(got & want)
    assert hits / len(got) >= floors[2], sorted(got - want)
    assert hits / len(want) >= floors[3], sorted(want - got)


# ---------------------------------------------------------------- held out (never tuned on)


# (codings in the key, links annotated) of each held-out set
HELD_OUT = {
    "heldout": (123, 47),
    "heldout2": (138, 58),
    "heldout3": (190, 71),
    "heldout4": (168, 64),
}  # heldout3: 116 quotes, some of several segments; heldout4: 110


@pytest.fixture(scope="module", params=sorted(HELD_OUT))
def heldout(request: pytest.FixtureRequest) -> tuple:
    project, annotated = _probe_project(request.param)
    return project, annotated, HELD_OUT[request.param]


def test_heldout_key_reads_as_a_project(heldout: tuple) -> None:
    project, annotated, (codings, links) = heldout
    assert len(project.documents) == 6
    assert all(d.meta.get("synthetic") is True for d in project.documents)
    assert set(project.codings["coder"]) == {"key"}
    assert len(project.codings) == codings
    assert set(project.codings["code"]) == set(project.codebook.codable_ids)  # every code at least once
    assert len(annotated) == links


def test_rule_coder_on_heldout_transcripts(heldout: tuple) -> None:
    """Turn-level macro kappa against the key: heldout 0.62 / 0.66 when the set arrived (0.58 / 0.64
    before the cues learnt from unseen2); heldout2 0.61 / 0.71 when it arrived (at 78ea5af);
    heldout3 0.65 / 0.70 when it arrived; heldout4 0.64 / 0.74 when it arrived (at b2941f1)."""
    project, _, _ = heldout
    book = project.codebook
    rules = code_rules(project.segments, project.documents, book)
    table = score_codings(
        project.codings, rules, project.segments, codes=list(book.codable_ids), level="turn"
    )
    inter = table[table["code"].str.startswith("interdependence.")]
    assert inter["kappa"].mean() >= 0.5
    assert table["kappa"].mean() >= 0.55


def test_links_on_heldout_transcripts(heldout: tuple) -> None:
    from qualbst.network.interactions import evaluate_extraction

    project, annotated, _ = heldout
    table = evaluate_extraction(
        project.segments, project.codings, project.documents, project.codebook, annotated,
        against="key", machine="rules",
    )  # fmt: skip
    graph = table[(table["level"] == "graph") & (table["type"] == "all")].set_index("codes")["f1"]
    assert set(graph.index) == {"key", "auto:rules"}
    assert graph["key"] >= 0.5  # links read from the key's own codes
    assert graph["auto:rules"] >= 0.4


def test_evaluate_scores_a_saved_model_on_heldout(tmp_path: Path) -> None:
    """`qualbst evaluate --model`: a model trained on the shipped corpus, scored on other transcripts."""
    import pandas as pd
    from click.testing import CliRunner

    from qualbst.cli import cli

    shipped = ["--interviews", str(ROOT / "interviews"), "--codebook", str(ROOT / "codebook")]
    model = tmp_path / "model"
    trained = CliRunner().invoke(
        cli,
        ["train", *shipped, "--codings", str(ROOT / "codings"), "--coder", "coder-a", "--model", str(model)],
    )
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "evaluate", "--interviews", str(HELDOUT / "interviews"), "--codebook", str(ROOT / "codebook"),
            "--codings", str(HELDOUT / "codings"), "--against", "key", "--model", str(model), "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "evaluation.csv")
    name = "auto:model (saved model, trained on coder-a)"
    assert name in set(table["coder"])
    assert not table["coder"].str.contains("leave-one-document-out").any()
    macro = table[(table["coder"] == name) & (table["level"] == "turn")].set_index("code")["kappa"]
    assert macro["(macro: interdependence)"] >= 0.45  # 0.60 when the set arrived
