"""The trained coder (``coder = auto:model``): learns a person's codes.

Each informant segment is shown to the model as its *feature view*: the stems
of its words (Sastrawi for Indonesian, Snowball for English; Indonesian
affixes hide shared roots) and their pairs, one ``AG:<agency>`` feature per
agency mentioned in it, ``NAG:<n>`` for the number of distinct agencies in it
and in the segment before it in the same turn, ``NEG`` when it holds a
negator, ``RULE:<code>`` for each code the transparent rule coder gives it
(so the model learns how far to trust each rule) and the shape of any
statement about agencies (``HANDOFF``, ``ROLE:target``...; see
:func:`qualbst.network.interactions.statement_features`). One model serves both
languages. Each code is a TF-IDF weighted logistic regression
(scikit-learn); the settings and seed are in ``autocoder.yaml``.

The model decides per *unit* (``unit`` in the settings): by default the
informant turn, whose view joins its segments' views, since a person codes a
passage with the context of the whole answer. A code given to a turn is then
placed on the turn's segments whose own score (the same weights applied to
the segment's view) reaches the threshold, or on the highest-scoring segment
when none does; with ``unit: segment`` each segment is decided alone.

Why not spaCy's ``textcat_multilabel``: ``bench/textcat.py`` trains both on
the same document folds of coder-a's turns; the linear model agrees with the
held-out codes better and trains about fifty times faster (figures in
``bench/RESULTS.md``), which matters for a leave-one-document-out evaluation
with inner folds for thresholds. It is also easy to inspect: its weights are
saved as plain JSON (no pickle), and each coding's evidence names the
features that pushed it over its threshold.

A code is applied where its probability reaches its threshold; thresholds are
chosen per code to maximise F1 on out-of-fold predictions (folds are whole
documents) over the training data, never on the data being coded. For a code
with few positive units (``rare_positives``) the lowest threshold within one
unit's F1 of the best is taken instead: on the shipped corpus the pooled code's
out-of-fold F1 is flat from 0.15 to 0.6, and the top of that range loses most
pooled statements on transcripts written by other people.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..corpus.model import interviewer_rows
from ..errors import QualbstError
from ..lang import stem
from ..nlp import build_nlp, token_negates
from ..tables import CODINGS_COLUMNS, records
from .rules import code_rules, find_mentions

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = [
    "MODEL_CODER",
    "AutoCoder",
    "ModelError",
    "QualbstWarning",
    "codebook_fingerprint",
    "feature_views",
    "load_config",
    "model_trainer",
    "segment_views",
]

MODEL_CODER = "auto:model"
CONFIG_PATH = Path(__file__).with_name("autocoder.yaml")
FORMAT = "qualbst-autocoder/1"


class ModelError(QualbstError):
    """A model folder is missing, corrupt or from another codebook."""


class QualbstWarning(UserWarning):
    """A recoverable problem (e.g. a code left out of a model)."""


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Load the training settings (``autocoder.yaml`` by default).

    Examples
    --------
    >>> load_config()["ngram"]
    2
    """
    settings = yaml.safe_load(Path(path or CONFIG_PATH).read_text(encoding="utf-8"))
    if not isinstance(settings, dict):
        raise QualbstError("training settings must be a mapping", file=path or CONFIG_PATH)
    return settings


def codebook_fingerprint(codebook: Codebook) -> str:
    """A hash of the codable code ids: a model is only valid for these.

    Examples
    --------
    >>> from qualbst.codebook import Code, Codebook
    >>> len(codebook_fingerprint(Codebook((Code("a", "A", definition="d"),), ())))
    16
    """
    ids = "\n".join(sorted(codebook.codable_ids))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def _informant_segments(segments: pd.DataFrame) -> pd.DataFrame:
    return segments[~interviewer_rows(segments["role"])]


