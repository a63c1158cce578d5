"""The whole analysis, step by step: ``run()`` is these calls in order.

``load_project`` (read transcripts, check, segment, resolve manual codings)
-> ``analyse`` (agency mentions, machine codings, interactions, graph and its
analyses, reliability, factors) -> ``write_outputs`` (``out/``). A notebook
can stop after any of them and look. Every output file is written to a
staging folder first and moved into ``out/`` only when all are complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._io import atomic_output_dir, write_csv_atomic
from .codebook import Codebook, load_codebook
from .coding.manual import read_codings
from .corpus.readers import read_corpus
from .errors import Problem, QualbstError, ValidationError
from .segments import segment_corpus

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.model import Document

__all__ = [
    "Analysis",
    "Project",
    "RunResult",
    "analyse",
    "load_project",
    "run",
    "validate_project",
    "write_outputs",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Project:
    """A loaded project: documents, codebook, segments and manual codings."""

    documents: tuple[Document, ...]
    codebook: Codebook
    segments: pd.DataFrame = field(repr=False)
    codings: pd.DataFrame = field(repr=False)

    def document(self, document_id: str) -> Document:
        """Return the document with this id (KeyError if unknown)."""
        for document in self.documents:
            if document.id == document_id:
                return document
        raise KeyError(document_id)


def _collect(problems: list[Problem], exc: QualbstError) -> None:
    if isinstance(exc, ValidationError):
        problems.extend(exc.problems)
    else:
        problems.append(Problem(exc.file or "?", exc.line, exc.message))


def load_project(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
    progress: Progress | None = None,
) -> Project:
    """Read, check and segment a project; resolve its manual codings.

    Raises
    ------
    ValidationError
        Listing every problem in the transcripts, the codebook and the codings.
    """
    problems: list[Problem] = []
    documents: tuple[Document, ...] = ()
    book: Codebook | None = None
    try:
        documents = read_corpus(interviews)
    except QualbstError as exc:
        _collect(problems, exc)
    try:
        book = load_codebook(codebook)
    except QualbstError as exc:
        _collect(problems, exc)
    if problems or book is None:
        raise ValidationError(problems)
    segments = segment_corpus(_report(documents, progress, "segment"))
    coded = read_codings(codings, documents, book, segments)
    return Project(documents, book, segments, coded)


def _report(documents: Iterable[Document], progress: Progress | None, stage: str) -> Iterable[Document]:
    items = list(documents)
    for number, document in enumerate(items, start=1):
        yield document
        if progress is not None:
            progress(stage, number, len(items))


def validate_project(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
) -> list[Problem]:
    """Lint transcripts, codebook and codings; return every problem (empty: valid)."""
    try:
        load_project(interviews=interviews, codebook=codebook, codings=codings)
    except ValidationError as exc:
        return exc.problems
    except QualbstError as exc:
        return [Problem(exc.file or "?", exc.line, exc.message)]
    return []


@dataclass(frozen=True)
class Analysis:
    """Everything ``run`` computes, in memory: tables (DataFrames) and the graph.

    ``codings`` holds the manual and the machine codings; ``notes`` says what
    could not be computed and why (e.g. reliability with a single coder).
    """

    project: Project
    mentions: pd.DataFrame = field(repr=False)
    codings: pd.DataFrame = field(repr=False)
    interactions: pd.DataFrame = field(repr=False)
    graph: Any = field(repr=False)
    tables: dict[str, pd.DataFrame] = field(repr=False)
    notes: tuple[str, ...] = ()


def analyse(
    project: Project,
    *,
    coder: str = "both",
    model: str | Path | None = None,
    train_coder: str | None = None,
    graph_coders: Sequence[str] | None = None,
    unit: str = "segment",
    expected: str | Path | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Run every analysis step on a loaded project.

    Parameters
    ----------
    project : Project
    coder : {"rules", "model", "both", "none"}
        Which machine coders add their codings.
    model : path, optional
        A trained model folder; without one a model is trained on
        ``train_coder`` (see :func:`qualbst.coding.machine.machine_codings`).
    train_coder : str, optional
    graph_coders : sequence of str, optional
        Whose codings the interactions are read from (default: the human coders).
    unit : {"segment", "turn", "document"}
        The unit of intercoder reliability.
    expected : path, optional
        The expected structure for the replication check (default:
        ``<codebook>/expected.yaml`` when it exists).
    """
    import warnings

    import pandas as pd

    from .coding.machine import human_coders, machine_codings
    from .coding.rules import find_mentions
    from .factors import case_matrix, code_crosstab, factors, obstacles
    from .network import (
        EmptyGraphWarning,
        build_graph,
        centrality,
        coordination_links,
        load_expected,
        pooled_groups,
        reciprocal_pairs,
        replication_check,
        sequential_chains,
        sequential_cycles,
    )
    from .network.interactions import extract_interactions
    from .reliability import disagreements, reliability

    notes: list[str] = []
    docs, book, segments = project.documents, project.codebook, project.segments

    def step(name: str) -> None:
        if progress is not None:
            progress(name, 1, 1)

    mentions = find_mentions(segments, docs, book)
    step("mentions")
    try:
        machine = machine_codings(
            segments,
            project.codings,
            docs,
            book,
            coder=coder,
            model=model,
            train_coder=train_coder,
            mentions=mentions,
        )
    except QualbstError as exc:
        if coder != "both":
            raise
        notes.append(f"auto:model left out: {exc.message}")
        machine = machine_codings(segments, project.codings, docs, book, coder="rules", mentions=mentions)
    step("coding")
    codings = pd.concat([project.codings, machine], ignore_index=True) if len(machine) else project.codings
    humans = human_coders(project.codings)
    chosen = list(graph_coders) if graph_coders is not None else humans
    if not chosen:
        chosen = sorted(set(machine["coder"]))
        notes.append("no manual codings: the graph is built from the machine codings")
    interactions = extract_interactions(segments, codings, docs, book, coders=chosen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyGraphWarning)
        graph = build_graph(interactions, book, documents=docs, mentions=mentions, segments=segments)
    if graph.number_of_edges() == 0:
        notes.append("no interactions: the graph is empty")
    step("graph")
    tables: dict[str, pd.DataFrame] = {
        "centrality": centrality(graph),
        "chains": sequential_chains(graph),
        "cycles": sequential_cycles(graph),
        "reciprocal": reciprocal_pairs(graph),
        "pooled": pooled_groups(graph),
        "coordination-fit": coordination_links(
            graph, codings[codings["coder"].isin(chosen)], segments=segments
        ),
    }
    expected_file = Path(expected) if expected is not None else Path(book.path) / "expected.yaml"
    if expected_file.exists():
        tables["replication"] = replication_check(graph, load_expected(expected_file, book))
    else:
        notes.append(f"no {expected_file}: replication check left out")
    if len(humans) >= 2:
        try:
            tables["reliability"] = reliability(
                codings, segments, coders=humans, unit=unit, codes=book.codable_ids
            )
            tables["disagreements"] = disagreements(codings, segments, coders=humans, unit=unit)
        except QualbstError as exc:
            notes.append(f"reliability left out: {exc.message}")
    else:
        notes.append(
            f"reliability needs two coders (found {len(humans)} human coder(s)): "
            "add a second coder's file to codings/"
        )
    if humans:
        tables["factors"] = factors(codings, segments, docs, coder=humans, codebook=book)
        tables["obstacles"] = obstacles(codings, segments, docs, coder=humans, codebook=book)
        tables["crosstab-role"] = code_crosstab(
            codings, segments, docs, by="role", coder=humans, codebook=book
        )
        if any(d.meta.get("agency_level") for d in docs):
            tables["crosstab-level"] = code_crosstab(
                codings, segments, docs, by="agency_level", coder=humans, codebook=book
            )
        tables["case-matrix"] = case_matrix(codings, segments, docs, coder=humans, codebook=book)
    step("tables")
    return Analysis(project, mentions, codings, interactions, graph, tables, tuple(notes))


