"""The whole analysis, step by step: ``run()`` is these calls in order.

``load_project`` (read transcripts, check, segment, resolve manual codings)
-> ``analyse`` (agency mentions, machine codings, interactions, graph and its
analyses, reliability, factors) -> ``write_outputs`` (``out/``). A notebook
can stop after any of them and look. Every output file is written to a
staging folder first and moved into ``out/`` only when all are complete.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
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

    from .cache import Cache
    from .corpus.model import Document
    from .engine import CacheStats, DocumentResult, Engine

__all__ = [
    "Analysis",
    "CodeResult",
    "Project",
    "RunResult",
    "analyse",
    "code",
    "load_project",
    "machine_coding",
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
    documents, book = _read_inputs(interviews, codebook)
    segments = segment_corpus(_report(documents, progress, "segment"))
    coded = read_codings(codings, documents, book, segments)
    return Project(documents, book, segments, coded)


def _read_inputs(interviews: str | Path, codebook: str | Path) -> tuple[tuple[Document, ...], Codebook]:
    """Read the transcripts and the codebook; raise every problem of both at once."""
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
    return documents, book


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
    machine_coders: dict[str, str] = field(default_factory=dict)
    """Each machine coder in ``codings`` -> how it made its codings (for the report)."""


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
    mentions: pd.DataFrame | None = None,
    machine: pd.DataFrame | None = None,
    interactions: pd.DataFrame | None = None,
    extra_notes: Sequence[str] = (),
    cache: Cache | None = None,
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
    mentions, machine, interactions : DataFrame, optional
        The agency mentions, the machine codings and the interactions when
        already computed (``run`` computes them document by document, see
        :mod:`qualbst.engine`); otherwise they are computed here.
    extra_notes : sequence of str
        Notes to put first in ``Analysis.notes``.
    cache : qualbst.cache.Cache, optional
        Where reliability and the factor tables are remembered, keyed by the
        hash of their inputs (the human codings, segments, documents and
        codebook) and of the code: a re-run that changed none of those (only
        machine codings, say) reuses them.
    """
    import warnings

    import pandas as pd

    from .cache import Cache, folder_digest, remember_tables
    from .coding.machine import describe_machine_coders, human_coders, machine_codings
    from .coding.rules import find_mentions
    from .factors import case_matrix, code_crosstab, factors, obstacles
    from .network import (
        EmptyGraphWarning,
        build_graph,
        centrality,
        coordination_links,
        fit_summary,
        load_expected,
        pooled_groups,
        reciprocal_pairs,
        replication_check,
        sequential_chains,
        sequential_cycles,
    )
    from .network.interactions import extract_interactions
    from .reliability import disagreements, reliability

    notes: list[str] = list(extra_notes)
    docs, book, segments = project.documents, project.codebook, project.segments

    def step(name: str) -> None:
        if progress is not None:
            progress(name, 1, 1)

    if mentions is None:
        mentions = find_mentions(segments, docs, book)
    step("mentions")
    if machine is None:
        machine = machine_codings(
            segments,
            project.codings,
            docs,
            book,
            coder=coder,
            model=model,
            train_coder=train_coder,
            mentions=mentions,
            notes=notes,
        )
    step("coding")
    codings = pd.concat([project.codings, machine], ignore_index=True) if len(machine) else project.codings
    humans = human_coders(project.codings)
    chosen = list(graph_coders) if graph_coders is not None else humans
    if not chosen:
        chosen = sorted(set(machine["coder"]))
        notes.append("no manual codings: the graph is built from the machine codings")
    if interactions is None:
        interactions = extract_interactions(segments, codings, docs, book, coders=chosen, mentions=mentions)
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
    tables["coordination-fit-summary"] = fit_summary(tables["coordination-fit"])
    expected_file = Path(expected) if expected is not None else Path(book.path) / "expected.yaml"
    if expected_file.exists():
        tables["replication"] = replication_check(graph, load_expected(expected_file, book))
    else:
        notes.append(f"no {expected_file}: replication check left out")
    human = codings[codings["coder"].isin(humans)]
    store = cache if cache is not None else Cache(None)
    if len(humans) >= 2:
        try:
            # Keyed by what each reads: the coefficients read no text, so an edit inside a
            # transcript's segments leaves them (and nltk's import) to the cache.
            units = segments[["document", "segment", "turn", "role"]]
            judged = human[[c for c in ("document", "segment", "code", "coder", "evidence") if c in human]]
            tables.update(
                remember_tables(
                    store,
                    "reliability",
                    (judged, units, humans, unit, list(book.codable_ids)),
                    lambda: {
                        "reliability": reliability(
                            judged, units, coders=humans, unit=unit, codes=book.codable_ids
                        )
                    },
                    sources=("reliability.py", "errors.py"),
                )
            )
            tables.update(
                remember_tables(
                    store,
                    "disagreements",
                    (human, segments, humans, unit),
                    lambda: {"disagreements": disagreements(human, segments, coders=humans, unit=unit)},
                    sources=("reliability.py", "errors.py"),
                )
            )
        except QualbstError as exc:
            notes.append(f"reliability left out: {exc.message}")
    else:
        notes.append(
            f"reliability needs two coders (found {len(humans)} human coder(s)): "
            "add a second coder's file to codings/"
        )
    if humans:

        def human_tables() -> dict[str, pd.DataFrame]:
            found = {
                "factors": factors(human, segments, docs, coder=humans, codebook=book),
                "obstacles": obstacles(human, segments, docs, coder=humans, codebook=book),
                "crosstab-role": code_crosstab(human, segments, docs, by="role", coder=humans, codebook=book),
            }
            if any(d.meta.get("agency_level") for d in docs):
                found["crosstab-level"] = code_crosstab(
                    human, segments, docs, by="agency_level", coder=humans, codebook=book
                )
            found["case-matrix"] = case_matrix(human, segments, docs, coder=humans, codebook=book)
            return found

        tables.update(
            remember_tables(
                store,
                "factors",
                (human, segments, docs, book, folder_digest(book.path) if book.path else "", humans),
                human_tables,
                sources=("factors.py", "errors.py"),
            )
        )
    step("tables")
    described = describe_machine_coders(
        set(machine["coder"]) if len(machine) else (), project.codings, model=model, train_coder=train_coder
    )
    return Analysis(project, mentions, codings, interactions, graph, tables, tuple(notes), described)


