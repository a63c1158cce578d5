"""Machine codings for a project: the rule coder, the trained model, or both."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import QualbstError
from ..tables import is_machine
from .model import AutoCoder, QualbstWarning, segment_views
from .rules import code_rules, find_mentions

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = [
    "MACHINE_CHOICES",
    "Fold",
    "default_training_coder",
    "describe_machine_coders",
    "human_coders",
    "join_folds",
    "machine_codings",
    "model_folds",
    "train_fold",
]

MACHINE_CHOICES = ("rules", "model", "both", "none")


def human_coders(codings: pd.DataFrame) -> list[str]:
    """The coders whose id does not start with ``auto:``, sorted."""
    return sorted(c for c in set(codings["coder"]) if not is_machine(c))


def default_training_coder(codings: pd.DataFrame) -> str | None:
    """The human coder a model learns from when none is named: the first, sorted."""
    coders = human_coders(codings)
    return coders[0] if coders else None


def describe_machine_coders(
    present: Iterable[str],
    codings: pd.DataFrame,
    *,
    model: str | Path | None = None,
    train_coder: str | None = None,
) -> dict[str, str]:
    """How each machine coder in ``present`` made its codings, in one sentence.

    A reader of the report (or of ``codings.csv``) needs to know what
    ``auto:model`` learned from and whether a document was coded by a model
    that saw it. ``codings`` are the manual codings and ``model``/
    ``train_coder`` the options :func:`machine_codings` was given (the model
    trained here learns from the same default coder).

    Examples
    --------
    >>> import pandas as pd
    >>> manual = pd.DataFrame({"coder": ["coder-b", "coder-a", "coder-a"], "document": ["d1", "d1", "d2"]})
    >>> described = describe_machine_coders(["auto:model", "coder-a"], manual)
    >>> list(described)
    ['auto:model']
    >>> described["auto:model"].split("; ")[1][:60]
    'each document coder-a coded is coded by a model trained with'
    >>> by_b = describe_machine_coders(["auto:model"], manual, train_coder="coder-b")
    >>> by_b["auto:model"].split("; ")[1][:40]
    'coder-b coded fewer than two documents, '
    """
    from .model import MODEL_CODER, model_trainer
    from .rules import RULES_CODER

    described: dict[str, str] = {}
    for coder in sorted(set(present)):
        if coder == RULES_CODER:
            described[coder] = (
                "the transparent rule coder: the codebook's cues on word roots, negation, agency "
                "mentions and the shape of statements; each coding's evidence names its cue"
            )
        elif coder == MODEL_CODER and model is not None:
            trained_on = model_trainer(model)
            described[coder] = (
                f"the model in {model} (trained on {trained_on}'s codes); its codings are "
                "suggestions with a confidence, and evidence names the features behind each"
            )
        elif coder == MODEL_CODER:
            trainer = train_coder or default_training_coder(codings) or "?"
            head = f"a model trained here on {trainer}'s codes (scikit-learn logistic regression per code); "
            coded = set(codings.loc[codings["coder"] == trainer, "document"])
            if any(f.held_out is not None for f in model_folds(coded, sorted(coded))):
                described[coder] = head + (
                    f"each document {trainer} coded is coded by a model trained without it "
                    "(leave-one-document-out), the others by one trained on all of them"
                )
            else:
                described[coder] = head + (
                    f"{trainer} coded fewer than two documents, so one model trained on them codes "
                    "every document, those included"
                )
    return described


def machine_codings(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    coder: str = "both",
    model: str | Path | None = None,
    train_coder: str | None = None,
    mentions: pd.DataFrame | None = None,
    rules: pd.DataFrame | None = None,
    model_codings: pd.DataFrame | None = None,
    train: Callable[[str], pd.DataFrame] | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Code a project by machine.

    Parameters
    ----------
    segments, codings : DataFrame
        The segments table and the manual codings.
    documents : iterable of Document
    codebook : Codebook
    coder : {"rules", "model", "both", "none"}
        Which machine coders to run.
    model : path, optional
        A model folder from ``qualbst train``. Without one, a model is trained
        here on ``train_coder``'s codes (default: the first human coder); the
        documents that coder coded are then coded leave-one-document-out, so no
        ``auto:model`` coding comes from a model that saw its document.
    train_coder : str, optional
    mentions : DataFrame, optional
        Agency mentions (computed when omitted).
    rules, model_codings : DataFrame, optional
        The rule codings and the codings of ``model`` when already computed
        (``qualbst run`` computes them document by document, see
        :mod:`qualbst.engine`).
    train : callable, optional
        Trainer id -> the ``auto:model`` codings of the model trained here
        (default: the leave-one-document-out trainings of :func:`model_folds`,
        one after the other; ``qualbst run`` passes its cached, parallel ones).
    notes : list of str, optional
        With ``coder="both"``, a model that cannot be loaded or trained is
        left out with a line added here; without a list the error is raised.

    Returns
    -------
    DataFrame
        Codings (CONTRACT.md columns) by ``auto:rules`` and/or ``auto:model``.
    """
    import pandas as pd

    if coder not in MACHINE_CHOICES:
        raise QualbstError(f"coder must be one of {', '.join(MACHINE_CHOICES)} (got {coder!r})")
    documents = list(documents)
    if mentions is None:
        mentions = find_mentions(segments, documents, codebook)
    parts: list[pd.DataFrame] = []
    if coder in ("rules", "both"):
        parts.append(
            rules if rules is not None else code_rules(segments, documents, codebook, mentions=mentions)
        )
    if coder in ("model", "both"):
        try:
            if model is not None:
                if model_codings is None:
                    loaded = AutoCoder.load(model, codebook)
                    model_codings = loaded.code(segments, documents, codebook, mentions=mentions)
                parts.append(model_codings)
            else:
                trainer = train_coder or default_training_coder(codings)
                if trainer is None:
                    warnings.warn(
                        "no human codings to train a model on: auto:model left out",
                        QualbstWarning,
                        stacklevel=2,
                    )
                elif train is not None:
                    parts.append(train(trainer))
                else:
                    parts.append(_trained_here(segments, codings, documents, codebook, trainer, mentions))
        except QualbstError as exc:
            if coder != "both" or notes is None:
                raise
            notes.append(f"auto:model left out: {exc.message}")
    if not parts:
        from ..tables import CODINGS_COLUMNS, empty_table

        return empty_table(CODINGS_COLUMNS)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Fold:
    """One training of the model trained here: on the trainer's codes of the
    ``train`` documents, coding the ``target`` documents (the ``held_out`` one,
    or, when ``held_out`` is None, those the trainer did not code)."""

    held_out: str | None
    target: tuple[str, ...]
    train: tuple[str, ...]


