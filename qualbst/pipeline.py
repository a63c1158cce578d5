"""The whole analysis, step by step: ``run()`` is these calls in order.

read transcripts -> segment -> resolve manual codings -> write ``out/``.
Every output file is written to a staging folder first and moved into
``out/`` only when all of them are complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._io import atomic_output_dir, write_csv_atomic
from .codebook import Codebook, load_codebook
from .coding.manual import read_codings
from .corpus.readers import read_corpus
from .errors import Problem, QualbstError, ValidationError
from .segments import segment_corpus

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.model import Document

__all__ = ["Project", "load_project", "run", "validate_project"]

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
class RunResult:
    """What ``run`` produced: the project and the files written."""

    project: Project
    files: tuple[Path, ...]


def run(
    *,
    interviews: str | Path = "interviews",
    codebook: str | Path = "codebook",
    codings: str | Path = "codings",
    out: str | Path = "out",
    progress: Progress | None = None,
) -> RunResult:
    """Run the whole analysis and write its tables to ``out``.

    Nothing is written unless every step succeeds.
    """
    project = load_project(interviews=interviews, codebook=codebook, codings=codings, progress=progress)
    tables = {"segments.csv": project.segments, "codings.csv": project.codings}
    with atomic_output_dir(out) as staging:
        for name, frame in tables.items():
            write_csv_atomic(frame, staging / name)
    return RunResult(project, tuple(Path(out) / name for name in tables))
