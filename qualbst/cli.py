"""The ``qualbst`` command line: a thin layer over the library.

Each command calls the library function a notebook would call and renders
its result. A :class:`~qualbst.errors.QualbstError` becomes ``qualbst: error:``
lines on stderr and exit status 1; bad usage exits 2 (click's default).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import QualbstError, ValidationError

F = TypeVar("F", bound=Callable[..., Any])


def project_options(func: F) -> F:
    """The options every command shares (CONTRACT.md)."""
    options = [
        click.option(
            "--interviews",
            type=click.Path(path_type=Path),
            default=Path("interviews"),
            show_default=True,
            help="Folder of transcripts (.md, .txt, .docx, .vtt).",
        ),
        click.option(
            "--codebook",
            type=click.Path(path_type=Path),
            default=Path("codebook"),
            show_default=True,
            help="Folder with codebook.yaml and agencies.yaml.",
        ),
        click.option(
            "--codings",
            type=click.Path(path_type=Path),
            default=Path("codings"),
            show_default=True,
            help="Folder of manual codings CSVs.",
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path),
            default=Path("out"),
            show_default=True,
            help="Folder for the outputs.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            for problem in exc.problems:
                click.echo(f"qualbst: error: {problem}", err=True)
            ctx.exit(1)
        except QualbstError as exc:
            click.echo(f"qualbst: error: {exc}", err=True)
            ctx.exit(1)


class _Progress:
    """A progress bar over documents on stderr (nothing when quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet or not sys.stderr.isatty():
            return
        if self.bar is None or stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=total, label=f"{stage:<10}", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)
        if done == total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.version_option(package_name="qualbst")
@click.pass_context
def cli(ctx: click.Context, quiet: bool) -> None:
    """qualbst: code interview transcripts against a theory-driven codebook,
    measure coder agreement and map who coordinates with whom."""
    ctx.obj = {"quiet": quiet}


def _say(ctx: click.Context, message: str) -> None:
    if not ctx.obj["quiet"]:
        click.echo(message, err=True)