def model_folds(trained: Iterable[str], order: Sequence[str], *, unseen: bool = True) -> list[Fold]:
    """The trainings that code ``order``'s documents without a model seeing its own.

    Every document the trainer coded (``trained``) is held out once, in sorted
    order, when there are at least two; with ``unseen``, one more training on
    all of them codes the documents the trainer did not code (or, with fewer
    than two, every document).

    Examples
    --------
    >>> [(f.held_out, f.target, f.train) for f in model_folds(["b", "a"], ["a", "b", "c"])]
    [('a', ('a',), ('b',)), ('b', ('b',), ('a',)), (None, ('c',), ('a', 'b'))]
    """
    seen = set(trained)
    coded = tuple(d for d in order if d in seen)
    folds = []
    if len(seen) >= 2:
        folds = [Fold(d, (d,), tuple(x for x in coded if x != d)) for d in sorted(seen)]
    rest = tuple(d for d in order if d not in seen)
    if unseen and (len(seen) < 2 or rest):
        folds.append(Fold(None, rest if len(seen) >= 2 else tuple(order), coded))
    return folds


def train_fold(
    fold: Fold,
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Sequence[Document],
    codebook: Codebook,
    *,
    trainer: str,
    mentions: pd.DataFrame,
    settings: dict[str, Any] | None = None,
    views: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Train on ``trainer``'s codes of the fold's training documents and code
    its target documents (``auto:model`` codings)."""
    train = codings[(codings["coder"] == trainer) & codings["document"].isin(set(fold.train))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualbstWarning)
        model = AutoCoder.train(
            segments, train, documents, codebook, coder=trainer, mentions=mentions, settings=settings,
            views=views,
        )  # fmt: skip
    target = segments[segments["document"].isin(set(fold.target))]
    return model.code(target, documents, codebook, mentions=mentions, views=views)


def join_folds(folds: Sequence[Fold], frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The folds' codings as one table; held-out codings say so in their evidence."""
    import pandas as pd

    parts = [
        frame.assign(evidence=frame["evidence"] + "; document held out") if fold.held_out else frame
        for fold, frame in zip(folds, frames, strict=True)
    ]
    return pd.concat(parts, ignore_index=True)


def _trained_here(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: list[Document],
    codebook: Codebook,
    trainer: str,
    mentions: pd.DataFrame,
) -> pd.DataFrame:
    seen = set(codings.loc[codings["coder"] == trainer, "document"])
    if not seen:
        raise QualbstError(f"coder {trainer!r} has no codings to train a model on")
    present = set(segments["document"])
    folds = model_folds(seen, [d.id for d in documents if d.id in present])
    views = segment_views(segments, documents, codebook, mentions=mentions)
    frames = [
        train_fold(f, segments, codings, documents, codebook, trainer=trainer, mentions=mentions, views=views)
        for f in folds
    ]
    return join_folds(folds, frames)
