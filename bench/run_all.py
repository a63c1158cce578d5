"""Run every benchmark, print the tables and (re)write ``bench/RESULTS.md``.

Usage::

    make bench                                  # .venv/bin/python bench/run_all.py
    .venv/bin/python bench/run_all.py --quick   # tiny sizes: checks the scripts in seconds
    .venv/bin/python bench/run_all.py --sizes 1,4 --base-words 500000

Every measurement runs in a fresh child process (``bench/stages.py``), one
after the other, so that each peak memory figure is that measurement's own.
Generated corpora and the tables the stream runs write go to ``--work``
(default: ``<tmp>/qualbst-bench``); nothing is written to ``interviews/``.
If ``bench/pipeline.py`` exists it is run too and its printed markdown is
included under its own heading. ``--quick`` writes its report to the work
folder, not to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, table
from generate import generate_corpus

BENCH = REPO / "bench"
RESULTS = BENCH / "RESULTS.md"
TOLERANCE = 0.15  # linear scaling: time per word within 15% across sizes
MEMORY_LIMIT = 1.5  # peak memory at the largest size within 1.5x of 1x
RATIO_TARGET = 0.5  # rule coding at least half the tokenizer's words/s
SCALING_STAGES = ("read+segment", "mentions", "rules", "interactions")
STAGE_NAMES = {
    "read+segment": "read + segment (`read_document` + `segment_corpus([doc])`)",
    "mentions": "agency recognition (`find_mentions`)",
    "rules": "rule coding, mentions given (`code_rules(..., mentions=)`)",
    "rules+mentions": "rule coding incl. agency recognition (`find_mentions` + `code_rules`)",
    "tokenizer": "spaCy tokenizer alone (`build_nlp(lang).tokenizer.pipe`)",
    "interactions": "interactions (`extract_interactions`, from the rule codings)",
    "write": "append the four tables to CSV",
}


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ machine


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    import networkx
    import pandas
    import spacy

    cpu = "unknown"
    with Path("/proc/cpuinfo").open() as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with Path("/proc/meminfo").open() as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "qualbst"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += " (qualbst/ has uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} (usable by this process: {len(os.sched_getaffinity(0))})",
        "RAM": mem,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "spaCy": spacy.__version__,
        "pandas": pandas.__version__,
        "networkx": networkx.__version__,
        "qualbst commit": commit,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def library_state() -> dict[str, float]:
    """Modification time of every file of the package (to notice edits during a run)."""
    root = REPO / "qualbst"
    return {
        str(p.relative_to(REPO)): p.stat().st_mtime
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def library_changes(before: dict[str, float], after: dict[str, float]) -> list[str]:
    """Files of the package added, removed or modified between two states."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


# ------------------------------------------------------------------ children


REUSE = False  # set by --reuse: take a child's JSON from an earlier run when it is there


def child(command: str, json_path: Path, *args: str, timeout: float | None = None) -> dict[str, Any]:
    """Run ``bench/stages.py command`` in a fresh process; return its JSON (or the error)."""
    cmd = [sys.executable, str(BENCH / "stages.py"), command, "--json", str(json_path), *args]
    if REUSE and json_path.exists():
        log(f"  reusing {json_path}")
        reused: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
        return reused
    json_path.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s: {' '.join(cmd)}"}
    if done.returncode != 0 or not json_path.exists():
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        return {"error": f"exit {done.returncode}: {' '.join(cmd)}\n{tail}"}
    record: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    record["child_seconds"] = time.perf_counter() - started
    return record


def run_pipeline_script(timeout: float, name: str = "pipeline.py") -> str:
    """The printed Markdown of another script in bench/ (``pipeline.py``, ``textcat.py``)."""
    script = BENCH / name
    if not script.exists():
        return f"_`bench/{name}` does not exist yet; nothing to include._"
    log(f"bench/{name}")
    try:
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=timeout, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return f"_`bench/{name}` did not finish within {timeout:.0f} s._"
    text = done.stdout.strip()
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-20:])
        text += f"\n\n_`bench/{name}` exited with status {done.returncode}:_\n\n```\n{tail}\n```"
    return text or f"_`bench/{name}` printed nothing._"


