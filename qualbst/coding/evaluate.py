"""How often machine coders agree with a person.

Scores are computed per code on binary decisions (code present or absent)
over *units*: informant segments, or informant turns (a turn has a code when
any of its segments has it), of the documents the reference coder coded.
Precision, recall and F1 treat the reference as truth; Cohen's kappa
(Cohen 1960) treats both as coders. Metrics come from scikit-learn.

The trained model is scored leave-one-document-out only: for each document,
a model trained on the reference coder's codes of every *other* document
codes it, so no document is ever coded by a model that saw it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus.model import interviewer_rows
from ..errors import QualbstError
from ..tables import is_machine
from .machine import model_folds, train_fold
from .model import MODEL_CODER, AutoCoder, load_config, segment_views
from .rules import RULES_CODER, code_rules, find_mentions

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = [
    "EVALUATION_COLUMNS",
    "combine_codings",
    "cross_validate_model",
    "evaluate_coders",
    "score_codings",
]

EVALUATION_COLUMNS = (
    "coder",
    "level",
    "code",
    "units",
    "support",
    "predicted",
    "tp",
    "fp",
    "fn",
    "precision",
    "recall",
    "f1",
    "kappa",
)
INTERDEPENDENCE_PREFIX = "interdependence."


def _units(segments: pd.DataFrame, documents: Iterable[str], level: str) -> pd.DataFrame:
    rows = segments[~interviewer_rows(segments["role"]) & segments["document"].isin(set(documents))]
    unit = rows["segment"] if level == "segment" else rows["document"] + ":" + rows["turn"].astype(str)
    return rows.assign(unit=unit)[["segment", "unit"]]


def score_codings(
    reference: pd.DataFrame,
    candidate: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    codes: Sequence[str],
    level: str = "segment",
    documents: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per-code agreement of ``candidate`` with ``reference`` at one level.

    Parameters
    ----------
    reference, candidate : DataFrame
        Codings tables (one coder each).
    segments : DataFrame
        The segments table.
    codes : sequence of str
        The codes to score.
    level : {"segment", "turn"}
    documents : iterable of str, optional
        The documents to score (default: those the reference coded).

    Returns
    -------
    DataFrame
        Columns ``level, code, units, support, predicted, tp, fp, fn, precision,
        recall, f1, kappa``; kappa is NaN when both coders agree a code is absent
        everywhere (undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"document": ["d"] * 4, "segment": list("abcd"), "turn": [1, 1, 2, 2],
    ...                     "role": ["informant"] * 4})
    >>> ref = pd.DataFrame({"segment": ["a", "b"], "code": ["x", "x"], "document": ["d", "d"]})
    >>> cand = pd.DataFrame({"segment": ["a", "c"], "code": ["x", "x"], "document": ["d", "d"]})
    >>> row = score_codings(ref, cand, seg, codes=["x"]).iloc[0]
    >>> # tp=1 (a), fp=1 (c), fn=1 (b), tn=1 (d): P=R=F1=0.5, kappa=(0.5-0.5)/(1-0.5)=0
    >>> [float(row[k]) for k in ("precision", "recall", "f1", "kappa")]
    [0.5, 0.5, 0.5, 0.0]
    """
    import pandas as pd
    from sklearn.metrics import cohen_kappa_score

    docs = set(documents) if documents is not None else set(reference["document"])
    units = _units(segments, docs, level)
    unit_of = dict(zip(units["segment"], units["unit"], strict=True))
    all_units = sorted(set(units["unit"]))
    rows: list[dict[str, Any]] = []
    for code in codes:
        truth = {unit_of[s] for s in reference.loc[reference["code"] == code, "segment"] if s in unit_of}
        guess = {unit_of[s] for s in candidate.loc[candidate["code"] == code, "segment"] if s in unit_of}
        tp, fp, fn = len(truth & guess), len(guess - truth), len(truth - guess)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        y_true = [u in truth for u in all_units]
        y_pred = [u in guess for u in all_units]
        if len(set(y_true) | set(y_pred)) < 2:
            kappa = float("nan")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                kappa = float(cohen_kappa_score(y_true, y_pred))
        rows.append(
            {
                "level": level,
                "code": code,
                "units": len(all_units),
                "support": len(truth),
                "predicted": len(guess),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
                "kappa": round(kappa, 4) if kappa == kappa else kappa,
            }
        )
    return pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS[1:]))


