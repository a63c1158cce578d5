"""Benchmark of ``qualbst run`` at scale: ``--jobs``, the incremental cache, Dask.

Prints Markdown (``bench/run_all.py`` includes it in ``bench/RESULTS.md``):

1. ``--jobs 1`` against ``--jobs 2``: the per-document stage (segments,
   agency mentions, rule codings) on the shipped corpus repeated 16 times
   with fresh ids and spoken fillers inserted (``generate.vary``: exact
   copies would be cache hits in one process, see bench/generate.py), the
   model's leave-one-document-out trainings on the shipped corpus, and the
   whole ``qualbst run --no-cache``. Each timing is a fresh process, and
   includes starting the workers and building their spaCy pipelines: what a
   user waits for.
2. The incremental cache on the shipped corpus: a cold run (no cache), a warm
   run (nothing changed), a run after one transcript changed (a paragraph
   added), then after one word inside that paragraph changed (the same
   segments: the reliability coefficients, which read no text, come from the
   cache), and a run after one code's cues changed; by default (``--coder both``: rules and a model
   trained here) and with ``--coder rules``. Wall and CPU seconds (the CPU
   time of the child, which other work on the machine disturbs less).
3. ``--engine dask`` (a local cluster of two worker processes) against the
   local engine: are the ``out/`` files identical, byte for byte?

Medians of ``--repeats`` runs (default 2; the whole script then takes about
15 minutes on 2 cores). Everything runs in a temporary
copy of the project; nothing in the repository is written.

Usage: ``python bench/pipeline.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EDITED_TRANSCRIPT = "kel-wonokusumo-kesra-1.md"
ADDED_TEXT = "\nKami juga kirim laporan ke kecamatan setiap minggu, lalu kecamatan teruskan ke dinas.\n"
EDITED_WORDS = ADDED_TEXT.replace("setiap minggu", "setiap bulan")  # the same segments, a word changed


# ------------------------------------------------------------------ stages, in a child process


def _stage(stage: str, project: Path, jobs: int) -> dict[str, Any]:
    """Time one stage in this (fresh) process; the set-up it needs is not timed."""
    from qualbst.cache import Cache
    from qualbst.codebook import load_codebook
    from qualbst.corpus.readers import read_corpus
    from qualbst.engine import compute_documents, frames_of, make_engine, trained_model_codings

    documents = read_corpus(project / "interviews")
    book = load_codebook(project / "codebook")
    if stage == "documents":
        start = time.perf_counter()
        with make_engine("local", jobs=jobs) as engine:
            stream = compute_documents(documents, book, coder="rules", engine=engine, cache=Cache(None))
            results = list(stream)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "documents": len(results)}
    from qualbst.coding.manual import read_codings

    # views=True: the feature views come from the per-document stage, as in `qualbst run`
    results = list(compute_documents(documents, book, coder="rules", cache=Cache(None), views=True))
    tables = frames_of(results, book)
    codings = read_codings(project / "codings", documents, book, tables["segments"])
    start = time.perf_counter()
    with make_engine("local", jobs=jobs) as engine:
        frame = trained_model_codings(
            tables["segments"],
            codings,
            documents,
            book,
            trainer="coder-a",
            mentions=tables["mentions"],
            digests={r.document: r.digest for r in results},
            engine=engine,
            views={s: v for r in results for s, v in (r.views or {}).items()},
        )
    return {"seconds": time.perf_counter() - start, "codings": len(frame)}


# ------------------------------------------------------------------ helpers


def _copy_project(target: Path, copies: int = 1) -> Path:
    for name in ("codebook", "codings"):
        shutil.copytree(REPO / name, target / name)
    (target / "interviews").mkdir(parents=True)
    for path in sorted((REPO / "interviews").iterdir()):
        if not path.is_file():
            continue
        shutil.copy2(path, target / "interviews" / path.name)
        text = path.read_text(encoding="utf-8")
        for n in range(2, copies + 1):
            stem = path.stem
            renamed = _varied(text.replace(f"\nid: {stem}\n", f"\nid: {stem}-c{n}\n", 1), f"{stem}-{n}")
            (target / "interviews" / f"{stem}-c{n}{path.suffix}").write_text(renamed, encoding="utf-8")
    return target


def _varied(text: str, seed: str) -> str:
    """A transcript whose turns get fillers (``generate.vary``), so a copy is new text, not a cache hit."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import vary

    _, front, body = text.split("---\n", 2)
    lang = "en" if "\nlanguage: en\n" in f"\n{front}" else "id"
    rng = random.Random(seed)
    lines = []
    for line in body.splitlines():
        label, sep, said = line.partition(": ")
        if sep and " " not in label:  # "LABEL: text"
            lines.append(f"{label}{sep}{vary(said, lang, rng)}")
        else:  # a turn's further paragraph, or a blank line
            lines.append(vary(line, lang, rng) if line.strip() else line)
    return f"---\n{front}---\n" + "\n".join(lines) + "\n"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(project: Path, *args: str, out: str = "out") -> tuple[float, float, str]:
    """``qualbst run`` in ``project``: wall seconds, CPU seconds, stderr."""
    cpu = _child_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qualbst", "run", "--out", out, *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"qualbst run {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return wall, _child_cpu() - cpu, done.stderr


def _stage_child(stage: str, project: Path, jobs: int) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--project", str(project), "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{done.stderr[-3000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _words(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in folder.iterdir() if p.is_file())


def _cache_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("cache:")), "")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ the three measurements


def jobs_section(work: Path, repeats: int) -> str:
    big = _copy_project(work / "x16", copies=16)
    one = _copy_project(work / "x1")
    rows = []
    verdicts = []
    for label, stage, project in (
        ("per-document stage (segments, mentions, rule codings)", "documents", big),
        ("model: leave-one-document-out trainings", "model", one),
    ):
        runs: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(repeats):  # interleaved, so that a busy spell of the machine hits both
            for jobs in (1, 2):
                runs[jobs].append(_stage_child(stage, project, jobs))
        times = {j: _median(v) for j, v in runs.items()}
        ratio = _median([a / b for a, b in zip(runs[1], runs[2], strict=True)])  # median of paired ratios
        verdicts.append(ratio)
        docs = len(list((project / "interviews").glob("*.md")))
        rows.append(
            [
                label,
                f"{docs} documents, {_words(project / 'interviews'):,} words",
                f"{times[1]:.1f}",
                f"{times[2]:.1f}",
                f"**{ratio:.2f}x**",
            ]
        )
    walls: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):
        for jobs in (1, 2):
            walls[jobs].append(_run(one, "--no-cache", "--jobs", str(jobs))[0])
    whole = {j: _median(v) for j, v in walls.items()}
    rows.append(
        [
            "whole `qualbst run --no-cache` (incl. corpus-level steps)",
            f"18 documents, {_words(one / 'interviews'):,} words",
            f"{whole[1]:.1f}",
            f"{whole[2]:.1f}",
            f"{whole[1] / whole[2]:.2f}x",
        ]
    )
    target = "PASS" if min(verdicts) >= 1.6 else "FAIL"
    return (
        "### `--jobs 1` vs `--jobs 2` (wall seconds, fresh process each, worker start-up included; "
        f"medians of {repeats} interleaved runs, speed-up = median of the paired ratios)\n\n"
        + _table(["stage", "corpus", "jobs 1", "jobs 2", "speed-up"], rows)
        + f"\n\nTarget: the coding stages at least 1.6x faster with 2 jobs on 2 cores: **{target}** "
        f"(lowest speed-up {min(verdicts):.2f}x; {os.cpu_count()} CPUs seen, shared with other work)."
    )


