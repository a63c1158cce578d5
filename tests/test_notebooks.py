"""The notebooks: committed without outputs, and each runs top to bottom on the shipped corpus.

Each notebook is executed once per session with nbclient, from ``notebooks/``
(as Jupyter and ``make notebooks`` run it), in the ``python3`` kernel of the
interpreter running the tests; a cell error fails it. The content tests then
read the outputs of tagged cells (``metadata.tags``), so they check what a
reader sees, not only that nothing raised.
"""

from __future__ import annotations

import io
import sys
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from qualbst.codebook import REQUIRED_CODES
from qualbst.replication import published_findings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_coding", "02_reliability", "03_coordination_graph", "04_factors", "05_replication")
KERNEL = "python3"
TIMEOUT = 300  # seconds per cell; a notebook takes 10-25 s on two cores


def _path(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


@cache
def _execute(name: str) -> tuple[Any, str]:
    """Run a notebook once per session: (executed notebook, "") or (None, the error)."""
    notebook = nbformat.read(_path(name), as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        return None, str(exc)
    return notebook, ""


def executed(name: str) -> Any:
    notebook, error = _execute(name)
    if notebook is None:
        pytest.fail(f"notebooks/{name}.ipynb failed:\n{error}", pytrace=False)
    return notebook


def tagged(notebook: Any, tag: str) -> Any:
    cells = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def text_of(cell: Any) -> str:
    """Everything a cell printed or displayed, as text (HTML included)."""
    parts: list[str] = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        for mime in ("text/plain", "text/html"):
            parts.append(str(output.get("data", {}).get(mime, "")))
    return "\n".join(parts)


def images(cell: Any) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


def table(cell: Any) -> pd.DataFrame:
    """The DataFrame a cell displayed, read back from its HTML."""
    html = [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert html, "the cell displays no table"
    frame = pd.read_html(io.StringIO(html[-1]), index_col=0)[0]
    if isinstance(frame.columns, pd.MultiIndex):  # a named index adds a second header row
        frame.columns = frame.columns.get_level_values(0)
    return frame


# ------------------------------------------------------------- committed form


def test_the_notebooks_are_all_there() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_valid_and_without_outputs(name: str) -> None:
    notebook = nbformat.read(_path(name), as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == KERNEL
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {number} has outputs (clear them before committing)"
            assert cell.execution_count is None, f"{name}: cell {number} has an execution count"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "import qualbst as qb" in code


# ------------------------------------------------------------------ execution


@pytest.mark.slow
def test_kernel_is_this_interpreter() -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.prefix)")])
    NotebookClient(notebook, timeout=60, kernel_name=KERNEL).execute()
    assert notebook.cells[0].outputs[0].text.strip() == sys.prefix


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom_cleanly(name: str) -> None:
    notebook = executed(name)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not errors, f"{name}: cell {number} raised {errors[0].ename}"
        assert not stderr, f"{name}: cell {number} wrote to stderr (a warning?):\n{''.join(stderr)}"


@pytest.mark.slow
def test_coding_shows_corpus_codebook_and_kwic() -> None:
    notebook = executed("01_coding")
    corpus = table(tagged(notebook, "corpus-table"))
    assert len(corpus) == len(list((ROOT / "interviews").glob("*.md")))
    assert corpus["synthetic"].all()
    codes = set(table(tagged(notebook, "codebook-table"))["id"])
    assert set(REQUIRED_CODES) <= codes
    assert images(tagged(notebook, "coder-plot")) == 1
    assert "auto:rules" in text_of(tagged(notebook, "rules-table"))
    hits = table(tagged(notebook, "kwic"))
    assert len(hits) > 0
    assert set(hits["match"].str.lower()) == {"undangan"}


@pytest.mark.slow
def test_reliability_tables_and_plot() -> None:
    notebook = executed("02_reliability")
    reliability = table(tagged(notebook, "reliability-table"))
    assert reliability["code"].iloc[-1] == "(all codes)"
    assert reliability["krippendorff_alpha"].between(-1, 1).all()
    assert images(tagged(notebook, "reliability-plot")) == 1
    units = table(tagged(notebook, "units-table"))
    assert list(units.columns) == ["segment", "segment, coded only", "turn", "document"]
    pairs = table(tagged(notebook, "pairwise-table"))
    assert "coder-a / coder-b" in pairs.columns
    assert any("auto:rules" in column for column in pairs.columns)


@pytest.mark.slow
def test_graph_is_drawn_inline_and_checked_against_expected() -> None:
    notebook = executed("03_coordination_graph")
    assert images(tagged(notebook, "graph-picture")) == 1
    assert sum(images(c) for c in notebook.cells if c.cell_type == "code") >= 3
    chains = table(tagged(notebook, "chains-table"))
    assert (chains["start"] == "kemensos").any()
    summary = table(tagged(notebook, "replication-summary"))
    assert list(summary["type"]) == ["pooled", "sequential", "reciprocal"]
    assert summary["recall"].between(0, 1).all()
    fit = table(tagged(notebook, "fit-table"))
    assert set(fit["type"]) == {"pooled", "sequential", "reciprocal"}


@pytest.mark.slow
def test_factors_with_plots() -> None:
    notebook = executed("04_factors")
    factors = table(tagged(notebook, "factor-table"))
    assert {c for c in REQUIRED_CODES if c.startswith("factor.")} <= set(factors["factor"])
    assert (factors["informants"] <= factors["segments"]).all()
    assert images(tagged(notebook, "factor-plot")) == 1
    assert images(tagged(notebook, "crosstab-plot")) == 1
    obstacles = table(tagged(notebook, "obstacles-table"))
    assert set(obstacles["code"]) == {c for c in REQUIRED_CODES if c.startswith("obstacle.")}


@pytest.mark.slow
def test_replication_marks_every_finding_and_figure() -> None:
    notebook = executed("05_replication")
    published = published_findings()
    findings = table(tagged(notebook, "findings-table"))
    assert list(findings["finding"]) == [f.id for f in published.findings]
    assert set(findings["verdict"]) <= {"reproduced", "not reproduced"}
    figures = table(tagged(notebook, "figures-table"))
    assert list(figures["published"]) == [f.value for f in published.figure_group("kpm-semampir")]
    assert set(figures["verdict"]) <= {"reproduced", "not reproduced"}
    assert images(tagged(notebook, "figures-plot")) == 1