def machine_options(func: F, flag: str = "--coder", default: str = "both") -> F:
    """Options choosing the machine coders (``flag`` names the choice, ``default`` its default)."""
    options = [
        click.option(
            flag,
            "machine",
            type=click.Choice(["rules", "model", "both", "none"]),
            default=default,
            show_default=True,
            help="Machine coders to run.",
        ),
        click.option(
            "--model",
            type=click.Path(path_type=Path),
            default=None,
            help="A model folder from 'qualbst train' (default: train one on --train-coder).",
        ),
        click.option(
            "--train-coder",
            default=None,
            help="Human coder the model learns from when no --model is given (default: the first).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def jobs_option(func: F) -> F:
    """``--jobs N``: worker processes for the per-document stages."""
    option = click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Worker processes over documents (and over the model's trainings); outputs are the same.",
    )
    return option(func)


def engine_options(func: Any) -> Any:
    """``--jobs``, ``--engine``, ``--scheduler`` and ``--no-cache``: how the per-document stages run."""
    for option in reversed(
        [
            jobs_option,
            click.option(
                "--engine",
                type=click.Choice(["local", "dask"]),
                default="local",
                show_default=True,
                help="Where the per-document stages run: this machine, or a Dask cluster "
                "(needs the 'dask' extra).",
            ),
            click.option(
                "--scheduler",
                metavar="ADDRESS",
                default=None,
                help="Address of a running Dask scheduler (tcp://host:8786); "
                "default: a local cluster of --jobs workers.",
            ),
            click.option(
                "--no-cache",
                is_flag=True,
                help="Ignore the incremental cache (.qualbst-cache/ beside --interviews): "
                "recompute all, store nothing.",
            ),
        ]
    ):
        func = option(func)
    return func


@cli.command()
@project_options
@machine_options
@click.option(
    "--unit",
    type=click.Choice(["segment", "turn", "document"]),
    default="segment",
    show_default=True,
    help="Unit of intercoder reliability.",
)
@engine_options
@click.pass_context
def run(
    ctx: click.Context,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
    machine: str,
    model: Path | None,
    train_coder: str | None,
    unit: str,
    jobs: int,
    engine: str,
    scheduler: str | None,
    no_cache: bool,
) -> None:
    """Run the whole analysis on a project and write out/.

    Documents are processed one at a time (in --jobs worker processes, or on
    Dask with --engine dask) and results kept in an incremental cache, so a
    re-run recomputes only the documents and codes that changed.
    """
    from .pipeline import run as run_pipeline

    progress = _Progress(ctx.obj["quiet"])
    result = run_pipeline(
        interviews=interviews,
        codebook=codebook,
        codings=codings,
        out=out,
        coder=machine,
        model=model,
        train_coder=train_coder,
        unit=unit,
        progress=progress,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        cache=not no_cache,
    )
    progress.close()
    analysis = result.analysis
    project = analysis.project
    _say(
        ctx,
        f"{len(project.documents)} documents, {len(project.segments)} segments, "
        f"{len(project.codings)} manual and {len(analysis.codings) - len(project.codings)} machine codings, "
        f"{len(analysis.interactions)} interactions, {analysis.graph.number_of_edges()} links",
    )
    for note in analysis.notes:
        _say(ctx, f"note: {note}")
    for line in result.log:
        _say(ctx, line)
    for path in result.files:
        click.echo(str(path))


def _load(interviews: Path, codebook: Path, codings: Path) -> Any:
    from .pipeline import load_project

    return load_project(interviews=interviews, codebook=codebook, codings=codings)


def _write(frame: Any, path: Path) -> None:
    from ._io import write_csv_atomic

    write_csv_atomic(frame, path)
    click.echo(str(path))


@cli.command()
@project_options
@machine_options
@engine_options
@click.pass_context
def code(
    ctx: click.Context,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
    machine: str,
    model: Path | None,
    train_coder: str | None,
    jobs: int,
    engine: str,
    scheduler: str | None,
    no_cache: bool,
) -> None:
    """Code the transcripts by machine; write out/mentions.csv and out/codings.csv.

    out/codings.csv holds the manual codings and the machine ones
    (coder auto:rules, auto:model), each machine coding with its evidence:
    the same two files as 'qualbst run', through the same workers and cache.
    """
    from .pipeline import code as code_project

    result = code_project(
        interviews=interviews,
        codebook=codebook,
        codings=codings,
        out=out,
        coder=machine,
        model=model,
        train_coder=train_coder,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        cache=not no_cache,
    )
    for note in result.notes:
        _say(ctx, f"note: {note}")
    for line in result.log:
        _say(ctx, line)
    counts = result.machine["coder"].value_counts().sort_index()
    for name, count in counts.items():
        click.echo(f"{name}: {count} codings", err=True)
    for path in result.files:
        click.echo(str(path))


@cli.command()
@click.option("--coder", "trainer", required=True, help="The human coder whose codes the model learns.")
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    default=Path("models/autocoder"),
    show_default=True,
    help="Folder to write the model to.",
)
@project_options
def train(trainer: str, model: Path, interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """Train the auto-coder on a human coder's codes; write the model folder."""
    import warnings

    from .coding.model import AutoCoder, QualbstWarning

    project = _load(interviews, codebook, codings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QualbstWarning)
        autocoder = AutoCoder.train(
            project.segments, project.codings, project.documents, project.codebook, coder=trainer
        )
    for warning in caught:
        click.echo(f"qualbst: warning: {warning.message}", err=True)
    autocoder.save(model)
    click.echo(f"{model}: {len(autocoder.codes)} codes learned from {trainer}")
    for code_id, threshold in autocoder.thresholds.items():
        click.echo(f"  {code_id:<32} threshold {threshold:.2f}")


def _table(frame: Any, columns: list[str]) -> None:
    click.echo(frame[columns].to_string(index=False))


@cli.command()
@click.option("--against", default=None, help="Score the machine coders against this human coder.")
@click.option(
    "--interactions",
    "interactions_only",
    is_flag=True,
    help="Score extracted interactions against codings/interactions.csv instead.",
)
@click.option(
    "--coder",
    "from_coder",
    default=None,
    help="With --interactions: only the links extracted from this coder's codes "
    "(default: every human and machine coder's).",
)
@click.option(
    "--machine",
    type=click.Choice(["rules", "model", "both", "none"]),
    default="both",
    show_default=True,
    help="With --interactions: machine coders whose codes are scored too.",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    default=None,
    help="Score this saved model (from 'qualbst train', e.g. on another study) instead of one "
    "trained here leave-one-document-out on --against.",
)
@project_options
def evaluate(
    against: str | None,
    interactions_only: bool,
    from_coder: str | None,
    machine: str,
    model: Path | None,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
) -> None:
    """How often machine coding agrees with a person (out/evaluation.csv), or how well
    interactions are extracted (out/evaluation-interactions.csv)."""
    from .coding.evaluate import evaluate_coders
    from .coding.machine import default_training_coder
    from .errors import QualbstError

    project = _load(interviews, codebook, codings)
    reference = against or default_training_coder(project.codings)
    if reference is None:
        raise QualbstError("no human codings to evaluate against", file=codings)
    if interactions_only:
        from .network.interactions import evaluate_extraction, read_interactions_annotation

        annotation = codings / "interactions.csv"
        if not annotation.exists():
            raise QualbstError("no annotated interactions to score against", file=annotation)
        gold = read_interactions_annotation(annotation, project.documents, project.codebook)
        table = evaluate_extraction(
            project.segments,
            project.codings,
            project.documents,
            project.codebook,
            gold,
            against=reference,
            machine=machine,
            model=model,
        )
        if from_coder is not None:
            table = table[table["codes"] == from_coder]
            if table.empty:
                raise QualbstError(f"no codes by {from_coder!r} to extract interactions from")
        _table(table[table["type"] == "all"], ["codes", "level", "annotated", "extracted", "tp",
                                                "precision", "recall", "f1"])  # fmt: skip
        _write(table, out / "evaluation-interactions.csv")
        return
    table, _ = evaluate_coders(
        project.segments, project.codings, project.documents, project.codebook, against=reference,
        model=model,
    )  # fmt: skip
    summary = table[table["code"].str.startswith("(")]
    _table(summary, ["coder", "level", "code", "precision", "recall", "f1", "kappa"])
    _write(table, out / "evaluation.csv")


@cli.command()
@click.option("--coder", "person", required=True, help="The person who reviews the suggestions.")
@functools.partial(machine_options, flag="--machine")
@project_options
def suggest(
    person: str,
    machine: str,
    model: Path | None,
    train_coder: str | None,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
) -> None:
    """Machine codings the person has not coded yet: out/suggestions.csv with an empty
    'decision' column to fill with accept or reject."""
    from .coding.review import suggest as make_suggestions
    from .pipeline import machine_coding

    coded = machine_coding(
        interviews=interviews,
        codebook=codebook,
        codings=codings,
        coder=machine,
        model=model,
        train_coder=train_coder,
    )
    project = coded.project
    table = make_suggestions(
        coded.machine, project.codings, project.segments, coder=person, codings_dir=codings
    )
    _write(table, out / "suggestions.csv")
    click.echo(f"{len(table)} suggestions for {person}", err=True)


@cli.command()
@click.argument("suggestions", type=click.Path(path_type=Path))
@click.option("--coder", "person", required=True, help="Whose codings file the accepted ones join.")
@project_options
def accept(
    suggestions: Path, person: str, interviews: Path, codebook: Path, codings: Path, out: Path
) -> None:
    """Append accepted suggestions to codings/<coder>.csv; remember rejected ones."""
    from .coding.review import accept_suggestions

    result = accept_suggestions(suggestions, coder=person, codings_dir=codings)
    click.echo(f"accepted {result.accepted}, rejected {result.rejected}, undecided {result.undecided}")
    for path in result.files:
        click.echo(str(path))


def _coder_list(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def _with_machine(project: Any, coders: list[str] | None) -> Any:
    """The project's codings plus machine codings when a machine coder is asked for."""
    import pandas as pd

    from .coding.machine import machine_codings
    from .tables import is_machine

    wanted = {c for c in coders or [] if is_machine(c)}
    if not wanted:
        return project.codings
    kind = "both" if wanted >= {"auto:rules", "auto:model"} else wanted.pop().split(":", 1)[1]
    machine = machine_codings(
        project.segments, project.codings, project.documents, project.codebook, coder=kind
    )
    return pd.concat([project.codings, machine], ignore_index=True)


@cli.command()
@click.option(
    "--coders",
    default=None,
    help="Comma-separated coders to compare (default: every human coder; auto:rules and auto:model allowed).",
)
@click.option(
    "--unit", type=click.Choice(["segment", "turn", "document"]), default="segment", show_default=True
)
@click.option("--skip-uncoded", is_flag=True, help="Leave out units no coder coded.")
@project_options
def reliability(
    coders: str | None,
    unit: str,
    skip_uncoded: bool,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
) -> None:
    """Intercoder agreement per code: out/reliability.csv and out/disagreements.csv."""
    from .coding.machine import human_coders
    from .reliability import disagreements
    from .reliability import reliability as agreement

    project = _load(interviews, codebook, codings)
    chosen = _coder_list(coders) or human_coders(project.codings)
    table = _with_machine(project, chosen)
    result = agreement(
        table,
        project.segments,
        coders=chosen,
        unit=unit,
        skip_uncoded=skip_uncoded,
        codes=project.codebook.codable_ids,
    )
    _table(result, ["code", "units", "percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1"])
    _write(result, out / "reliability.csv")
    _write(disagreements(table, project.segments, coders=chosen, unit=unit), out / "disagreements.csv")


@cli.command()
@click.option(
    "--coders",
    default=None,
    help="Comma-separated coders whose codes state the interactions "
    "(default: every human coder; auto:rules and auto:model allowed).",
)
@project_options
def graph(coders: str | None, interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """The coordination graph: out/interactions.csv, graph exports, pictures and analyses."""
    from ._io import atomic_output_dir
    from .coding.machine import human_coders
    from .coding.rules import find_mentions
    from .network import (
        build_graph,
        centrality,
        draw_graph,
        load_expected,
        replication_check,
        replication_summary,
        write_gexf,
        write_graph_html,
        write_graph_json,
        write_graphml,
    )
    from .network.interactions import extract_interactions

    project = _load(interviews, codebook, codings)
    chosen = _coder_list(coders) or human_coders(project.codings)
    table = _with_machine(project, chosen)
    mentions = find_mentions(project.segments, project.documents, project.codebook)
    interactions = extract_interactions(
        project.segments, table, project.documents, project.codebook, coders=chosen
    )
    network = build_graph(
        interactions,
        project.codebook,
        documents=project.documents,
        mentions=mentions,
        segments=project.segments,
    )
    with atomic_output_dir(out) as staging:
        from ._io import write_csv_atomic

        write_csv_atomic(interactions, staging / "interactions.csv")
        write_csv_atomic(centrality(network), staging / "centrality.csv")
        write_graphml(network, staging / "graph.graphml")
        write_gexf(network, staging / "graph.gexf")
        write_graph_json(network, staging / "graph.json")
        draw_graph(network, staging / "graph.svg", title="Coordination graph")
        write_graph_html(network, staging / "graph.html")
    click.echo(
        f"{network.number_of_nodes()} agencies, {network.number_of_edges()} links from "
        f"{len(interactions)} interactions ({', '.join(chosen)})"
    )
    _table(centrality(network), ["agency", "level", "degree", "betweenness"])
    expected = codebook / "expected.yaml"
    if expected.exists():
        summary = replication_summary(replication_check(network, load_expected(expected, project.codebook)))
        click.echo(summary.to_string(index=False))


@cli.command()
@click.option("--coders", default=None, help="Comma-separated coders (default: every human coder).")
@project_options
def factors(coders: str | None, interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """Supporting and inhibiting factors by theme, obstacles, cross-tabs and the case-by-code matrix."""
    from .coding.machine import human_coders
    from .factors import case_matrix, code_crosstab, obstacles
    from .factors import factors as factor_table

    project = _load(interviews, codebook, codings)
    chosen = _coder_list(coders) or human_coders(project.codings)
    table = _with_machine(project, chosen)
    args = {"coder": chosen, "codebook": project.codebook}
    found = factor_table(table, project.segments, project.documents, **args)
    _table(found, ["factor", "theme", "segments", "informants", "documents"])
    _write(found, out / "factors.csv")
    _write(obstacles(table, project.segments, project.documents, **args), out / "obstacles.csv")
    _write(
        code_crosstab(table, project.segments, project.documents, by="role", **args),
        out / "crosstab-role.csv",
    )
    _write(case_matrix(table, project.segments, project.documents, **args), out / "case-matrix.csv")


@cli.command()
@project_options
@functools.partial(machine_options, default="rules")  # the rule coder is quick; 'run' writes the report too
@click.option(
    "--unit",
    type=click.Choice(["segment", "turn", "document"]),
    default="segment",
    show_default=True,
    help="Unit of intercoder reliability.",
)
@click.pass_context
def report(
    ctx: click.Context,
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
    machine: str,
    model: Path | None,
    train_coder: str | None,
    unit: str,
) -> None:
    """The self-contained HTML report: out/report.html (every number links to its quotes)."""
    from .pipeline import analyse
    from .report import write_report

    project = _load(interviews, codebook, codings)
    analysis = analyse(project, coder=machine, model=model, train_coder=train_coder, unit=unit)
    for note in analysis.notes:
        _say(ctx, f"note: {note}")
    click.echo(str(write_report(analysis, out / "report.html")))


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["qdpx", "qdc", "xlsx"]),
    default="qdpx",
    show_default=True,
    help="qdpx: REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder); qdc: codebook; xlsx: workbook.",
)
@click.option(
    "--machine",
    type=click.Choice(["rules", "model", "both", "none"]),
    default="none",
    show_default=True,
    help="Machine codings to include (qdpx, xlsx).",
)
@click.option(
    "--file",
    "target",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write (default: out/project.qdpx, out/codebook.qdc or out/qualbst.xlsx).",
)
@project_options
def export(
    fmt: str, machine: str, target: Path | None, interviews: Path, codebook: Path, codings: Path, out: Path
) -> None:
    """Export the project for other tools: a REFI-QDA project or codebook, or a workbook."""
    if fmt == "qdc":
        from .codebook import load_codebook
        from .interop import write_qdc

        click.echo(str(write_qdc(load_codebook(codebook), target or out / "codebook.qdc")))
        return
    from .pipeline import analyse, load_project

    project = load_project(interviews=interviews, codebook=codebook, codings=codings)
    analysis = analyse(project, coder=machine)
    if fmt == "qdpx":
        from .interop import export_qdpx

        path = export_qdpx(
            project,
            target or out / "project.qdpx",
            codings=analysis.codings,
            interactions=analysis.interactions,
        )
    else:
        from .interop import codebook_table, write_xlsx

        sheets = {
            "segments": project.segments,
            "codings": analysis.codings,
            "interactions": analysis.interactions,
            **analysis.tables,
            "codebook": codebook_table(project.codebook),
        }
        path = write_xlsx(sheets, target or out / "qualbst.xlsx")
    click.echo(str(path))


@cli.command(name="import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "destination",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the imported project (interviews/, codebook/, codings/).",
)
@click.option(
    "--language",
    type=click.Choice(["id", "en"]),
    default=None,
    help="Language of documents that do not say (default: guessed, with a warning).",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def import_(source: Path, destination: Path, language: str | None, force: bool) -> None:
    """Import a REFI-QDA project (.qdpx) or codebook (.qdc) from another QDA tool."""
    if source.suffix.lower() == ".qdc":
        from .interop import read_qdc, write_codebook

        for path in write_codebook(read_qdc(source), destination / "codebook"):
            click.echo(str(path))
        return
    from .interop import import_qdpx

    result = import_qdpx(source, destination, language=language, overwrite=force)
    for warning in result.warnings:
        click.echo(f"qualbst: warning: {warning}", err=True)
    coded = ", ".join(f"{coder} {n}" for coder, n in sorted(result.codings.items())) or "none"
    click.echo(f"{len(result.documents)} documents, {len(result.codes)} codes, codings: {coded}")
    for name in result.files:
        click.echo(str(destination / name))


@cli.command()
@project_options
@click.pass_context
def validate(ctx: click.Context, interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """Lint transcripts, codebook and codings; list every problem as file:line: message."""
    from .pipeline import validate_project

    problems = validate_project(interviews=interviews, codebook=codebook, codings=codings)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        _say(ctx, f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
        ctx.exit(1)
    _say(ctx, "valid: transcripts, codebook and codings")


@cli.command()
@click.argument("term")
@click.option(
    "--window",
    default=6,
    show_default=True,
    type=click.IntRange(0, 100),
    help="Words of context on each side.",
)
@click.option("--lemma", is_flag=True, help="Match inflected forms (kirim finds dikirimkan).")
@click.option("--document", "only", multiple=True, help="Only these document ids.")
@project_options
def kwic(
    term: str,
    window: int,
    lemma: bool,
    only: tuple[str, ...],
    interviews: Path,
    codebook: Path,
    codings: Path,
    out: Path,
) -> None:
    """Keyword in context: every use of TERM with document, turn, speaker and role."""
    from .corpus.readers import read_corpus
    from .kwic import kwic as find

    documents = [d for d in read_corpus(interviews) if not only or d.id in only]
    hits = find(documents, term, window=window, lemma=lemma)
    for hit in hits.itertuples(index=False):
        where = f"{hit.document}:{hit.turn} {hit.speaker} ({hit.role})"
        click.echo(f"{where:<42} {hit.left:>50} [{hit.match}] {hit.right}")
    click.echo(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}", err=True)


@cli.command()
@project_options
def corpus(interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """Describe the transcripts: one Markdown table row per document."""
    from .corpus.model import describe_corpus
    from .corpus.readers import read_corpus

    rows = describe_corpus(read_corpus(interviews))
    click.echo("| document | informant | role | agency | language | turns | words |")
    click.echo("|---|---|---|---|---|---:|---:|")
    for r in rows:
        click.echo(
            f"| `{r['document']}` | {r['informant']} | {r['role']} | `{r['agency']}` "
            f"| {r['language']} | {r['turns']} | {r['words']:,} |"
        )
    turns = sum(r["turns"] for r in rows)
    words = sum(r["words"] for r in rows)
    click.echo(f"| **{len(rows)} documents** | | | | | **{turns}** | **{words:,}** |")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``qualbst`` console script."""
    cli.main(args=argv, prog_name="qualbst")