def incremental_section(work: Path, repeats: int) -> str:
    rows = []
    findings = []
    for label, args in (("default (`--coder both`)", []), ("`--coder rules`", ["--coder", "rules"])):
        project = _copy_project(work / f"inc-{len(rows)}")
        transcript = project / "interviews" / EDITED_TRANSCRIPT
        book = project / "codebook" / "codebook.yaml"
        original, original_book = transcript.read_bytes(), book.read_bytes()
        timings: dict[str, list[tuple[float, float]]] = {
            "cold": [],
            "warm": [],
            "transcript": [],
            "words": [],
            "code": [],
        }
        lines: dict[str, str] = {}
        for _ in range(repeats):
            shutil.rmtree(project / ".qualbst-cache", ignore_errors=True)
            for name in ("cold", "warm"):
                wall, cpu, err = _run(project, *args)
                timings[name].append((wall, cpu))
                lines[name] = _cache_line(err)
            transcript.write_bytes(original + ADDED_TEXT.encode("utf-8"))
            wall, cpu, err = _run(project, *args)
            timings["transcript"].append((wall, cpu))
            lines["transcript"] = _cache_line(err)
            # then a word changed inside that new segment: the same segments, other text
            transcript.write_bytes(original + EDITED_WORDS.encode("utf-8"))
            wall, cpu, err = _run(project, *args)
            timings["words"].append((wall, cpu))
            lines["words"] = _cache_line(err)
            transcript.write_bytes(original)
            _run(project, *args)  # back to the original (cached) state
            book.write_text(_add_cue(original_book.decode("utf-8")), encoding="utf-8")
            wall, cpu, err = _run(project, *args)
            timings["code"].append((wall, cpu))
            lines["code"] = _cache_line(err)
            book.write_bytes(original_book)
        cold_wall = _median([w for w, _ in timings["cold"]])
        cold_cpu = _median([c for _, c in timings["cold"]])
        for name, what in (
            ("cold", "cold (no cache)"),
            ("warm", "warm (nothing changed)"),
            ("transcript", "one transcript edited"),
            ("words", "then one word inside a segment of it edited"),
            ("code", "one code's cues edited"),
        ):
            wall = _median([w for w, _ in timings[name]])
            cpu = _median([c for _, c in timings[name]])
            rows.append(
                [
                    label,
                    what,
                    f"{wall:.1f}",
                    f"{cpu:.1f}",
                    "" if name == "cold" else f"{cold_wall / wall:.1f}x / {cold_cpu / cpu:.1f}x",
                    lines[name].replace("cache: ", ""),
                ]
            )
            if name != "cold":
                findings.append((label, what, cold_wall / wall))
    edited = [r for label, what, r in findings if what == "one transcript edited"]
    verdict = "PASS" if edited and min(edited) >= 10 else "FAIL"
    return (
        "### Incremental runs on the shipped corpus (seconds; median of "
        f"{repeats})\n\n"
        + _table(["coders", "run", "wall", "CPU", "faster than cold (wall / CPU)", "the cache said"], rows)
        + "\n\nTarget: a re-run after one transcript changed at least 10x faster than a cold run: "
        f"**{verdict}** (speed-ups {', '.join(f'{r:.1f}x' for r in edited)}). What is recomputed then: "
        "that document's per-document stages (and the spaCy pipeline built for it), its interactions, "
        "and the whole-corpus steps whose inputs it changed (manual codings, reliability, factors, "
        "graph, exports); with the model trained here, every leave-one-document-out training (17 train "
        "on it, the 18th codes it): exact results need them."
    )