def script_markdown(name: str, work: Path, timeout: float, *, skip: bool) -> str:
    """bench/``name``'s printed Markdown, saved in ``work`` (reused with ``--reuse``)."""
    saved = work / f"{Path(name).stem}.md"
    if skip:
        return "_Not run (`--quick` or `--no-pipeline`)._"
    if REUSE and saved.exists():
        log(f"  reusing {saved}")
        return saved.read_text(encoding="utf-8").strip()
    text = run_pipeline_script(timeout, name)
    saved.write_text(text + "\n", encoding="utf-8")
    return text


# ------------------------------------------------------------------ helpers


def ok(passed: bool | None) -> str:
    """PASS / FAIL / n/a."""
    return "n/a" if passed is None else ("**PASS**" if passed else "**FAIL**")


def failed(record: dict[str, Any]) -> bool:
    """Whether a child failed."""
    return "error" in record


def errors_md(records: dict[str, dict[str, Any]]) -> str:
    """The children that failed, with the end of their stderr."""
    bad = {k: r for k, r in records.items() if failed(r)}
    if not bad:
        return ""
    parts = ["## Runs that failed\n"]
    for name, record in bad.items():
        parts.append(f"- `{name}`:\n\n```\n{record['error']}\n```\n")
    return "\n".join(parts)


def per_word_us(record: dict[str, Any], stage: str, clock: str = "cpu") -> float:
    """Microseconds per word of ``stage`` (``rules+mentions`` adds the two)."""
    times = record[clock]
    if stage == "rules+mentions":
        seconds = times["rules"] + times["mentions"]
    elif stage == "all":
        seconds = sum(times[s] for s in SCALING_STAGES)
    else:
        seconds = times[stage]
    return 1e6 * seconds / max(record["words"], 1)


def wps(record: dict[str, Any], stage: str, clock: str = "wall") -> float:
    """Words per second of ``stage``."""
    us = per_word_us(record, stage, clock)
    return 1e6 / us if us else float("inf")


# ------------------------------------------------------------------ sections


def stage_section(
    one: dict[str, Any], model: dict[str, Any], whole: dict[str, Any], size_label: str
) -> tuple[str, list[str]]:
    """Words per second per stage at 1x."""
    notes: list[str] = []
    rows: list[list[object]] = []
    if not failed(one):
        for stage in (
            "read+segment",
            "mentions",
            "rules",
            "rules+mentions",
            "tokenizer",
            "interactions",
            "write",
        ):
            grew = (
                one["peak_growth_mb"].get(stage, 0.0)
                if stage != "rules+mentions"
                else one["peak_growth_mb"].get("rules", 0.0) + one["peak_growth_mb"].get("mentions", 0.0)
            )
            seconds = (
                one["wall"][stage]
                if stage != "rules+mentions"
                else one["wall"]["rules"] + one["wall"]["mentions"]
            )
            rows.append(
                [
                    STAGE_NAMES[stage],
                    one["words"],
                    seconds,
                    round(wps(one, stage, "wall")),
                    round(wps(one, stage, "cpu")),
                    f"{one['peak_rss_mb']:.0f} (stream run; +{grew:.1f} in this stage)",
                ]
            )
    if not failed(whole):
        seconds = whole["wall"]["read_corpus"] + whole["wall"]["segment_corpus"]
        cpu = whole["cpu"]["read_corpus"] + whole["cpu"]["segment_corpus"]
        rows.append(
            [
                "read + segment, whole corpus in memory (`read_corpus` + `segment_corpus`)",
                whole["words"],
                seconds,
                round(whole["words"] / seconds),
                round(whole["words"] / cpu),
                f"{whole['peak_rss_before_exports_mb']:.0f}",
            ]
        )
    if not failed(model):
        rows.append(
            [
                f"model coding (`AutoCoder.code`; trained once on the shipped corpus, "
                f"{model['wall']['train']:.1f} s, not included)",
                model["words"],
                model["wall"]["model"],
                round(model["words"] / model["wall"]["model"]),
                round(model["words"] / model["cpu"]["model"]),
                f"{model['peak_rss_mb']:.0f}",
            ]
        )
    text = table(
        ["stage", "words", "wall s", "words/s (wall)", "words/s (CPU)", "peak RSS MiB (process)"], rows
    )
    if not failed(one):
        langs = ", ".join(f"{k}: {v:,}" for k, v in sorted(one["words_by_language"].items()))
        lang_rows = []
        for stage in ("mentions", "rules", "tokenizer", "interactions"):
            lang_rows.append(
                [STAGE_NAMES[stage]]
                + [
                    round(one["words_by_language"][lang] / one["cpu"][f"{stage}[{lang}]"])
                    for lang in ("id", "en")
                    if lang in one["words_by_language"]
                ]
            )
        langs_table = table(
            [
                "stage",
                *[f"words/s (CPU), {lang}" for lang in ("id", "en") if lang in one["words_by_language"]],
            ],
            lang_rows,
        )
        text += (
            f"\n\nWords by language at {size_label}: {langs}. The same stages by language:\n\n{langs_table}"
        )
        notes.append(
            f"- Stream run at {size_label}: {one['documents']:,} documents, {one['segments']:,} segments, "
            f"{one['mentions']:,} mentions, {one['codings']:,} rule codings on {one['coded_segments']:,} "
            f"segments, {one['interactions']:,} interactions; setup (imports, codebook, pipelines, one pass "
            "of every shipped transcript through every stage to fill the caches) "
            f"{one['setup_seconds']:.1f} s, not included."
        )
    return text, notes