def feature_views(
    segments: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    mentions: pd.DataFrame | None = None,
) -> dict[str, list[str]]:
    """The feature view of every segment: segment id -> list of feature words."""
    documents = list(documents)
    if mentions is None:
        mentions = find_mentions(segments, documents, codebook)
    agencies: dict[str, set[str]] = defaultdict(set)
    for seg_id, agency in zip(mentions["segment"].tolist(), mentions["agency"].tolist(), strict=True):
        agencies[seg_id].add(agency)
    langs = {d.id: d.language for d in documents}
    views: dict[str, list[str]] = {}
    previous: tuple[str, int, str] | None = None
    for seg in records(segments):
        lang = langs[seg.document]
        tokens = build_nlp(lang).tokenizer(seg.text)
        words = [stem(t.text, lang) for t in tokens if not (t.is_punct or t.is_space)]
        here = agencies.get(seg.segment, set())
        near = set(here)
        if previous is not None and previous[:2] == (seg.document, seg.turn):
            near |= agencies.get(previous[2], set())
        previous = (seg.document, seg.turn, seg.segment)
        extra = [f"AG:{a}" for a in sorted(here)] + [f"NAG:{min(len(near), 3)}"]
        if any(token_negates(t, lang) for t in tokens):
            extra.append("NEG")
        views[seg.segment] = words + extra
    return views


def segment_views(
    segments: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    mentions: pd.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
    rules: pd.DataFrame | None = None,
) -> dict[str, list[str]]:
    """Feature views of informant segments, with ``RULE:<code>`` features when
    the settings ask for them (``rule_features``, default on).

    Each segment's view depends on its own document only, so views can be
    computed document by document and joined. ``rules`` (the rule coder's
    codings of these segments, from :func:`qualbst.coding.rules.code_rules`)
    saves coding them again.
    """
    documents = list(documents)
    settings = settings or load_config()
    rows = _informant_segments(segments)
    if mentions is None:
        mentions = find_mentions(rows, documents, codebook)
    views = feature_views(rows, documents, codebook, mentions=mentions)
    if settings.get("rule_features", True):
        fired = code_rules(rows, documents, codebook, mentions=mentions) if rules is None else rules
        fired = fired[fired["segment"].isin(views)]
        for seg_id, code in zip(fired["segment"], fired["code"], strict=True):
            views[seg_id].append(f"RULE:{code}")
    if settings.get("structure_features", True):
        from ..network.interactions import statement_features

        docs = {d.id: d for d in documents}
        for seg_id, doc_id, text in zip(rows["segment"], rows["document"], rows["text"], strict=True):
            document = docs[doc_id]
            views[seg_id] += statement_features(
                text, lang=document.language, codebook=codebook, own_agency=document.agency
            )
    return views


def _unit_of(rows: pd.DataFrame, unit: str) -> list[str]:
    if unit == "segment":
        return list(rows["segment"])
    if unit == "turn":
        return [f"{d}:{t}" for d, t in zip(rows["document"], rows["turn"], strict=True)]
    raise QualbstError(f"the model's unit must be 'segment' or 'turn' (got {unit!r})")


def _labels(codings: pd.DataFrame, coder: str) -> dict[str, set[str]]:
    mine = codings[codings["coder"] == coder]
    labels: dict[str, set[str]] = defaultdict(set)
    for seg_id, code in zip(mine["segment"], mine["code"], strict=True):
        labels[seg_id].add(code)
    return labels


@dataclass(frozen=True)
class TrainingData:
    """Unit ids (segments or turns), their documents, feature views and label sets."""

    units: tuple[str, ...]
    documents: tuple[str, ...]
    views: tuple[tuple[str, ...], ...]
    labels: tuple[frozenset[str], ...]


