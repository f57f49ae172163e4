"""The statutory indicators for a force, its command units and its neighbourhoods.

For each indicator (:data:`INDICATORS`), each level and a period (one month, a calendar
quarter, or the rolling 12 months to a month): the weighted estimate with its Wilson 95%
interval, unweighted and effective (Kish) sample sizes, the comparison with the same period
a year earlier, the responses needed to detect a five-point change, and how many responses
were left out and why. Neighbourhoods are also compared with the rest of their force, with
Benjamini–Hochberg control of the false discovery rate across all of them: only those still
significant after it are coloured on the map. SPI 3b (the white − BME satisfaction gap) is
published only where each group has more than 50 respondents; below, "too few responses".

Vectorised: one pass over the responses per indicator builds a month × neighbourhood cube of
sums (respondents, successes, Σw, Σw², Σw·y); any period at any level is then a sum over the
cube. A force-year of 200,000 responses takes well under a second (``ourpatch bench survey``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ourpatch.citizenfocus import statistics as st
from ourpatch.citizenfocus.questions import STATUTORY

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CRIME_GROUPS = ("burglary", "violent", "vehicle", "rtc")
ETHNICITIES = ("white", "bme")  # anything else: not stated
PeriodKind = Literal["month", "quarter", "12m"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "12m")
PERIOD_NAMES = {"month": "month", "quarter": "quarter", "12m": "rolling 12 months"}
LEVELS = ("force", "bcu", "neighbourhood")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    survey: str  # "victim" or "perception"
    question: str
    crime_group: str | None = None  # SPI 1e by crime group
    higher_is_better: bool = True
    gap: bool = False  # SPI 3b: white − BME


INDICATORS: tuple[Indicator, ...] = (
    Indicator("spi1e", "SPI 1e: victims satisfied with the overall service", "victim",
              "overall_satisfaction"),
    Indicator("spi1e-burglary", "SPI 1e: satisfied – domestic burglary", "victim",
              "overall_satisfaction", "burglary"),
    Indicator("spi1e-violent", "SPI 1e: satisfied – violent crime", "victim",
              "overall_satisfaction", "violent"),
    Indicator("spi1e-vehicle", "SPI 1e: satisfied – vehicle crime", "victim",
              "overall_satisfaction", "vehicle"),
    Indicator("spi1e-rtc", "SPI 1e: satisfied – road traffic collisions", "victim",
              "overall_satisfaction", "rtc"),
    Indicator("spi3b", "SPI 3b: satisfaction gap, white minus black and minority ethnic users",
              "victim", "overall_satisfaction", gap=True),
    Indicator("spi2a", "SPI 2a: police do a good or excellent job", "perception", "good_job"),
    Indicator("matters", "Key diagnostic: dealing with the things that matter",
              "perception", "things_that_matter"),
    Indicator("spi10b", "SPI 10b: perceived high level of anti-social behaviour",
              "perception", "asb_perception", higher_is_better=False),
)  # fmt: skip
BY_CODE = {i.code: i for i in INDICATORS}


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    end: int  # month index of the last month

    @property
    def start(self) -> int:
        if self.kind == "month":
            return self.end
        if self.kind == "quarter":
            return self.end - self.end % 3
        return self.end - 11

    @property
    def last(self) -> int:
        # a calendar quarter runs to its third month, even if it is not over yet
        return self.start + 2 if self.kind == "quarter" else self.end

    def a_year_earlier(self) -> Period:
        return Period(self.kind, self.end - 12)

    @property
    def label(self) -> str:
        first, last = month_of(self.start), month_of(self.last)
        if self.kind == "month":
            return f"{first:%B %Y}"
        if self.kind == "quarter":
            return f"Q{(first.month - 1) // 3 + 1} {first.year} ({first:%b}–{last:%b %Y})"
        return f"12 months {first:%b %Y} – {last:%b %Y}"


@dataclass
class Units:
    """The force's command units and neighbourhoods, in display order."""

    force_id: str
    force_name: str
    bcu_keys: list[str]
    bcu_names: list[str]
    nb_keys: list[str]  # neighbourhood codes
    nb_names: list[str]
    nb_bcu: IntArray  # index into bcu_keys, -1: none

    @property
    def membership(self) -> FloatArray:
        """(command units × (neighbourhoods + unplaced)) 0/1 matrix."""
        m = np.zeros((len(self.bcu_keys), len(self.nb_keys) + 1))
        placed = self.nb_bcu >= 0
        m[self.nb_bcu[placed], np.flatnonzero(placed)] = 1.0
        return m