def ratio_section(ratio: dict[str, Any], streams: dict[str, dict[str, Any]]) -> tuple[str, bool | None]:
    """The rule coder against the tokenizer alone."""
    if failed(ratio):
        return "_The ratio run failed (see below)._", None
    rows: list[list[object]] = []
    for name, value in ratio["words_per_second"].items():
        rows.append([name, round(value)])
    first = table([f"step (median of {ratio['repeats']} repeats)", "words/s"], rows)
    primary = "rules incl. agency recognition (find_mentions + code_rules)"
    ratio_rows: list[list[object]] = []
    for name, value in ratio["median_ratios"].items():
        target = "" if name.startswith("spaCy") else ok(value >= RATIO_TARGET)
        what = " (the target's measure)" if name == primary else ""
        ratio_rows.append(
            [name + what, round(value, 3), " ".join(f"{v:.3f}" for v in ratio["ratios"][name]), target]
        )
    second = table(
        ["words/s of ... divided by the qualbst tokenizer's words/s", "median", "each repeat", "≥ 0.5"],
        ratio_rows,
    )
    stream_rows: list[list[object]] = []
    for label, record in streams.items():
        if failed(record):
            continue
        tok = record["cpu"]["tokenizer"]
        stream_rows.append(
            [
                label,
                record["words"],
                round(tok / record["cpu"]["rules"], 3),
                round(tok / (record["cpu"]["rules"] + record["cpu"]["mentions"]), 3),
            ]
        )
    third = table(
        ["size", "words", "rules only / tokenizer", "rules incl. agency recognition / tokenizer"], stream_rows
    )
    passed = ratio["median_ratios"][primary] >= RATIO_TARGET
    text = (
        f"Sample: {ratio['documents']} generated documents, {ratio['words']:,} words (both languages), "
        f"segmented once; then each step runs over the same segment texts, one after the other, "
        f"{ratio['repeats']} times in one process (tokenizer caches warmed first).\n\n{first}\n\n{second}\n\n"
        "What each ratio includes: *rules only* is `code_rules` given the mentions table (reading each "
        "document's segments as one Doc again, a stem per distinct word, the matchers, negation, the agency "
        "requirement: every step goes over all documents before the next, so the Doc `find_mentions` read "
        "is no longer cached); *incl. agency recognition* adds `find_mentions`, which `code_rules` runs "
        "itself when not given mentions (the target's measure); *one document at a time* calls both on each "
        "document in turn, as `qualbst run` does, so `code_rules` reuses the Doc; *against the tokenizer on "
        "each document as one text* divides by the tokenizer given each document's joined segments (the "
        "unit the coder reads), a faster baseline than the tokenizer on each segment; *from text* also adds "
        "segmentation (`nlp.pipe` with the sentencizer). None includes reading files. The last row compares "
        "spaCy's own `blank(lang)` tokenizer (for `id` with its 16k exceptions) with qualbst's.\n\n"
        f"The same ratio in each stream run (one pass, CPU seconds, whole corpus):\n\n{third}"
    )
    return text, passed


