"""``ourpatch bench crimes-street``: police.uk's ``crimes-street/all-crime`` at national scale.

It builds its own databases, as ``bench import`` does: the national neighbourhoods (every
MSOA of England and Wales), then ``--months`` months of synthesised police.uk street-level
crime of ``--rows-per-month`` rows each (12 × 500,000 = 6,000,000 rows: a national year),
each month imported by the real importer, into a temporary SQLite database and, when a
server is reachable, a temporary PostgreSQL database. Each database is then asked, in a
process of its own, for ``/api/crimes-street/all-crime`` in one month (the middle one) in a
one-mile circle around randomly chosen map points, through Django's test client (the whole
view, no network) with the rate limit off, after a few warm-up requests. It reports the
median and 95th percentile on each database, and crimes per answer.

``--keep`` keeps the databases and prints how to ``--reuse`` them, which skips loading.
``--configured`` instead measures the configured database (the demo's, say), as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ourpatch.benchmarks.common import Figure, percentile, postgres_database, result_line, table

P95_TARGET_MS = 50.0
MIN_ROWS = 6_000_000
LAST_MONTH = (2025, 6)
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
WARM_UP = 20
NAN = math.nan


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench crimes-street",
        description="Time /api/crimes-street/all-crime (one month, one-mile circles) with "
        "national months of crime loaded.",
    )
    parser.add_argument("--months", type=int, default=12, help="months to load (12)")
    parser.add_argument(
        "--rows-per-month", type=int, default=500_000, help="rows in each month (500,000)"
    )
    parser.add_argument("--requests", type=int, default=300, help="requests timed (300)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OURPATCH_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help=f"a PostgreSQL server's URL (default {DEFAULT_POSTGRES}); '' skips PostgreSQL",
    )
    parser.add_argument("--cache", type=Path, default=None, help="national areas cache folder")
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--reuse", type=Path, default=None, metavar="DIR", help="the databases --keep kept"
    )
    parser.add_argument(
        "--configured", action="store_true", help="measure the configured database as it is"
    )
    return parser


def months_back(count: int) -> list[str]:
    """``count`` months ending with LAST_MONTH, oldest first ("2024-07" … "2025-06")."""
    year, month = LAST_MONTH
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _env(database_url: str, workdir: Path, settings: str = "ourpatch.settings") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        OURPATCH_DATA_DIR=str(workdir / "data"),
        OURPATCH_ENV="development",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE=settings,
    )
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        command, env=env, stdout=subprocess.PIPE, text=True, timeout=7200, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode})")
    return done.stdout


def _load(database_url: str, workdir: Path, areas_cache: Path, files: list[Path]) -> float:
    """Migrate, load the neighbourhoods, import the months: seconds the imports took."""
    python = sys.executable
    env = _env(database_url, workdir)
    _run([python, "-m", "ourpatch.cli", "manage", "migrate", "--verbosity", "0"], env, "migrate")
    _run([python, "-m", "ourpatch.benchmarks.loaddb", str(areas_cache)], env, "loading areas")
    out = _run(
        [python, "-m", "ourpatch.benchmarks.crimes_street", "--child-load", *map(str, files)],
        env,
        "import",
    )
    return float(out.strip().splitlines()[-1].split()[1])


def _measure(database_url: str, workdir: Path, month: str, requests: int, seed: int) -> dict:
    out = _run(
        [
            sys.executable,
            "-m",
            "ourpatch.benchmarks.crimes_street",
            "--child-measure",
            month,
            str(requests),
            str(seed),
        ],
        _env(database_url, workdir, "ourpatch.benchmarks.server_settings"),
        "measuring",
    )
    result: dict = json.loads(out.strip().splitlines()[-1])
    return result


def _child_load(files: list[str]) -> int:
    """In the database's own process: import each month, saying how long each took."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    from ourpatch.crime.imports import import_police_uk

    total = 0.0
    for path in files:
        started = time.perf_counter()
        [report] = import_police_uk([path], commit=True)
        seconds = time.perf_counter() - started
        total += seconds
        if not report.ok or report.created != report.read:
            print(report.as_text(), file=sys.stderr)
            return 1
        _say(f"  {Path(path).name}: {report.read:,} rows in {seconds:.1f} s")
    print(f"SECONDS {total:.3f}", flush=True)
    return 0