@dataclass
class Frame:
    """One survey's responses as columns (one element per respondent)."""

    survey: str
    units: Units
    month: IntArray  # month index
    neighbourhood: IntArray  # index into units.nb_keys, -1: not placed
    crime_group: IntArray  # index into CRIME_GROUPS, -1: none
    ethnicity: IntArray  # 0 white, 1 BME, -1 not stated
    weight: FloatArray
    answers: dict[str, IntArray]  # question code → scale position, 0 = no answer

    def __len__(self) -> int:
        return len(self.month)


@dataclass
class Cube:
    """Sums by (month, neighbourhood + unplaced) for one indicator's respondents."""

    first: int
    n: FloatArray
    s: FloatArray
    w: FloatArray
    w2: FloatArray
    wy: FloatArray

    def period(self, start: int, last: int) -> tuple[FloatArray, ...]:
        a = max(start - self.first, 0)
        b = max(min(last - self.first + 1, self.n.shape[0]), 0)
        return tuple(x[a:b].sum(axis=0) for x in (self.n, self.s, self.w, self.w2, self.wy))


def build_cube(frame: Frame, mask: BoolArray, success: BoolArray) -> Cube:
    units = len(frame.units.nb_keys) + 1
    first = int(frame.month.min()) if len(frame) else 0
    months = int(frame.month.max()) - first + 1 if len(frame) else 1
    nb = np.where(frame.neighbourhood >= 0, frame.neighbourhood, units - 1)
    cell = ((frame.month - first) * units + nb)[mask]
    y = success[mask].astype(np.float64)
    w = frame.weight[mask]
    size = months * units

    def count(weights: FloatArray | None) -> FloatArray:
        counts = np.bincount(cell, weights=weights, minlength=size).astype(np.float64)
        return counts.reshape(months, units)

    return Cube(
        first, count(None).astype(np.float64), count(y), count(w), count(w * w), count(w * y)
    )


@dataclass
class Level:
    """One level's figures: force (1 row), command units, or neighbourhoods."""

    name: str
    keys: list[str]
    labels: list[str]
    current: st.Proportions  # SPI 3b: white
    baseline: st.Proportions  # SPI 3b: BME
    vs_baseline: st.Comparison  # SPI 3b: the gap, white − BME
    needed: IntArray
    more_needed: IntArray
    # neighbourhoods only: against the rest of the force, with BH across neighbourhoods
    vs_rest: st.Comparison | None = None
    fdr_significant: BoolArray | None = None
    fdr_adjusted: FloatArray | None = None
    # SPI 3b only
    white: st.Proportions | None = None
    bme: st.Proportions | None = None
    publishable: BoolArray | None = None


@dataclass
class PeerComparison:
    peers: list[tuple[str, str, float, int, float, float]]  # id, name, value, n, lower, upper
    pooled: st.Proportions
    comparison: st.Comparison


@dataclass
class Result:
    indicator: Indicator
    period: Period
    levels: dict[str, Level]
    excluded: list[tuple[str, int]]  # (reason, responses) within the period
    in_scope: int  # responses of this survey (and crime group) in the period
    peers: PeerComparison | None = None
    trend: list[tuple[int, st.Proportions]] = field(default_factory=list)


def _level_sums(
    sums: tuple[FloatArray, ...], units: Units, level: str, membership: FloatArray
) -> tuple[FloatArray, ...]:
    if level == "force":
        return tuple(np.array([x.sum()]) for x in sums)
    if level == "bcu":
        return tuple(membership @ x for x in sums)
    return tuple(x[:-1] for x in sums)


def _props(sums: tuple[FloatArray, ...]) -> st.Proportions:
    n, s, w, w2, wy = sums
    return st.from_sums(n.astype(np.int64), s.astype(np.int64), w, w2, wy)


def _positive(frame: Frame, question: str, positive: Sequence[int]) -> BoolArray:
    return np.isin(frame.answers[question], np.asarray(list(positive), dtype=np.int64))


def _scope_mask(frame: Frame, indicator: Indicator) -> BoolArray:
    if indicator.crime_group is None:
        return np.ones(len(frame), dtype=bool)
    return np.asarray(frame.crime_group == CRIME_GROUPS.index(indicator.crime_group))


