"""spaCy's ``textcat_multilabel`` against qualbst's trained coder, on the same folds.

Issue #4 asks for a spaCy ``textcat_multilabel`` "or better, if you measure
better". This script is that measurement. Both learners see the same data:
the informant turns of the shipped corpus that ``coder-a`` coded, labelled
with ``coder-a``'s codes (a turn has a code when any of its segments has it),
split into ``--folds`` folds of whole documents (sorted ids, round robin).
Each fold is coded by a model trained on the other folds; scores are
turn-level Cohen's kappa per code (scikit-learn), macro-averaged over the
three ``interdependence.*`` codes and over all codes, and the wall and CPU
seconds of the training.

- ``textcat_multilabel``: a blank spaCy pipeline of the document's language
  family (``xx``, so one model serves Indonesian and English, as qualbst's
  does), the component's default model (bag-of-words + CNN ensemble),
  ``--epochs`` epochs of minibatches with a fixed seed; a code is given
  where its score reaches 0.5 (the component's own threshold).
- ``auto:model``: :class:`qualbst.coding.model.AutoCoder` with the shipped
  settings (``autocoder.yaml``): thresholds chosen on inner folds of the
  training documents, its features include the rule coder's codes and the
  statement's shape.

Prints Markdown; ``bench/run_all.py`` includes it in ``bench/RESULTS.md``.

Usage: ``python bench/textcat.py [--folds 3] [--epochs 30]`` (about 2 minutes)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CODER = "coder-a"
INTERDEPENDENCE = "interdependence."


def _turns(project: Any) -> tuple[list[str], dict[str, str], dict[str, str], dict[str, set[str]]]:
    """Informant turns of the documents CODER coded: ids, texts, documents, label sets."""
    codings = project.codings[project.codings["coder"] == CODER]
    coded = set(codings["document"])
    rows = project.segments[
        (project.segments["role"].str.lower() != "interviewer") & project.segments["document"].isin(coded)
    ]
    texts: dict[str, list[str]] = defaultdict(list)
    document: dict[str, str] = {}
    of_segment: dict[str, str] = {}
    for seg, doc, turn, text in zip(
        rows["segment"].tolist(),
        rows["document"].tolist(),
        rows["turn"].tolist(),
        rows["text"].tolist(),
        strict=True,
    ):
        unit = f"{doc}:{turn}"
        texts[unit].append(text)
        document[unit] = doc
        of_segment[seg] = unit
    labels: dict[str, set[str]] = defaultdict(set)
    for seg, code in zip(codings["segment"].tolist(), codings["code"].tolist(), strict=True):
        if seg in of_segment:
            labels[of_segment[seg]].add(code)
    units = list(texts)
    return units, {u: " ".join(texts[u]) for u in units}, document, labels


def _kappas(
    units: list[str], truth: dict[str, set[str]], given: dict[str, set[str]], codes: list[str]
) -> dict[str, float]:
    from sklearn.metrics import cohen_kappa_score

    out = {}
    for code in codes:
        a = [int(code in truth.get(u, set())) for u in units]
        b = [int(code in given.get(u, set())) for u in units]
        out[code] = float(cohen_kappa_score(a, b)) if len(set(a) | set(b)) > 1 else float("nan")
    return out


def _textcat(
    train: list[str],
    test: list[str],
    texts: dict[str, str],
    labels: dict[str, set[str]],
    codes: list[str],
    epochs: int,
    seed: int,
) -> dict[str, set[str]]:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("xx")
    textcat = nlp.add_pipe("textcat_multilabel")
    for code in codes:
        textcat.add_label(code)
    examples = [
        Example.from_dict(
            nlp.make_doc(texts[u]), {"cats": {c: float(c in labels.get(u, set())) for c in codes}}
        )
        for u in train
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    given: dict[str, set[str]] = {}
    for unit, doc in zip(test, nlp.pipe(texts[u] for u in test), strict=True):
        given[unit] = {c for c, p in doc.cats.items() if p >= 0.5}
    return given


def _autocoder(
    project: Any, train_docs: set[str], test: list[str], document: dict[str, str]
) -> dict[str, set[str]]:
    from qualbst.coding.model import AutoCoder

    codings = project.codings[
        (project.codings["coder"] == CODER) & project.codings["document"].isin(train_docs)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoCoder.train(project.segments, codings, project.documents, project.codebook, coder=CODER)
    wanted = {document[u] for u in test}
    segments = project.segments[project.segments["document"].isin(wanted)]
    coded = model.code(segments, project.documents, project.codebook)
    given: dict[str, set[str]] = defaultdict(set)
    for seg, code in zip(coded["segment"].tolist(), coded["code"].tolist(), strict=True):
        doc, turn, _ = seg.rsplit(":", 2)
        given[f"{doc}:{turn}"].add(code)
    return given


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from qualbst.pipeline import load_project

    project = load_project(
        interviews=REPO / "interviews", codebook=REPO / "codebook", codings=REPO / "codings"
    )
    units, texts, document, labels = _turns(project)
    codes = [c for c in project.codebook.codable_ids if sum(c in labels[u] for u in units) >= 5]
    names = sorted(set(document.values()))
    folds = [set(names[i :: args.folds]) for i in range(args.folds)]
    given: dict[str, dict[str, set[str]]] = {"textcat_multilabel": {}, "auto:model": {}}
    seconds: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in given}
    for held in folds:
        test = [u for u in units if document[u] in held]
        train = [u for u in units if document[u] not in held]
        for name in given:
            wall, cpu = time.perf_counter(), time.process_time()
            if name == "textcat_multilabel":
                found = _textcat(train, test, texts, labels, codes, args.epochs, args.seed)
            else:
                found = _autocoder(project, set(names) - held, test, document)
            seconds[name]["wall"].append(time.perf_counter() - wall)
            seconds[name]["cpu"].append(time.process_time() - cpu)
            given[name].update(found)
    inter = [c for c in codes if c.startswith(INTERDEPENDENCE)]
    print(
        f"Shipped corpus, {CODER}'s codes: {len(units):,} informant turns of {len(names)} documents, "
        f"{len(codes)} codes with at least 5 turns; {args.folds} folds of whole documents; "
        f"textcat_multilabel: {args.epochs} epochs, seed {args.seed}.\n"
    )
    print(
        "| learner | macro kappa, interdependence | macro kappa, all codes "
        "| training s per fold, wall (CPU), median |"
    )
    print("|---|---:|---:|---:|")
    per_code: dict[str, dict[str, float]] = {}
    for name in given:
        kappas = _kappas(units, labels, given[name], codes)
        per_code[name] = kappas
        inter_k = statistics.fmean(kappas[c] for c in inter if kappas[c] == kappas[c])
        all_k = statistics.fmean(k for k in kappas.values() if k == k)
        wall = statistics.median(seconds[name]["wall"])
        cpu = statistics.median(seconds[name]["cpu"])
        print(f"| {name} | {inter_k:.2f} | {all_k:.2f} | {wall:.1f} ({cpu:.1f}) |")
    print("\n| code | " + " | ".join(given) + " |")
    print("|---|" + "---:|" * len(given))
    for code in codes:
        print(f"| `{code}` | " + " | ".join(f"{per_code[n][code]:.2f}" for n in given) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
