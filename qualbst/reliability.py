"""Intercoder reliability: how far two or more coders agree, per code and overall.

Two layers:

* Coefficients on a plain grid of ratings (``{coder: [label per unit]}``,
  ``None`` where a coder did not rate a unit): :func:`percent_agreement`,
  :func:`cohen_kappa`, :func:`fleiss_kappa`, :func:`krippendorff_alpha` and
  :func:`gwet_ac1`. Cohen's kappa, Fleiss' kappa and percent agreement come
  from nltk's ``AnnotationTask``; Krippendorff's alpha from the
  ``krippendorff`` package; Gwet's AC1, which neither has, is computed here in
  a few lines (the maintained package, ``irrCAC`` 0.4.4, requires pandas < 3
  and pins scipy 1.12, hence numpy < 2, which this project cannot take).
* Coded transcripts (the codings and segments tables of CONTRACT.md):
  :func:`reliability` (one row per code and an overall row),
  :func:`pairwise_kappa` (every pair of coders) and :func:`disagreements`
  (the units where coders differ, with their text, to settle them).

How codings become ratings
--------------------------
Per code, each coder's judgement of each unit is binary: the code is present
(the coder applied it to the unit, or to any segment of it) or absent. Units
are informant segments (``unit="segment"``), informant turns (``"turn"``: a
document and a turn number) or documents (``"document"``); interviewer turns
are never units, and codings on them are left out. A coder *covers* a
document when it has at least one coding (of any code) in it; the units
compared are every informant unit of the documents that *all* compared coders
cover, so that "absent" means "read and not coded", never "not read". The
coder-by-unit grid is therefore complete: no coder has a missing rating.
``skip_uncoded=True`` leaves out the units to which no compared coder applied
any of the compared codes, the uncoded text that otherwise inflates agreement.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational
and Psychological Measurement, 20(1), 37-46.

Scott, W. A. (1955). Reliability of content analysis: the case of nominal
scale coding. Public Opinion Quarterly, 19(3), 321-325.

Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
Psychological Bulletin, 76(5), 378-382.

Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication, University of Pennsylvania.

Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
presence of high agreement. British Journal of Mathematical and Statistical
Psychology, 61(1), 29-48.

Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.). Advanced
Analytics, LLC.

Artstein, R., & Poesio, M. (2008). Inter-coder agreement for computational
linguistics. Computational Linguistics, 34(4), 555-596.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from .corpus.model import interviewer_rows
from .errors import CodingsError, QualbstError
from .tables import is_machine

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "OVERALL",
    "RELIABILITY_COLUMNS",
    "UNITS",
    "cohen_kappa",
    "disagreements",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "pairwise_kappa",
    "pairwise_matrix",
    "percent_agreement",
    "reliability",
]

#: Columns of ``out/reliability.csv`` fixed by CONTRACT.md; more follow them.
RELIABILITY_COLUMNS: tuple[str, ...] = (
    "code",
    "units",
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
)
#: The columns :func:`reliability` adds after the contract's.
EXTRA_COLUMNS: tuple[str, ...] = (
    "fleiss_kappa",
    "gwet_ac1",
    "alpha_low",
    "alpha_high",
    "coders",
    "unit",
    "items",
    "coded_units",
    "documents",
    "note",
)
PAIRWISE_COLUMNS: tuple[str, ...] = (
    "code",
    "coder_1",
    "coder_2",
    "units",
    "percent_agreement",
    "cohen_kappa",
    "coders",
    "unit",
    "note",
)
#: The levels a unit of analysis can have.
UNITS: tuple[str, ...] = ("segment", "turn", "document")
#: The ``code`` of the overall row.
OVERALL = "(all codes)"
_EVIDENCE_FILE = re.compile(r"^([^\s:]+\.csv):\d+")

Ratings = Mapping[str, Sequence[Any]]


# --------------------------------------------------------------------------
# Coefficients on a grid of ratings
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Ratings as integers: ``labels[i, u]`` is coder i's category index for unit u, -1 if missing."""

    coders: tuple[str, ...]
    labels: npt.NDArray[np.int64]
    categories: int

    def value_counts(self) -> npt.NDArray[np.int64]:
        """(units, categories): how many coders put each unit in each category."""
        counts = np.zeros((self.labels.shape[1], self.categories), dtype=np.int64)
        for row in self.labels:
            rated = row >= 0
            counts[np.flatnonzero(rated), row[rated]] += 1
        return counts


@dataclass(frozen=True)
class _Result:
    percent_agreement: float
    cohen_kappa: float
    pair_kappas: Mapping[tuple[str, str], float]
    pair_agreements: Mapping[tuple[str, str], float]
    fleiss_kappa: float
    krippendorff_alpha: float
    gwet_ac1: float
    notes: tuple[str, ...] = field(default=())


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ == "NAType"


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


def _grid(ratings: Ratings, categories: Iterable[Hashable] | None = None) -> _Grid:
    """Check a ratings mapping and turn it into a :class:`_Grid`."""
    if not isinstance(ratings, Mapping):
        raise QualbstError(
            f"ratings must map each coder to a list of labels, one per unit (got {type(ratings).__name__})"
        )
    coders = tuple(str(c) for c in ratings)
    if len(coders) < 2:
        raise QualbstError(f"agreement needs at least two coders (got {len(coders)}: {list(coders)})")
    rows = [list(ratings[c]) for c in ratings]
    lengths = {len(r) for r in rows}
    if len(lengths) != 1:
        found = ", ".join(f"{c}={len(r)}" for c, r in zip(coders, rows, strict=True))
        raise QualbstError(
            "ratings: every coder needs one label per unit, None where a unit was not rated "
            f"(got lengths {found})"
        )
    seen = {v for r in rows for v in r if not _is_missing(v)}
    if categories is None:
        domain = sorted(seen, key=_sort_key)
    else:
        domain = list(dict.fromkeys(categories))
        unknown = sorted(seen - set(domain), key=_sort_key)
        if unknown:
            raise QualbstError(f"ratings: label(s) {unknown} are not among the categories {domain}")
    index = {v: i for i, v in enumerate(domain)}
    labels = np.array(
        [[-1 if _is_missing(v) else index[v] for v in r] for r in rows], dtype=np.int64
    ).reshape(len(coders), -1)
    return _Grid(coders, labels, len(domain))