def compute(
    frame: Frame,
    indicator: Indicator,
    period: Period,
    positive: Sequence[int] | None = None,
    peer_figures: Sequence[tuple[str, str, float, int]] = (),
    trend_months: int = 0,
) -> Result:
    """Every level's figures for one indicator and period.

    ``positive``: the answers that count (default: the statutory question's);
    ``peer_figures``: the most similar forces' published (id, name, value, respondents) for
    the 12 months to the period's end; ``trend_months``: also the force's figure for this
    many periods of the same kind ending with this one.
    """
    if positive is None:
        positive = STATUTORY[indicator.question]["positive"]
    units = frame.units
    membership = units.membership
    answers = frame.answers[indicator.question]
    in_scope_mask = _scope_mask(frame, indicator)
    answered = answers > 0
    success = _positive(frame, indicator.question, positive)

    in_period = (frame.month >= period.start) & (frame.month <= period.last) & in_scope_mask
    excluded = [("no answer to the question", int((in_period & ~answered).sum()))]
    excluded.append(
        (
            "not placed in a neighbourhood (counted for the force only)",
            int((in_period & answered & (frame.neighbourhood < 0)).sum()),
        )
    )
    if indicator.gap:
        excluded.append(
            ("ethnicity not stated", int((in_period & answered & (frame.ethnicity < 0)).sum()))
        )

    mask = in_scope_mask & answered
    levels: dict[str, Level] = {}
    if indicator.gap:
        white = build_cube(frame, mask & (frame.ethnicity == 0), success)
        bme = build_cube(frame, mask & (frame.ethnicity == 1), success)
        for level in LEVELS:
            keys, labels = _labels(units, level)
            w_now = _props(
                _level_sums(white.period(period.start, period.last), units, level, membership)
            )
            b_now = _props(
                _level_sums(bme.period(period.start, period.last), units, level, membership)
            )
            gap = st.compare_proportions(w_now, b_now)
            publishable = st.publishable_gap(w_now.n, b_now.n)
            empty = np.full(len(keys), -1, dtype=np.int64)
            levels[level] = Level(
                level, keys, labels, w_now, b_now, gap, empty, empty,
                white=w_now, bme=b_now, publishable=publishable,
            )  # fmt: skip
        return Result(indicator, period, levels, excluded, int(in_period.sum()))

    cube = build_cube(frame, mask, success)
    now_sums = cube.period(period.start, period.last)
    before = period.a_year_earlier()
    base_sums = cube.period(before.start, before.last)
    for level in LEVELS:
        keys, labels = _labels(units, level)
        now = _props(_level_sums(now_sums, units, level, membership))
        base = _props(_level_sums(base_sums, units, level, membership))
        vs_baseline = st.compare_proportions(now, base)
        needed, more = st.responses_needed(now.estimate, now.n, now.n_eff)
        levels[level] = Level(level, keys, labels, now, base, vs_baseline, needed, more)

    # neighbourhoods against the rest of their force, BH across all of them
    nb_now = tuple(x[:-1] for x in now_sums)
    totals = tuple(x.sum() for x in now_sums)
    rest = _props(tuple(t - x for t, x in zip(totals, nb_now, strict=True)))
    neighbourhoods = levels["neighbourhood"]
    vs_rest = st.compare_proportions(neighbourhoods.current, rest)
    significant, adjusted = st.benjamini_hochberg(vs_rest.p_value)
    neighbourhoods.vs_rest = vs_rest
    neighbourhoods.fdr_significant = significant
    neighbourhoods.fdr_adjusted = adjusted

    result = Result(indicator, period, levels, excluded, int(in_period.sum()))
    if peer_figures and period.kind == "12m":
        result.peers = compare_with_peers(levels["force"].current, peer_figures)
    if trend_months:
        result.trend = trend(cube, period, trend_months)
    return result


