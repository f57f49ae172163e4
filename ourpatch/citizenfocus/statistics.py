"""The statistics behind the statutory indicators: plain functions over numpy arrays.

No database here, and no hand-written formulas where statsmodels has one:

- a **weighted proportion** with Kish's effective sample size, ``n_eff = (Σw)² / Σw²``, and a
  **Wilson** 95% interval computed on the effective count and effective n
  (``proportion_confint(method="wilson")``; never the normal approximation, which misbehaves
  at small n and near 0 or 1). Unweighted data has ``n_eff == n``.
- a **two-proportion comparison**: the score test (``test_proportions_2indep(method="score")``,
  the Miettinen–Nurminen/pooled score test, which for 1680/2000 against 114/150 gives
  p = 0.0110, the textbook pooled z-test's value; ``method="wald"`` would give 0.026) and
  **Newcombe's** hybrid-score interval for the difference
  (``confint_proportions_2indep(method="newcomb")``). Weighted data enters as effective
  counts, so a design effect widens both.
- **Benjamini–Hochberg** false-discovery-rate control when many neighbourhoods are compared
  (``multipletests(method="fdr_bh")``).
- **responses needed** to detect a given change with 80% power at the 5% level
  (``NormalIndPower`` on Cohen's h from ``proportion_effectsize``), scaled by the design
  effect.
- the **small-sample rule** of SPI 3b: a gap is published only where each group has more
  than 50 respondents.

All functions take and return arrays so that a force-year of neighbourhoods is one call.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ALPHA = 0.05  # 95% intervals, 5% tests
POWER = 0.80  # for "responses needed to detect a change"
DEFAULT_CHANGE = 0.05  # five percentage points
# SPI 3b: the gap is published only where *each* group has more than this many respondents
MIN_GROUP_RESPONDENTS = 50
TOO_FEW = "too few responses"


def _f(values: npt.ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


@dataclass(frozen=True)
class Proportions:
    """Estimates for several groups at once (one element per group)."""

    n: IntArray  # respondents who answered (unweighted)
    successes: IntArray  # of them, how many said yes (unweighted)
    n_eff: FloatArray  # Kish effective sample size
    estimate: FloatArray  # weighted proportion (NaN where n == 0)
    lower: FloatArray  # Wilson 95% interval on the effective sample (NaN where n == 0)
    upper: FloatArray

    @property
    def effective_successes(self) -> FloatArray:
        return np.where(self.n > 0, self.estimate * self.n_eff, 0.0)

    @property
    def design_effect(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n_eff > 0, self.n / self.n_eff, np.nan)


def wilson_interval(
    successes: npt.ArrayLike, n: npt.ArrayLike, alpha: float = ALPHA
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval; ``successes`` and ``n`` may be effective (non-integer) counts.

    Groups with ``n == 0`` get NaN.
    """
    count, nobs = _f(successes), _f(n)
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    ok = nobs > 0
    if ok.any():
        lo, hi = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        lower[ok] = np.clip(lo, 0.0, 1.0)
        upper[ok] = np.clip(hi, 0.0, 1.0)
    return lower, upper


def grouped_proportions(
    group: npt.ArrayLike,
    success: npt.ArrayLike,
    n_groups: int,
    weights: npt.ArrayLike | None = None,
) -> Proportions:
    """A weighted proportion per group, from one row per respondent.

    ``group``: integer group index per respondent (rows with a negative index are left out);
    ``success``: True where the respondent gave a counted answer; ``weights``: positive survey
    weights (None: all 1).
    """
    g = np.asarray(group, dtype=np.int64)
    y = np.asarray(success, dtype=bool)
    keep = g >= 0
    g, y = g[keep], y[keep]
    w = np.ones(g.shape) if weights is None else np.asarray(weights, dtype=np.float64)[keep]
    n = np.bincount(g, minlength=n_groups).astype(np.int64)
    successes = np.bincount(g, weights=y.astype(np.float64), minlength=n_groups).astype(np.int64)
    sum_w = np.bincount(g, weights=w, minlength=n_groups).astype(np.float64)
    sum_w2 = np.bincount(g, weights=w * w, minlength=n_groups).astype(np.float64)
    sum_wy = np.bincount(g, weights=w * y, minlength=n_groups).astype(np.float64)
    return from_sums(n, successes, sum_w, sum_w2, sum_wy)