def scaling_section(streams: dict[str, dict[str, Any]]) -> tuple[str, bool | None, bool | None, str]:
    """Time per word and peak memory across sizes."""
    good = {k: r for k, r in streams.items() if not failed(r)}
    if not good:
        return "_No stream run finished._", None, None, ""
    labels = list(good)
    base = good[labels[0]]
    rows: list[list[object]] = []
    worst: dict[str, float] = {}
    worst_wall: dict[str, float] = {}
    for label, record in good.items():
        row: list[object] = [label, record["words"], record["documents"]]
        for stage in (*SCALING_STAGES, "all"):
            us = per_word_us(record, stage, "cpu")
            rel = us / per_word_us(base, stage, "cpu")
            rel_wall = per_word_us(record, stage, "wall") / per_word_us(base, stage, "wall")
            worst[stage] = max(worst.get(stage, 0.0), abs(rel - 1))
            worst_wall[stage] = max(worst_wall.get(stage, 0.0), abs(rel_wall - 1))
            row.append(f"{us:.2f} ({rel:.2f}x)")
        row.append(sum(record["wall"][s] for s in SCALING_STAGES))
        rows.append(row)
    text = table(
        [
            "size",
            "words",
            "documents",
            *[f"{s} µs/word (vs {labels[0]})" for s in (*SCALING_STAGES, "all four")],
            "wall s (four stages)",
        ],
        rows,
    )
    dev_rows = [
        [
            s if s != "all" else "all four",
            f"{100 * worst[s]:.1f}%",
            f"{100 * worst_wall[s]:.1f}%",
            ok(worst[s] <= TOLERANCE),
        ]
        for s in (*SCALING_STAGES, "all")
    ]
    linear = all(worst[s] <= TOLERANCE for s in (*SCALING_STAGES, "all")) if len(good) > 1 else None
    text += "\n\nLargest deviation of time per word from the smallest size:\n\n" + table(
        ["stage", "CPU time (verdict)", "wall time (shared machine)", "within 15%"], dev_rows
    )
    mem_rows: list[list[object]] = []
    for label, record in good.items():
        samples = record["rss_samples"]
        mem_rows.append(
            [
                label,
                record["words"],
                record["baseline_rss_mb"],
                samples[0][1] if samples else float("nan"),
                samples[-1][1] if samples else float("nan"),
                record["peak_rss_mb"],
                round(record["peak_rss_mb"] / base["peak_rss_mb"], 3),
            ]
        )
    largest = good[labels[-1]]
    memory_ok = largest["peak_rss_mb"] <= MEMORY_LIMIT * base["peak_rss_mb"] if len(good) > 1 else None
    mem = table(
        [
            "size",
            "words",
            "RSS after warm-up MiB",
            "RSS after first 5% MiB",
            "RSS at end MiB",
            "peak RSS MiB",
            f"peak vs {labels[0]}",
        ],
        mem_rows,
    )
    return text, linear, memory_ok, mem


def whole_section(wholes: dict[str, dict[str, Any]]) -> tuple[str, float | None]:
    """The library's whole-corpus path: memory grows with the corpus."""
    good = {k: r for k, r in wholes.items() if not failed(r)}
    if not good:
        return "_No whole-corpus run finished._", None
    labels = list(good)
    base = good[labels[0]]["peak_rss_before_exports_mb"]
    rows: list[list[object]] = []
    for label, record in good.items():
        rows.append(
            [
                label,
                record["words"],
                record["documents"],
                record["segments"],
                record["wall"]["read_corpus"],
                record["wall"]["segment_corpus"],
                record["baseline_rss_mb"],
                record["rss_after_read_mb"],
                record["rss_after_segment_mb"],
                record["peak_rss_before_exports_mb"],
                round(record["peak_rss_before_exports_mb"] / base, 2),
            ]
        )
    text = table(
        [
            "size",
            "words",
            "documents",
            "segments",
            "read_corpus s",
            "segment_corpus s",
            "RSS before MiB",
            "after read_corpus",
            "after segment_corpus",
            "peak MiB",
            f"peak vs {labels[0]}",
        ],
        rows,
    )
    largest = good[labels[-1]]["peak_rss_before_exports_mb"] / base if len(good) > 1 else None
    return text, largest