def compare_with_peers(
    force: st.Proportions, peer_figures: Sequence[tuple[str, str, float, int]]
) -> PeerComparison:
    """The force against its most similar forces pooled (Σ value·n / Σ n)."""
    values = np.array([p[2] for p in peer_figures], dtype=np.float64)
    ns = np.array([p[3] for p in peer_figures], dtype=np.float64)
    lower, upper = st.wilson_interval(values * ns, ns)
    peers = [
        (p[0], p[1], float(v), int(n), float(lo), float(hi))
        for p, v, n, lo, hi in zip(peer_figures, values, ns, lower, upper, strict=True)
    ]
    total = ns.sum()
    pooled_yes = float((values * ns).sum())
    pooled = st.from_sums(
        np.array([int(total)]),
        np.array([round(pooled_yes)]),
        np.array([total]),
        np.array([total]),
        np.array([pooled_yes]),
    )
    return PeerComparison(peers, pooled, st.compare_proportions(force, pooled))


def trend(cube: Cube, period: Period, count: int) -> list[tuple[int, st.Proportions]]:
    """The force's figure for ``count`` periods of the same kind, ending with ``period``."""
    step = 3 if period.kind == "quarter" else 1
    out = []
    for k in range(count - 1, -1, -1):
        p = Period(period.kind, period.end - k * step)
        sums = tuple(np.array([x.sum()]) for x in cube.period(p.start, p.last))
        out.append((p.end, _props(sums)))
    return out


def _labels(units: Units, level: str) -> tuple[list[str], list[str]]:
    if level == "force":
        return [units.force_id], [units.force_name]
    if level == "bcu":
        return list(units.bcu_keys), list(units.bcu_names)
    return list(units.nb_keys), list(units.nb_names)


def compute_all(
    frames: dict[str, Frame],
    period: Period,
    positives: dict[str, Sequence[int]] | None = None,
    peers: Mapping[str, Sequence[tuple[str, str, float, int]]] | None = None,
) -> dict[str, Result]:
    """Every indicator for one period (indicators whose survey has no frame are skipped)."""
    out = {}
    for indicator in INDICATORS:
        frame = frames.get(indicator.survey)
        if frame is None:
            continue
        positive = (positives or {}).get(indicator.question)
        out[indicator.code] = compute(
            frame, indicator, period, positive, (peers or {}).get(indicator.code, ())
        )
    return out


# --------------------------------------------------------------------------------------------
# Tables: what the pages show and the CSV downloads hold


def _fmt(value: float, places: int = 3) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.{places}f}"


def _direction(comparison: st.Comparison, i: int, higher_is_better: bool) -> str:
    if np.isnan(comparison.p_value[i]):
        return "no comparison"
    if comparison.p_value[i] >= st.ALPHA:
        return "no significant change"
    up = comparison.difference[i] > 0
    return "significantly better" if up == higher_is_better else "significantly worse"


