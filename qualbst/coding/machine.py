"""Machine codings for a project: the rule coder, the trained model, or both."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QualbstError
from .evaluate import cross_validate_model
from .model import AutoCoder, QualbstWarning
from .rules import code_rules, find_mentions

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = ["MACHINE_CHOICES", "default_training_coder", "human_coders", "machine_codings"]

MACHINE_CHOICES = ("rules", "model", "both", "none")


def human_coders(codings: pd.DataFrame) -> list[str]:
    """The coders whose id does not start with ``auto:``, sorted."""
    return sorted(c for c in set(codings["coder"]) if not str(c).startswith("auto:"))


def default_training_coder(codings: pd.DataFrame) -> str | None:
    """The human coder a model learns from when none is named: the first, sorted."""
    coders = human_coders(codings)
    return coders[0] if coders else None


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
        parts.append(code_rules(segments, documents, codebook, mentions=mentions))
    if coder in ("model", "both"):
        if model is not None:
            parts.append(
                AutoCoder.load(model, codebook).code(segments, documents, codebook, mentions=mentions)
            )
        else:
            trainer = train_coder or default_training_coder(codings)
            if trainer is None:
                warnings.warn(
                    "no human codings to train a model on: auto:model left out", QualbstWarning, stacklevel=2
                )
            else:
                parts.append(_trained_here(segments, codings, documents, codebook, trainer, mentions))
    if not parts:
        from ..tables import CODINGS_COLUMNS, empty_table

        return empty_table(CODINGS_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def _trained_here(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: list[Document],
    codebook: Codebook,
    trainer: str,
    mentions: pd.DataFrame,
) -> pd.DataFrame:
    import pandas as pd

    seen = set(codings.loc[codings["coder"] == trainer, "document"])
    if not seen:
        raise QualbstError(f"coder {trainer!r} has no codings to train a model on")
    parts = []
    if len(seen) >= 2:
        held_out = cross_validate_model(
            segments[segments["document"].isin(seen)], codings, documents, codebook,
            coder=trainer, mentions=mentions,
        )  # fmt: skip
        parts.append(held_out.assign(evidence=held_out["evidence"] + "; document held out"))
    unseen = segments[~segments["document"].isin(seen)]
    if len(seen) < 2 or len(unseen):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualbstWarning)
            full = AutoCoder.train(segments, codings, documents, codebook, coder=trainer, mentions=mentions)
        target = unseen if len(seen) >= 2 else segments
        parts.append(full.code(target, documents, codebook, mentions=mentions))
    return pd.concat(parts, ignore_index=True)