def _gwet_ac1(counts: npt.NDArray[np.int64], categories: int) -> float:
    """Gwet's AC1 from per-unit category counts (Gwet 2008; 2014, ch. 4, with missing ratings).

    ``pa`` averages, over the units rated at least twice, the share of
    agreeing pairs of ratings; ``pe = sum_k pi_k (1 - pi_k) / (q - 1)`` where
    ``pi_k`` is the mean, over units rated at least once, of the share of the
    unit's ratings in category k; ``AC1 = (pa - pe) / (1 - pe)``.
    """
    if categories < 2:
        return math.nan
    raters = counts.sum(axis=1)
    paired = raters >= 2
    rated = raters >= 1
    if not paired.any():
        return math.nan
    c, r = counts[paired], raters[paired]
    pa = float(np.mean((c * (c - 1)).sum(axis=1) / (r * (r - 1))))
    pi = (counts[rated] / raters[rated][:, None]).mean(axis=0)
    pe = float((pi * (1 - pi)).sum() / (categories - 1))
    return (pa - pe) / (1 - pe)


def _unit_coincidences(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Each unit's share of the coincidence matrix, flattened to (units, V*V).

    Krippendorff (2011): a unit rated by m >= 2 coders adds
    ``n_uc * (n_uk - [c == k]) / (m - 1)`` to ``o_ck``; units rated fewer
    than twice add nothing. ``krippendorff.alpha`` sums exactly these.
    """
    units, values = counts.shape
    raters = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :] - counts[:, None, :] * np.eye(values, dtype=np.int64)
    scale = np.where(raters >= 2, 1.0 / np.maximum(raters - 1, 1), 0.0)
    return (outer * scale[:, None, None]).astype(np.float64).reshape(units, values * values)


def _alpha_from_coincidences(flat: npt.NDArray[np.float64], values: int) -> npt.NDArray[np.float64]:
    """Nominal alpha of each row of coincidence matrices (rows x V*V); NaN where undefined.

    ``alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``
    (Krippendorff 2011, nominal metric).
    """
    o = flat.reshape(-1, values, values)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = o.sum(axis=(1, 2)) - np.trace(o, axis1=1, axis2=2)
    expected = n * n - (n_c * n_c).sum(axis=1)
    out = np.full(len(o), np.nan)
    ok = expected > 1e-12
    out[ok] = 1.0 - (n[ok] - 1.0) * observed[ok] / expected[ok]
    return out


def _bootstrap_alpha(
    per_unit: npt.NDArray[np.float64], values: int, samples: int, rng: np.random.Generator
) -> tuple[float, float, int]:
    """Percentile 95% interval of nominal alpha over units resampled with replacement.

    ``per_unit`` holds each unit's coincidences (:func:`_unit_coincidences`,
    summed over codes for the pooled row). A resample's coincidence matrix is
    the sum of its units' rows, each weighted by how often it was drawn.
    Returns (low, high, number of resamples in which alpha was undefined).
    """
    units = len(per_unit)
    if samples <= 0 or units == 0:
        return math.nan, math.nan, 0
    chunks: list[npt.NDArray[np.float64]] = []
    for start in range(0, samples, 200):
        size = min(200, samples - start)
        draws = rng.integers(0, units, (size, units)) + units * np.arange(size)[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * units).reshape(size, units).astype(float)
        chunks.append(_alpha_from_coincidences(weights @ per_unit, values))
    alphas = np.concatenate(chunks)
    good = alphas[~np.isnan(alphas)]
    undefined = int(len(alphas) - len(good))
    if len(good) == 0:
        return math.nan, math.nan, undefined
    low, high = np.percentile(good, [2.5, 97.5])
    return float(low), float(high), undefined


def _task(triples: list[tuple[str, int, int]], rows: Mapping[str, npt.NDArray[np.int64]]) -> Any:
    """nltk's ``AnnotationTask`` on ``triples``, with each pair's observed agreement counted on ``rows``.

    ``rows`` holds each coder's labels of the same units as ``triples``. nltk's
    ``Ao`` calls ``agr`` item by item, and ``agr`` sanitises every coder and
    item name for a debug message whether or not anything is logged: most of
    the time of a reliability table (1.7 of 2.4 s on the shipped corpus), and
    ``kappa_pairwise``, ``avg_Ao`` and ``pi`` each call it again. With nltk's
    binary distance, ``Ao`` is the share of items both coders gave the same
    label, which the grid counts at once (a test checks it against nltk's own
    ``Ao``); expected agreement, kappa and pi stay nltk's.
    """
    from nltk.metrics.agreement import AnnotationTask

    class _Task(AnnotationTask):
        def Ao(self, cA: str, cB: str) -> float:  # noqa: N802, N803 (nltk's names)
            same = rows[cA] == rows[cB]
            return int(np.count_nonzero(same)) / same.size

    return _Task(data=triples, missing_values=[-1])


def _coefficients(grid: _Grid, *, pairs_only: bool = False) -> _Result:
    """Every coefficient of one grid, with notes on the undefined ones."""
    notes: list[str] = []
    labels = grid.labels
    complete = np.flatnonzero((labels >= 0).all(axis=0))
    pair_kappas: dict[tuple[str, str], float] = {}
    pair_agreements: dict[tuple[str, str], float] = {}
    percent = kappa = fleiss = math.nan
    if complete.size == 0:
        notes.append("no unit was rated by every coder: percent agreement and kappas are undefined")
    else:
        # nltk's kappa, pi and Ao assume every coder rated every item: give it the complete units.
        triples = [
            (coder, int(unit), int(labels[i, unit]))
            for i, coder in enumerate(grid.coders)
            for unit in complete
        ]
        task = _task(triples, {c: labels[i, complete] for i, c in enumerate(grid.coders)})
        single = len({t[2] for t in triples}) == 1
        for a, b in combinations(grid.coders, 2):
            pair_agreements[(a, b)] = float(task.Ao(a, b))
            if math.isclose(task.Ae_kappa(a, b), 1.0):
                pair_kappas[(a, b)] = math.nan
            else:
                pair_kappas[(a, b)] = float(task.kappa_pairwise(a, b))
        percent = float(np.mean(list(pair_agreements.values())))
        undefined = [f"{a}/{b}" for (a, b), k in pair_kappas.items() if math.isnan(k)]
        defined = [k for k in pair_kappas.values() if not math.isnan(k)]
        kappa = float(np.mean(defined)) if defined else math.nan
        if single:
            notes.append(
                "all ratings are the same value, so expected agreement is 1 and kappa, pi and alpha "
                "are undefined (percent agreement and Gwet's AC1 are not)"
            )
        elif undefined:
            notes.append(
                f"Cohen's kappa is undefined for {', '.join(undefined)} (each gave every unit the "
                "same value) and left out of the mean"
            )
        if not pairs_only and not single:
            fleiss = float(task.pi())
    if pairs_only:
        return _Result(
            percent, kappa, pair_kappas, pair_agreements, math.nan, math.nan, math.nan, tuple(notes)
        )
    counts = grid.value_counts()
    alpha = _krippendorff(counts, notes)
    ac1 = _gwet_ac1(counts, grid.categories)
    return _Result(percent, kappa, pair_kappas, pair_agreements, fleiss, alpha, ac1, tuple(notes))


def _krippendorff(counts: npt.NDArray[np.int64], notes: list[str]) -> float:
    """Nominal alpha by the ``krippendorff`` package; NaN (and a note) where undefined."""
    import krippendorff

    paired = counts.sum(axis=1) >= 2
    if not paired.any():
        notes.append("no unit was rated by two coders: Krippendorff's alpha is undefined")
        return math.nan
    if int((counts[paired].sum(axis=0) > 0).sum()) < 2:
        if not any("alpha" in n for n in notes):
            notes.append("every pairable rating is the same value: Krippendorff's alpha is undefined")
        return math.nan
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def percent_agreement(ratings: Ratings) -> float:
    """Share of agreeing pairs of ratings, averaged over pairs of coders.

    With two coders: the share of units both put in the same category. Uses
    nltk's ``AnnotationTask.avg_Ao`` on the units every coder rated.

    Parameters
    ----------
    ratings : mapping of str to sequence
        Coder to one label per unit, in the same unit order; ``None`` (or
        NaN) where the coder did not rate the unit.

    Returns
    -------
    float
        In [0, 1]; NaN when no unit was rated by every coder.

    Raises
    ------
    QualbstError
        Fewer than two coders, or sequences of different lengths.

    Examples
    --------
    >>> percent_agreement({"A": ["x", "x", "y", "y"], "B": ["x", "y", "y", "y"]})
    0.75
    """
    return _coefficients(_grid(ratings), pairs_only=True).percent_agreement


def cohen_kappa(ratings: Ratings) -> float:
    """Cohen's (1960) kappa; with more than two coders, the mean over pairs of coders.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_e`` from each coder's own
    marginal distribution, computed by nltk's ``AnnotationTask.kappa_pairwise``
    on the units every coder rated. With three or more coders this is the
    plain mean of the pairwise kappas (Artstein & Poesio 2008 call it "average
    kappa"; nltk's ``AnnotationTask.kappa``); see :func:`pairwise_kappa` for
    the pairs. A pair whose coders both gave every unit the same value has
    ``p_e = 1`` and no kappa; such pairs are left out of the mean.

    Parameters
    ----------
    ratings : mapping of str to sequence
        Coder to one label per unit; ``None`` where not rated.

    Returns
    -------
    float
        NaN when undefined for every pair.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    Educational and Psychological Measurement, 20(1), 37-46.

    Examples
    --------
    >>> a = ["yes"] * 25 + ["no"] * 25          # Wikipedia's example:
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa({"A": a, "B": b}), 6)    # p_o = .7, p_e = .5
    0.4
    """
    return _coefficients(_grid(ratings), pairs_only=True).cohen_kappa


def fleiss_kappa(ratings: Ratings) -> float:
    """Fleiss' (1971) kappa, nltk's multi-pi; with two coders it is Scott's (1955) pi.

    Chance agreement comes from the pooled distribution of all ratings:
    ``p_e = sum_k (n_k / (units * coders)) ** 2``. Computed by nltk's
    ``AnnotationTask.pi`` on the units every coder rated.

    Parameters
    ----------
    ratings : mapping of str to sequence
        Coder to one label per unit; ``None`` where not rated.

    Returns
    -------
    float
        NaN when every rating is the same value (``p_e = 1``).

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many
    raters. Psychological Bulletin, 76(5), 378-382.

    Examples
    --------
    >>> r = {"A": [1, 1, 2, 2], "B": [1, 2, 2, 2], "C": [1, 1, 2, 2]}
    >>> round(fleiss_kappa(r), 4)  # P = (1 + 1/3 + 1 + 1) / 4, Pe = (5/12)^2 + (7/12)^2
    0.6571
    """
    return _coefficients(_grid(ratings)).fleiss_kappa


def krippendorff_alpha(ratings: Ratings) -> float:
    """Krippendorff's alpha for nominal data, missing ratings allowed.

    Computed by the ``krippendorff`` package (``level_of_measurement=
    "nominal"``); units rated by fewer than two coders do not count.

    Parameters
    ----------
    ratings : mapping of str to sequence
        Coder to one label per unit; ``None`` where not rated.

    Returns
    -------
    float
        NaN when no unit has two ratings or all pairable ratings are equal.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.

    Examples
    --------
    >>> r = {"A": [1, 1, 2, None], "B": [1, 2, 2, 2]}
    >>> round(krippendorff_alpha(r), 4)   # 1 - (n-1) * 2 / (2*3*3): n = 6 pairable values
    0.4444
    """
    grid = _grid(ratings)
    return _krippendorff(grid.value_counts(), [])


def gwet_ac1(ratings: Ratings, *, categories: Iterable[Hashable] | None = None) -> float:
    """Gwet's (2008) first-order agreement coefficient AC1, missing ratings allowed.

    ``AC1 = (p_a - p_e) / (1 - p_e)``: ``p_a`` is the mean share of agreeing
    pairs of ratings over the units rated at least twice; ``p_e = sum_k pi_k
    (1 - pi_k) / (q - 1)``, with ``pi_k`` the mean share of a unit's ratings
    in category k over the units rated at least once and ``q`` the number of
    categories (Gwet 2014, ch. 4). Unlike kappa it stays defined, and near
    ``p_a``, when one category is rare or absent.

    Parameters
    ----------
    ratings : mapping of str to sequence
        Coder to one label per unit; ``None`` where not rated.
    categories : iterable, optional
        Every category the coders could use (the ``q`` above). By default the
        labels that occur; give them when a category was never used.

    Returns
    -------
    float
        NaN with fewer than two categories or no unit rated twice.

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance
    in the presence of high agreement. British Journal of Mathematical and
    Statistical Psychology, 61(1), 29-48.

    Examples
    --------
    >>> r = {"A": [0, 0, 0, 1], "B": [0, 0, 1, 1]}
    >>> round(gwet_ac1(r), 4)   # pa = 3/4, pi_1 = 3/8, pe = 2 * 3/8 * 5/8 = 15/32
    0.5294
    """
    grid = _grid(ratings, categories)
    return _gwet_ac1(grid.value_counts(), grid.categories)


# --------------------------------------------------------------------------
# From codings to grids
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Units:
    """The compared coders, units and codes, and who applied what where."""

    coders: tuple[str, ...]
    unit: str
    ids: tuple[str, ...]  # unit ids, in corpus order
    documents: tuple[str, ...]  # the document of each unit
    turns: tuple[int | None, ...]
    segments: Mapping[str, tuple[str, ...]]  # unit id -> its informant segment ids
    codes: tuple[str, ...]
    applied: Mapping[tuple[str, str], frozenset[str]]  # (code, coder) -> unit ids
    by_segment: Mapping[tuple[str, str], frozenset[str]]  # (code, coder) -> segment ids
    texts: Mapping[str, str]  # segment id -> text

    def grid(self, code: str) -> npt.NDArray[np.int64]:
        """(coders, units) 0/1: whether each coder applied ``code`` to each unit."""
        out = np.zeros((len(self.coders), len(self.ids)), dtype=np.int64)
        position = {u: i for i, u in enumerate(self.ids)}
        for row, coder in enumerate(self.coders):
            hits = [position[u] for u in self.applied.get((code, coder), ()) if u in position]
            out[row, hits] = 1
        return out


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise QualbstError(
            f"{name} table: missing column(s) {', '.join(missing)} (got {list(frame.columns)}); "
            "see CONTRACT.md for its columns"
        )


def _coder_files(codings: pd.DataFrame, coder: str) -> str:
    files = sorted(
        {
            m.group(1)
            for e in codings.loc[codings["coder"] == coder, "evidence"].astype(str)
            if (m := _EVIDENCE_FILE.match(e))
        }
    )
    return f" (from {', '.join(files)})" if files else ""


def _listing(items: Iterable[str], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _choose_coders(codings: pd.DataFrame, coders: Iterable[str] | None) -> tuple[str, ...]:
    known = sorted({str(c) for c in codings["coder"]})
    if coders is None:
        humans = [c for c in known if not is_machine(c)]
        chosen = tuple(humans)
        if len(chosen) < 2:
            found = f"only {chosen[0]!r}" if chosen else "none"
            raise CodingsError(
                f"reliability needs at least two coders, and the codings have {found} among human "
                f"coders (known coders: {_listing(known) or 'none'}); add a second coder's codings "
                "file to the codings folder, or name the coders to compare (machines too, e.g. "
                "coders=['coder-a', 'auto:rules'])"
            )
        return chosen
    if isinstance(coders, str):
        coders = [coders]
    chosen = tuple(dict.fromkeys(str(c) for c in coders))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise QualbstError(
            f"unknown coder(s) {', '.join(repr(c) for c in unknown)}: not in the codings; "
            f"known coders: {_listing(known, 20) or 'none'}"
        )
    if len(chosen) < 2:
        raise CodingsError(
            f"reliability needs at least two coders (got only {chosen[0]!r} if any); add a second "
            f"coder's codings and name both (known coders: {_listing(known, 20)})"
            if chosen
            else "reliability needs at least two coders (got none)"
        )
    return chosen


def _shared_documents(codings: pd.DataFrame, coders: tuple[str, ...]) -> list[str]:
    covered = {c: set(codings.loc[codings["coder"] == c, "document"].astype(str)) for c in coders}
    if len(coders) == 2 and not covered[coders[0]] & covered[coders[1]]:
        a, b = coders
        raise CodingsError(
            f"coders {a!r}{_coder_files(codings, a)} and {b!r}{_coder_files(codings, b)} have no document "
            f"in common: {a!r} coded {_listing(sorted(covered[a]))}; {b!r} coded "
            f"{_listing(sorted(covered[b]))}. Reliability compares coders on the same documents: have both "
            "code at least one of the same documents"
        )
    for coder in coders:
        others = set().union(*(covered[o] for o in coders if o != coder))
        if not covered[coder] & others:
            other_names = ", ".join(repr(o) for o in coders if o != coder)
            raise CodingsError(
                f"coder {coder!r}{_coder_files(codings, coder)} has no document in common with "
                f"{other_names}: {coder!r} coded {_listing(sorted(covered[coder]))}; the others coded "
                f"{_listing(sorted(others))}. Reliability compares coders on the same documents: "
                f"have {coder!r} code at least one document the others coded, or leave it out "
                "(coders=[...])"
            )
    shared = set.intersection(*covered.values())
    if not shared:
        pairs = "; ".join(
            f"{a}+{b}: {_listing(sorted(covered[a] & covered[b]), 3) or 'none'}"
            for a, b in combinations(coders, 2)
        )
        raise CodingsError(
            f"no document was coded by all of {', '.join(repr(c) for c in coders)} (shared by pairs: "
            f"{pairs}); compare fewer coders at a time, or code a shared document"
        )
    return sorted(shared)


def _units(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coders: Iterable[str] | None,
    unit: str,
    skip_uncoded: bool,
    codes: Iterable[str] | None,
    texts: bool = True,
) -> _Units:
    """The units compared and who applied what to them; ``texts=False`` for a
    caller that shows no quotes (the segments table then needs no ``text``)."""
    _require(codings, ("document", "segment", "code", "coder"), "codings")
    _require(segments, ("document", "segment", "turn", "role", *(("text",) if texts else ())), "segments")
    if unit not in UNITS:
        raise QualbstError(f"unit must be one of {', '.join(UNITS)} (got {unit!r})")
    if len(codings) == 0:
        raise CodingsError("no codings to compare: reliability needs codings from at least two coders")
    unknown_segments = sorted(set(codings["segment"].astype(str)) - set(segments["segment"].astype(str)))
    if unknown_segments:
        raise CodingsError(
            f"codings refer to segment(s) not in the segments table: {_listing(unknown_segments, 5)}; "
            "make the codings and the segments from the same transcripts"
        )
    chosen = _choose_coders(codings, coders)
    shared = set(_shared_documents(codings, chosen))
    informant = ~interviewer_rows(segments["role"])
    segs = segments[informant & segments["document"].astype(str).isin(shared)]
    seg_ids = segs["segment"].astype(str).tolist()
    docs = segs["document"].astype(str).tolist()
    turns = [int(t) for t in segs["turn"]]
    if unit == "segment":
        unit_of = dict(zip(seg_ids, seg_ids, strict=True))
    elif unit == "turn":
        unit_of = {s: f"{d}:{t}" for s, d, t in zip(seg_ids, docs, turns, strict=True)}
    else:
        unit_of = dict(zip(seg_ids, docs, strict=True))
    members: dict[str, list[str]] = {}
    unit_doc: dict[str, str] = {}
    unit_turn: dict[str, int | None] = {}
    for s, d, t in zip(seg_ids, docs, turns, strict=True):
        u = unit_of[s]
        members.setdefault(u, []).append(s)
        unit_doc.setdefault(u, d)
        unit_turn.setdefault(u, None if unit == "document" else t)
    rows = codings[codings["coder"].astype(str).isin(chosen) & codings["segment"].astype(str).isin(unit_of)]
    if codes is None:
        code_list = tuple(sorted({str(c) for c in rows["code"]}))
    else:
        code_list = tuple(dict.fromkeys(str(c) for c in ([codes] if isinstance(codes, str) else codes)))
    applied: dict[tuple[str, str], set[str]] = {}
    by_segment: dict[tuple[str, str], set[str]] = {}
    for seg, code, coder in zip(
        rows["segment"].astype(str), rows["code"].astype(str), rows["coder"].astype(str), strict=True
    ):
        applied.setdefault((code, coder), set()).add(unit_of[seg])
        by_segment.setdefault((code, coder), set()).add(seg)
    ids = list(members)
    if skip_uncoded:
        coded = set().union(*(applied.get((c, k), set()) for c in code_list for k in chosen))
        ids = [u for u in ids if u in coded]
    if not ids:
        what = "coded by any of them" if skip_uncoded else "spoken by an informant"
        raise CodingsError(
            f"no {unit} units to compare: the documents coded by all of {', '.join(chosen)} "
            f"({_listing(sorted(shared))}) have no {unit} {what}"
        )
    return _Units(
        coders=chosen,
        unit=unit,
        ids=tuple(ids),
        documents=tuple(unit_doc[u] for u in ids),
        turns=tuple(unit_turn[u] for u in ids),
        segments={u: tuple(members[u]) for u in ids},
        codes=code_list,
        applied={k: frozenset(v) for k, v in applied.items()},
        by_segment={k: frozenset(v) for k, v in by_segment.items()},
        texts=dict(zip(seg_ids, segs["text"].astype(str), strict=True)) if texts else {},
    )


def _code_note(units: _Units, grid: npt.NDArray[np.int64]) -> list[str]:
    used = [c for c, row in zip(units.coders, grid, strict=True) if row.any()]
    if not used:
        return ["no compared coder applied this code to these units"]
    if grid.all():
        return ["every compared coder applied this code to every unit"]
    if len(used) < len(units.coders):
        never = [c for c in units.coders if c not in used]
        return [f"never applied by {', '.join(never)}"]
    return []


def _seed(seed: int, code: str) -> np.random.Generator:
    # One stream per code, so a code's interval does not depend on the other codes compared.
    return np.random.default_rng([seed, zlib.crc32(code.encode("utf-8"))])


def _row(
    code: str,
    units: _Units,
    labels: npt.NDArray[np.int64],
    per_unit: npt.NDArray[np.float64],
    *,
    coded_units: int,
    bootstrap: int,
    seed: int,
    notes: list[str],
) -> dict[str, Any]:
    """One row of the reliability table from a binary grid and its units' coincidences."""
    result = _coefficients(_Grid(units.coders, labels, 2))
    notes = [*notes, *result.notes]
    low = high = math.nan
    if not math.isnan(result.krippendorff_alpha):
        low, high, undefined = _bootstrap_alpha(per_unit, 2, bootstrap, _seed(seed, code))
        if undefined:
            notes.append(f"alpha undefined in {undefined} of {bootstrap} bootstrap samples (left out)")
    return {
        "code": code,
        "units": len(units.ids),
        "percent_agreement": result.percent_agreement,
        "cohen_kappa": result.cohen_kappa,
        "krippendorff_alpha": result.krippendorff_alpha,
        "fleiss_kappa": result.fleiss_kappa,
        "gwet_ac1": result.gwet_ac1,
        "alpha_low": low,
        "alpha_high": high,
        "coders": ";".join(units.coders),
        "unit": units.unit,
        "items": labels.shape[1],
        "coded_units": coded_units,
        "documents": len(set(units.documents)),
        "note": "; ".join(notes),
    }