def table(result: Result, level: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows for one level, as shown and as downloaded."""
    lv = result.levels[level]
    ind = result.indicator
    if ind.gap:
        assert lv.white is not None and lv.bme is not None and lv.publishable is not None
        header = [
            "area", "name", "white respondents", "BME respondents", "white satisfied",
            "BME satisfied", "gap (white − BME)", "gap lower 95%", "gap upper 95%", "p",
        ]  # fmt: skip
        rows = []
        for i, key in enumerate(lv.keys):
            if not lv.publishable[i]:
                rows.append(
                    [key, lv.labels[i], str(lv.white.n[i]), str(lv.bme.n[i])] + [st.TOO_FEW] * 6
                )
                continue
            rows.append(
                [
                    key,
                    lv.labels[i],
                    str(lv.white.n[i]),
                    str(lv.bme.n[i]),
                    _fmt(lv.white.estimate[i]),
                    _fmt(lv.bme.estimate[i]),
                    _fmt(lv.vs_baseline.difference[i]),
                    _fmt(lv.vs_baseline.lower[i]),
                    _fmt(lv.vs_baseline.upper[i]),
                    _fmt(lv.vs_baseline.p_value[i], 4),
                ]
            )
        return header, rows
    header = [
        "area", "name", "respondents", "effective n", "estimate", "lower 95%", "upper 95%",
        "a year earlier", "change", "change lower 95%", "change upper 95%", "p",
        "against a year earlier", "responses for a 5-point change", "more needed",
    ]  # fmt: skip
    if level == "neighbourhood":
        header += ["against rest of force", "p (BH-adjusted)"]
    rows = []
    cur, cmp = lv.current, lv.vs_baseline
    for i, key in enumerate(lv.keys):
        row = [
            key,
            lv.labels[i],
            str(cur.n[i]),
            _fmt(cur.n_eff[i], 1),
            _fmt(cur.estimate[i]),
            _fmt(cur.lower[i]),
            _fmt(cur.upper[i]),
            _fmt(lv.baseline.estimate[i]),
            _fmt(cmp.difference[i]),
            _fmt(cmp.lower[i]),
            _fmt(cmp.upper[i]),
            _fmt(cmp.p_value[i], 4),
            _direction(cmp, i, ind.higher_is_better),
            str(lv.needed[i]) if lv.needed[i] >= 0 else "",
            str(lv.more_needed[i]) if lv.more_needed[i] >= 0 else "",
        ]
        if level == "neighbourhood":
            assert lv.vs_rest is not None and lv.fdr_significant is not None
            assert lv.fdr_adjusted is not None
            if np.isnan(lv.vs_rest.p_value[i]):
                verdict = "no comparison"
            elif lv.fdr_significant[i]:
                better = (lv.vs_rest.difference[i] > 0) == ind.higher_is_better
                verdict = "significantly better" if better else "significantly worse"
            else:
                verdict = "not significantly different"
            row += [verdict, _fmt(lv.fdr_adjusted[i], 4)]
        rows.append(row)
    return header, rows


def trend_table(result: Result) -> tuple[list[str], list[list[str]]]:
    header = ["period ending", "respondents", "effective n", "estimate", "lower 95%", "upper 95%"]
    rows = [
        [
            f"{month_of(end):%Y-%m}",
            str(p.n[0]),
            _fmt(p.n_eff[0], 1),
            _fmt(p.estimate[0]),
            _fmt(p.lower[0]),
            _fmt(p.upper[0]),
        ]
        for end, p in result.trend
    ]
    return header, rows


def peer_table(result: Result) -> tuple[list[str], list[list[str]]]:
    header = ["force", "name", "respondents", "estimate", "lower 95%", "upper 95%"]
    if result.peers is None:
        return header, []
    force = result.levels["force"].current
    rows = [
        [
            result.levels["force"].keys[0],
            result.levels["force"].labels[0] + " (this force)",
            str(force.n[0]),
            _fmt(force.estimate[0]),
            _fmt(force.lower[0]),
            _fmt(force.upper[0]),
        ]
    ]
    rows += [
        [p[0], p[1], str(p[3]), _fmt(p[2]), _fmt(p[4]), _fmt(p[5])] for p in result.peers.peers
    ]
    pooled = result.peers.pooled
    rows.append(
        [
            "peers",
            "Most similar forces (pooled)",
            str(pooled.n[0]),
            _fmt(pooled.estimate[0]),
            _fmt(pooled.lower[0]),
            _fmt(pooled.upper[0]),
        ]
    )
    return header, rows


def summary(result: Result) -> dict[str, Any]:
    """The force-level headline, for the dashboard."""
    lv = result.levels["force"]
    out: dict[str, Any] = {
        "indicator": result.indicator,
        "period": result.period,
        "excluded": result.excluded,
        "in_scope": result.in_scope,
    }
    if result.indicator.gap:
        assert lv.publishable is not None and lv.white is not None and lv.bme is not None
        out["published"] = bool(lv.publishable[0])
        out["n"] = int(lv.white.n[0] + lv.bme.n[0])
        out["estimate"] = float(lv.vs_baseline.difference[0])
        out["lower"] = float(lv.vs_baseline.lower[0])
        out["upper"] = float(lv.vs_baseline.upper[0])
        if not out["published"]:
            out["verdict"] = st.TOO_FEW
        elif lv.vs_baseline.significant()[0]:
            out["verdict"] = "significant gap"
        else:
            out["verdict"] = "no significant gap"
        return out
    out["published"] = lv.current.n[0] > 0
    out["n"] = int(lv.current.n[0])
    out["n_eff"] = float(lv.current.n_eff[0])
    out["estimate"] = float(lv.current.estimate[0])
    out["lower"] = float(lv.current.lower[0])
    out["upper"] = float(lv.current.upper[0])
    out["verdict"] = _direction(lv.vs_baseline, 0, result.indicator.higher_is_better)
    out["more_needed"] = int(lv.more_needed[0])
    if result.peers is not None:
        out["peer_verdict"] = _direction(
            result.peers.comparison, 0, result.indicator.higher_is_better
        )
    return out
