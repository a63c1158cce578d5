"""Stage-by-stage benchmarks; each command runs in its own (fresh) process.

``run_all.py`` starts one process per command and size, so that the peak
memory it reads (``ru_maxrss``) belongs to that measurement alone. Each
command writes a JSON record to ``--json``.

Commands
--------
stream
    The per-document path over a generated corpus, one document at a time:
    read and segment (``read_document`` + ``segment_corpus([doc])``), agency
    recognition (``find_mentions``), rule coding (``code_rules`` given the
    mentions), spaCy's tokenizer alone over the same segment texts,
    interactions (``extract_interactions`` from the rule codings), and
    appending the tables to CSV files (nothing kept in memory).
ratio
    The rule coder against the tokenizer alone, on a sample of the corpus,
    repeated (medians).
whole
    The library's whole-corpus path: ``read_corpus`` + ``segment_corpus``
    (everything in memory); with ``--exports RUN`` also the graph from a
    stream run's codings and every export (GraphML, GEXF, JSON, SVG/PNG,
    HTML, REFI-QDA ``.qdpx``).
model
    Train the model coder once on the shipped corpus (coder-a's codes), then
    code a generated corpus document by document with ``AutoCoder.code``.
graph
    ``build_graph`` and every analysis of ``qualbst/network/analyses.py`` for
    a given number of coded segments, taken from a stream run's output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, Clock, peak_rss_mb, rss_mb, words_of

sys.path.insert(0, str(REPO))

SHIPPED = REPO / "interviews"
CODEBOOK = REPO / "codebook"
CODINGS = REPO / "codings"
TRAIN_CODER = "coder-a"


def _files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.md"))


def _warm_up() -> Any:
    """Import, load the codebook, build both pipelines and annotators, fill the caches.

    Every shipped transcript goes through every stage once, so the stem and
    tokenizer caches hold the vocabulary the generated corpora reuse: the
    per-word figures are then steady-state, at every size, and this fixed
    start-up cost (reported as ``setup_seconds``) is not in them.
    """
    from qualbst.codebook import load_codebook
    from qualbst.coding.matching import annotator
    from qualbst.coding.rules import code_rules, find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.network.interactions import extract_interactions
    from qualbst.segments import segment_corpus

    book = load_codebook(CODEBOOK)
    for path in sorted(SHIPPED.glob("*.md")):
        doc = read_document(path)
        annotator(book, doc.language)
        segments = segment_corpus([doc])
        codings = code_rules(segments, [doc], book, mentions=find_mentions(segments, [doc], book))
        extract_interactions(segments, codings, [doc], book)
    return book


def _dump(record: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def stream(corpus: Path, out: Path, json_path: Path) -> None:
    """The per-document path (see module docstring)."""
    from qualbst.coding.rules import RULES_CODER, code_rules, find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.network.interactions import extract_interactions
    from qualbst.nlp import build_nlp
    from qualbst.segments import segment_corpus

    start = time.perf_counter()
    book = _warm_up()
    baseline = rss_mb()
    setup = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    names = ("segments", "mentions", "codings", "interactions")
    handles = {n: (out / f"{n}.csv").open("w", encoding="utf-8", newline="") for n in names}
    first = dict.fromkeys(names, True)
    clock = Clock()
    counts = dict.fromkeys(
        ("documents", "words", "informant_words", "segments", "mentions", "codings", "coded_segments"), 0
    )
    counts["interactions"] = 0
    samples: list[tuple[int, float]] = []
    by_language: dict[str, int] = {}
    files = _files(corpus)
    every = max(1, len(files) // 20)
    for number, path in enumerate(files, start=1):
        with clock.stage("read+segment"):
            doc = read_document(path)
            segments = segment_corpus([doc])
        texts = segments["text"].tolist()
        counts["documents"] += 1
        counts["words"] += words_of(texts)
        by_language[doc.language] = by_language.get(doc.language, 0) + words_of(texts)
        counts["informant_words"] += words_of(
            segments.loc[segments["role"].str.lower() != "interviewer", "text"].tolist()
        )
        with clock.stage("mentions", f"mentions[{doc.language}]"):
            mentions = find_mentions(segments, [doc], book)
        with clock.stage("rules", f"rules[{doc.language}]"):
            codings = code_rules(segments, [doc], book, mentions=mentions)
        with clock.stage("tokenizer", f"tokenizer[{doc.language}]"):
            tokenizer: Any = build_nlp(doc.language).tokenizer
            for _ in tokenizer.pipe(texts):
                pass
        with clock.stage("interactions", f"interactions[{doc.language}]"):
            interactions = extract_interactions(segments, codings, [doc], book, coders=[RULES_CODER])
        with clock.stage("write"):
            for name, frame in zip(names, (segments, mentions, codings, interactions), strict=True):
                frame.to_csv(handles[name], header=first[name], index=False, lineterminator="\n")
                first[name] = False
        counts["segments"] += len(segments)
        counts["mentions"] += len(mentions)
        counts["codings"] += len(codings)
        counts["coded_segments"] += codings["segment"].nunique()
        counts["interactions"] += len(interactions)
        if number % every == 0 or number == len(files):
            samples.append((counts["words"], round(rss_mb(), 1)))
        del doc, segments, mentions, codings, interactions
    for handle in handles.values():
        handle.close()
    _dump(
        {
            "command": "stream",
            "corpus": str(corpus),
            **counts,
            "words_by_language": by_language,
            "wall": clock.wall,
            "cpu": clock.cpu,
            "peak_growth_mb": clock.peak_growth,
            "setup_seconds": setup,
            "baseline_rss_mb": baseline,
            "peak_rss_mb": peak_rss_mb(),
            "rss_samples": samples,
            "elapsed": time.perf_counter() - start,
            "load_average_end": os.getloadavg()[0],
        },
        json_path,
    )


def ratio(corpus: Path, json_path: Path, sample_words: int, repeats: int) -> None:
    """Rule coding vs the tokenizer alone on the same segment texts, repeated."""
    import spacy

    from qualbst.coding.matching import SEPARATOR
    from qualbst.coding.rules import code_rules, find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.nlp import build_nlp
    from qualbst.segments import segment_corpus

    book = _warm_up()
    sample: list[tuple[Any, Any, list[str]]] = []
    words = 0
    files = _files(corpus)
    random.Random(0).shuffle(files)  # both languages, not the first files by name
    for path in files:
        doc = read_document(path)
        segments = segment_corpus([doc])
        texts = segments["text"].tolist()
        sample.append((doc, segments, texts))
        words += words_of(texts)
        if words >= sample_words:
            break
    shipped: dict[str, Any] = {lang: spacy.blank(lang).tokenizer for lang in ("id", "en")}
    ours: dict[str, Any] = {lang: build_nlp(lang).tokenizer for lang in ("id", "en")}
    for lang in ("id", "en"):  # warm both tokenizers' caches on the sample once
        for doc, _, texts in sample:
            if doc.language == lang:
                list(shipped[lang].pipe(texts))
                list(ours[lang].pipe(texts))

    def run_tokenizer(tokenizers: dict[str, Any]) -> None:
        for doc, _, texts in sample:
            for _ in tokenizers[doc.language].pipe(texts):
                pass

    def run_segment() -> None:
        for doc, _, _ in sample:
            segment_corpus([doc])

    mentions_of: dict[str, Any] = {}

    def run_mentions() -> None:
        for doc, segments, _ in sample:
            mentions_of[doc.id] = find_mentions(segments, [doc], book)

    def run_rules() -> None:
        for doc, segments, _ in sample:
            code_rules(segments, [doc], book, mentions=mentions_of[doc.id])

    def run_per_document() -> None:  # as qualbst run: code_rules reuses find_mentions' Doc
        for doc, segments, _ in sample:
            code_rules(segments, [doc], book, mentions=find_mentions(segments, [doc], book))

    def run_tokenizer_documents() -> None:
        for doc, _, texts in sample:
            ours[doc.language](SEPARATOR.join(texts))

    steps = {
        "tokenizer (qualbst build_nlp)": lambda: run_tokenizer(ours),
        "tokenizer (spaCy blank, as shipped)": lambda: run_tokenizer(shipped),
        "segment (nlp.pipe + sentencizer)": run_segment,
        "mentions (find_mentions)": run_mentions,
        "rules (code_rules, mentions given)": run_rules,
        "mentions then rules, per document (find_mentions, code_rules)": run_per_document,
        "tokenizer (qualbst build_nlp), each document's segments as one text": run_tokenizer_documents,
    }
    seconds: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            seconds[name].append(time.perf_counter() - t0)
    tok = seconds["tokenizer (qualbst build_nlp)"]
    mention_s = seconds["mentions (find_mentions)"]
    rule_s = seconds["rules (code_rules, mentions given)"]
    seg_s = seconds["segment (nlp.pipe + sentencizer)"]
    ratios = {
        "rules only (code_rules, mentions given)": [t / r for t, r in zip(tok, rule_s, strict=True)],
        "rules incl. agency recognition (find_mentions + code_rules)": [
            t / (m + r) for t, m, r in zip(tok, mention_s, rule_s, strict=True)
        ],
        "rules incl. agency recognition, one document at a time as `qualbst run` calls them": [
            t / r
            for t, r in zip(
                tok, seconds["mentions then rules, per document (find_mentions, code_rules)"], strict=True
            )
        ],
        "the same, against the tokenizer on each document as one text": [
            t / r
            for t, r in zip(
                seconds["tokenizer (qualbst build_nlp), each document's segments as one text"],
                seconds["mentions then rules, per document (find_mentions, code_rules)"],
                strict=True,
            )
        ],
        "from text (segment + find_mentions + code_rules)": [
            t / (s + m + r) for t, s, m, r in zip(tok, seg_s, mention_s, rule_s, strict=True)
        ],
        "spaCy tokenizer as shipped (id: 16k exceptions)": [
            t / s for t, s in zip(tok, seconds["tokenizer (spaCy blank, as shipped)"], strict=True)
        ],
    }
    _dump(
        {
            "command": "ratio",
            "documents": len(sample),
            "words": words,
            "repeats": repeats,
            "seconds": seconds,
            "words_per_second": {k: words / statistics.median(v) for k, v in seconds.items()},
            "ratios": ratios,
            "median_ratios": {k: statistics.median(v) for k, v in ratios.items()},
            "peak_rss_mb": peak_rss_mb(),
        },
        json_path,
    )


def whole(corpus: Path, json_path: Path, run: Path | None, exports_dir: Path | None) -> None:
    """The library's whole-corpus path, and (with ``run``) the graph and exports."""
    import pandas as pd

    from qualbst.corpus.readers import read_corpus
    from qualbst.segments import segment_corpus

    _warm_up()
    baseline = rss_mb()
    clock = Clock()
    with clock.stage("read_corpus"):
        documents = read_corpus(corpus)
    after_read = rss_mb()
    with clock.stage("segment_corpus"):
        segments = segment_corpus(documents)
    after_segment = rss_mb()
    record: dict[str, Any] = {
        "command": "whole",
        "documents": len(documents),
        "segments": len(segments),
        "words": words_of(segments["text"].tolist()),
        "baseline_rss_mb": baseline,
        "rss_after_read_mb": after_read,
        "rss_after_segment_mb": after_segment,
        "peak_rss_before_exports_mb": peak_rss_mb(),
    }
    if run is not None and exports_dir is not None:
        from qualbst.codebook import load_codebook
        from qualbst.interop import export_qdpx
        from qualbst.network import (
            EmptyGraphWarning,
            build_graph,
            draw_graph,
            write_gexf,
            write_graph_html,
            write_graph_json,
            write_graphml,
        )
        from qualbst.pipeline import Project

        book = load_codebook(CODEBOOK)
        codings = pd.read_csv(run / "codings.csv", keep_default_na=False)
        interactions = pd.read_csv(run / "interactions.csv", keep_default_na=False)
        mentions = pd.read_csv(run / "mentions.csv", keep_default_na=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EmptyGraphWarning)
            with clock.stage("build_graph"):
                graph = build_graph(
                    interactions, book, documents=documents, mentions=mentions, segments=segments
                )
        exports_dir.mkdir(parents=True, exist_ok=True)
        with clock.stage("write_graphml"):
            write_graphml(graph, exports_dir / "graph.graphml")
        with clock.stage("write_gexf"):
            write_gexf(graph, exports_dir / "graph.gexf")
        with clock.stage("write_graph_json"):
            write_graph_json(graph, exports_dir / "graph.json")
        with clock.stage("draw_graph (svg+png)"):
            draw_graph(graph, exports_dir / "graph.svg", title="Coordination graph")
        with clock.stage("write_graph_html"):
            write_graph_html(graph, exports_dir / "graph.html")
        project = Project(documents, book, segments, codings)
        with clock.stage("export_qdpx"):
            export_qdpx(project, exports_dir / "project.qdpx", codings=codings, interactions=interactions)
        record.update(
            {
                "peak_growth": clock.peak_growth,
                "codings": len(codings),
                "interactions": len(interactions),
                "edges": graph.number_of_edges(),
                "nodes": graph.number_of_nodes(),
                "sizes_bytes": {p.name: p.stat().st_size for p in sorted(exports_dir.iterdir())},
            }
        )
    record.update({"wall": clock.wall, "cpu": clock.cpu, "peak_rss_mb": peak_rss_mb()})
    _dump(record, json_path)