def training_data(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    coder: str,
    mentions: pd.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
    views: dict[str, list[str]] | None = None,
) -> TrainingData:
    """Informant units of the documents ``coder`` coded, with their codes.

    ``views`` (from :func:`segment_views`) saves recomputing them.
    """
    settings = settings or load_config()
    coded_docs = set(codings.loc[codings["coder"] == coder, "document"])
    if not coded_docs:
        known = ", ".join(sorted(set(codings["coder"]))) or "none"
        raise QualbstError(f"coder {coder!r} has no codings (coders: {known})")
    rows = _informant_segments(segments)
    rows = rows[rows["document"].isin(coded_docs)]
    if views is None:
        views = segment_views(rows, documents, codebook, mentions=mentions, settings=settings)
    labels = _labels(codings, coder)
    unit_views: dict[str, list[str]] = {}
    unit_labels: dict[str, set[str]] = defaultdict(set)
    unit_docs: dict[str, str] = {}
    for seg_id, doc, unit in zip(
        rows["segment"], rows["document"], _unit_of(rows, str(settings.get("unit", "turn"))), strict=True
    ):
        unit_views.setdefault(unit, []).extend(views[seg_id])
        unit_labels[unit] |= labels.get(seg_id, set())
        unit_docs[unit] = doc
    return TrainingData(
        units=tuple(unit_views),
        documents=tuple(unit_docs[u] for u in unit_views),
        views=tuple(tuple(v) for v in unit_views.values()),
        labels=tuple(frozenset(unit_labels[u]) for u in unit_views),
    )


def _best_threshold(scores: Sequence[float], truth: Sequence[bool], rare: int = 0) -> float:
    """The threshold in 0.05 steps that maximises F1 (ties: the higher one).

    For a code with fewer than ``rare`` positive units, the lowest threshold
    whose F1 is within ``1 / positives`` of the best: with so few examples the
    F1 curve is flat within one unit's worth over a wide range, and the lowest
    point of that range keeps the recall that text unlike the training data
    (whose probabilities run lower) needs.

    Examples
    --------
    >>> _best_threshold([0.9, 0.6, 0.4, 0.1], [True, True, False, False])
    0.6
    >>> scores = [0.9, 0.8, 0.7, 0.4, 0.3, 0.1, 0.1, 0.1]
    >>> truth = [True, True, True, True, False, False, False, False]
    >>> _best_threshold(scores, truth), _best_threshold(scores, truth, rare=20)
    (0.4, 0.15)
    """
    grid = [round(0.05 * i, 2) for i in range(1, 20)]
    f1s = []
    for threshold in grid:
        tp = sum(1 for s, t in zip(scores, truth, strict=True) if s >= threshold and t)
        fp = sum(1 for s, t in zip(scores, truth, strict=True) if s >= threshold and not t)
        fn = sum(1 for s, t in zip(scores, truth, strict=True) if s < threshold and t)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    positives = sum(1 for t in truth if t)
    if 0 < positives < rare:
        floor = max(f1s) - 1 / positives
        return next(t for t, f in zip(grid, f1s, strict=True) if f >= floor)
    return max(zip(f1s, grid, strict=True))[1]  # ties: the higher threshold


def _folds(documents: Sequence[str], k: int) -> list[set[str]]:
    """Split document ids into ``k`` folds, round robin over the sorted ids."""
    names = sorted(set(documents))
    return [set(names[i::k]) for i in range(min(k, len(names)))]


def _analyzer(ngram: int) -> Any:
    def features(view: Sequence[str]) -> list[str]:
        words = [w for w in view if ":" not in w and w != "NEG"]
        grams = list(view)
        for n in range(2, ngram + 1):
            grams += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        return grams

    return features


def _probabilities(models: dict[str, Any], matrix: Any) -> dict[str, list[float]]:
    """Each code's logistic probability for each row of a TF-IDF matrix."""
    import numpy as np

    out: dict[str, list[float]] = {}
    for code, model in models.items():
        coef = np.asarray(model.coef_, dtype=float).ravel()
        intercept = float(np.asarray(model.intercept_, dtype=float).ravel()[0])
        logits = matrix @ coef + intercept
        out[code] = [float(p) for p in 1.0 / (1.0 + np.exp(-logits))]
    return out