def _add_cue(codebook_text: str) -> str:
    """The codebook with one more cue on the first code that has Indonesian cues."""
    import yaml

    codes = yaml.safe_load(codebook_text)
    for code in codes:
        cues = code.get("cues") or {}
        if cues.get("id"):
            cues["id"] = [*cues["id"], "rapat koordinasi mingguan"]
            break
    return yaml.safe_dump(codes, allow_unicode=True, sort_keys=False)


def dask_section(work: Path) -> str:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        return "### Dask\n\n_dask is not installed (`pip install 'qualbst[dask]'`): not measured._"
    project = _copy_project(work / "dask")
    local_wall = _run(project, "--no-cache", "--coder", "rules", out="out-local")[0]
    dask_wall = _run(
        project, "--no-cache", "--coder", "rules", "--engine", "dask", "--jobs", "2", out="out-dask"
    )[0]
    local = {p.name: p.read_bytes() for p in sorted((project / "out-local").iterdir()) if p.is_file()}
    remote = {p.name: p.read_bytes() for p in sorted((project / "out-dask").iterdir()) if p.is_file()}
    different = sorted(n for n in set(local) | set(remote) if local.get(n) != remote.get(n))
    verdict = "PASS" if not different else "FAIL"
    detail = "all identical" if not different else f"different: {', '.join(different)}"
    return (
        "### `--engine dask` vs local (shipped corpus, `--coder rules --no-cache`)\n\n"
        + _table(
            ["engine", "wall seconds", "files"],
            [
                ["local", f"{local_wall:.1f}", str(len(local))],
                ["dask (LocalCluster, 2 worker processes)", f"{dask_wall:.1f}", str(len(remote))],
            ],
        )
        + f"\n\nByte-for-byte identical `out/`: **{verdict}** ({detail})."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--only", choices=["jobs", "incremental", "dask"], default=None, help="Run one section only."
    )
    parser.add_argument("--stage", choices=["documents", "model"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(_stage(args.stage, args.project, args.jobs)))
        return 0
    with tempfile.TemporaryDirectory(prefix="qualbst-bench-pipeline-") as tmp:
        work = Path(tmp)
        sections = [
            f"_{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{platform.platform()}; medians of {args.repeats} runs; load average before: "
            f"{os.getloadavg()[0]:.2f}._"
        ]
        if args.only in (None, "jobs"):
            sections.append(jobs_section(work, args.repeats))
        if args.only in (None, "incremental"):
            sections.append(incremental_section(work, args.repeats))
        if args.only in (None, "dask"):
            sections.append(dask_section(work))
    print("\n\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
