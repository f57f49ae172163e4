"""The statistics against independently worked values (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from ourpatch.citizenfocus import statistics as st


def _wilson_by_hand(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    # Wilson (1927), written out independently of statsmodels
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_41_of_50_is_0692_to_0902() -> None:
    result = st.weighted_proportion([True] * 41 + [False] * 9)
    assert result.n[0] == 50
    assert result.n_eff[0] == pytest.approx(50)
    assert result.estimate[0] == pytest.approx(0.82)
    assert round(float(result.lower[0]), 3) == 0.692
    assert round(float(result.upper[0]), 3) == 0.902
    lo, hi = _wilson_by_hand(41, 50)
    assert result.lower[0] == pytest.approx(lo, abs=1e-9)
    assert result.upper[0] == pytest.approx(hi, abs=1e-9)


def test_wilson_is_not_the_normal_approximation_at_small_n() -> None:
    # 1 of 10: the normal approximation goes below zero; Wilson cannot
    lower, upper = st.wilson_interval([1], [10])
    assert lower[0] == pytest.approx(0.0179, abs=1e-4)
    assert upper[0] == pytest.approx(0.4042, abs=1e-4)
    lower, upper = st.wilson_interval([0], [5])
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(0.4345, abs=1e-4)


def test_84_percent_of_2000_against_76_percent_of_150_gives_p_0011() -> None:
    result = st.compare(1680, 2000, 114, 150)
    assert result.difference[0] == pytest.approx(0.08)
    assert result.p_value[0] == pytest.approx(0.011, abs=0.0005)
    # by hand: the pooled two-proportion z-test
    pooled = (1680 + 114) / 2150
    z = 0.08 / math.sqrt(pooled * (1 - pooled) * (1 / 2000 + 1 / 150))
    assert result.p_value[0] == pytest.approx(2 * norm.sf(z), abs=1e-4)
    assert result.significant()[0]
    # Newcombe's interval (method 10): from the two Wilson intervals
    l1, u1 = _wilson_by_hand(1680, 2000)
    l2, u2 = _wilson_by_hand(114, 150)
    p1, p2 = 0.84, 0.76
    lower = 0.08 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = 0.08 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    assert result.lower[0] == pytest.approx(lower, abs=1e-6)
    assert result.upper[0] == pytest.approx(upper, abs=1e-6)
    assert round(float(result.lower[0]), 3) == 0.016
    assert round(float(result.upper[0]), 3) == 0.156


def test_comparison_with_no_data_is_nan_not_an_error() -> None:
    result = st.compare([0, 10], [0, 10], [1, 10], [2, 10])
    assert math.isnan(result.p_value[0])
    assert result.p_value[1] == 1.0  # all yes on both sides: no difference
    assert not result.significant().any()


def test_weights_change_the_estimate_and_the_effective_sample() -> None:
    yes = np.array([True] * 30 + [False] * 20)
    weights = np.array([0.5] * 30 + [2.0] * 20)
    plain = st.weighted_proportion(yes)
    weighted = st.weighted_proportion(yes, weights)
    # 15 / (15 + 40): a skipped weight would leave 0.6
    assert plain.estimate[0] == pytest.approx(0.6)
    assert weighted.estimate[0] == pytest.approx(15 / 55)
    # Kish: (Σw)² / Σw² = 55² / (30·0.25 + 20·4) = 3025 / 87.5
    assert weighted.n_eff[0] == pytest.approx(3025 / 87.5)
    assert weighted.n[0] == 50
    assert weighted.design_effect[0] == pytest.approx(50 / (3025 / 87.5))
    # the interval is Wilson on the effective sample, so wider than unweighted n would give
    lo, hi = _wilson_by_hand(15 / 55 * 3025 / 87.5, 3025 / 87.5)
    assert weighted.lower[0] == pytest.approx(lo, abs=1e-9)
    assert weighted.upper[0] == pytest.approx(hi, abs=1e-9)
    lo_n, hi_n = _wilson_by_hand(15 / 55 * 50, 50)
    assert weighted.upper[0] - weighted.lower[0] > hi_n - lo_n


def test_constant_weights_change_nothing() -> None:
    yes = np.array([True] * 41 + [False] * 9)
    weighted = st.weighted_proportion(yes, np.full(50, 3.7))
    assert weighted.n_eff[0] == pytest.approx(50)
    assert round(float(weighted.lower[0]), 3) == 0.692


def test_grouped_proportions_leave_out_negative_groups() -> None:
    groups = np.array([0, 0, 1, 1, 1, -1])
    yes = np.array([True, False, True, True, False, True])
    result = st.grouped_proportions(groups, yes, 3)
    assert list(result.n) == [2, 3, 0]
    assert list(result.successes) == [1, 2, 0]
    assert result.estimate[1] == pytest.approx(2 / 3)
    assert math.isnan(result.estimate[2])
    assert math.isnan(result.lower[2])


def test_benjamini_hochberg_against_worked_values() -> None:
    # Sorted p: 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216 (m = 10)
    # BH thresholds k/10 · 0.05: the largest k with p(k) ≤ 0.005k is k = 2.
    p = [0.041, 0.001, 0.212, 0.008, 0.039, 0.06, 0.074, 0.205, 0.042, 0.216]
    significant, adjusted = st.benjamini_hochberg(p)
    assert [bool(s) for s in significant] == [
        False,
        True,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
    ]
    # without FDR control four more would have been "significant"
    assert sum(x < 0.05 for x in p) == 5 and significant.sum() == 2
    assert adjusted[1] == pytest.approx(0.01)
    assert adjusted[3] == pytest.approx(0.04)


def test_benjamini_hochberg_leaves_out_missing() -> None:
    significant, adjusted = st.benjamini_hochberg([0.001, float("nan"), 0.04])
    assert list(significant) == [True, False, True]
    assert math.isnan(adjusted[1])
    assert adjusted[2] == pytest.approx(0.04)  # a family of two, not three


def test_responses_needed_matches_statsmodels_solver() -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(0.80, 0.75)
    expected = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1.0)
    needed, more = st.responses_needed([0.80], [400], [400.0], change=0.05)
    assert needed[0] == math.ceil(expected)
    # by hand: 2 · ((1.96 + 0.8416) / h)², h on the arcsine scale
    assert needed[0] == pytest.approx(2 * ((1.959964 + 0.841621) / abs(h)) ** 2, abs=1)
    assert more[0] == needed[0] - 400


def test_responses_needed_grows_with_the_design_effect() -> None:
    plain, _ = st.responses_needed([0.8], [1000], [1000.0])
    weighted, _ = st.responses_needed([0.8], [1000], [500.0])
    assert weighted[0] == pytest.approx(2 * plain[0], abs=1)
    _, more = st.responses_needed([0.8], [100000], [100000.0])
    assert more[0] == 0
    missing, _ = st.responses_needed([float("nan")], [0], [0.0])
    assert missing[0] == -1


def test_gap_published_only_with_more_than_50_in_each_group() -> None:
    assert list(st.publishable_gap([51, 50, 51, 400], [51, 400, 50, 60])) == [
        True,
        False,
        False,
        True,
    ]
