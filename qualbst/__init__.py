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
    "compare_figures": "replication",
    "compare_findings": "replication",
    "published_findings": "replication",
    "draw_graph": "network",
    "factor_matrix": "factors",
    "fit_summary": "network",
    "pairwise_kappa": "reliability",
    "pairwise_matrix": "reliability",
    "replication_summary": "network",
    "score_codings": "coding.evaluate",
    "evaluate_extraction": "network.interactions",
    "Analysis": "pipeline",
    "AutoCoder": "coding.model",
    "accept_suggestions": "coding.review",
    "analyse": "pipeline",
    "build_graph": "network",
    "build_report": "report",
    "case_matrix": "factors",
    "centrality": "network",
    "code_crosstab": "factors",
    "code_rules": "coding.rules",
    "coordination_fit": "network",
    "disagreements": "reliability",
    "evaluate_coders": "coding.evaluate",
    "evaluate_interactions": "network.interactions",
    "export_qdpx": "interop",
    "extract_interactions": "network.interactions",
    "factor_table": "factors",
    "find_mentions": "coding.rules",
    "import_qdpx": "interop",
    "load_expected": "network",
    "machine_codings": "coding.machine",
    "obstacles": "factors",
    "read_qdc": "interop",
    "reliability_table": "reliability",
    "replication_check": "network",
    "sequential_chains": "network",
    "suggest": "coding.review",
    "write_outputs": "pipeline",
    "write_qdc": "interop",
    "write_report": "report",
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
    "corpus_totals": "corpus.model",
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


# Public names that differ from the function's name in its module: a function
# may not share its name with a submodule (importing ``qualbst.reliability``
# would replace ``qualbst.reliability`` the function with the module).
_RENAMED = {"factor_table": "factors", "reliability_table": "reliability"}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qualbst' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from .codebook import Agency, Code, Codebook, load_codebook
    from .coding.evaluate import evaluate_coders, score_codings
    from .coding.machine import machine_codings
    from .coding.manual import find_quote, read_codings
    from .coding.model import AutoCoder
    from .coding.review import accept_suggestions, suggest
    from .coding.rules import code_rules, find_mentions
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
    from .factors import case_matrix, code_crosstab, factor_matrix, obstacles
    from .factors import factors as factor_table
    from .interop import export_qdpx, import_qdpx, read_qdc, write_qdc
    from .kwic import kwic
    from .lang import stem
    from .network import (
        build_graph,
        centrality,
        coordination_fit,
        draw_graph,
        fit_summary,
        load_expected,
        replication_check,
        replication_summary,
        sequential_chains,
    )
    from .network.interactions import evaluate_extraction, evaluate_interactions, extract_interactions
    from .nlp import build_nlp
    from .pipeline import Analysis, Project, analyse, load_project, run, validate_project, write_outputs
    from .reliability import disagreements, pairwise_kappa
    from .reliability import reliability as reliability_table
    from .replication import compare_figures, compare_findings, published_findings
    from .report import build_report, write_report
    from .segments import segment_corpus, segment_document