def graph_section(graphs: dict[int, dict[str, Any]]) -> tuple[str, bool | None]:
    """build_graph and the analyses for growing numbers of coded segments."""
    good = {k: r for k, r in graphs.items() if not failed(r)}
    if not good:
        return "_No graph run finished._", None
    keys = sorted(good)
    first = good[keys[0]]
    analyses = [k for k in first["wall"] if k != "build_graph"]

    def total(record: dict[str, Any], clock: str = "wall") -> float:
        return float(sum(record[clock].values()))

    rows: list[list[object]] = []
    for key in keys:
        record = good[key]
        per = 1e6 * total(record, "cpu") / record["coded_segments"]
        base = 1e6 * total(first, "cpu") / first["coded_segments"]
        rows.append(
            [
                record["coded_segments"],
                record["codings"],
                record["interactions"],
                f"{record['nodes']} / {record['edges']}",
                record["wall"]["build_graph"],
                sum(record["wall"][a] for a in analyses),
                total(record),
                record["repeats"],
                f"{per:.1f} ({per / base:.2f}x)",
            ]
        )
    text = table(
        [
            "coded segments",
            "codings",
            "interactions",
            "nodes / edges",
            "build_graph s",
            "all analyses s",
            "total s",
            "repeats",
            "CPU µs per coded segment (vs smallest)",
        ],
        rows,
    )
    largest = good[keys[-1]]
    split = table(
        ["function", f"s at {largest['coded_segments']:,} coded segments (median of {largest['repeats']})"],
        [[name, seconds] for name, seconds in largest["wall"].items()],
    )
    # judged on CPU time (a busy neighbour on a shared machine stretches wall time, not CPU time)
    per_segment = [total(good[k], "cpu") / good[k]["coded_segments"] for k in keys]
    linear = max(per_segment) <= (1 + TOLERANCE) * per_segment[0] if len(keys) > 1 else None
    text += f"\n\n{split}"
    return text, linear


def exports_section(whole: dict[str, Any], size_label: str) -> str:
    """Each export at 1x."""
    if failed(whole) or "sizes_bytes" not in whole:
        return "_The exports run failed or was skipped._"
    files = {
        "build_graph": "",
        "write_graphml": "graph.graphml",
        "write_gexf": "graph.gexf",
        "write_graph_json": "graph.json",
        "draw_graph (svg+png)": "graph.svg",
        "write_graph_html": "graph.html",
        "export_qdpx": "project.qdpx",
    }
    rows: list[list[object]] = []
    for name, file in files.items():
        size = whole["sizes_bytes"].get(file, 0) if file else 0
        if name.startswith("draw_graph"):
            size += whole["sizes_bytes"].get("graph.png", 0)
        rows.append(
            [
                f"`{name}`",
                whole["wall"][name],
                round(whole["words"] / whole["wall"][name]) if whole["wall"][name] else 0,
                f"{size / 2**20:.2f}" if file else "",
                f"{whole.get('peak_growth', {}).get(name, 0.0):.0f}",
            ]
        )
    return (
        f"The {size_label} corpus ({whole['words']:,} words, {whole['documents']:,} documents) with its "
        f"{whole['codings']:,} rule codings and {whole['interactions']:,} interactions "
        f"(graph: {whole['nodes']} nodes, {whole['edges']} edges); process peak RSS "
        f"{whole['peak_rss_mb']:.0f} MiB.\n\n"
        + table(["function", "wall s", "corpus words/s", "file MiB", "peak RSS rise MiB"], rows)
    )


def hotspot_section(hot: dict[str, Any]) -> str:
    """Where agency recognition and rule coding spend their time."""
    if failed(hot):
        return "_The hot-spot run failed (see below)._"
    tok = hot["seconds"]["spaCy tokenizer alone"]
    rows = [
        [name, seconds, round(hot["words"] / seconds), round(seconds / tok, 1)]
        for name, seconds in hot["seconds"].items()
    ]
    return (
        f"Sample: {hot['documents']} generated documents, {hot['segments']:,} segments, {hot['words']:,} "
        f"words; median of {hot['repeats']} in one process. Each part of `qualbst.coding.matching.Annotator` "
        "timed on its own over the same segments, each document's segments read as one Doc (made once "
        "where the row says *view given*; the private parts are timed directly, the library is not "
        "changed).\n\n" + table(["part", "s", "words/s", "x the tokenizer's time"], rows)
    )