def write_outputs(
    analysis: Analysis, out: str | Path, *, streamed: Collection[str] = (), cache: Cache | None = None
) -> tuple[Path, ...]:
    """Write every table, the graph exports and pictures and ``report.html`` to ``out`` (atomically).

    ``streamed`` names tables already written to ``out`` as the documents
    were processed (``run`` streams ``segments.csv`` and ``mentions.csv``):
    they are listed but not written again. With a ``cache``, the graph's
    pictures are taken from it when the graph (its ``graph.json``, every
    attribute the drawing reads), the drawing code and matplotlib are
    unchanged, and ``project.qdpx`` when what it exports is: each was about
    a second of a warm run.
    """
    from .network import write_gexf, write_graph_html, write_graph_json, write_graphml
    from .report import write_report

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
            if name not in streamed:
                write_csv_atomic(frame, staging / name)
            written.append(name)
        write_graphml(analysis.graph, staging / "graph.graphml")
        write_gexf(analysis.graph, staging / "graph.gexf")
        write_graph_json(analysis.graph, staging / "graph.json")
        _draw_graph_cached(analysis.graph, staging, cache)
        write_graph_html(analysis.graph, staging / "graph.html")
        written += ["graph.graphml", "graph.gexf", "graph.json", "graph.svg", "graph.png", "graph.html"]
        _export_qdpx_cached(analysis, staging / "project.qdpx", cache)
        written.append("project.qdpx")
        write_report(analysis, staging / "report.html")
        written.append("report.html")
    return tuple(Path(out) / name for name in written)


