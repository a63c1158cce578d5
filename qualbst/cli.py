"""The ``qualbst`` command line: a thin layer over the library.

Each command calls the library function a notebook would call and renders
its result. A :class:`~qualbst.errors.QualbstError` becomes ``qualbst: error:``
lines on stderr and exit status 1; bad usage exits 2 (click's default).
"""

from __future__ import annotations

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
        click.option("--interviews", type=click.Path(path_type=Path), default=Path("interviews"),
                     show_default=True, help="Folder of transcripts (.md, .txt, .docx, .vtt)."),
        click.option("--codebook", type=click.Path(path_type=Path), default=Path("codebook"),
                     show_default=True, help="Folder with codebook.yaml and agencies.yaml."),
        click.option("--codings", type=click.Path(path_type=Path), default=Path("codings"),
                     show_default=True, help="Folder of manual codings CSVs."),
        click.option("--out", type=click.Path(path_type=Path), default=Path("out"),
                     show_default=True, help="Folder for the outputs."),
    ]  # fmt: skip
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


@cli.command()
@project_options
@click.pass_context
def run(ctx: click.Context, interviews: Path, codebook: Path, codings: Path, out: Path) -> None:
    """Run the whole analysis on a project and write out/."""
    from .pipeline import run as run_pipeline

    progress = _Progress(ctx.obj["quiet"])
    result = run_pipeline(
        interviews=interviews, codebook=codebook, codings=codings, out=out, progress=progress
    )
    progress.close()
    project = result.project
    _say(
        ctx,
        f"{len(project.documents)} documents, {len(project.segments)} segments, "
        f"{len(project.codings)} codings",
    )
    for path in result.files:
        click.echo(str(path))


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
def kwic(term: str, window: int, lemma: bool, only: tuple[str, ...], interviews: Path,
         codebook: Path, codings: Path, out: Path) -> None:  # fmt: skip
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