def cross_validate_model(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    coder: str,
    mentions: pd.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Leave-one-document-out machine codings: each document coded by a model
    trained on ``coder``'s codes of all the other documents."""
    import pandas as pd

    documents = list(documents)
    settings = settings or load_config()
    if mentions is None:
        mentions = find_mentions(segments, documents, codebook)
    coded = sorted(set(codings.loc[codings["coder"] == coder, "document"]))
    if len(coded) < 2:
        raise QualbstError(
            f"coder {coder!r} coded {len(coded)} document(s); leave-one-document-out needs at least 2"
        )
    views = segment_views(segments, documents, codebook, mentions=mentions, settings=settings)
    parts = [
        train_fold(
            fold,
            segments,
            codings,
            documents,
            codebook,
            trainer=coder,
            mentions=mentions,
            settings=settings,
            views=views,
        )
        for fold in model_folds(coded, coded, unseen=False)
    ]
    return pd.concat(parts, ignore_index=True)


def combine_codings(first: pd.DataFrame, second: pd.DataFrame, *, how: str, coder: str) -> pd.DataFrame:
    """Union (``how="union"``) or intersection of two coders' codings, as ``coder``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"segment": ["s1", "s2"], "code": ["x", "x"], "confidence": [0.5, 0.5]})
    >>> b = pd.DataFrame({"segment": ["s2"], "code": ["x"], "confidence": [0.9]})
    >>> list(combine_codings(a, b, how="intersection", coder="both")["segment"])
    ['s2']
    """
    import pandas as pd

    keys_a = set(zip(first["segment"], first["code"], strict=True))
    keys_b = set(zip(second["segment"], second["code"], strict=True))
    keep = keys_a | keys_b if how == "union" else keys_a & keys_b
    both = pd.concat([first, second], ignore_index=True)
    both = both[[k in keep for k in zip(both["segment"], both["code"], strict=True)]]
    both = both.sort_values("confidence", ascending=False, kind="stable")
    both = both.drop_duplicates(["segment", "code"]).assign(coder=coder)
    return both.sort_index().reset_index(drop=True)


def evaluate_coders(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    against: str,
    mentions: pd.DataFrame | None = None,
    model: str | Path | None = None,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Score the rule coder, the model (leave-one-document-out) and their union
    and intersection against the human coder ``against``; every other human
    coder is scored the same way, as the yardstick of how far two people agree.

    With ``model`` (a folder from ``qualbst train``) that saved model is scored
    instead of one trained here: how a model trained on one study's codes
    codes another study's transcripts that a person has coded.

    Returns
    -------
    (DataFrame, dict)
        The evaluation table (``EVALUATION_COLUMNS``: one row per coder, level
        and code, plus ``(macro: interdependence)`` and ``(macro: all codes)``
        rows averaging F1 and kappa over codes) and the machine codings scored,
        by coder name.
    """
    import pandas as pd

    documents = list(documents)
    reference = codings[codings["coder"] == against]
    if reference.empty:
        known = ", ".join(sorted(set(codings["coder"]))) or "none"
        raise QualbstError(f"no codings by {against!r} to evaluate against (coders: {known})")
    if mentions is None:
        mentions = find_mentions(segments, documents, codebook)
    scored_docs = sorted(set(reference["document"]))
    rules = code_rules(segments, documents, codebook, mentions=mentions)
    if model is None:
        model_codings = cross_validate_model(
            segments, codings, documents, codebook, coder=against, mentions=mentions
        )
        model_name = f"{MODEL_CODER} (leave-one-document-out)"
    else:
        saved = AutoCoder.load(model, codebook)
        model_codings = saved.code(segments, documents, codebook, mentions=mentions)
        model_name = f"{MODEL_CODER} (saved model, trained on {saved.trained_on})"
    machines = {
        RULES_CODER: rules,
        model_name: model_codings,
        "union (rules or model)": combine_codings(rules, model_codings, how="union", coder="auto:union"),
        "intersection (rules and model)": combine_codings(
            rules, model_codings, how="intersection", coder="auto:intersection"
        ),
    }
    others = sorted(c for c in set(codings["coder"]) if c != against and not is_machine(c))
    scored: dict[str, pd.DataFrame] = dict(machines)
    for person in others:  # the yardstick: how often another person agrees with the reference
        scored[f"{person} (another person)"] = codings[codings["coder"] == person]
    codes = list(codebook.codable_ids)
    tables = []
    for name, machine in scored.items():
        for level in ("segment", "turn"):
            table = score_codings(
                reference, machine, segments, codes=codes, level=level, documents=scored_docs
            )
            inter = table[table["code"].str.startswith(INTERDEPENDENCE_PREFIX)]
            for label, part in (("(macro: interdependence)", inter), ("(macro: all codes)", table)):
                table = pd.concat(
                    [
                        table,
                        pd.DataFrame(
                            [
                                {
                                    "level": level,
                                    "code": label,
                                    "units": int(part["units"].max()),
                                    "support": int(part["support"].sum()),
                                    "predicted": int(part["predicted"].sum()),
                                    "tp": int(part["tp"].sum()),
                                    "fp": int(part["fp"].sum()),
                                    "fn": int(part["fn"].sum()),
                                    "precision": round(float(part["precision"].mean()), 4),
                                    "recall": round(float(part["recall"].mean()), 4),
                                    "f1": round(float(part["f1"].mean()), 4),
                                    "kappa": round(float(part["kappa"].mean()), 4),
                                }
                            ]
                        ),
                    ],
                    ignore_index=True,
                )
            tables.append(table.assign(coder=name))
    result = pd.concat(tables, ignore_index=True)[list(EVALUATION_COLUMNS)]
    return result, machines