def _draw_graph_cached(graph: Any, staging: Path, cache: Cache | None) -> None:
    """``graph.svg`` and ``graph.png`` in ``staging`` (beside its ``graph.json``), drawn or from ``cache``:
    keyed by the graph's JSON (every attribute the drawing reads), the drawing code and matplotlib."""
    import hashlib
    from importlib import metadata

    from .cache import Cache, remember_files
    from .network import draw_graph

    title = "Coordination graph"
    drawn = hashlib.sha256((staging / "graph.json").read_bytes()).hexdigest()
    paths = [staging / "graph.svg", staging / "graph.png"]
    remember_files(
        cache if cache is not None else Cache(None),
        "pictures",
        (drawn, metadata.version("matplotlib"), title),
        paths,
        lambda: draw_graph(graph, paths[0], title=title),
        sources=("network",),
    )


def _export_qdpx_cached(analysis: Analysis, path: Path, cache: Cache | None) -> None:
    """``project.qdpx``, exported or from ``cache``: keyed by everything ``export_qdpx`` reads (the
    documents, the codebook, the segments, the codings and the interactions) and the exporter's code."""
    from .cache import Cache, remember_files
    from .interop import export_qdpx

    project = analysis.project
    remember_files(
        cache if cache is not None else Cache(None),
        "qdpx",
        (
            list(project.documents),
            project.codebook,
            project.segments,
            analysis.codings,
            analysis.interactions,
        ),
        [path],
        lambda: export_qdpx(project, path, codings=analysis.codings, interactions=analysis.interactions),
        sources=("interop",),
    )


@dataclass(frozen=True)
class RunResult:
    """What ``run`` produced: the analysis, the files written and how.

    ``log`` says how the run went without being part of the analysis (so it
    is in no output file): what the incremental cache reused, entries it
    ignored as corrupt.
    """

    analysis: Analysis
    files: tuple[Path, ...]
    log: tuple[str, ...] = ()

    @property
    def project(self) -> Project:
        """The loaded project."""
        return self.analysis.project


class _TableSink:
    """Appends each document's rows to ``segments.csv`` and ``mentions.csv`` as
    it comes, byte for byte what writing the whole table at once would give."""

    def __init__(self, folder: Path) -> None:
        from .tables import MENTIONS_COLUMNS, SEGMENTS_COLUMNS

        self.columns = {"segments.csv": SEGMENTS_COLUMNS, "mentions.csv": MENTIONS_COLUMNS}
        self.handles: dict[str, Any] = {}
        for name, columns in self.columns.items():
            handle = (folder / name).open("w", encoding="utf-8", newline="")
            self.handles[name] = handle
            handle.write(",".join(columns) + "\n")

    @property
    def names(self) -> frozenset[str]:
        """The tables this sink writes."""
        return frozenset(self.columns)

    def append(self, segments: list[list[Any]], mentions: list[list[Any]]) -> None:
        """Write one document's rows."""
        import pandas as pd

        for name, rows in (("segments.csv", segments), ("mentions.csv", mentions)):
            if rows:
                frame = pd.DataFrame(rows, columns=list(self.columns[name]))
                frame.to_csv(self.handles[name], header=False, index=False, lineterminator="\n")

    def close(self) -> None:
        """Close the files (flushed to disk)."""
        import os

        for handle in self.handles.values():
            if not handle.closed:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()


def default_cache_folder(interviews: str | Path) -> Path:
    """The incremental cache of a project: ``.qualbst-cache`` beside its transcripts folder.

    Examples
    --------
    >>> default_cache_folder("study/interviews").as_posix()
    'study/.qualbst-cache'
    """
    return Path(interviews).parent / ".qualbst-cache"


def _check_coder(coder: str) -> None:
    from .coding.machine import MACHINE_CHOICES

    if coder not in MACHINE_CHOICES:
        raise QualbstError(f"coder must be one of {', '.join(MACHINE_CHOICES)} (got {coder!r})")


def _cache_folder(cache: bool | str | Path, interviews: str | Path) -> Path | None:
    return None if cache is False else default_cache_folder(interviews) if cache is True else Path(cache)


@dataclass(frozen=True)
class _Coded:
    project: Project
    mentions: pd.DataFrame
    machine: pd.DataFrame
    notes: list[str]


