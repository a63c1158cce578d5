"""The published study beside the shipped corpus: findings and figures."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

import qualbst as qb
from qualbst.errors import QualbstError
from qualbst.replication import (
    FIGURES_COLUMNS,
    FINDINGS_COLUMNS,
    PUBLISHED_FILE,
    compare_figures,
    compare_findings,
    published_findings,
)

from .conftest import ROOT


@pytest.fixture(scope="module")
def analysis():
    project = qb.load_project(
        interviews=ROOT / "interviews", codebook=ROOT / "codebook", codings=ROOT / "codings"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qb.analyse(project, coder="rules")


def test_shipped_findings_reproduce_with_their_segments(analysis) -> None:
    table = compare_findings(analysis)
    assert tuple(table.columns) == FINDINGS_COLUMNS
    published = published_findings()
    assert list(table["finding"]) == [f.id for f in published.findings]
    # The shipped transcripts were written from the study: every finding holds on them ...
    assert table["reproduced"].all(), table.loc[~table["reproduced"], ["finding", "observed"]]
    # ... and every verdict names segments that exist, so a reader can check it
    known = set(analysis.project.segments["segment"])
    for cell in table["segments"]:
        ids = [s for s in str(cell).split(";") if s]
        assert ids and set(ids) <= known


def test_a_finding_the_graph_does_not_show_is_not_reproduced(analysis, tmp_path: Path) -> None:
    data = yaml.safe_load(PUBLISHED_FILE.read_text(encoding="utf-8"))
    data["findings"] = [
        {"id": "upside-down", "statement": "Families hand the money to the ministry.",
         "checks": [{"kind": "chain", "type": "sequential", "path": ["kpm", "kemensos"]}]},
        {"id": "unheard", "statement": "Nobody mentions a drone.",
         "checks": [{"kind": "pattern", "pattern": r"\bdrone\b", "min_informants": 1}]},
    ]  # fmt: skip
    file = tmp_path / "published.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    table = compare_findings(analysis, published=published_findings(file))
    assert list(table["reproduced"]) == [False, False]


def test_published_kpm_figures_are_found_in_the_transcripts(analysis) -> None:
    project = analysis.project
    table = compare_figures(project.segments, list(project.documents))
    assert tuple(table.columns) == FIGURES_COLUMNS
    kpm = table[table["group"] == "kpm-semampir"]
    assert len(kpm) >= 5 and kpm["reproduced"].all()
    text = dict(zip(project.segments["segment"], project.segments["text"], strict=True))
    for row in kpm.itertuples():
        first = str(row.segments).split(";")[0]
        assert row.stated in text[first]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "statement": "s", "checks": [{"kind": "vibes"}]}, "unknown check kind 'vibes'"),
        ({"id": "x", "statement": "s", "checks": [{"kind": "code"}]}, "a code check needs 'code'"),
        ({"id": "x", "statement": "s", "checks": [{"kind": "pattern", "pattern": "("}]},
         "invalid regular expression"),
    ],
)  # fmt: skip
def test_bad_published_file_names_file_line_and_problem(tmp_path: Path, entry, message) -> None:
    file = tmp_path / "published.yaml"
    file.write_text(yaml.safe_dump({"findings": [entry], "figures": []}), encoding="utf-8")
    with pytest.raises(QualbstError, match=message) as info:
        published_findings(file)
    assert "published.yaml:" in str(info.value)  # file:line
