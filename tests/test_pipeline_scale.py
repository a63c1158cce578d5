"""Scale: --jobs, the incremental cache, the Dask engine and lazy imports.

Runs use a subset of the shipped corpus (three transcripts, both languages,
with the manual codings of those three) so the whole file stays quick.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qualbst.cli import cli
from qualbst.pipeline import analyse, load_project, run, write_outputs

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ("en-ward-welfare-officer", "kel-wonokusumo-kesra-1", "pos-kebonrojo")


def _filtered_csv(source: Path, target: Path) -> None:
    text = source.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(reader.fieldnames or []), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row for row in reader if row["document"] in SUBSET)
    target.write_text(buffer.getvalue(), encoding="utf-8")


def make_subset(root: Path) -> dict[str, Path]:
    """Three shipped transcripts, the shipped codebook and their codings, under ``root``."""
    folders = {name: root / name for name in ("interviews", "codebook", "codings")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    for name in SUBSET:
        (folders["interviews"] / f"{name}.md").write_bytes((ROOT / "interviews" / f"{name}.md").read_bytes())
    for path in (ROOT / "codebook").iterdir():
        if path.is_file():
            (folders["codebook"] / path.name).write_bytes(path.read_bytes())
    for path in (ROOT / "codings").glob("*.csv"):
        _filtered_csv(path, folders["codings"] / path.name)
    return folders


@pytest.fixture
def subset(tmp_path: Path) -> dict[str, Path]:
    return make_subset(tmp_path / "project")


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_same_outputs(first: Path, second: Path) -> None:
    a, b = files_of(first), files_of(second)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"outputs differ: {different}"


def test_jobs_2_writes_what_jobs_1_writes(subset, tmp_path):
    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    one = run(**common, out=tmp_path / "one", jobs=1, cache=False)
    two = run(**common, out=tmp_path / "two", jobs=2, cache=False)
    assert_same_outputs(tmp_path / "one", tmp_path / "two")
    assert [p.name for p in one.files] == [p.name for p in two.files]
    assert one.log == two.log == ()
    assert not (subset["interviews"].parent / ".qualbst-cache").exists()  # cache=False stores nothing


def _summary(result) -> str:
    return next(line for line in result.log if line.startswith("cache:"))


def test_cache_reuses_and_invalidates_per_document_and_per_code(subset, tmp_path):
    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    cache = subset["interviews"].parent / ".qualbst-cache"
    cold = run(**common, out=tmp_path / "cold", coder="rules")
    assert _summary(cold) == "cache: 0 of 3 documents reused"
    assert list(cache.rglob("*.json"))
    warm = run(**common, out=tmp_path / "warm", coder="rules")
    assert _summary(warm) == "cache: 3 of 3 documents reused"
    assert_same_outputs(tmp_path / "cold", tmp_path / "warm")

    transcript = subset["interviews"] / "pos-kebonrojo.md"
    transcript.write_text(
        transcript.read_text(encoding="utf-8") + "\nKami kirim daftar ke kelurahan lewat kecamatan.\n",
        encoding="utf-8",
    )
    edited = run(**common, out=tmp_path / "edited", coder="rules")
    assert _summary(edited) == "cache: 2 of 3 documents reused"
    run(**common, out=tmp_path / "edited-fresh", coder="rules", cache=False)
    assert_same_outputs(tmp_path / "edited", tmp_path / "edited-fresh")
    assert files_of(tmp_path / "edited")["segments.csv"] != files_of(tmp_path / "cold")["segments.csv"]

    book = subset["codebook"] / "codebook.yaml"
    codes = yaml.safe_load(book.read_text(encoding="utf-8"))
    code = next(c for c in codes if c.get("cues"))
    code["cues"]["id"] = [*code["cues"]["id"], "tim gabungan"]
    book.write_text(yaml.safe_dump(codes, allow_unicode=True, sort_keys=False), encoding="utf-8")
    recoded = run(**common, out=tmp_path / "recoded", coder="rules")
    assert _summary(recoded) == (
        "cache: 0 of 3 documents reused, 3 re-coded (their segments and agency mentions reused)"
    )
    run(**common, out=tmp_path / "recoded-fresh", coder="rules", cache=False)
    assert_same_outputs(tmp_path / "recoded", tmp_path / "recoded-fresh")


def test_an_edit_inside_a_segment_leaves_the_reliability_coefficients_to_the_cache(
    subset, tmp_path, monkeypatch
):
    import qualbst.reliability

    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    transcript = subset["interviews"] / "pos-kebonrojo.md"
    text = transcript.read_text(encoding="utf-8") + "\nKami kirim daftar ke kelurahan tiap minggu.\n"
    transcript.write_text(text, encoding="utf-8")
    run(**common, out=tmp_path / "before", coder="rules")
    transcript.write_text(text.replace("tiap minggu", "tiap bulan"), encoding="utf-8")  # same segments

    def recomputed(*args, **kwargs):
        raise AssertionError("reliability recomputed although no unit or coding changed")

    with monkeypatch.context() as patch:
        patch.setattr(qualbst.reliability, "reliability", recomputed)
        edited = run(**common, out=tmp_path / "edited", coder="rules")
    assert _summary(edited) == "cache: 2 of 3 documents reused"
    run(**common, out=tmp_path / "fresh", coder="rules", cache=False)
    assert_same_outputs(tmp_path / "edited", tmp_path / "fresh")
    assert b"tiap bulan" in files_of(tmp_path / "edited")["segments.csv"]


def test_pictures_and_the_qdpx_come_from_the_cache_while_their_inputs_are_unchanged(
    subset, tmp_path, monkeypatch
):
    import qualbst.interop
    import qualbst.network

    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    run(**common, out=tmp_path / "cold", coder="rules")
    calls: list[str] = []

    def counting(name: str, real):
        def counted(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        return counted

    for module, name in ((qualbst.network, "draw_graph"), (qualbst.interop, "export_qdpx")):
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    run(**common, out=tmp_path / "warm", coder="rules")
    assert calls == []  # nothing changed: both came from the cache
    assert_same_outputs(tmp_path / "cold", tmp_path / "warm")
    transcript = subset["interviews"] / "pos-kebonrojo.md"
    transcript.write_text(
        transcript.read_text(encoding="utf-8").replace("kecamatan", "kecamatan dan Dinsos", 1)
        + "\nKami kirim daftar ke Dinsos lewat kecamatan, terus Dinsos kirim balik ke kami.\n",
        encoding="utf-8",
    )
    run(**common, out=tmp_path / "edited", coder="rules")
    assert files_of(tmp_path / "edited")["graph.json"] != files_of(tmp_path / "cold")["graph.json"]
    assert sorted(calls) == ["draw_graph", "export_qdpx"]  # the graph and the text changed: made again
    run(**common, out=tmp_path / "fresh", coder="rules", cache=False)
    assert_same_outputs(tmp_path / "edited", tmp_path / "fresh")


def test_model_trainings_are_cached_and_a_corrupt_entry_is_recomputed(subset, tmp_path):
    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    cache = subset["interviews"].parent / ".qualbst-cache"
    cold = run(**common, out=tmp_path / "cold")
    assert _summary(cold) == "cache: 0 of 3 documents reused; model: 0 of 3 trainings reused"
    # the notebook path (load_project, analyse, write_outputs) writes the same files
    write_outputs(analyse(load_project(**common)), tmp_path / "memory")
    assert_same_outputs(tmp_path / "cold", tmp_path / "memory")
    folds = sorted((cache / "v1" / "fold").rglob("*.json"))
    documents = sorted((cache / "v1" / "tables").rglob("*.json"))
    assert len(folds) == 3 and len(documents) == 3
    folds[0].write_text("{not json", encoding="utf-8")
    documents[0].write_text(
        json.dumps({"format": "qualbst-cache/1", "key": "wrong", "data": 1}), encoding="utf-8"
    )
    again = run(**common, out=tmp_path / "again")
    assert _summary(again) == "cache: 2 of 3 documents reused; model: 2 of 3 trainings reused"
    corrupt = [line for line in again.log if "corrupt" in line]
    assert len(corrupt) == 2
    assert_same_outputs(tmp_path / "cold", tmp_path / "again")

    # the model learns from the rule coder's codes: editing a cue retrains it
    book = subset["codebook"] / "codebook.yaml"
    codes = yaml.safe_load(book.read_text(encoding="utf-8"))
    code = next(c for c in codes if c.get("cues"))
    code["cues"]["id"] = [*code["cues"]["id"], "tim gabungan"]
    book.write_text(yaml.safe_dump(codes, allow_unicode=True, sort_keys=False), encoding="utf-8")
    recoded = run(**common, out=tmp_path / "recoded")
    assert _summary(recoded).endswith("; model: 0 of 3 trainings reused")
    run(**common, out=tmp_path / "recoded-fresh", cache=False)
    assert_same_outputs(tmp_path / "recoded", tmp_path / "recoded-fresh")


def test_cli_run_reports_the_cache_and_no_cache_ignores_it(project):
    base = ["run", "--coder", "rules"]
    base += [x for k in ("interviews", "codebook", "codings", "out") for x in (f"--{k}", str(project[k]))]
    runner = CliRunner()
    first = runner.invoke(cli, base)
    assert first.exit_code == 0, first.output
    assert "cache: 0 of 2 documents reused" in first.stderr
    second = runner.invoke(cli, base)
    assert "cache: 2 of 2 documents reused" in second.stderr
    third = runner.invoke(cli, [*base, "--no-cache"])
    assert third.exit_code == 0 and "cache:" not in third.stderr


def test_dask_engine_writes_the_same_files_as_the_local_one(subset, tmp_path):
    distributed = pytest.importorskip("distributed")
    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    run(**common, out=tmp_path / "local", coder="rules", cache=False)
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        run(
            **common,
            out=tmp_path / "dask",
            coder="rules",
            cache=False,
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


def test_engine_dask_without_dask_installed_says_what_to_install(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    paths = [x for k in ("interviews", "codebook", "codings", "out") for x in (f"--{k}", str(project[k]))]
    result = CliRunner().invoke(cli, ["run", "--engine", "dask", *paths])
    assert result.exit_code == 1
    assert "pip install 'qualbst[dask]'" in result.stderr
    bad = CliRunner().invoke(cli, ["run", "--scheduler", "tcp://localhost:1", *paths])
    assert bad.exit_code == 1 and "--scheduler needs --engine dask" in bad.stderr


HEAVY = ("spacy", "sklearn", "networkx", "scipy", "dask", "distributed")


def _imported_after(argv: list[str], cwd: Path) -> set[str]:
    code = (
        "import sys\n"
        "from qualbst.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stderr.strip().splitlines()[-1].split()) if done.stderr.strip() else set()


def test_help_imports_nothing_heavy(tmp_path):
    assert _imported_after(["--help"], tmp_path) == set()
    assert _imported_after(["run", "--help"], tmp_path) == set()


def test_validate_loads_spacy_for_segments_but_not_the_analysis_stack(project):
    argv = [
        "validate",
        *[x for k in ("interviews", "codebook", "codings") for x in (f"--{k}", str(project[k]))],
    ]
    loaded = _imported_after(argv, project["interviews"].parent)
    assert "sklearn" not in loaded and "networkx" not in loaded and "dask" not in loaded


def test_spawned_workers_give_the_same_rows_as_in_process(subset):
    from qualbst.cache import Cache
    from qualbst.codebook import load_codebook
    from qualbst.corpus.readers import read_corpus
    from qualbst.engine import Engine, ProcessEngine, compute_documents

    documents = read_corpus(subset["interviews"])
    book = load_codebook(subset["codebook"])
    here = list(compute_documents(documents, book, coder="rules", engine=Engine(), cache=Cache(None)))
    with ProcessEngine(2, start_method="spawn") as engine:
        there = list(compute_documents(documents, book, coder="rules", engine=engine, cache=Cache(None)))
    assert here == there


def test_a_failed_run_leaves_the_previous_outputs_and_no_staging_folder(project):
    from qualbst.errors import ValidationError

    common = {k: project[k] for k in ("interviews", "codebook", "codings")}
    run(**common, out=project["out"], coder="rules")
    before = files_of(project["out"])
    # a bad manual coding fails the run after the documents were streamed to the staging folder
    (project["codings"] / "coder-z.csv").write_text(
        "document,code,coder,quote\ndoc-a,aspect.parties,coder-z,no such words\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="quote not found"):
        run(**common, out=project["out"], coder="rules", jobs=2)
    assert files_of(project["out"]) == before
    assert sorted(p.name for p in project["out"].parent.iterdir()) == [
        ".qualbst-cache",
        "codebook",
        "codings",
        "interviews",
        "out",
    ]


def test_per_document_views_are_the_corpus_views_and_come_back_from_the_cache(subset, tmp_path):
    from qualbst.cache import Cache
    from qualbst.codebook import load_codebook
    from qualbst.coding.model import segment_views
    from qualbst.corpus.readers import read_corpus
    from qualbst.engine import compute_documents, frames_of

    documents = read_corpus(subset["interviews"])
    book = load_codebook(subset["codebook"])
    store = Cache(tmp_path / "cache")
    fresh = list(compute_documents(documents, book, coder="both", cache=store, views=True))
    tables = frames_of(fresh, book)
    whole = segment_views(tables["segments"], documents, book, mentions=tables["mentions"])
    joined = {s: v for r in fresh for s, v in (r.views or {}).items()}
    assert joined == whole and len(whole) > 100
    assert any(w.startswith("RULE:") for v in whole.values() for w in v)
    again = list(compute_documents(documents, book, coder="both", cache=store, views=True))
    assert [r.views for r in again] == [r.views for r in fresh]
    plain = list(compute_documents(documents, book, coder="both", cache=store))
    assert all(r.views is None for r in plain)


def test_code_writes_runs_mentions_and_codings_through_the_same_workers_and_cache(subset, tmp_path):
    from qualbst.pipeline import code

    common = {k: subset[k] for k in ("interviews", "codebook", "codings")}
    run(**common, out=tmp_path / "run", cache=False)
    first = code(**common, out=tmp_path / "code", jobs=2)
    for name in ("mentions.csv", "codings.csv"):
        assert (tmp_path / "code" / name).read_bytes() == (tmp_path / "run" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "code").iterdir()) == ["codings.csv", "mentions.csv"]
    assert set(first.machine["coder"]) == {"auto:rules", "auto:model"}
    args = [x for k, v in common.items() for x in (f"--{k}", str(v))]
    again = CliRunner().invoke(cli, ["code", *args, "--out", str(tmp_path / "code")])
    assert again.exit_code == 0, again.output
    assert "cache: 3 of 3 documents reused; model: 3 of 3 trainings reused" in again.stderr
    assert (tmp_path / "code" / "codings.csv").read_bytes() == (tmp_path / "run" / "codings.csv").read_bytes()


def _pid_of(item: int) -> tuple[int, int]:
    import os

    return item, os.getpid()


_WARMED: list[int] = []


def _warm() -> None:
    import os

    _WARMED.append(os.getpid())


def test_process_engine_warm_up_runs_in_the_caller_and_every_item_in_a_worker() -> None:
    """With warm_up, the calling process loads and forks; no item waits in it (the model's trainings)."""
    import os

    from qualbst.engine import ProcessEngine

    _WARMED.clear()
    with ProcessEngine(2) as engine:
        done = list(engine.map(_pid_of, range(6), warm_up=_warm))
        without = list(engine.map(_pid_of, range(6)))
    assert [item for item, _ in done] == list(range(6))  # in order
    assert [os.getpid()] == _WARMED  # once, here
    assert os.getpid() not in {pid for _, pid in done}  # every item in a worker
    assert without[0][1] == os.getpid()  # without: the first item warms this process
    assert os.getpid() not in {pid for _, pid in without[1:]}


def test_fingerprint_counts_what_matters_and_only_that(tmp_path: Path) -> None:
    from dataclasses import replace

    from qualbst.cache import fingerprint
    from qualbst.corpus.readers import read_corpus

    document = read_corpus(Path(__file__).parents[1] / "interviews")[0]
    moved = replace(document, path=tmp_path / "elsewhere.md")
    edited = replace(document, body=document.body + " ")
    assert fingerprint("tables", document) == fingerprint("tables", moved)  # the path does not count
    assert fingerprint("tables", document) != fingerprint("tables", edited)
    assert fingerprint({"b": {2, 1}, "a": (1, "x")}) == fingerprint({"a": [1, "x"], "b": {1, 2}})
    assert fingerprint({1, 2}) != fingerprint({1, 3})
    # keys json cannot sort still fingerprint (the slower path), and still tell values apart
    assert fingerprint({("a", 1): 1}) == fingerprint({("a", 1): 1}) != fingerprint({("a", 1): 2})