def _code_stage(
    documents: tuple[Document, ...],
    book: Codebook,
    codings: str | Path,
    *,
    coder: str,
    model: str | Path | None,
    train_coder: str | None,
    runner: Engine,
    store: Cache,
    stats: CacheStats,
    arrived: Callable[[int, DocumentResult], None] | None = None,
) -> _Coded:
    """The per-document stages through the engine and the cache, the manual
    codings, and the machine codings (a model trained here through the same
    engine and cache): what ``run`` and ``code`` share. ``arrived(n, result)``
    is called as each document's result comes."""
    from .cache import folder_digest, remember_tables
    from .coding.machine import machine_codings
    from .engine import compute_documents, frames_of, trained_model_codings

    notes: list[str] = []
    effective, model_path = coder, model if coder in ("model", "both") else None
    if model_path is not None:
        from .coding.model import AutoCoder

        try:
            AutoCoder.load(model_path, book)  # a bad model folder fails here, before any work
        except QualbstError as exc:
            if coder != "both":
                raise
            notes.append(f"auto:model left out: {exc.message}")
            effective, model_path = "rules", None
    stream = compute_documents(
        documents,
        book,
        coder=effective,
        model=model_path,
        engine=runner,
        cache=store,
        stats=stats,
        views=effective in ("model", "both") and model_path is None,  # for a model trained here
    )
    results = []
    for number, result in enumerate(stream, start=1):
        results.append(result)
        if arrived is not None:
            arrived(number, result)
    tables = frames_of(results, book)
    segments = tables["segments"]
    manual = remember_tables(
        store,
        "manual-codings",
        (folder_digest(codings), documents, book, segments),
        lambda: {"codings": read_codings(codings, documents, book, segments)},
        sources=("errors.py",),
    )["codings"]
    project = Project(documents, book, segments, manual)
    machine = machine_codings(
        project.segments,
        project.codings,
        project.documents,
        project.codebook,
        coder=effective,
        model=model_path,
        train_coder=train_coder,
        mentions=tables["mentions"],
        rules=tables["rules"],
        model_codings=tables["model"],
        train=lambda trainer: trained_model_codings(
            project.segments,
            project.codings,
            project.documents,
            project.codebook,
            trainer=trainer,
            mentions=tables["mentions"],
            digests={r.document: r.digest for r in results},
            engine=runner,
            cache=store,
            stats=stats,
            views={s: v for r in results for s, v in (r.views or {}).items()} or None,
        ),
        notes=notes,
    )
    return _Coded(project, tables["mentions"], machine, notes)


@dataclass(frozen=True)
class CodeResult:
    """What ``code`` produced: the project, its agency mentions, the machine
    codings, the files written and how (``log``, as in :class:`RunResult`)."""

    project: Project
    mentions: pd.DataFrame = field(repr=False)
    machine: pd.DataFrame = field(repr=False)
    files: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()
    log: tuple[str, ...] = ()


def machine_coding(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
    coder: str = "both",
    model: str | Path | None = None,
    train_coder: str | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool | str | Path = True,
) -> CodeResult:
    """The project's agency mentions and machine codings, written nowhere.

    The same per-document stages, engines and cache as :func:`run`, so the
    codings are those ``run`` writes. ``files`` is empty.

    Parameters
    ----------
    interviews, codebook, codings, coder, model, train_coder, jobs, engine, scheduler, cache
        As in :func:`run`.
    """
    from .cache import Cache
    from .engine import CacheStats, make_engine

    _check_coder(coder)
    documents, book = _read_inputs(interviews, codebook)
    store = Cache(_cache_folder(cache, interviews))
    stats = CacheStats()
    with make_engine(engine, jobs=jobs, scheduler=scheduler) as runner:
        coded = _code_stage(
            documents, book, codings, coder=coder, model=model, train_coder=train_coder,
            runner=runner, store=store, stats=stats,
        )  # fmt: skip
    return CodeResult(coded.project, coded.mentions, coded.machine, (), tuple(coded.notes), stats.log(store))


