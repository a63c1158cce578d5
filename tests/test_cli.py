"""The command line, in process: run, validate, kwic, and bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qualbst.cli import cli
from qualbst.tables import CODINGS_COLUMNS, SEGMENTS_COLUMNS


def args(project: dict[str, Path], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        out += [f"--{name}", str(project[name])]
    return out


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_run_writes_segments_and_codings(project: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["run", *args(project, "interviews", "codebook", "codings", "out")])
    assert result.exit_code == 0, result.output
    segments = pd.read_csv(project["out"] / "segments.csv")
    codings = pd.read_csv(project["out"] / "codings.csv")
    assert list(segments.columns) == list(SEGMENTS_COLUMNS)
    assert list(codings.columns) == list(CODINGS_COLUMNS)
    # doc-a: P(1) + I1(3) + P(1) + I1(2); doc-b: P(1) + E1(2)
    assert len(segments) == 10 and segments["segment"].is_unique
    assert list(segments[segments["document"] == "doc-a"]["turn"]) == [1, 2, 2, 2, 3, 4, 4]
    assert set(codings["segment"]) <= set(segments["segment"])


def test_run_is_deterministic(project: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    common = args(project, "interviews", "codebook", "codings")
    runner.invoke(cli, ["run", *common, "--out", str(tmp_path / "one")])
    runner.invoke(cli, ["run", *common, "--out", str(tmp_path / "two")])
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_validate_passes_and_fails(project: dict[str, Path]) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", *args(project, "interviews", "codebook", "codings")])
    assert ok.exit_code == 0, ok.output
    (project["codings"] / "coder-b.csv").write_text(
        "document,code,coder,quote\ndoc-a,obstacle.nope,b,kami\ndoc-q,obstacle.moved,b,x\n",
        encoding="utf-8",
    )
    bad = runner.invoke(cli, ["validate", *args(project, "interviews", "codebook", "codings")])
    assert bad.exit_code == 1
    lines = bad.stdout.strip().splitlines()
    assert lines == [
        f"{project['codings'] / 'coder-b.csv'}:2: unknown code 'obstacle.nope' (not in the codebook)",
        f"{project['codings'] / 'coder-b.csv'}:3: unknown document 'doc-q' (not in the transcripts folder)",
    ]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p["interviews"] / "doc-b.md").write_text("---\nid: [x\n---\n"), "malformed YAML"),
        (lambda p: (p["interviews"] / "doc-b.md").write_bytes(b"---\nid: b\n\xc3\x28\n"), "not valid UTF-8"),
        (lambda p: (p["interviews"] / "c.md").write_text((p["interviews"] / "doc-a.md").read_text()),
         "document id 'doc-a' is already used"),
        (lambda p: (p["codings"] / "x.csv").write_text("document,code,coder,start,end\ndoc-a,obstacle.moved,x,5,99999\n"),
         "outside the text"),
    ],
)  # fmt: skip
def test_bad_input_exit_1_one_line_nothing_written(project: dict[str, Path], damage, message: str) -> None:
    runner = CliRunner()
    full = args(project, "interviews", "codebook", "codings", "out")
    assert runner.invoke(cli, ["run", *full]).exit_code == 0
    before_out = snapshot(project["out"])
    damage(project)
    before_in = {k: snapshot(project[k]) for k in ("interviews", "codebook", "codings")}
    result = runner.invoke(cli, ["run", *full])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("qualbst: error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert snapshot(project["out"]) == before_out  # the old outputs, untouched
    assert {k: snapshot(project[k]) for k in before_in} == before_in  # inputs never modified
    assert not [p for p in project["out"].parent.iterdir() if p.name.startswith(".out.")]


def test_bad_usage_exits_2(project: dict[str, Path]) -> None:
    assert CliRunner().invoke(cli, ["run", "--no-such-option"]).exit_code == 2


def test_kwic_with_lemma(project: dict[str, Path]) -> None:
    runner = CliRunner()
    plain = runner.invoke(cli, ["kwic", "bagi", *args(project, "interviews")])
    lemma = runner.invoke(cli, ["kwic", "bagi", "--lemma", *args(project, "interviews")])
    assert plain.exit_code == lemma.exit_code == 0
    assert "[bagikan]" not in plain.stdout
    assert "doc-a:2 I1 (informant)" in lemma.stdout and "[bagikan]" in lemma.stdout


def test_python_dash_m(project: dict[str, Path]) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "qualbst", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "validate" in done.stdout
