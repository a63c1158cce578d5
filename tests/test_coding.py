"""Agency recognition, the rule coder, the trained coder and their evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from qualbst.codebook import load_codebook
from qualbst.coding.evaluate import combine_codings, cross_validate_model, evaluate_coders, score_codings
from qualbst.coding.machine import describe_machine_coders
from qualbst.coding.model import AutoCoder, ModelError, QualbstWarning, load_config, model_trainer
from qualbst.coding.rules import code_rules, find_mentions
from qualbst.corpus.model import Document, Turn
from qualbst.pipeline import load_project
from qualbst.segments import segment_corpus

from .conftest import ROOT


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "codebook")


def doc(text: str, *, agency: str = "kelurahan", lang: str = "id", doc_id: str = "t") -> Document:
    """One informant turn after one interviewer turn."""
    body = f"P: Bagaimana?\nI1: {text}"
    turns = (Turn(1, "P", "interviewer", 3, 13, 1), Turn(2, "I1", "informant", 18, len(body), 2))
    return Document(doc_id, lang, {"P": "interviewer", "I1": "informant"}, body, turns, {"agency": agency})


def test_mentions_alias_fuzzy_pronoun(book) -> None:
    d = doc("Kami terima undangan dari Kantor Pos lewat kec. Semampir, terus ke Wonokosumo. "
            "Kepmensos juga ada. Beliau dari Dinsos.")  # fmt: skip
    mentions = find_mentions(segment_corpus([d]), [d], book)
    found = list(zip(mentions["surface"], mentions["agency"], mentions["method"], strict=True))
    assert ("Kami", "kelurahan", "pronoun") in found
    assert ("Kantor Pos", "pos", "alias") in found
    assert ("Wonokosumo", "kelurahan", "alias") in found  # a listed misspelling
    assert ("Dinsos", "dinsos", "alias") in found
    assert not any(s in ("Kepmensos", "Beliau") for s, _, _ in found)  # decree, and 'beliau' left alone
    for row in mentions.itertuples():
        assert d.body[row.start : row.end] == row.surface


def test_a_document_read_as_one_doc_finds_what_each_segment_alone_does(book) -> None:
    """find_mentions and the rule coder read a document's segments as one spaCy Doc:
    every mention and cue, with its offsets and negation, must be what the segment
    read on its own gives."""
    from qualbst.coding.matching import annotator

    project = load_project(
        interviews=ROOT / "interviews", codebook=ROOT / "codebook", codings=ROOT / "codings"
    )
    for document in project.documents:
        segments = project.segments[project.segments["document"] == document.id]
        texts = segments["text"].tolist()
        owns = [document.agency_for(role) for role in segments["role"].tolist()]
        ann = annotator(project.codebook, document.language)
        assert ann.mentions_in(texts, owns) == [
            ann.mentions(ann.make_doc(t), own_agency=o) for t, o in zip(texts, owns, strict=True)
        ]
        assert ann.cues_in(texts) == [ann.cues_in([t])[0] for t in texts]


def test_a_cue_or_negation_never_reaches_across_two_segments(tmp_path: Path) -> None:
    from qualbst.coding.matching import annotator

    from .conftest import minimal_codebook
    from .test_codebook import write_book

    codes, agencies = minimal_codebook()
    codes[-1]["cues"] = {"id": ["staf ~ kurang", "kirim"]}
    ann = annotator(load_codebook(write_book(tmp_path, codes, agencies)), "id")
    # texts that join to the same string are still read apart
    assert ann.cues_in([]) == [] and ann.cues_in([""]) == [[]]
    assert [len(one) for one in ann.cues_in(["Kirim.\n\nKirim."])] == [2]
    assert [len(one) for one in ann.cues_in(["Kirim.", "Kirim."])] == [1, 1]
    alone = ann.cues_in(["Staf.", "Kurang, tidak", "Kirim data."])  # no period after "tidak"
    assert [[(m.surface, m.negated) for m in one] for one in alone] == [[], [], [("Kirim", False)]]
    assert [
        [(m.surface, m.negated) for m in one] for one in ann.cues_in(["Staf kami kurang.", "Tidak kirim."])
    ] == [
        [("Staf kami kurang", False)],
        [("kirim", True)],
    ]


def test_a_generic_form_is_the_informants_own_office_at_its_level(book) -> None:
    text = "Surat ditandatangani lurah, terus dibawa ke Kelurahan Wonokusumo dan ke kecamatan."
    own = {}
    for agency in ("kelurahan-pegirian", "kelurahan", "kecamatan"):
        d = doc(text, agency=agency)
        mentions = find_mentions(segment_corpus([d]), [d], book)
        own[agency] = list(zip(mentions["surface"], mentions["agency"], strict=True))
    # a Pegirian official's "lurah" is Pegirian's; the ward named by name stays Wonokusumo
    assert own["kelurahan-pegirian"] == [
        ("lurah", "kelurahan-pegirian"),
        ("Kelurahan Wonokusumo", "kelurahan"),
        ("kecamatan", "kecamatan"),
    ]
    # the study ward's own staff, and an official of another level, mean the study ward
    assert own["kelurahan"][0] == own["kecamatan"][0] == ("lurah", "kelurahan")


def test_fuzzy_one_letter(book) -> None:
    d = doc("Data dikirim ke Wonokusuno kemarin.")  # one substitution from 'Wonokusumo'
    mentions = find_mentions(segment_corpus([d]), [d], book)
    assert list(zip(mentions["agency"], mentions["method"], strict=True)) == [("kelurahan", "fuzzy")]


def test_plural_by_reduplication(book) -> None:
    d = doc("Undangan kami kabarkan ke kelurahan-kelurahan, terus ke RT-RT. Data-data sudah lengkap.")
    mentions = find_mentions(segment_corpus([d]), [d], book)
    found = list(zip(mentions["surface"], mentions["agency"], mentions["method"], strict=True))
    assert found == [("kami", "kelurahan", "pronoun"), ("kelurahan-kelurahan", "kelurahan", "alias"),
                     ("RT-RT", "rtrw", "alias")]  # fmt: skip


def test_interviewer_pronoun_is_not_resolved(book) -> None:
    d = doc("Iya.")
    segments = segment_corpus([d])
    segments.loc[0, "text"] = "Kami dari kampus."  # the interviewer's 'kami' is the researchers
    assert find_mentions(segments.iloc[:1], [d], book).empty


def test_rules_code_with_evidence_and_requirements(book) -> None:
    d = doc("Undangan dikirimkan dari Kantor Pos ke kecamatan. Kami ikut rapat koordinasi tiap Senin.")
    codings = code_rules(segment_corpus([d]), [d], book)
    by_code = dict(zip(codings["code"], codings["evidence"], strict=True))
    # 'dikirimkan' stems to 'kirim', a sequential cue; Pos and kecamatan are two agencies
    assert "interdependence.sequential" in by_code
    assert "'kirim'='dikirimkan'" in by_code["interdependence.sequential"]
    assert "agencies kecamatan, pos" in by_code["interdependence.sequential"]
    assert "mechanism.mutual-adjustment" in by_code
    assert set(codings["coder"]) == {"auto:rules"}
    assert set(codings["segment"]) == {"t:2:1", "t:2:2"}


def test_rules_need_the_relation_not_just_the_word(book) -> None:
    d = doc("Datanya dikirim tiap hari.")  # a handoff verb, but no two parties
    assert "interdependence.sequential" not in set(code_rules(segment_corpus([d]), [d], book)["code"])


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # a shared resource and parallel work: pooled, with what made the units parallel
        ("Datanya sama-sama dari DTKS, kelurahan sama kecamatan jalan sendiri.", "'sama-sama'"),
        ("Wonokusumo sama Pegirian pakai DTKS.", "kelurahan, kelurahan-pegirian (ward)"),
        ("Kelurahan-kelurahan ambil data dari DTKS, kami cuma meneruskan.", "'Kelurahan-kelurahan'"),
        # a shared resource alone is not pooled interdependence
        ("Kemensos nentukan penerimanya, berdasarkan DTKS, Pos yang nyalurkan.", None),
    ],
)
def test_pooled_needs_parallel_units(book, text: str, why: str | None) -> None:
    d = doc(text, agency="kecamatan")
    codings = code_rules(segment_corpus([d]), [d], book)
    pooled = codings[codings["code"] == "interdependence.pooled"]
    if why is None:
        assert pooled.empty
    else:
        assert pooled["evidence"].str.endswith(f"; parallel: {why}").all() and len(pooled) == 1


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # a handoff only: sequential
        ("Kami kirim datanya ke Pos.", {"interdependence.sequential"}),
        # the data comes back to the sender: reciprocal, and sequential yields to it
        (
            "Kami kirim datanya ke Pos, terus Pos kirim balik ke kami buat dicek ulang.",
            {"interdependence.reciprocal"},
        ),
        (
            "We send the list to the post office and they send it back to us corrected.",
            {"interdependence.reciprocal"},
        ),
    ],
)
def test_sequential_yields_to_reciprocal(book, text: str, codes: set[str]) -> None:
    """codebook.yaml: a flow that comes back to the sender is reciprocal, not sequential."""
    assert book.code("interdependence.sequential").requires["yields_to"] == ["interdependence.reciprocal"]
    d = doc(text, lang="en" if text.startswith("We") else "id")
    found = set(code_rules(segment_corpus([d]), [d], book)["code"])
    assert {c for c in found if c.startswith("interdependence.")} == codes


def test_negation_blocks_a_cue(book) -> None:
    plain = doc("Kami rapat dengan kecamatan.")
    negated = doc("Kami tidak pernah rapat dengan kecamatan.")
    assert "mechanism.mutual-adjustment" in set(code_rules(segment_corpus([plain]), [plain], book)["code"])
    assert "mechanism.mutual-adjustment" not in set(
        code_rules(segment_corpus([negated]), [negated], book)["code"]
    )


def test_javanese_tak_before_a_verb_is_i_not_not(book) -> None:
    """Surabaya's "tak laporno" is "I report it"; "tak bisa" is still "cannot"."""
    mine = doc("Yo tak laporno pindah.", agency="rtrw")
    cannot = doc("Yo tak bisa pindah.", agency="rtrw")
    assert "obstacle.moved" in set(code_rules(segment_corpus([mine]), [mine], book)["code"])
    assert "obstacle.moved" not in set(code_rules(segment_corpus([cannot]), [cannot], book)["code"])