def write_outputs(analysis: Analysis, out: str | Path) -> tuple[Path, ...]:
    """Write every table, the graph exports and pictures to ``out`` (atomically)."""
    from .interop import export_qdpx
    from .network import draw_graph, write_gexf, write_graph_html, write_graph_json, write_graphml

    frames = {
        "segments.csv": analysis.project.segments,
        "codings.csv": analysis.codings,
        "mentions.csv": analysis.mentions,
        "interactions.csv": analysis.interactions,
        **{f"{name}.csv": frame for name, frame in analysis.tables.items()},
    }
    written: list[str] = []
    with atomic_output_dir(out) as staging:
        for name, frame in frames.items():
            write_csv_atomic(frame, staging / name)
            written.append(name)
        write_graphml(analysis.graph, staging / "graph.graphml")
        write_gexf(analysis.graph, staging / "graph.gexf")
        write_graph_json(analysis.graph, staging / "graph.json")
        draw_graph(analysis.graph, staging / "graph.svg", title="Coordination graph")
        write_graph_html(analysis.graph, staging / "graph.html")
        written += ["graph.graphml", "graph.gexf", "graph.json", "graph.svg", "graph.png", "graph.html"]
        export_qdpx(
            analysis.project,
            staging / "project.qdpx",
            codings=analysis.codings,
            interactions=analysis.interactions,
        )
        written.append("project.qdpx")
    return tuple(Path(out) / name for name in written)


@dataclass(frozen=True)
class RunResult:
    """What ``run`` produced: the analysis and the files written."""

    analysis: Analysis
    files: tuple[Path, ...]

    @property
    def project(self) -> Project:
        """The loaded project."""
        return self.analysis.project


def run(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
    out: str | Path = "out",
    coder: str = "both",
    model: str | Path | None = None,
    train_coder: str | None = None,
    unit: str = "segment",
    progress: Progress | None = None,
) -> RunResult:
    """Run the whole analysis and write its outputs to ``out``.

    Nothing is written unless every step succeeds: outputs are staged and
    moved into ``out`` together.
    """
    project = load_project(interviews=interviews, codebook=codebook, codings=codings, progress=progress)
    analysis = analyse(
        project, coder=coder, model=model, train_coder=train_coder, unit=unit, progress=progress
    )
    return RunResult(analysis, write_outputs(analysis, out))