def reliability(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coders: Iterable[str] | None = None,
    unit: str = "segment",
    skip_uncoded: bool = False,
    codes: Iterable[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Agreement between two or more coders, per code and overall.

    Per code, each coder's judgement of each unit is binary (code present or
    absent; see the module docstring). The units compared are every informant
    unit of the documents that all compared coders cover (a coder covers a
    document when it has at least one coding in it), so the coder-by-unit grid
    is complete; documents some coder did not code are left out. Interviewer
    turns are never units.

    Parameters
    ----------
    codings : DataFrame
        The codings table (CONTRACT.md): ``document, segment, ..., code, coder``.
    segments : DataFrame
        The segments table: ``document, segment, turn, speaker, role, ..., text``.
    coders : iterable of str, optional
        The coders to compare, two or more, humans or machines (``auto:rules``).
        Default: every human coder (a coder whose id does not start with
        ``auto:``) in ``codings``.
    unit : {"segment", "turn", "document"}, default "segment"
        The unit of analysis: an informant segment (sentence), an informant
        turn, or a whole document. A code is present in a turn or document
        when the coder applied it to any segment of it.
    skip_uncoded : bool, default False
        Leave out units to which no compared coder applied any compared code.
    codes : iterable of str, optional
        The codes to compare, in this order (e.g. ``codebook.codable_ids``).
        Default: every code the compared coders used, sorted.
    bootstrap : int, default 1000
        Resamples for the 95% interval of alpha; 0 for none.
    seed : int, default 0
        Seed of the resampling (each code has its own stream from it).

    Returns
    -------
    DataFrame
        One row per code, then the overall row ``code == "(all codes)"``.
        Columns: ``code, units, percent_agreement, cohen_kappa,
        krippendorff_alpha`` (CONTRACT.md), then

        * ``fleiss_kappa``: Fleiss' (1971) kappa (nltk's multi-pi); with two
          coders this is Scott's (1955) pi;
        * ``gwet_ac1``: Gwet's (2008) AC1 with q = 2 categories;
        * ``alpha_low``, ``alpha_high``: percentile 95% bootstrap interval of
          alpha, units resampled with replacement (seeded, deterministic);
        * ``coders`` (joined by ``;``), ``unit``;
        * ``items``: units rated (for the overall row: units x codes pooled);
        * ``coded_units``: units to which at least one coder applied the code;
        * ``documents``: documents the units come from;
        * ``note``: why a coefficient is undefined (NaN), or what to know.

        ``percent_agreement`` is the share of units on which two coders agree
        (averaged over pairs); ``cohen_kappa`` is Cohen's (1960) kappa, with
        more than two coders the mean of the pairwise kappas (see
        :func:`pairwise_kappa`); ``krippendorff_alpha`` is Krippendorff's
        (2011) alpha for nominal data.

    Raises
    ------
    QualbstError
        An unknown coder (the message lists the known ones), an unknown
        ``unit``, a negative ``bootstrap``, a table without its columns.
    CodingsError
        Fewer than two coders; a coder with no document in common with the
        others (naming the coder and its documents); no unit to compare;
        codings on segments not in ``segments``.

    Notes
    -----
    Overall row: the codes that at least one compared coder applied are
    pooled; each (unit, code) pair is one binary item, and every coefficient
    is computed on that pooled grid (a code nobody applied would only add
    agreement on absence, so it is left out). Its alpha interval resamples
    units with all their codes.

    With all coders agreeing that a code is absent everywhere, expected
    agreement is 1 and kappa, pi and alpha are undefined: they are NaN and
    ``note`` says why; percent agreement and AC1 are 1. Percent agreement and
    kappa come from nltk's ``AnnotationTask`` on the complete grid, alpha from
    the ``krippendorff`` package; each bootstrap resample's alpha is computed
    from the units' coincidence matrices (what ``krippendorff.alpha`` sums),
    weighted by how often the resample drew each unit, which is the same
    number and many times faster.

    References
    ----------
    Cohen (1960); Scott (1955); Fleiss (1971); Krippendorff (2011); Gwet
    (2008, 2014): see the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:2", "d:2:1", "d:2:2"],
    ...     "turn": [1, 1, 2, 2], "role": "informant", "text": ["a", "b", "c", "d"]})
    >>> cod = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:2:1", "d:1:1", "d:2:2"],
    ...     "code": "x", "coder": ["A", "A", "B", "B"]})
    >>> reliability(cod, seg, bootstrap=0)[["code", "units", "percent_agreement", "cohen_kappa"]]
              code  units  percent_agreement  cohen_kappa
    0            x      4                0.5          0.0
    1  (all codes)      4                0.5          0.0
    """
    import pandas as pd

    if bootstrap < 0:
        raise QualbstError(f"bootstrap must be 0 or a positive number of resamples (got {bootstrap})")
    units = _units(
        codings, segments, coders=coders, unit=unit, skip_uncoded=skip_uncoded, codes=codes, texts=False
    )
    rows: list[dict[str, Any]] = []
    pooled_labels: list[npt.NDArray[np.int64]] = []
    pooled_units: list[npt.NDArray[np.float64]] = []
    for code in units.codes:
        labels = units.grid(code)
        per_unit = _unit_coincidences(_Grid(units.coders, labels, 2).value_counts())
        coded = labels.any(axis=0)
        rows.append(
            _row(
                code,
                units,
                labels,
                per_unit,
                coded_units=int(coded.sum()),
                bootstrap=bootstrap,
                seed=seed,
                notes=_code_note(units, labels),
            )
        )
        if coded.any():
            pooled_labels.append(labels)
            pooled_units.append(per_unit)
    if pooled_labels:
        # Each (unit, code) is an item; the interval resamples units with all their codes.
        rows.append(
            _row(
                OVERALL,
                units,
                np.concatenate(pooled_labels, axis=1),
                np.sum(pooled_units, axis=0),
                coded_units=int(np.logical_or.reduce([g.any(axis=0) for g in pooled_labels]).sum()),
                bootstrap=bootstrap,
                seed=seed,
                notes=[f"pooled over the {len(pooled_labels)} code(s) applied x {len(units.ids)} units"],
            )
        )
    else:
        nan = dict.fromkeys(
            ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1"),
            math.nan,
        )
        rows.append(
            {
                "code": OVERALL,
                "units": len(units.ids),
                **nan,
                "alpha_low": math.nan,
                "alpha_high": math.nan,
                "coders": ";".join(units.coders),
                "unit": unit,
                "items": 0,
                "coded_units": 0,
                "documents": len(set(units.documents)),
                "note": "no compared coder applied any of the compared codes",
            }
        )
    frame = pd.DataFrame(rows, columns=[*RELIABILITY_COLUMNS, *EXTRA_COLUMNS])
    return frame.astype({"units": "int64", "items": "int64", "coded_units": "int64", "documents": "int64"})


def pairwise_kappa(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coders: Iterable[str] | None = None,
    unit: str = "segment",
    skip_uncoded: bool = False,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Cohen's kappa and percent agreement for every pair of coders, per code and overall.

    Units, codes and the overall row are as in :func:`reliability` (the same
    units for every pair: those of the documents all compared coders cover),
    so the mean of a code's pairwise kappas is its ``cohen_kappa`` there.

    Parameters
    ----------
    codings, segments : DataFrame
        As in :func:`reliability`.
    coders, unit, skip_uncoded, codes
        As in :func:`reliability`.

    Returns
    -------
    DataFrame
        Columns ``code, coder_1, coder_2, units, percent_agreement,
        cohen_kappa, coders, unit, note``; one row per code and pair, codes in
        the order of :func:`reliability`, pairs in the order of ``coders``.

    Raises
    ------
    QualbstError, CodingsError
        As :func:`reliability`.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    Educational and Psychological Measurement, 20(1), 37-46.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:2", "d:2:1"],
    ...     "turn": [1, 1, 2], "role": "informant", "text": ["a", "b", "c"]})
    >>> cod = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:1", "d:1:2", "d:1:1"],
    ...     "code": "x", "coder": ["A", "B", "B", "C"]})
    >>> pairwise_kappa(cod, seg)[["coder_1", "coder_2", "percent_agreement"]].head(3)
      coder_1 coder_2  percent_agreement
    0       A       B           0.666667
    1       A       C           1.000000
    2       B       C           0.666667
    """
    import pandas as pd

    units = _units(codings, segments, coders=coders, unit=unit, skip_uncoded=skip_uncoded, codes=codes)
    grids = [(code, units.grid(code)) for code in units.codes]
    pooled = [g for _, g in grids if g.any()]
    if pooled:
        grids.append((OVERALL, np.concatenate(pooled, axis=1)))
    rows: list[dict[str, Any]] = []
    for code, labels in grids:
        result = _coefficients(_Grid(units.coders, labels, 2), pairs_only=True)
        for a, b in combinations(units.coders, 2):
            kappa = result.pair_kappas[(a, b)]
            note = "" if not math.isnan(kappa) else f"both {a} and {b} gave every unit the same value"
            rows.append(
                {
                    "code": code,
                    "coder_1": a,
                    "coder_2": b,
                    "units": len(units.ids),
                    "percent_agreement": result.pair_agreements[(a, b)],
                    "cohen_kappa": kappa,
                    "coders": ";".join(units.coders),
                    "unit": unit,
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))