def test_a_malformed_negator_heads_line_names_file_and_line(tmp_path: Path, monkeypatch) -> None:
    import qualbst.lang as lang
    from qualbst.errors import QualbstError

    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "negators.txt").write_text("tidak\n", encoding="utf-8")
    (tmp_path / "id" / "negator_heads.txt").write_text("# heads\ntak: bisa\ntak bisa ada\n", encoding="utf-8")
    monkeypatch.setattr(lang, "LANG_DIR", tmp_path)
    for cached in (lang.load_words, lang._negator_heads, lang.negator_words):
        cached.cache_clear()
    try:
        with pytest.raises(QualbstError, match=r"negator_heads\.txt:3: 'tak bisa ada' is not"):
            lang.negates("tak", "bisa", "id")
    finally:
        for cached in (lang.load_words, lang._negator_heads, lang.negator_words):
            cached.cache_clear()


def test_interviewer_turns_are_never_coded(book) -> None:
    d = doc("Iya.")
    segments = segment_corpus([d])
    segments.loc[0, "text"] = "Apakah ada rapat koordinasi dengan kecamatan dan Pos?"
    assert code_rules(segments.iloc[:1], [d], book).empty


def test_english_rules(book) -> None:
    # (split phrasal verbs like "hands the list over" are not matched: cues are contiguous)
    d = doc("The ministry sends the list to the postal service. Then we hold a meeting.",
            agency="dinsos", lang="en")  # fmt: skip
    codes = set(code_rules(segment_corpus([d]), [d], book)["code"])
    assert {"interdependence.sequential", "mechanism.mutual-adjustment"} <= codes