def from_sums(
    n: IntArray, successes: IntArray, sum_w: FloatArray, sum_w2: FloatArray, sum_wy: FloatArray
) -> Proportions:
    """Proportions from per-group sums (so that groups can be added up before estimating)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sum_w2 > 0, sum_w * sum_w / sum_w2, 0.0)
        estimate = np.where(sum_w > 0, sum_wy / sum_w, np.nan)
    lower, upper = wilson_interval(np.where(n > 0, estimate * n_eff, 0.0), n_eff)
    return Proportions(n, successes, n_eff, estimate, lower, upper)


def weighted_proportion(
    success: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> Proportions:
    """One weighted proportion (a group of one)."""
    y = np.asarray(success, dtype=bool)
    return grouped_proportions(np.zeros(y.shape, dtype=np.int64), y, 1, weights)


@dataclass(frozen=True)
class Comparison:
    """``a`` against ``b``, per group: the difference a − b, its interval, and a p-value."""

    difference: FloatArray
    lower: FloatArray  # Newcombe 95% interval for the difference
    upper: FloatArray
    p_value: FloatArray  # two-sided score test; NaN where either side has no data

    def significant(self, alpha: float = ALPHA) -> BoolArray:
        return np.asarray(np.nan_to_num(self.p_value, nan=1.0) < alpha, dtype=bool)


def compare(
    count_a: npt.ArrayLike, n_a: npt.ArrayLike, count_b: npt.ArrayLike, n_b: npt.ArrayLike
) -> Comparison:
    """Compare two proportions, given as (effective) counts and sample sizes.

    Score test (``test_proportions_2indep(method="score")``) and Newcombe interval
    (``confint_proportions_2indep(method="newcomb")``) for the difference a − b.
    """
    ca, na, cb, nb = _f(count_a), _f(n_a), _f(count_b), _f(n_b)
    ca, na, cb, nb = np.broadcast_arrays(ca, na, cb, nb)
    shape = ca.shape
    difference = np.full(shape, np.nan)
    lower = np.full(shape, np.nan)
    upper = np.full(shape, np.nan)
    p_value = np.full(shape, np.nan)
    ok = (na > 0) & (nb > 0)
    if ok.any():
        a, an, b, bn = ca[ok], na[ok], cb[ok], nb[ok]
        difference[ok] = a / an - b / bn
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            # all-yes or all-no on both sides gives 0/0 inside statsmodels: p is then 1
            warnings.simplefilter("ignore", RuntimeWarning)
            result = test_proportions_2indep(a, an, b, bn, method="score")
            lo, hi = confint_proportions_2indep(a, an, b, bn, method="newcomb", alpha=ALPHA)
        p = np.asarray(result.pvalue, dtype=np.float64)
        p_value[ok] = np.where(np.isnan(p), 1.0, p)
        lower[ok] = lo
        upper[ok] = hi
    return Comparison(difference, lower, upper, p_value)


def compare_proportions(a: Proportions, b: Proportions) -> Comparison:
    """Compare weighted estimates on their effective sample sizes (design effect included)."""
    return compare(a.effective_successes, a.n_eff, b.effective_successes, b.n_eff)


def benjamini_hochberg(
    p_values: npt.ArrayLike, alpha: float = ALPHA
) -> tuple[BoolArray, FloatArray]:
    """Which of many tests are significant with the false discovery rate held at ``alpha``.

    Returns (significant, adjusted p); NaN p-values (nothing to compare) are left out of the
    family and come back not significant with NaN adjusted p.
    """
    p = _f(p_values)
    significant = np.zeros(p.shape, dtype=bool)
    adjusted = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        reject, corrected, _, _ = multipletests(p[ok], alpha=alpha, method="fdr_bh")
        significant[ok] = reject
        adjusted[ok] = corrected
    return significant, adjusted


@cache
def _n_for_unit_effect() -> float:
    # For the normal approximation n per group scales as 1 / h²; solving once at h = 1 and
    # scaling is exact to well under one respondent for the effects that matter (h < 0.5).
    return float(NormalIndPower().solve_power(effect_size=1.0, alpha=ALPHA, power=POWER, ratio=1.0))


def responses_needed(
    estimate: npt.ArrayLike,
    n: npt.ArrayLike,
    n_eff: npt.ArrayLike,
    change: float = DEFAULT_CHANGE,
) -> tuple[IntArray, IntArray]:
    """Respondents needed (per period) to detect a change of ``change`` from ``estimate``.

    80% power, two-sided 5% test of this period against a comparison period of the same size
    (``NormalIndPower``, effect size ``proportion_effectsize``), inflated by the design
    effect n / n_eff. The change is taken towards 50%, where the same change is hardest to
    detect (and the only direction possible at 0 or 1). Returns (needed, more_needed); -1
    where there is no estimate.
    """
    p = _f(estimate)
    n_arr = _f(n)
    neff = _f(n_eff)
    target = np.where(p <= 0.5, np.minimum(p + change, 1.0), np.maximum(p - change, 0.0))
    safe_p = np.nan_to_num(p, nan=0.5)
    safe_t = np.nan_to_num(target, nan=0.5 + change)
    h = np.abs(np.asarray(proportion_effectsize(safe_t, safe_p), dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = _n_for_unit_effect() / (h * h)
        deff = np.where(neff > 0, n_arr / neff, 1.0)
        needed_f = np.ceil(effective * deff)
    valid = ~np.isnan(p) & (h > 0)
    needed = np.where(valid, needed_f, -1).astype(np.int64)
    more = np.where(valid, np.maximum(needed - n_arr, 0), -1).astype(np.int64)
    return needed, more


def responses_needed_one(
    estimate: float, n: int, n_eff: float, change: float = DEFAULT_CHANGE
) -> int:
    """The scalar form of :func:`responses_needed` (respondents needed in total)."""
    needed, _ = responses_needed([estimate], [n], [n_eff], change)
    return int(needed[0])


def publishable_gap(n_white: npt.ArrayLike, n_bme: npt.ArrayLike) -> BoolArray:
    """SPI 3b: publish the gap only where *each* group has more than 50 respondents."""
    a = np.asarray(n_white, dtype=np.int64)
    b = np.asarray(n_bme, dtype=np.int64)
    return np.asarray((a > MIN_GROUP_RESPONDENTS) & (b > MIN_GROUP_RESPONDENTS), dtype=bool)


def percent(value: float, places: int = 1) -> str:
    """0.8432 → '84.3%'; NaN → '–'."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.{places}f}%"