def pairwise_matrix(pairs: pd.DataFrame, value: str = "cohen_kappa") -> pd.DataFrame:
    """:func:`pairwise_kappa`'s table with one row per code and one column per pair.

    Columns are named ``"coder_1 / coder_2"``; codes and pairs keep the order
    of ``pairs``.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code": ["x", "x", "OVERALL", "OVERALL"], "coder_1": ["A", "A", "A", "A"],
    ...                       "coder_2": ["B", "C", "B", "C"], "cohen_kappa": [0.5, 1.0, 0.4, 0.9]})
    >>> table = pairwise_matrix(pairs)
    >>> list(table.columns), list(table.index), table.loc["OVERALL"].tolist()
    (['A / B', 'A / C'], ['x', 'OVERALL'], [0.4, 0.9])
    """
    pair = pairs["coder_1"] + " / " + pairs["coder_2"]
    table = pairs.assign(pair=pair).pivot(index="code", columns="pair", values=value)
    return table.reindex(index=pairs["code"].unique(), columns=pair.unique())


def disagreements(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coders: Iterable[str] | None = None,
    unit: str = "segment",
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every unit and code on which the compared coders differ, with the text, to settle them.

    Units and codes are as in :func:`reliability` (informant units of the
    documents all compared coders cover).

    Parameters
    ----------
    codings, segments : DataFrame
        As in :func:`reliability`.
    coders : iterable of str, optional
        As in :func:`reliability` (default: every human coder).
    unit : {"segment", "turn", "document"}, default "segment"
    codes : iterable of str, optional
        The codes to look at, in this order (default: every code used, sorted).

    Returns
    -------
    DataFrame
        One row per unit and code where some coders applied the code and
        others did not, in corpus order, then code order. Columns:
        ``document, turn, segment, unit, code, text``, then one True/False
        column per coder (did it apply the code?), then ``<coder>_codes`` per
        coder: every code that coder applied to the unit, joined by ``;``.
        ``segment`` is the unit's segment for segment units; for turns and
        documents, the segments any coder gave this code (joined by ``;``).
        ``text`` is the segment or turn text; for a document, the text of
        those segments, each after its id in brackets. ``turn`` is empty for
        document units.

    Raises
    ------
    QualbstError, CodingsError
        As :func:`reliability`.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:2"], "turn": 1,
    ...     "role": "informant", "text": ["Stafnya cuma lima.", "RT bantu."]})
    >>> cod = pd.DataFrame({"document": "d", "segment": ["d:1:1", "d:1:1", "d:1:2"],
    ...     "code": ["staff", "staff", "rt"], "coder": ["A", "B", "A"]})
    >>> disagreements(cod, seg)[["segment", "code", "A", "B", "text"]]
      segment code     A      B       text
    0   d:1:2   rt  True  False  RT bantu.
    """
    import pandas as pd

    units = _units(codings, segments, coders=coders, unit=unit, skip_uncoded=False, codes=codes)
    order = {c: i for i, c in enumerate(units.codes)}
    grids = {code: units.grid(code) for code in units.codes}
    all_codes: dict[tuple[str, str], list[str]] = {}
    for (code, coder), hit in units.applied.items():
        for u in hit:
            all_codes.setdefault((coder, u), []).append(code)
    rows: list[dict[str, Any]] = []
    for index, u in enumerate(units.ids):
        members = units.segments[u]
        for code in units.codes:
            column = grids[code][:, index]
            if column.all() or not column.any():
                continue
            coded_segments = [
                s for s in members if any(s in units.by_segment.get((code, c), ()) for c in units.coders)
            ]
            if unit == "segment":
                segment, text = u, units.texts[u]
            elif unit == "turn":
                segment = ";".join(coded_segments)
                text = " ".join(units.texts[s] for s in members)
            else:
                segment = ";".join(coded_segments)
                text = " … ".join(f"[{s}] {units.texts[s]}" for s in coded_segments)
            row: dict[str, Any] = {
                "document": units.documents[index],
                "turn": units.turns[index],
                "segment": segment,
                "unit": u,
                "code": code,
                "text": text,
            }
            for coder, value in zip(units.coders, column, strict=True):
                row[coder] = bool(value)
            for coder in units.coders:
                applied = sorted(all_codes.get((coder, u), []), key=lambda c: (order.get(c, len(order)), c))
                row[f"{coder}_codes"] = ";".join(applied)
            rows.append(row)
    columns = [
        "document",
        "turn",
        "segment",
        "unit",
        "code",
        "text",
        *units.coders,
        *(f"{c}_codes" for c in units.coders),
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["turn"] = frame["turn"].astype("Int64")
    for coder in units.coders:
        frame[coder] = frame[coder].astype(bool)
    return frame