# -- the trained coder ----------------------------------------------------------

SEQ = ["Datanya dikirim dari Kantor Pos ke kecamatan.", "Kecamatan meneruskan undangan ke kelurahan.",
       "Undangan diserahkan ke RT lalu ke warga.", "Dari kelurahan dikirim ke Dinsos."]  # fmt: skip
MEET = ["Kami rapat koordinasi tiap minggu.", "Ada grup WA untuk koordinasi.",
        "Kami ketemu langsung dan diskusi.", "Rapat di kecamatan membahas jadwal."]  # fmt: skip


def two_answers(first: str, second: str, doc_id: str) -> Document:
    """Interviewer, informant, interviewer, informant."""
    parts = [("P", "Bagaimana?"), ("I1", first), ("P", "Lalu?"), ("I1", second)]
    body, turns = "", []
    for n, (speaker, text) in enumerate(parts, start=1):
        start = len(body) + len(speaker) + 2
        body += f"{speaker}: {text}\n"
        role = "interviewer" if speaker == "P" else "informant"
        turns.append(Turn(n, speaker, role, start, start + len(text), n))
    return Document(doc_id, "id", {"P": "interviewer", "I1": "informant"}, body, tuple(turns),
                    {"agency": "kelurahan"})  # fmt: skip


def training_corpus(n_docs: int = 6) -> tuple[list[Document], pd.DataFrame, pd.DataFrame]:
    """Each document: one answer of three handoffs, one answer of three meetings."""
    docs = []
    for i in range(n_docs):
        seq = " ".join(SEQ[(i + k) % 4] for k in range(3))
        meet = " ".join(MEET[(i + k) % 4] for k in range(3))
        docs.append(two_answers(seq, meet, f"d{i}"))
    segments = segment_corpus(docs)
    rows = []
    for seg in segments[segments["role"] == "informant"].itertuples():
        code = "interdependence.sequential" if seg.text in SEQ else "mechanism.mutual-adjustment"
        rows.append({"document": seg.document, "segment": seg.segment, "start": seg.start, "end": seg.end,
                     "code": code, "coder": "coder-a", "confidence": 1.0, "evidence": ""})  # fmt: skip
    return docs, segments, pd.DataFrame(rows)


