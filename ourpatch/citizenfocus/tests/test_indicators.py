"""The indicator engine on hand-made frames (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ourpatch.citizenfocus import indicators as ind
from ourpatch.citizenfocus.models import STATUTORY_QUESTIONS
from ourpatch.citizenfocus.statistics import TOO_FEW

OCT_2026 = ind.month_index(dt.date(2026, 10, 1))


def _units(hoods: int = 2) -> ind.Units:
    return ind.Units(
        "wy",
        "West Yorkshire Police",
        ["leeds", "bradford"],
        ["Leeds", "Bradford"],
        [f"N{i}" for i in range(hoods)],
        [f"Hood {i}" for i in range(hoods)],
        np.array([i % 2 for i in range(hoods)], dtype=np.int64),
    )


def _frame(
    survey: str,
    rows: list[dict[str, object]],
    hoods: int = 2,
) -> ind.Frame:
    """rows: dicts with month, hood, group, ethnic, weight, and answers by question code."""
    n = len(rows)

    def col(key: str, default: object) -> np.ndarray:
        return np.array([r.get(key, default) for r in rows])

    return ind.Frame(
        survey=survey,
        units=_units(hoods),
        month=col("month", OCT_2026).astype(np.int64),
        neighbourhood=col("hood", 0).astype(np.int64),
        crime_group=col("group", 0 if survey == "victim" else -1).astype(np.int64),
        ethnicity=col("ethnic", 0).astype(np.int64),
        weight=col("weight", 1.0).astype(np.float64),
        answers={
            q: np.array([int(r.get(q, 0)) for r in rows], dtype=np.int64).reshape(n)  # type: ignore[call-overload]
            for q in STATUTORY_QUESTIONS
        },
    )


def _victims(satisfied: int, total: int, **extra: object) -> list[dict[str, object]]:
    return [{"overall_satisfaction": 2 if i < satisfied else 6, **extra} for i in range(total)]


def test_period_bounds_and_labels() -> None:
    assert ind.Period("month", OCT_2026).start == OCT_2026
    quarter = ind.Period("quarter", OCT_2026)
    assert (ind.month_of(quarter.start), ind.month_of(quarter.last)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 1),
    )
    year = ind.Period("12m", OCT_2026)
    assert ind.month_of(year.start) == dt.date(2025, 11, 1)
    assert ind.month_of(year.a_year_earlier().end) == dt.date(2025, 10, 1)
    assert year.label == "12 months Nov 2025 – Oct 2026"


def test_spi1e_for_one_neighbourhood_is_the_wilson_reference() -> None:
    frame = _frame("victim", _victims(41, 50, hood=0) + _victims(30, 40, hood=1))
    result = ind.compute(frame, ind.BY_CODE["spi1e"], ind.Period("month", OCT_2026))
    hood = result.levels["neighbourhood"]
    assert hood.current.n[0] == 50
    assert round(float(hood.current.lower[0]), 3) == 0.692
    assert round(float(hood.current.upper[0]), 3) == 0.902
    force = result.levels["force"].current
    assert force.n[0] == 90 and force.estimate[0] == pytest.approx(71 / 90)
    # neighbourhood 0 is in Leeds, 1 in Bradford
    assert list(result.levels["bcu"].current.n) == [50, 40]


def test_baseline_is_the_same_period_a_year_earlier() -> None:
    now = _victims(1680, 2000)
    before = _victims(114, 150, month=OCT_2026 - 12)
    older = _victims(0, 500, month=OCT_2026 - 6)  # neither period
    frame = _frame("victim", now + before + older)
    result = ind.compute(frame, ind.BY_CODE["spi1e"], ind.Period("month", OCT_2026))
    force = result.levels["force"]
    assert force.baseline.n[0] == 150
    assert force.vs_baseline.p_value[0] == pytest.approx(0.011, abs=0.0005)
    header, rows = ind.table(result, "force")
    assert rows[0][header.index("against a year earlier")] == "significantly better"


def test_crime_group_and_exclusions_are_counted() -> None:
    rows = _victims(8, 10, group=0) + _victims(5, 10, group=1)
    rows += [{"group": 0}] * 3  # no answer
    rows += [{"group": 0, "hood": -1, "overall_satisfaction": 1}] * 2  # no neighbourhood
    frame = _frame("victim", rows)
    burglary = ind.compute(frame, ind.BY_CODE["spi1e-burglary"], ind.Period("month", OCT_2026))
    assert burglary.levels["force"].current.n[0] == 12
    assert burglary.levels["neighbourhood"].current.n.sum() == 10
    assert dict(burglary.excluded) == {
        "no answer to the question": 3,
        "not placed in a neighbourhood (counted for the force only)": 2,
    }
    assert burglary.in_scope == 15


def test_weights_are_applied() -> None:
    rows = [{"good_job": 1, "weight": 0.5} for _ in range(30)] + [
        {"good_job": 4, "weight": 2.0} for _ in range(20)
    ]
    frame = _frame("perception", rows)
    result = ind.compute(frame, ind.BY_CODE["spi2a"], ind.Period("month", OCT_2026))
    force = result.levels["force"].current
    # unweighted this would be 0.6 with n_eff 50
    assert force.estimate[0] == pytest.approx(15 / 55)
    assert force.n_eff[0] == pytest.approx(3025 / 87.5)
    assert force.n[0] == 50


def test_configured_positive_answers_are_used() -> None:
    frame = _frame("perception", [{"good_job": 3}] * 10 + [{"good_job": 1}] * 10)
    default = ind.compute(frame, ind.BY_CODE["spi2a"], ind.Period("month", OCT_2026))
    wider = ind.compute(frame, ind.BY_CODE["spi2a"], ind.Period("month", OCT_2026), [1, 2, 3])
    assert default.levels["force"].current.estimate[0] == pytest.approx(0.5)
    assert wider.levels["force"].current.estimate[0] == pytest.approx(1.0)


@pytest.mark.parametrize(("white", "bme", "published"), [(51, 51, True), (51, 50, False)])
def test_spi3b_gap_is_suppressed_at_50_or_fewer(white: int, bme: int, published: bool) -> None:
    rows = _victims(white - 5, white, ethnic=0) + _victims(bme - 15, bme, ethnic=1)
    rows += _victims(3, 4, ethnic=-1)
    frame = _frame("victim", rows)
    result = ind.compute(frame, ind.BY_CODE["spi3b"], ind.Period("month", OCT_2026))
    header, table_rows = ind.table(result, "force")
    row = table_rows[0]
    gap_cell = row[header.index("gap (white − BME)")]
    summary = ind.summary(result)
    assert ("ethnicity not stated", 4) in result.excluded
    if published:
        assert gap_cell == f"{(white - 5) / white - (bme - 15) / bme:.3f}"
        assert summary["published"]
    else:
        # never a number: every figure cell says so
        assert gap_cell == TOO_FEW
        assert all(cell == TOO_FEW for cell in row[4:])
        assert not summary["published"] and summary["verdict"] == TOO_FEW


def test_neighbourhood_map_colours_only_after_fdr() -> None:
    # 20 neighbourhoods at 60% but one at 73.75%: significant on its own (p = 0.014),
    # not after Benjamini–Hochberg across the 20
    rows: list[dict[str, object]] = []
    for hood in range(20):
        satisfied = 59 if hood == 0 else 48
        rows += [{"hood": hood, "good_job": 1 if i < satisfied else 4} for i in range(80)]
    frame = _frame("perception", rows, hoods=20)
    result = ind.compute(frame, ind.BY_CODE["spi2a"], ind.Period("month", OCT_2026))
    hoods = result.levels["neighbourhood"]
    assert hoods.vs_rest is not None and hoods.fdr_significant is not None
    assert hoods.vs_rest.p_value[0] < 0.05  # raw: "significant"
    assert not hoods.fdr_significant.any()  # after FDR: not
    header, table_rows = ind.table(result, "neighbourhood")
    assert table_rows[0][header.index("against rest of force")] == "not significantly different"

    # a real outlier survives the correction
    rows = [r for r in rows if r["hood"] != 0]
    rows += [{"hood": 0, "good_job": 1 if i < 75 else 4} for i in range(80)]
    frame = _frame("perception", rows, hoods=20)
    result = ind.compute(frame, ind.BY_CODE["spi2a"], ind.Period("month", OCT_2026))
    header, table_rows = ind.table(result, "neighbourhood")
    assert table_rows[0][header.index("against rest of force")] == "significantly better"


def test_asb_higher_is_worse() -> None:
    now = [{"asb_perception": 1 if i < 60 else 3} for i in range(200)]
    before = [{"asb_perception": 1 if i < 30 else 3, "month": OCT_2026 - 12} for i in range(200)]
    frame = _frame("perception", now + before)
    result = ind.compute(frame, ind.BY_CODE["spi10b"], ind.Period("month", OCT_2026))
    assert ind.summary(result)["verdict"] == "significantly worse"


def test_peers_and_trend() -> None:
    rows = _victims(800, 1000) + _victims(70, 100, month=OCT_2026 - 1)
    frame = _frame("victim", rows)
    result = ind.compute(
        frame,
        ind.BY_CODE["spi1e"],
        ind.Period("12m", OCT_2026),
        peer_figures=[("a", "Force A", 0.70, 1000), ("b", "Force B", 0.74, 1000)],
        trend_months=3,
    )
    assert result.peers is not None
    assert result.peers.pooled.estimate[0] == pytest.approx(0.72)
    assert result.peers.comparison.significant()[0]
    assert ind.summary(result)["peer_verdict"] == "significantly better"
    assert [end for end, _ in result.trend] == [OCT_2026 - 2, OCT_2026 - 1, OCT_2026]
    assert [int(p.n[0]) for _, p in result.trend] == [0, 100, 1100]
    _, peer_rows = ind.peer_table(result)
    assert [r[0] for r in peer_rows] == ["wy", "a", "b", "peers"]