def model_section(model: dict[str, Any]) -> str:
    """The trained coder."""
    if failed(model):
        return "_The model run failed (see below)._"
    return (
        f"Trained once on the shipped corpus with `{'coder-a'}`'s codes (`AutoCoder.train`, "
        f"{model['codes']} codes): {model['wall']['train']:.1f} s wall. Coding the generated corpus "
        f"document by document (`AutoCoder.code`, mentions given): {model['words']:,} words in "
        f"{model['wall']['model']:.1f} s = **{model['words'] / model['wall']['model']:,.0f} words/s** "
        f"({model['codings']:,} codings); reading, segmenting and mentions for it "
        f"{model['wall']['read+segment+mentions']:.1f} s, not included. Peak RSS "
        f"{model['peak_rss_mb']:.0f} MiB."
    )


def corpus_note(corpora: dict[str, Any]) -> str:
    """How the corpora were made."""
    shipped_words: set[str] = set()
    for path in sorted((REPO / "interviews").glob("*.md")):
        shipped_words.update(path.read_text(encoding="utf-8").lower().split())
    rows = [
        [
            label,
            c.words,
            c.documents,
            ", ".join(f"{k} {v:,}" for k, v in sorted(c.by_language.items())),
            seconds,
        ]
        for label, (c, seconds) in corpora.items()
    ]
    return (
        "Generated by `bench/generate.py` from the 18 shipped transcripts (turns recombined within a "
        "language, spoken fillers inserted so that nearly every segment is a new text rather than a hit "
        "in qualbst's per-process Doc cache, fresh ids, `synthetic: true`); words are whitespace-separated "
        "words of the turn texts. "
        f"The generated text reuses the shipped vocabulary (about {len(shipped_words):,} distinct "
        "lowercased whitespace words), so tokenizer and stem caches stay warm: on more varied text every "
        "stage is slower, the tokenizer most of all (ARCHITECTURE.md: 290k vs 716k words/s).\n\n"
        + table(["size", "words", "documents", "words by language", "generation s (0 = reused)"], rows)
    )


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    """Run everything and write the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the scripts in seconds")
    parser.add_argument("--sizes", default="1,4,16", help="corpus sizes as multiples of --base-words")
    parser.add_argument("--base-words", type=int, default=None, help="words at 1x (default 1,000,000)")
    parser.add_argument("--graph-sizes", default=None, help="coded segments for the graph benchmark")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "qualbst-bench")
    parser.add_argument("--results", type=Path, default=None, help="report path (default bench/RESULTS.md)")
    parser.add_argument(
        "--no-pipeline", action="store_true", help="do not run bench/pipeline.py nor bench/textcat.py"
    )
    parser.add_argument("--pipeline-timeout", type=float, default=1800)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the JSON records an earlier run left in the work folder (re-render the report)",
    )
    args = parser.parse_args(argv)
    global REUSE
    REUSE = args.reuse

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    base_words = args.base_words or (5_000 if args.quick else 1_000_000)
    graph_sizes = [
        int(s)
        for s in (args.graph_sizes or ("250,500,1000" if args.quick else "12500,25000,50000,100000")).split(
            ","
        )
    ]
    sample_words = 10_000 if args.quick else 200_000
    repeats = 2 if args.quick else 5
    work = args.work / ("quick" if args.quick else "full")
    if args.base_words is not None or args.seed != 7:  # keep other settings' records apart
        work = work.with_name(f"{work.name}-{base_words}w-s{args.seed}")
    work.mkdir(parents=True, exist_ok=True)
    results = args.results or (work / "RESULTS.md" if args.quick else RESULTS)
    started = time.perf_counter()
    info = machine()
    state = library_state()
    label = {m: f"{m}x" for m in sizes}

    corpora: dict[str, Any] = {}
    folders: dict[int, Path] = {}
    for m in sizes:
        t0 = time.perf_counter()
        log(f"generate {label[m]} ({m * base_words:,} words)")
        corpus = generate_corpus(m * base_words, seed=args.seed, out=work / f"corpus-{m}x-{base_words}")
        corpora[label[m]] = (corpus, round(time.perf_counter() - t0, 1))
        folders[m] = corpus.folder

    records: dict[str, dict[str, Any]] = {}
    streams: dict[str, dict[str, Any]] = {}
    for m in sizes:
        log(f"stream {label[m]}")
        run = work / f"run-{m}x"
        streams[label[m]] = records[f"stream {label[m]}"] = child(
            "stream", work / f"stream-{m}x.json", "--corpus", str(folders[m]), "--out", str(run)
        )
    small = sizes[0]
    log("ratio")
    ratio = records["ratio"] = child(
        "ratio",
        work / "ratio.json",
        "--corpus",
        str(folders[small]),
        "--sample-words",
        str(sample_words),
        "--repeats",
        str(repeats),
    )
    log("hotspots")
    hot = records["hotspots"] = child(
        "hotspots",
        work / "hotspots.json",
        "--corpus",
        str(folders[small]),
        "--sample-words",
        str(sample_words // 2),
        "--repeats",
        str(max(repeats - 2, 1)),
    )
    wholes: dict[str, dict[str, Any]] = {}
    for m in sizes:
        log(f"whole {label[m]}")
        extra = ["--run", str(work / f"run-{m}x"), "--exports", str(work / "exports")] if m == small else []
        wholes[label[m]] = records[f"whole {label[m]}"] = child(
            "whole", work / f"whole-{m}x.json", "--corpus", str(folders[m]), *extra
        )
    log("model")
    model = records["model"] = child("model", work / "model.json", "--corpus", str(folders[small]))
    finished = [m for m in sizes if not failed(streams[label[m]])]
    graphs: dict[int, dict[str, Any]] = {}
    if finished:
        source = work / f"run-{finished[-1]}x"
        for n in graph_sizes:
            log(f"graph {n:,} coded segments")
            graphs[n] = records[f"graph {n}"] = child(
                "graph",
                work / f"graph-{n}.json",
                "--run",
                str(source),
                "--coded",
                str(n),
                "--repeats",
                # the small sizes take a tenth of a second: more repeats there, so that each
                # size's median rests on about as much work as the largest's
                str(repeats * max(1, max(graph_sizes) // n)),
            )
    pipeline_md, textcat_md = (
        script_markdown(name, work, args.pipeline_timeout, skip=args.quick or args.no_pipeline)
        for name in ("pipeline.py", "textcat.py")
    )

    one = streams[label[small]]
    stage_md, stage_notes = stage_section(one, model, wholes[label[small]], label[small])
    ratio_md, ratio_ok = ratio_section(ratio, streams)
    scaling_md, linear_ok, memory_ok, memory_md = scaling_section(streams)
    whole_md, whole_growth = whole_section(wholes)
    graph_md, graph_ok = graph_section(graphs)
    largest = label[sizes[-1]]
    ratio_value = "" if failed(ratio) else f"{ratio['median_ratios'][next(iter(ratio['median_ratios']))]:.3f}"
    primary = "rules incl. agency recognition (find_mentions + code_rules)"
    primary_value = "" if failed(ratio) else f"{ratio['median_ratios'][primary]:.3f}"
    good_streams = [r for r in streams.values() if not failed(r)]
    mem_ratio = (
        f"{good_streams[-1]['peak_rss_mb'] / good_streams[0]['peak_rss_mb']:.2f}x"
        if len(good_streams) > 1
        else "n/a"
    )
    biggest_words = max((r["words"] for r in good_streams), default=0)
    targets = table(
        ["target (issues 4, 5, 8)", "measured", "verdict"],
        [
            [
                "rule coding ≥ 0.5x the spaCy tokenizer's words/s (same text, same run)",
                f"{primary_value} incl. agency recognition; {ratio_value} for `code_rules` alone",
                ok(ratio_ok),
            ],
            [
                f"time per word within 15% across {', '.join(label[m] for m in sizes)} (streaming stages)",
                "see the scaling table",
                ok(linear_ok),
            ],
            [
                f"largest size ≥ 16 million words (here {largest})",
                f"{biggest_words:,} words",
                ok(biggest_words >= 16_000_000) if not args.quick else "n/a (`--quick`)",
            ],
            [
                f"peak memory at {largest} within 1.5x of {label[small]} (streaming, fresh process)",
                mem_ratio,
                ok(memory_ok),
            ],
            [
                f"the same for the library's whole-corpus path (`read_corpus` + `segment_corpus`), {largest}",
                f"{whole_growth:.2f}x" if whole_growth is not None else "n/a",
                ok(whole_growth <= MEMORY_LIMIT) if whole_growth is not None else "n/a",
            ],
            [
                f"graph + all analyses for {max(graph_sizes):,} coded segments, time growing linearly",
                "see the graph table",
                ok(graph_ok),
            ],
            [
                "incremental re-run ≥ 10x faster; Dask output = local; `--jobs 2` ≥ 1.6x",
                "bench/pipeline.py",
                "see below",
            ],
        ],
    )
    info["load average at end"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    changed = library_changes(state, library_state())
    info["qualbst/ edited during the run"] = (
        "no" if not changed else f"**yes**, {len(changed)} file(s): " + ", ".join(f"`{p}`" for p in changed)
    )
    info["total benchmark time"] = f"{(time.perf_counter() - started) / 60:.1f} min"
    command = "make bench" if not args.quick else ".venv/bin/python bench/run_all.py --quick"
    shown = [a for a in (argv or sys.argv[1:]) if a != "--reuse"]
    if not args.quick and shown:
        command = ".venv/bin/python bench/run_all.py " + " ".join(shown)
    sections = [
        "# qualbst benchmarks\n",
        "Regenerated by `make bench` (`bench/run_all.py`); do not edit by hand. Machines are shared and "
        "noisy: compare the ratios measured in one run rather than absolute times. Words are "
        "whitespace-separated words of the segment texts the stages see (interviewer segments included).\n",
        "## Machine\n",
        table(["", ""], [[k, v] for k, v in info.items()]),
        "\n## Targets\n",
        targets,
        "\n## Corpora\n",
        corpus_note(corpora),
        f"\n## Stages at {label[small]} (words per second)\n",
        "One process reads the generated corpus file by file and runs each stage on one document at a "
        "time, appending the tables to CSV (`bench/stages.py stream`). Peak RSS is the whole process's "
        "(Python, spaCy, both pipelines, the codebook included); *+N in this stage* is how much the peak "
        "rose while that stage ran.\n",
        stage_md,
        "\n" + "\n".join(stage_notes) + "\n" if stage_notes else "",
        "\n## Rule coding against spaCy's tokenizer alone\n",
        ratio_md,
        "\n### Where the time goes\n",
        hotspot_section(hot),
        f"\n## Scaling {', '.join(label[m] for m in sizes)} (streaming, one fresh process per size)\n",
        "Time per word by stage (CPU time of the process, which other users of the machine disturb less "
        "than wall time; the verdict uses it, wall time is shown too).\n",
        scaling_md,
        "\n### Peak memory (streaming)\n",
        memory_md,
        "\n### The library's whole-corpus path\n",
        "`read_corpus` returns every document and `segment_corpus` builds one segments table for the "
        "corpus (as `load_project` does); one fresh process per size:\n",
        whole_md,
        "\n## Graph and analyses (issue 5)\n",
        "`build_graph` and every analysis in `qualbst/network/analyses.py` (centrality, sequential chains "
        "and cycles, reciprocal pairs, pooled groups, coordination links and fit, replication check and "
        "summary), median of repeats in one fresh process per size (more repeats at the smaller sizes; "
        "linear growth is judged on CPU time). The coded segments are the rule "
        f"codings of the {label[finished[-1]] if finished else '?'} stream run, whole documents in a fixed "
        "shuffled order (repeated under new document ids if the run has too few). The graph always has "
        "the codebook's agencies as nodes; what grows is the evidence on each edge.\n",
        graph_md,
        f"\n## Model coding at {label[small]}\n",
        model_section(model),
        "\n## spaCy `textcat_multilabel` against the trained coder (`bench/textcat.py`)\n",
        textcat_md,
        f"\n## Exports at {label[small]}\n",
        exports_section(wholes[label[small]], label[small]),
        "\n## Pipeline: `--jobs`, incremental cache, Dask (`bench/pipeline.py`)\n",
        pipeline_md,
        "\n" + errors_md(records),
        "\n## Reproduce\n",
        f"```\n{command}\n```\n\n"
        "`--quick` runs tiny sizes in about a minute to check the scripts; `--sizes 1,4` and "
        "`--base-words N` choose the sizes; `--no-pipeline` leaves out `bench/pipeline.py` and "
        "`bench/textcat.py`. Corpora and "
        f"intermediate tables go to `{args.work}` (reused when unchanged). `bench/README.md` describes "
        "each script.\n",
    ]
    report = "\n".join(s for s in sections if s)
    print(report)
    results.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{results.name}.", dir=results.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(report)
    Path(tmp).chmod(0o644)
    Path(tmp).replace(results)
    log(f"wrote {results} in {(time.perf_counter() - started) / 60:.1f} min")
    return 1 if any(failed(r) for r in records.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