def test_rare_codes_get_the_low_end_of_their_flat_f1(book) -> None:
    """Shipped corpus: pooled interdependence has 14 positive turns in coder-a's codes."""
    from qualbst.pipeline import load_project

    project = load_project(
        interviews=ROOT / "interviews", codebook=ROOT / "codebook", codings=ROOT / "codings"
    )
    train = {"segments": project.segments, "codings": project.codings, "documents": project.documents,
             "codebook": project.codebook, "coder": "coder-a"}  # fmt: skip
    settings = load_config()
    assert settings["rare_positives"] == 20
    rare = AutoCoder.train(**train, settings=settings)
    plain = AutoCoder.train(**train, settings={**settings, "rare_positives": 0})
    pooled = "interdependence.pooled"
    assert rare.thresholds[pooled] < plain.thresholds[pooled]
    # codes with many examples are unaffected
    assert rare.thresholds["interdependence.sequential"] == plain.thresholds["interdependence.sequential"]


def test_model_learns_saves_and_loads(book, tmp_path: Path) -> None:
    docs, segments, codings = training_corpus()
    with pytest.warns(QualbstWarning, match=r"codes left out of the model.*'obstacle.moved' \(0\)"):
        model = AutoCoder.train(segments, codings, docs, book, coder="coder-a")
    assert set(model.codes) == {"interdependence.sequential", "mechanism.mutual-adjustment"}
    assert model.unit == "turn"
    coded = model.code(segments, docs, book)
    # 6 docs x 2 answers; each answer gets its code back (the data are separable), placed on
    # the answer's segments that score above the threshold themselves
    truth = set(zip(codings["segment"], codings["code"], strict=True))
    got = set(zip(coded["segment"], coded["code"], strict=True))
    assert {(s.rsplit(":", 1)[0], c) for s, c in truth} == {(s.rsplit(":", 1)[0], c) for s, c in got}
    assert got <= truth
    assert coded["evidence"].str.contains(r"model of coder-a: turn p=.*; segment p=").all()
    again = AutoCoder.load(model.save(tmp_path / "m"), book)
    pd.testing.assert_frame_equal(again.predict(segments, docs, book), model.predict(segments, docs, book))
    described = describe_machine_coders(
        ["auto:model", "auto:rules"], codings.assign(coder="coder-b"), model=tmp_path / "m"
    )
    assert "the model in " in described["auto:model"]
    assert "trained on coder-a's codes" in described["auto:model"]  # from the folder, not the codings
    assert "rule coder" in described["auto:rules"]
    here = describe_machine_coders(["auto:model"], codings.assign(coder="coder-z"), train_coder="coder-z")[
        "auto:model"
    ]
    assert "trained here on coder-z's codes" in here
    assert "leave-one-document-out" in here