def code(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
    out: str | Path = "out",
    coder: str = "both",
    model: str | Path | None = None,
    train_coder: str | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool | str | Path = True,
) -> CodeResult:
    """Code the transcripts by machine: write ``mentions.csv`` and ``codings.csv``
    (the manual codings and the machine ones) to ``out``.

    :func:`machine_coding`, then the two files, equal byte for byte to those
    :func:`run` writes; nothing else is computed. Both files are staged and
    moved into ``out`` together; other files there are left alone. The
    parameters are those of :func:`run`.
    """
    import pandas as pd

    result = machine_coding(
        interviews=interviews, codebook=codebook, codings=codings, coder=coder, model=model,
        train_coder=train_coder, jobs=jobs, engine=engine, scheduler=scheduler, cache=cache,
    )  # fmt: skip
    codings, machine = result.project.codings, result.machine
    everything = pd.concat([codings, machine], ignore_index=True) if len(machine) else codings
    with atomic_output_dir(out) as staging:
        write_csv_atomic(result.mentions, staging / "mentions.csv")
        write_csv_atomic(everything, staging / "codings.csv")
    files = (Path(out) / "mentions.csv", Path(out) / "codings.csv")
    return CodeResult(result.project, result.mentions, machine, files, result.notes, result.log)


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
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool | str | Path = True,
) -> RunResult:
    """Run the whole analysis and write its outputs to ``out``.

    Nothing is written unless every step succeeds: outputs are staged and
    moved into ``out`` together.

    Parameters
    ----------
    interviews, codebook, codings, out : path
        The project's folders and the output folder.
    coder, model, train_coder, unit
        As in :func:`analyse`.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.
    jobs : int, default 1
        Worker processes for the per-document stages and the model's
        trainings (with ``engine="dask"`` and no ``scheduler``: the workers of
        the local cluster started for the run).
    engine : {"local", "dask"}
        Where the per-document stages run (see :mod:`qualbst.engine`); the
        outputs are the same, byte for byte.
    scheduler : str, optional
        The address of a running Dask scheduler (``tcp://host:8786``).
    cache : bool or path, default True
        The incremental cache folder (True: ``.qualbst-cache`` beside
        ``interviews``; False: none, everything is recomputed and nothing is
        stored). See :mod:`qualbst.cache`.

    Notes
    -----
    Documents are processed one by one (segments through spaCy's
    ``nlp.pipe``, agency mentions, rule codings, codings of a given model),
    in worker processes with ``jobs > 1`` or on Dask, and each document's
    segments and mentions are appended to ``segments.csv`` and
    ``mentions.csv`` in the staging folder as it arrives (with Dask, once
    all are back). What is whole-corpus, and so held in memory: the tables
    themselves (the corpus-level steps need them), the manual codings, the
    model trained on a human coder (each leave-one-document-out fold needs
    all other documents), interactions, the graph and its analyses,
    reliability, factors and the exports. ``RunResult.log`` says what the
    cache reused, e.g. ``cache: 17 of 18 documents reused``.
    """
    import pandas as pd

    from .cache import Cache
    from .coding.machine import human_coders
    from .engine import CacheStats, cached_interactions, make_engine

    _check_coder(coder)
    documents, book = _read_inputs(interviews, codebook)
    store = Cache(_cache_folder(cache, interviews))
    stats = CacheStats()
    with make_engine(engine, jobs=jobs, scheduler=scheduler) as runner, atomic_output_dir(out) as staging:
        sink = _TableSink(staging)

        def arrived(number: int, result: DocumentResult) -> None:
            sink.append(result.segments, result.mentions)
            if progress is not None:
                progress("documents", number, len(documents))

        try:
            coded = _code_stage(
                documents, book, codings, coder=coder, model=model, train_coder=train_coder,
                runner=runner, store=store, stats=stats, arrived=arrived,
            )  # fmt: skip
        finally:
            sink.close()
        project, machine, notes = coded.project, coded.machine, coded.notes
        segments = project.segments
        analysis = analyse(
            project,
            coder=coder,
            model=model,
            train_coder=train_coder,
            unit=unit,
            progress=progress,
            mentions=coded.mentions,
            machine=machine,
            interactions=cached_interactions(
                segments,
                pd.concat([project.codings, machine], ignore_index=True) if len(machine) else project.codings,
                documents,
                book,
                coders=human_coders(project.codings) or sorted(set(machine["coder"])),
                cache=store,
            ),
            extra_notes=notes,
            cache=store,
        )
        files = write_outputs(analysis, staging, streamed=sink.names, cache=store)
    return RunResult(analysis, tuple(Path(out) / f.relative_to(staging) for f in files), stats.log(store))