class _Columns:
    """The features kept for one fit (``min_df`` over its rows) and their IDF weights."""

    def __init__(self, keep: Any, transformer: Any) -> None:
        self.keep = keep
        self.transformer = transformer

    def transform(self, counts: Any) -> Any:
        """TF-IDF of count rows (of the whole vocabulary), on the kept features."""
        return self.transformer.transform(counts[:, self.keep])


class _Counts:
    """Every unit's feature counts over the whole vocabulary, made once.

    The fits of one training (the threshold folds and the final one) each
    need a TF-IDF matrix of some of these units with the features that reach
    ``min_df`` among them: the same matrix scikit-learn's ``TfidfVectorizer``
    gives when fitted on those units (same counts, features in the same
    sorted order, same IDF), without counting the words again.
    """

    def __init__(self, views: Sequence[Sequence[str]], settings: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.settings = settings
        counter = CountVectorizer(analyzer=_analyzer(int(settings["ngram"])), lowercase=False)
        self.matrix = counter.fit_transform(list(views)).tocsr()
        self.names = counter.get_feature_names_out()

    def tfidf(self, rows: Sequence[int]) -> tuple[Any, _Columns, Any]:
        """(a fitted ``TfidfVectorizer``, the kept columns, the TF-IDF matrix of ``rows``)."""
        import numpy as np
        from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

        counts = self.matrix[list(rows)]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = np.flatnonzero(df >= int(self.settings["min_df"]))
        if not len(keep):
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        transformer = TfidfTransformer(sublinear_tf=True)
        matrix = transformer.fit_transform(counts[:, keep])
        vectorizer = TfidfVectorizer(
            analyzer=_analyzer(int(self.settings["ngram"])),
            min_df=int(self.settings["min_df"]),
            sublinear_tf=True,
        )
        vectorizer.vocabulary_ = {str(self.names[j]): i for i, j in enumerate(keep)}
        vectorizer.idf_ = transformer.idf_
        return vectorizer, _Columns(keep, transformer), matrix


def _read_meta(folder: Path) -> dict[str, Any]:
    """``model.json`` of a model folder, parsed; ModelError if missing, unreadable or not a qualbst model."""
    if not folder.is_dir():
        raise ModelError("model folder not found (train one with 'qualbst train')", file=folder)
    try:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"unknown format {found!r}")
    except (OSError, ValueError) as exc:
        raise ModelError(f"not a readable qualbst model ({exc})", file=folder) from None
    return meta


def model_trainer(path: str | Path) -> str:
    """Whose codes the model in folder ``path`` learned, without loading its weights.

    Raises
    ------
    ModelError
        As :meth:`AutoCoder.load` for a missing or unreadable folder.
    """
    meta = _read_meta(Path(path))
    if not isinstance(meta.get("trained_on"), str):
        raise ModelError("not a readable qualbst model (no 'trained_on')", file=path)
    return meta["trained_on"]