def model(corpus: Path, json_path: Path) -> None:
    """Train on the shipped corpus once, then code ``corpus`` document by document."""
    from qualbst.coding.model import AutoCoder
    from qualbst.coding.rules import find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.pipeline import load_project
    from qualbst.segments import segment_corpus

    book = _warm_up()
    clock = Clock()
    project = load_project(interviews=SHIPPED, codebook=CODEBOOK, codings=CODINGS)
    shipped_mentions = find_mentions(project.segments, project.documents, project.codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with clock.stage("train"):
            coder = AutoCoder.train(
                project.segments,
                project.codings,
                project.documents,
                project.codebook,
                coder=TRAIN_CODER,
                mentions=shipped_mentions,
            )
    baseline = rss_mb()
    counts = {"documents": 0, "words": 0, "codings": 0}
    for path in _files(corpus):
        with clock.stage("read+segment+mentions"):
            doc = read_document(path)
            segments = segment_corpus([doc])
            mentions = find_mentions(segments, [doc], book)
        with clock.stage("model"):
            codings = coder.code(segments, [doc], book, mentions=mentions)
        counts["documents"] += 1
        counts["words"] += words_of(segments["text"].tolist())
        counts["codings"] += len(codings)
    _dump(
        {
            "command": "model",
            **counts,
            "codes": len(coder.codes),
            "shipped_informant_segments": int((project.segments["role"].str.lower() != "interviewer").sum()),
            "wall": clock.wall,
            "cpu": clock.cpu,
            "baseline_rss_mb": baseline,
            "peak_rss_mb": peak_rss_mb(),
        },
        json_path,
    )


def _replicated(run: Path, wanted: int) -> tuple[Any, Any, Any, int, int]:
    """Codings, interactions and mentions of at least ``wanted`` coded segments.

    Whole documents are taken (in a fixed shuffled order) from the run's tables; when the run has
    too few, its documents are used again under new ids (``<id>-r<k>``).
    """
    import pandas as pd

    codings = pd.read_csv(run / "codings.csv", keep_default_na=False)
    interactions = pd.read_csv(run / "interactions.csv", keep_default_na=False)
    mentions = pd.read_csv(run / "mentions.csv", keep_default_na=False)
    per_doc = codings.groupby("document", sort=False)["segment"].nunique()
    order = list(per_doc.index)
    random.Random(0).shuffle(order)  # both languages, not the first documents by name
    per_doc = per_doc.loc[order]
    chosen: list[tuple[str, int]] = []
    total = 0
    copy = 0
    while total < wanted:
        for document, count in per_doc.items():
            chosen.append((str(document), copy))
            total += int(count)
            if total >= wanted:
                break
        copy += 1

    def take(frame: Any) -> Any:
        parts = []
        for k in range(copy):
            docs = {d for d, c in chosen if c == k}
            part = frame[frame["document"].isin(docs)]
            if k:
                suffix = f"-r{k}"
                part = part.assign(
                    document=part["document"] + suffix,
                    segment=part["segment"].str.replace(":", suffix + ":", n=1, regex=False),
                )
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    return take(codings), take(interactions), take(mentions), total, copy


def graph(run: Path, json_path: Path, coded: int, repeats: int) -> None:
    """``build_graph`` and every analysis for ``coded`` coded segments (medians of repeats)."""
    from qualbst.codebook import load_codebook
    from qualbst.network import (
        EmptyGraphWarning,
        build_graph,
        centrality,
        coordination_fit,
        coordination_links,
        load_expected,
        pooled_groups,
        reciprocal_pairs,
        replication_check,
        replication_summary,
        sequential_chains,
        sequential_cycles,
    )

    book = load_codebook(CODEBOOK)
    expected = load_expected(CODEBOOK / "expected.yaml", book)
    codings, interactions, mentions, total, copies = _replicated(run, coded)
    baseline = rss_mb()
    runs: list[Clock] = []
    for _ in range(repeats):
        clock = Clock()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EmptyGraphWarning)
            with clock.stage("build_graph"):
                g = build_graph(interactions, book, mentions=mentions)
        with clock.stage("centrality"):
            centrality(g)
        with clock.stage("sequential_chains"):
            sequential_chains(g)
        with clock.stage("sequential_cycles"):
            sequential_cycles(g)
        with clock.stage("reciprocal_pairs"):
            reciprocal_pairs(g)
        with clock.stage("pooled_groups"):
            pooled_groups(g)
        with clock.stage("coordination_links"):
            coordination_links(g, codings)
        with clock.stage("coordination_fit"):
            coordination_fit(g, codings)
        with clock.stage("replication_check+summary"):
            replication_summary(replication_check(g, expected))
        runs.append(clock)
    wall = {k: statistics.median(c.wall[k] for c in runs) for k in runs[0].wall}
    cpu = {k: statistics.median(c.cpu[k] for c in runs) for k in runs[0].cpu}
    _dump(
        {
            "command": "graph",
            "coded_segments": total,
            "copies": copies,
            "codings": len(codings),
            "interactions": len(interactions),
            "mentions": len(mentions),
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "repeats": repeats,
            "wall": wall,
            "cpu": cpu,
            "baseline_rss_mb": baseline,
            "peak_rss_mb": peak_rss_mb(),
        },
        json_path,
    )


