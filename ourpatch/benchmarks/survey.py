"""``ourpatch bench survey``: every statutory indicator, with intervals, for a force-year.

Simulates (fixed seed) a force-year of survey responses — by default 200,000, half victim
satisfaction, half public perception — across 300 neighbourhoods in 10 command units, plus
the previous year's as the baseline. Then, timed: every indicator (SPI 1e overall and by
crime group, SPI 3b, SPI 2a, dealing with the things that matter, SPI 10b) for the force,
its command units and its neighbourhoods, by month, quarter and rolling 12 months, each
with Wilson intervals, effective sample sizes, the year-earlier comparison (score test,
Newcombe interval), responses needed for a five-point change, and the neighbourhood map's
comparisons with the rest of the force under Benjamini–Hochberg — and every table built as
the pages and CSV downloads show it. Simulating the data is not timed.

Prints a table of figures with their targets, then ``RESULT responses=… seconds=…``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np

from ourpatch.benchmarks.common import Figure, result_line, table

TARGET_SECONDS = 3.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench survey",
        description="Time every survey indicator with intervals and the FDR map for a force-year.",
    )
    parser.add_argument("--responses", type=int, default=200_000, help="in the year (200,000)")
    parser.add_argument("--neighbourhoods", type=int, default=300, help="(300)")
    parser.add_argument("--bcus", type=int, default=10, help="command units (10)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--seed", type=int, default=2008)
    return parser


def _setup_django() -> None:
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
        import django

        django.setup()


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    for name in ("responses", "neighbourhoods", "bcus", "repeats"):
        if getattr(args, name) < 1:
            raise SystemExit(f"ourpatch bench survey: --{name} must be at least 1")
    _setup_django()
    from ourpatch.citizenfocus import indicators as ind
    from ourpatch.citizenfocus.synthetic import simulate, simulated_frame

    rng = np.random.default_rng(args.seed)
    hoods = args.neighbourhoods
    units = ind.Units(
        "bench",
        "Benchmark Police",
        [f"bcu-{i}" for i in range(args.bcus)],
        [f"Command unit {i}" for i in range(args.bcus)],
        [f"N{i:04d}" for i in range(hoods)],
        [f"Neighbourhood {i}" for i in range(hoods)],
        (np.arange(hoods) % args.bcus).astype(np.int64),
    )
    last = ind.month_index(dt.date(2026, 10, 1))
    first = last - 23  # the year and the year before it (the baseline)
    start = time.perf_counter()
    frames = {}
    for survey in ("victim", "perception"):
        per_survey = args.responses // 2
        sim = simulate(rng, survey, per_survey * 2, hoods, first, 24)
        # exactly half in the measured year, half in the year before (the baseline)
        in_the_year = np.arange(per_survey * 2) < per_survey
        sim.month = np.where(
            in_the_year, last - 11 + rng.integers(0, 12, per_survey * 2), sim.month % 12 + first
        ).astype(np.int64)
        frames[survey] = simulated_frame(sim, units)
    simulate_seconds = time.perf_counter() - start
    in_year = sum(int((f.month > last - 12).sum()) for f in frames.values())
    print(
        f"simulated {sum(len(f) for f in frames.values()):,} responses "
        f"({in_year:,} in the year to Oct 2026, the rest its baseline) "
        f"in {simulate_seconds:.2f} s",
        file=sys.stderr,
        flush=True,
    )

    best = float("inf")
    results = 0
    cells = 0
    significant = 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        results = cells = significant = 0
        for kind in ind.PERIOD_KINDS:
            period = ind.Period(kind, last)
            computed = ind.compute_all(frames, period)
            for result in computed.values():
                results += 1
                for level in ind.LEVELS:
                    _, rows = ind.table(result, level)
                    cells += sum(len(r) for r in rows)
                hood = result.levels["neighbourhood"]
                if hood.fdr_significant is not None:
                    significant += int(hood.fdr_significant.sum())
        # the dashboard's trend lines: 24 months of every indicator
        for indicator in ind.INDICATORS:
            if not indicator.gap:
                frame = frames[indicator.survey]
                r = ind.compute(frame, indicator, ind.Period("month", last), trend_months=24)
                results += 1
                cells += len(ind.trend_table(r)[1])
        best = min(best, time.perf_counter() - t0)

    figures = [
        Figure("responses", "responses in the force-year", float(in_year)),
        Figure("neighbourhoods", "neighbourhoods", float(hoods)),
        Figure("indicator_results", "indicator × period results (3 levels each)", float(results)),
        Figure("table_cells", "table cells built", float(cells)),
        Figure(
            "fdr_significant",
            "neighbourhood figures significant after BH (all indicators, periods)",
            float(significant),
        ),
        Figure(
            "seconds",
            "every indicator, intervals, comparisons, FDR map, tables",
            best,
            "s",
            TARGET_SECONDS,
            "lower",
            f"best of {args.repeats}",
        ),
    ]
    print()
    print(table(figures, title="ourpatch bench survey"))
    print(result_line(figures, first=("responses", "seconds")), flush=True)
    return 0