def test_segment_unit_model(book) -> None:
    docs, segments, codings = training_corpus()
    settings = {**load_config(), "unit": "segment"}
    with pytest.warns(QualbstWarning):
        model = AutoCoder.train(segments, codings, docs, book, coder="coder-a", settings=settings)
    coded = model.code(segments, docs, book)
    truth = set(zip(codings["segment"], codings["code"], strict=True))
    assert truth <= set(zip(coded["segment"], coded["code"], strict=True))
    assert coded["evidence"].str.contains("model of coder-a: p=").all()
    assert list(model.predict(segments, docs, book).index) == sorted(
        set(codings["segment"]), key=list(codings["segment"]).index
    )


def test_training_is_deterministic(book) -> None:
    docs, segments, codings = training_corpus()
    with pytest.warns(QualbstWarning):
        one = AutoCoder.train(segments, codings, docs, book, coder="coder-a").to_dict()
    with pytest.warns(QualbstWarning):
        two = AutoCoder.train(segments, codings, docs, book, coder="coder-a").to_dict()
    assert one == two


def test_model_folder_errors(book, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model folder not found"):
        AutoCoder.load(tmp_path / "nope", book)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not a readable qualbst model"):
        AutoCoder.load(tmp_path / "bad", book)
    for broken in ("nope", "bad"):  # whose codes a model learned: the same errors, without loading it
        with pytest.raises(ModelError):
            model_trainer(tmp_path / broken)
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "model.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ModelError, match="unknown format"):
        AutoCoder.load(tmp_path / "list", book)
    docs, segments, codings = training_corpus()
    with pytest.warns(QualbstWarning):
        folder = AutoCoder.train(segments, codings, docs, book, coder="coder-a").save(tmp_path / "m")
    meta = json.loads((folder / "model.json").read_text())
    meta["fingerprint"] = "0" * 16
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="trained with another codebook"):
        AutoCoder.load(folder, book)
    assert model_trainer(folder) == "coder-a"


def test_leave_one_document_out_never_sees_the_document(book) -> None:
    docs, segments, codings = training_corpus()
    held = "d0"
    first = cross_validate_model(segments, codings, docs, book, coder="coder-a")
    # Relabel d0 completely: its out-of-fold predictions must not change.
    flipped = codings.copy()
    mask = flipped["document"] == held
    flipped.loc[mask, "code"] = flipped.loc[mask, "code"].map(
        {"interdependence.sequential": "mechanism.mutual-adjustment",
         "mechanism.mutual-adjustment": "interdependence.sequential"})  # fmt: skip
    second = cross_validate_model(segments, flipped, docs, book, coder="coder-a")
    pick = ["segment", "code", "confidence"]
    pd.testing.assert_frame_equal(
        first[first["document"] == held][pick].reset_index(drop=True),
        second[second["document"] == held][pick].reset_index(drop=True),
    )


def test_turn_level_scores() -> None:
    segments = pd.DataFrame({"document": ["d"] * 4, "segment": ["a", "b", "c", "d"], "turn": [1, 1, 2, 3],
                             "role": ["informant"] * 4})  # fmt: skip
    reference = pd.DataFrame({"document": ["d"], "segment": ["a"], "code": ["x"]})
    candidate = pd.DataFrame({"document": ["d"], "segment": ["b"], "code": ["x"]})
    seg_level = score_codings(reference, candidate, segments, codes=["x"], level="segment").iloc[0]
    turn_level = score_codings(reference, candidate, segments, codes=["x"], level="turn").iloc[0]
    # segments: a vs b disagree (tp 0); turns: both in turn 1 -> agree, and turns 2, 3 absent for both
    assert (seg_level["tp"], seg_level["fp"], seg_level["fn"]) == (0, 1, 1)
    assert (turn_level["tp"], turn_level["units"], turn_level["kappa"]) == (1, 3, 1.0)