def hotspots(corpus: Path, json_path: Path, sample_words: int, repeats: int) -> None:
    """Where agency recognition and rule coding spend their time (medians of repeats).

    Times each part of :class:`qualbst.coding.matching.Annotator` separately
    on the segments of a sample of the corpus; the library is not changed.
    """
    from qualbst.coding.matching import SEPARATOR, annotator
    from qualbst.coding.rules import RULES_CODER, code_rules, find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.network.interactions import extract_interactions
    from qualbst.nlp import build_nlp
    from qualbst.segments import segment_corpus

    book = _warm_up()
    files = _files(corpus)
    random.Random(0).shuffle(files)
    data: list[tuple[Any, Any, Any, Any]] = []
    words = 0
    for path in files:
        doc = read_document(path)
        segments = segment_corpus([doc])
        mentions = find_mentions(segments, [doc], book)
        data.append((doc, segments, mentions, code_rules(segments, [doc], book, mentions=mentions)))
        words += words_of(segments["text"].tolist())
        if words >= sample_words:
            break

    def median_seconds(step: Any) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    def tokenize() -> None:
        for doc, segments, _, _ in data:
            tokenizer: Any = build_nlp(doc.language).tokenizer
            for _ in tokenizer.pipe(segments["text"].tolist()):
                pass

    def tokenize_documents() -> None:
        for doc, segments, _, _ in data:
            build_nlp(doc.language).make_doc(SEPARATOR.join(segments["text"].tolist()))

    # The rule coder reads each document's segments as one Doc (Annotator._view, cached for the
    # last few documents: the sample is larger, so each pass below starts cold). Private parts are
    # timed on their own here; the library is not changed.
    batches = [(annotator(book, d.language), s["text"].tolist()) for d, s, _, _ in data]
    views = [(ann, ann._view(texts)) for ann, texts in batches]
    owns = [["kelurahan"] * len(texts) for _, texts in batches]
    seconds: dict[str, float] = {
        "spaCy tokenizer alone": median_seconds(tokenize),
        "spaCy tokenizer, each document's segments as one text": median_seconds(tokenize_documents),
        "`Annotator._view` (one Doc per document: tokenizer, a stem per word to `lemma_`, text bounds)": (
            median_seconds(lambda: [ann._view(texts) for ann, texts in batches])
        ),
        "agency recognition (`Annotator._mentions`: agency matcher, pronouns, fuzzy), view given": (
            median_seconds(lambda: [ann._mentions(v, o) for (ann, v), o in zip(views, owns, strict=True)])
        ),
        "cue matching (`Annotator._cues`: every matcher, negation), view given": median_seconds(
            lambda: [ann._cues(v) for ann, v in views]
        ),
    }
    for name in ("stem_matcher", "lower_matcher", "agency_matcher"):
        seconds[f"`Annotator.{name}` alone, view given"] = median_seconds(
            lambda name=name: [getattr(ann, name)(v.doc) for ann, v in views]
        )
    seconds["`Annotator._prefix_matches` alone, view given"] = median_seconds(
        lambda: [ann._prefix_matches(v) for ann, v in views]
    )
    seconds["`Annotator._gap_matches` alone, view given"] = median_seconds(
        lambda: [ann._gap_matches(v) for ann, v in views]
    )
    seconds["`find_mentions` (whole function)"] = median_seconds(
        lambda: [find_mentions(s, [d], book) for d, s, _, _ in data]
    )
    seconds["`code_rules` (whole function, mentions given)"] = median_seconds(
        lambda: [code_rules(s, [d], book, mentions=m) for d, s, m, _ in data]
    )
    seconds["`find_mentions`, then `code_rules` on its Doc, per document (as `qualbst run`)"] = (
        median_seconds(
            lambda: [code_rules(s, [d], book, mentions=find_mentions(s, [d], book)) for d, s, _, _ in data]
        )
    )
    seconds["`extract_interactions` (whole function)"] = median_seconds(
        lambda: [extract_interactions(s, c, [d], book, coders=[RULES_CODER]) for d, s, _, c in data]
    )
    _dump(
        {
            "command": "hotspots",
            "documents": len(data),
            "segments": sum(len(texts) for _, texts in batches),
            "words": words,
            "repeats": repeats,
            "seconds": seconds,
            "peak_rss_mb": peak_rss_mb(),
        },
        json_path,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line (used by run_all.py)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("stream")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder for the CSV tables")
    p.add_argument("--json", type=Path, required=True)
    p = sub.add_parser("ratio")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--sample-words", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=5)
    p = sub.add_parser("hotspots")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--sample-words", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=3)
    p = sub.add_parser("whole")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--run", type=Path, default=None, help="a stream run's folder (for graph and exports)")
    p.add_argument("--exports", type=Path, default=None, help="folder for the exported files")
    p = sub.add_parser("model")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p = sub.add_parser("graph")
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--coded", type=int, required=True, help="coded segments to build the graph from")
    p.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "stream":
        stream(args.corpus, args.out, args.json)
    elif args.command == "ratio":
        ratio(args.corpus, args.json, args.sample_words, args.repeats)
    elif args.command == "hotspots":
        hotspots(args.corpus, args.json, args.sample_words, args.repeats)
    elif args.command == "whole":
        whole(args.corpus, args.json, args.run, args.exports)
    elif args.command == "model":
        model(args.corpus, args.json)
    else:
        graph(args.run, args.json, args.coded, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
