"""qualbst: theory-driven coding of interview transcripts, intercoder reliability
and coordination networks (Thompson's pooled, sequential and reciprocal
interdependence), Indonesian first and English too.

The public API is re-exported here; heavy modules (spaCy, pandas) load on
first use, so ``import qualbst`` is quick.

Examples
--------
>>> import qualbst as qb
>>> "read_corpus" in qb.__all__
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Agency": "codebook",
    "Code": "codebook",
    "Codebook": "codebook",
    "CodebookError": "errors",
    "CodingsError": "errors",
    "CorpusError": "errors",
    "Document": "corpus.model",
    "Problem": "errors",
    "Project": "pipeline",
    "QualbstError": "errors",
    "Turn": "corpus.model",
    "ValidationError": "errors",
    "build_nlp": "nlp",
    "describe_corpus": "corpus.model",
    "find_quote": "coding.manual",
    "kwic": "kwic",
    "load_codebook": "codebook",
    "load_project": "pipeline",
    "read_codings": "coding.manual",
    "read_corpus": "corpus.readers",
    "read_document": "corpus.readers",
    "run": "pipeline",
    "segment_corpus": "segments",
    "segment_document": "segments",
    "stem": "lang",
    "validate_project": "pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qualbst' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from .codebook import Agency, Code, Codebook, load_codebook
    from .coding.manual import find_quote, read_codings
    from .corpus.model import Document, Turn, describe_corpus
    from .corpus.readers import read_corpus, read_document
    from .errors import (
        CodebookError,
        CodingsError,
        CorpusError,
        Problem,
        QualbstError,
        ValidationError,
    )
    from .kwic import kwic
    from .lang import stem
    from .nlp import build_nlp
    from .pipeline import Project, load_project, run, validate_project
    from .segments import segment_corpus, segment_document