class AutoCoder:
    """A trained coder: the feature weights per code and the code thresholds.

    Use :meth:`train` to make one, :meth:`code` to apply it, :meth:`save` and
    :meth:`load` to keep it.
    """

    def __init__(
        self,
        vectorizer: Any,
        models: dict[str, Any],
        thresholds: dict[str, float],
        *,
        fingerprint: str,
        trained_on: str,
        settings: dict[str, Any],
    ) -> None:
        self.vectorizer = vectorizer
        self.models = dict(models)
        self.thresholds = dict(thresholds)
        self.fingerprint = fingerprint
        self.trained_on = trained_on
        self.settings = dict(settings)

    @property
    def unit(self) -> str:
        """What the model decides on: ``"turn"`` or ``"segment"``."""
        return str(self.settings.get("unit", "segment"))

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes this model can apply."""
        return tuple(self.thresholds)

    @staticmethod
    def _fit_rows(
        counts: _Counts,
        rows: Sequence[int],
        labels: Sequence[frozenset[str]],
        codes: Sequence[str],
        settings: dict[str, Any],
    ) -> tuple[Any, dict[str, Any], _Columns]:
        """Fit on ``rows`` of the counted units (their ``labels`` by row number)."""
        from sklearn.linear_model import LogisticRegression

        vectorizer, columns, matrix = counts.tfidf(rows)
        models: dict[str, Any] = {}
        for code in codes:
            target = [int(code in labels[i]) for i in rows]
            model = LogisticRegression(
                C=float(settings["C"]),
                class_weight=settings.get("class_weight"),
                solver="liblinear",
                random_state=int(settings["seed"]),
            )
            if len(set(target)) < 2:  # no positive (or no negative) example in this fold
                model.classes_ = [0, 1]
                model.coef_ = [[0.0] * matrix.shape[1]]
                model.intercept_ = [-10.0 if not any(target) else 10.0]
            else:
                model.fit(matrix, target)
            models[code] = model
        return vectorizer, models, columns

    @staticmethod
    def _proba(
        vectorizer: Any, models: dict[str, Any], views: Sequence[Sequence[str]]
    ) -> dict[str, list[float]]:
        return _probabilities(models, vectorizer.transform(list(views)))

    @classmethod
    def train(
        cls,
        segments: pd.DataFrame,
        codings: pd.DataFrame,
        documents: Iterable[Document],
        codebook: Codebook,
        *,
        coder: str,
        mentions: pd.DataFrame | None = None,
        settings: dict[str, Any] | None = None,
        views: dict[str, list[str]] | None = None,
    ) -> AutoCoder:
        """Train on ``coder``'s codes (informant units of the documents it coded).

        Codes with fewer than ``min_examples`` positive units are left out
        with a :class:`QualbstWarning` naming them. ``views`` (from
        :func:`segment_views`) saves recomputing the feature views.
        """
        settings = settings or load_config()
        documents = list(documents)
        data = training_data(
            segments, codings, documents, codebook, coder=coder, mentions=mentions, settings=settings,
            views=views,
        )  # fmt: skip
        counts = {c: sum(1 for ls in data.labels if c in ls) for c in codebook.codable_ids}
        codes = [c for c in codebook.codable_ids if counts[c] >= int(settings["min_examples"])]
        left_out = [f"{c!r} ({counts[c]})" for c in codebook.codable_ids if c not in codes]
        if left_out:
            warnings.warn(
                f"codes left out of the model, with fewer than {settings['min_examples']} examples "
                f"from {coder!r}: {', '.join(left_out)}",
                QualbstWarning,
                stacklevel=2,
            )
        if not codes:
            raise QualbstError(f"coder {coder!r} has too few examples of every code to train a model")
        counted = _Counts(data.views, settings)  # every unit counted once, for all fits of this training
        thresholds = cls._thresholds(data, codes, settings, counted)
        vectorizer, models, _ = cls._fit_rows(counted, range(len(data.views)), data.labels, codes, settings)
        return cls(
            vectorizer,
            models,
            thresholds,
            fingerprint=codebook_fingerprint(codebook),
            trained_on=coder,
            settings=settings,
        )

    @classmethod
    def _thresholds(
        cls, data: TrainingData, codes: Sequence[str], settings: dict[str, Any], counts: _Counts
    ) -> dict[str, float]:
        """Each code's threshold, from out-of-fold scores over document folds of ``data``
        (``counts``: its units counted, :class:`_Counts`)."""
        k = int(settings["threshold_folds"])
        scores: dict[str, list[float]] = {c: [] for c in codes}
        truth: dict[str, list[bool]] = {c: [] for c in codes}
        for fold in _folds(data.documents, k):
            train = [i for i, d in enumerate(data.documents) if d not in fold]
            test = [i for i, d in enumerate(data.documents) if d in fold]
            if not train or not test:
                continue
            _, models, columns = cls._fit_rows(counts, train, data.labels, codes, settings)
            proba = _probabilities(models, columns.transform(counts.matrix[test]))
            for code in codes:
                scores[code] += proba[code]
                truth[code] += [code in data.labels[i] for i in test]
        rare = int(settings.get("rare_positives", 0))
        return {c: _best_threshold(scores[c], truth[c], rare) if scores[c] else 0.5 for c in codes}

    def predict(
        self,
        segments: pd.DataFrame,
        documents: Iterable[Document],
        codebook: Codebook,
        *,
        mentions: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Probabilities: one row per informant unit (segment or turn), one column per code."""
        import pandas as pd

        self.check(codebook)
        rows = _informant_segments(segments)
        views = segment_views(rows, documents, codebook, mentions=mentions, settings=self.settings)
        unit_views: dict[str, list[str]] = {}
        for seg_id, unit in zip(rows["segment"], _unit_of(rows, self.unit), strict=True):
            unit_views.setdefault(unit, []).extend(views[seg_id])
        proba = self._proba(self.vectorizer, self.models, list(unit_views.values()))
        return pd.DataFrame(proba, index=pd.Index(list(unit_views), name=self.unit), columns=list(self.codes))

    def explain(self, view: Sequence[str], code: str, top: int = 3) -> list[tuple[str, float]]:
        """The features of ``view`` that add most to ``code``'s score."""
        return self._explain(self.vectorizer.transform([list(view)]), 0, code, top)

    def _explain(self, matrix: Any, row: int, code: str, top: int) -> list[tuple[str, float]]:
        import numpy as np

        if not hasattr(self, "_names"):
            self._names = [str(n) for n in self.vectorizer.get_feature_names_out()]
        coef = np.asarray(self.models[code].coef_, dtype=float).ravel()
        line = matrix.getrow(row)
        contributions = [
            (self._names[j], float(v * coef[j])) for j, v in zip(line.indices, line.data, strict=True)
        ]
        contributions.sort(key=lambda item: (-item[1], item[0]))
        return [(name, round(value, 3)) for name, value in contributions[:top] if value > 0]

    def code(
        self,
        segments: pd.DataFrame,
        documents: Iterable[Document],
        codebook: Codebook,
        *,
        mentions: pd.DataFrame | None = None,
        views: dict[str, list[str]] | None = None,
    ) -> pd.DataFrame:
        """Codings (CONTRACT.md columns, coder ``auto:model``) where a code's
        probability reaches its threshold; ``confidence`` is the probability of
        the unit (turn or segment) and ``evidence`` names the features that
        weighed most. ``views`` (from :func:`segment_views`) saves recomputing
        the feature views."""
        import pandas as pd

        documents = list(documents)
        self.check(codebook)
        rows_in = _informant_segments(segments)
        if views is None:
            views = segment_views(rows_in, documents, codebook, mentions=mentions, settings=self.settings)
        seg_ids = list(rows_in["segment"])
        members: dict[str, list[int]] = {}
        for position, unit in enumerate(_unit_of(rows_in, self.unit)):
            members.setdefault(unit, []).append(position)
        unit_views = [[w for p in group for w in views[seg_ids[p]]] for group in members.values()]
        matrix = self.vectorizer.transform(unit_views)
        proba = self._proba(self.vectorizer, self.models, unit_views)
        by_turn = self.unit == "turn"
        seg_proba = (
            self._proba(self.vectorizer, self.models, [views[s] for s in seg_ids]) if by_turn else proba
        )
        segment_rows = list(records(rows_in))
        found: list[tuple[int, str, dict[str, Any]]] = []
        for u, group in enumerate(members.values()):
            for code in self.codes:
                p = proba[code][u]
                threshold = self.thresholds[code]
                if p < threshold:
                    continue
                features = ", ".join(f"{n!r}" for n, _ in self._explain(matrix, u, code, 3))
                evidence = f"model of {self.trained_on}: p={p:.2f} >= {threshold:.2f}"
                if by_turn:
                    evidence = f"model of {self.trained_on}: turn p={p:.2f} >= {threshold:.2f}"
                    placed = [q for q in group if seg_proba[code][q] >= threshold]
                    if not placed:
                        placed = [max(group, key=lambda q: (seg_proba[code][q], -q))]
                else:
                    placed = group
                if features:
                    evidence += f"; features {features}"
                for q in placed:
                    seg = segment_rows[q]
                    found.append(
                        (
                            q,
                            code,
                            {
                                "document": seg.document,
                                "segment": seg.segment,
                                "start": int(seg.start),
                                "end": int(seg.end),
                                "code": code,
                                "coder": MODEL_CODER,
                                "confidence": round(p, 4),
                                "evidence": evidence
                                + (f"; segment p={seg_proba[code][q]:.2f}" if by_turn else ""),
                            },
                        )
                    )
        order = {c: i for i, c in enumerate(self.codes)}
        found.sort(key=lambda item: (item[0], order[item[1]]))
        return pd.DataFrame([row for _, _, row in found], columns=list(CODINGS_COLUMNS))

    def check(self, codebook: Codebook) -> None:
        """Raise ModelError if the model was trained for another codebook."""
        if self.fingerprint != codebook_fingerprint(codebook):
            raise ModelError(
                "the model was trained with another codebook (its codes differ); "
                "train it again with 'qualbst train'"
            )

    def to_dict(self) -> dict[str, Any]:
        """Everything the model is, as plain JSON-able data."""
        import numpy as np

        names = [str(n) for n in self.vectorizer.get_feature_names_out()]
        return {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "trained_on": self.trained_on,
            "settings": self.settings,
            "thresholds": self.thresholds,
            "features": names,
            "idf": [float(v) for v in self.vectorizer.idf_],
            "weights": {
                code: {
                    "intercept": float(np.asarray(m.intercept_).ravel()[0]),
                    "coef": [float(v) for v in np.asarray(m.coef_, dtype=float).ravel()],
                }
                for code, m in self.models.items()
            },
        }

    def save(self, path: str | Path) -> Path:
        """Write the model folder: ``model.json`` (weights, thresholds, settings)."""
        from .._io import write_text_atomic

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / "model.json", json.dumps(self.to_dict(), sort_keys=True) + "\n")
        return folder

    @classmethod
    def load(cls, path: str | Path, codebook: Codebook | None = None) -> AutoCoder:
        """Read a model folder; check it against ``codebook`` when given.

        Raises
        ------
        ModelError
            If the folder is missing, not a qualbst model, corrupt, or (with
            ``codebook``) trained for another codebook.
        """
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        folder = Path(path)
        meta = _read_meta(folder)
        try:
            settings = dict(meta["settings"])
            features = list(meta["features"])
            vectorizer = TfidfVectorizer(analyzer=_analyzer(int(settings["ngram"])), sublinear_tf=True)
            vectorizer.vocabulary_ = {name: i for i, name in enumerate(features)}
            vectorizer.idf_ = np.asarray(meta["idf"], dtype=float)
            models: dict[str, Any] = {}
            for code, weights in meta["weights"].items():
                coef = np.asarray(weights["coef"], dtype=float)
                if coef.shape != (len(features),):
                    raise ValueError(f"weights of {code!r} do not fit the features")
                model = LogisticRegression()
                model.classes_ = np.array([0, 1])
                model.coef_ = coef.reshape(1, -1)
                model.intercept_ = np.array([float(weights["intercept"])])
                models[str(code)] = model
            thresholds = {str(k): float(v) for k, v in meta["thresholds"].items()}
            if set(thresholds) != set(models):
                raise ValueError("thresholds and weights name different codes")
            model_obj = cls(
                vectorizer,
                models,
                thresholds,
                fingerprint=str(meta["fingerprint"]),
                trained_on=str(meta["trained_on"]),
                settings=settings,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"not a readable qualbst model ({exc})", file=folder) from None
        if codebook is not None:
            model_obj.check(codebook)
        return model_obj