def _child_measure(month: str, requests: int, seed: int) -> int:
    """In a fresh process: time crimes-street around random map points; print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.benchmarks.server_settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from ourpatch.api import ratelimit
    from ourpatch.crime.models import Crime, MapPoint

    points = list(MapPoint.objects.values_list("latitude", "longitude"))
    if not points:
        print("no map points in the database", file=sys.stderr)
        return 1
    rng = np.random.default_rng(seed)
    client = Client()
    times: list[float] = []
    sizes: list[int] = []
    for n, i in enumerate(rng.integers(0, len(points), requests + WARM_UP)):
        lat, lng = points[int(i)]
        params = {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", "date": month}
        ratelimit.reset()
        started = time.perf_counter()
        response = client.get("/api/crimes-street/all-crime", params)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            print(f"{response.status_code}: {response.content[:200]!r}", file=sys.stderr)
            return 1
        if n >= WARM_UP:
            times.append(seconds)
            sizes.append(len(json.loads(response.content)))
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "rows": Crime.objects.count(),
                "points": len(points),
                "times": times,
                "sizes": sizes,
            }
        ),
        flush=True,
    )
    return 0


def _figures(prefix: str, label: str, measured: dict | None) -> list[Figure]:
    times = np.array(measured["times"]) if measured else np.array([])
    sizes = measured["sizes"] if measured else []
    return [
        Figure(f"{prefix}_p50_ms", f"{label}: median", percentile(times, 50) * 1000, "ms"),
        Figure(
            f"{prefix}_p95_ms",
            f"{label}: 95th percentile",
            percentile(times, 95) * 1000,
            "ms",
            P95_TARGET_MS,
            "lower",
        ),
        Figure(f"{prefix}_p99_ms", f"{label}: 99th percentile", percentile(times, 99) * 1000, "ms"),
        Figure(
            f"{prefix}_crimes",
            f"{label}: crimes per answer (mean)",
            float(np.mean(sizes)) if sizes else NAN,
        ),
    ]


def run(argv: list[str]) -> int:
    if argv[:1] == ["--child-load"]:
        return _child_load(argv[1:])
    if argv[:1] == ["--child-measure"]:
        return _child_measure(argv[1], int(argv[2]), int(argv[3]))
    args = _parser().parse_args(argv)
    if args.requests < 1 or args.months < 1 or args.rows_per_month < 1:
        raise SystemExit("ourpatch bench crimes-street: counts must be at least 1")
    if args.configured:
        return _configured(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    from django.conf import settings

    from ourpatch.benchmarks import national
    from ourpatch.benchmarks.crime_import import FORCE_FILE_ID, synthesise

    months = months_back(args.months)
    middle = months[len(months) // 2]
    load_s: dict[str, float] = {"sqlite": NAN, "postgres": NAN}
    measured: dict[str, dict] = {}
    if args.reuse:
        workdir = args.reuse
        postgres_url = (workdir / "postgres-url").read_text().strip() or None
        sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        measured["sqlite"] = _measure(sqlite_url, workdir, middle, args.requests, args.seed)
        if postgres_url:
            measured["postgres"] = _measure(postgres_url, workdir, middle, args.requests, args.seed)
        return _report(args, months, middle, load_s, measured)

    cache_dir: Path = args.cache or Path(settings.OURPATCH_DATA_DIR)
    areas_cache = cache_dir / national.AREAS_CACHE
    _say(f"national neighbourhoods (cache: {areas_cache})")
    areas = national.national_areas(areas_cache, progress=_say)
    workdir = Path(tempfile.mkdtemp(prefix="ourpatch-bench-street-"))
    files = []
    for month in months:
        folder = workdir / month
        folder.mkdir()
        path = folder / f"{month}-{FORCE_FILE_ID}-street.csv"
        started = time.perf_counter()
        synthesise(path, areas.shapes, args.rows_per_month, args.seed, month)
        seconds = time.perf_counter() - started
        _say(f"synthesised {month}: {args.rows_per_month:,} rows in {seconds:.1f} s")
        files.append(path)

    _say("loading SQLite")
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    load_s["sqlite"] = _load(sqlite_url, workdir, areas_cache, files)
    measured["sqlite"] = _measure(sqlite_url, workdir, middle, args.requests, args.seed)
    (workdir / "postgres-url").write_text("")
    with postgres_database(args.postgres, "crime", keep=args.keep) as url:
        if url is not None:
            _say("loading PostgreSQL")
            load_s["postgres"] = _load(url, workdir, areas_cache, files)
            measured["postgres"] = _measure(url, workdir, middle, args.requests, args.seed)
            (workdir / "postgres-url").write_text(url)
    for path in files:
        path.unlink()
    if args.keep:
        _say(f"kept: measure again with --reuse {workdir}")
    else:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return _report(args, months, middle, load_s, measured)


def _report(
    args: argparse.Namespace,
    months: list[str],
    middle: str,
    load_s: dict[str, float],
    measured: dict[str, dict],
) -> int:
    rows = max((m["rows"] for m in measured.values()), default=0)
    figures = [
        Figure("rows", "crimes loaded", float(rows), "", MIN_ROWS, "higher"),
        Figure("months", "months loaded", float(len(months)), ""),
        *_figures("sqlite", "SQLite", measured.get("sqlite")),
        *_figures("postgres", "PostgreSQL", measured.get("postgres")),
        Figure("sqlite_load_s", "loading SQLite (all months)", load_s["sqlite"], "s"),
        Figure("postgres_load_s", "loading PostgreSQL (all months)", load_s["postgres"], "s"),
    ]
    print(table(figures, f"crimes-street/all-crime, 1-mile circles, {middle}, {dt.date.today()}"))
    print(
        result_line(
            figures,
            first=["rows", "sqlite_p50_ms", "sqlite_p95_ms", "postgres_p50_ms", "postgres_p95_ms"],
        )
    )
    return 0 if measured else 1


def _configured(args: argparse.Namespace) -> int:
    """The configured database as it is: its latest month."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.benchmarks.server_settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from ourpatch.crime.models import Crime

    latest = Crime.objects.aggregate(m=Max("month"))["m"]
    if latest is None:
        print("no crimes in the configured database: run `ourpatch demo --build-only` first")
        return 1
    month = latest.strftime("%Y-%m")
    out = _run(
        [
            sys.executable,
            "-m",
            "ourpatch.benchmarks.crimes_street",
            "--child-measure",
            month,
            str(args.requests),
            str(args.seed),
        ],
        dict(os.environ),
        "measuring",
    )
    measured = {
        connection.vendor.replace("postgresql", "postgres"): json.loads(out.splitlines()[-1])
    }
    return _report(args, [month], month, {"sqlite": NAN, "postgres": NAN}, measured)


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