def test_combine_union_intersection() -> None:
    a = pd.DataFrame(
        {"segment": ["s1", "s2"], "code": ["x", "x"], "confidence": [0.5, 0.5], "coder": ["r", "r"]}
    )
    b = pd.DataFrame(
        {"segment": ["s2", "s3"], "code": ["x", "x"], "confidence": [0.9, 0.7], "coder": ["m", "m"]}
    )
    assert sorted(combine_codings(a, b, how="union", coder="u")["segment"]) == ["s1", "s2", "s3"]
    both = combine_codings(a, b, how="intersection", coder="i")
    assert both[["segment", "confidence", "coder"]].values.tolist() == [["s2", 0.9, "i"]]


def test_evaluate_coders_scores_machines_and_another_person(book) -> None:
    docs, segments, codings = training_corpus()
    # a second person who agrees on every passage but one
    other = codings.assign(coder="coder-b")
    other = other[other["segment"] != other["segment"].iloc[0]]
    both = pd.concat([codings, other], ignore_index=True)
    table, machines = evaluate_coders(segments, both, docs, book, against="coder-a")
    assert set(machines) == {"auto:rules", "auto:model (leave-one-document-out)",
                             "union (rules or model)", "intersection (rules and model)"}  # fmt: skip
    assert set(table["coder"]) == {*machines, "coder-b (another person)"}
    assert set(table["level"]) == {"segment", "turn"}
    person = table[(table["coder"] == "coder-b (another person)") & (table["level"] == "segment")]
    missed = person[person["code"] == codings["code"].iloc[0]].iloc[0]
    assert (missed["tp"], missed["fp"], missed["fn"]) == (missed["support"] - 1, 0, 1)
    # turn level: the one missing segment's turn still has the code from its other segments
    turn = table[(table["coder"] == "coder-b (another person)") & (table["level"] == "turn")]
    assert (turn.loc[turn["code"] == "(macro: all codes)", "kappa"] > 0.99).all()


def test_machine_codings_both_leaves_out_a_broken_model_with_a_note(book, tmp_path: Path) -> None:
    from qualbst.coding.machine import machine_codings

    docs, segments, codings = training_corpus()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.json").write_text("{not json", encoding="utf-8")
    notes: list[str] = []
    coded = machine_codings(segments, codings, docs, book, coder="both", model=tmp_path / "bad", notes=notes)
    assert set(coded["coder"]) == {"auto:rules"} and len(coded) > 0
    assert len(notes) == 1 and notes[0].startswith("auto:model left out: not a readable qualbst model")
    with pytest.raises(ModelError):  # asked for the model alone, or with nowhere to note it: an error
        machine_codings(segments, codings, docs, book, coder="model", model=tmp_path / "bad", notes=[])
    with pytest.raises(ModelError):
        machine_codings(segments, codings, docs, book, coder="both", model=tmp_path / "bad")


def test_counts_once_give_the_tfidf_matrix_of_a_vectorizer_fitted_on_the_rows() -> None:
    """The trainer counts every unit once and slices rows for each fit: the
    matrices and vocabulary must be exactly scikit-learn's for those rows."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualbst.coding.model import _analyzer, _Counts, load_config

    settings = {**load_config(), "min_df": 2}
    views = [["kirim", "data", "AG:pos"], ["kirim", "ke", "pos"], ["data", "balik", "NEG"], ["kirim", "data"]]
    counts = _Counts(views, settings)
    for rows in ([0, 1, 2, 3], [0, 3], [1, 2, 3]):
        vectorizer, columns, matrix = counts.tfidf(rows)
        reference = TfidfVectorizer(analyzer=_analyzer(settings["ngram"]), min_df=2, sublinear_tf=True)
        expected = reference.fit_transform([views[i] for i in rows])
        assert vectorizer.vocabulary_ == reference.vocabulary_
        assert np.array_equal(vectorizer.idf_, reference.idf_)
        assert np.array_equal(matrix.toarray(), expected.toarray())
        held = [i for i in range(4) if i not in rows] or [0]
        assert np.array_equal(
            columns.transform(counts.matrix[held]).toarray(),
            reference.transform([views[i] for i in held]).toarray(),
        )
        assert np.array_equal(vectorizer.transform([views[i] for i in held]).toarray(),
                              reference.transform([views[i] for i in held]).toarray())  # fmt: skip
