"""``ourpatch bench import``: a national month of police.uk street-level crime, imported.

Synthesises one month in police.uk's exact street-level format (the real header, Crime IDs as
64 hex digits, about a third anti-social behaviour without one, "No Location" rows, "On or
near …" map points) over every MSOA of England and Wales as neighbourhoods (the locate
benchmark's national areas, cached in the data directory), then imports it with
``import_police_uk(commit=True)`` into a temporary SQLite database and, when a server is
reachable, a temporary PostgreSQL database, each in its own process. A bare
``pyarrow.csv.read_csv`` of the same file gives the ratio: how many times a bare parse the
whole import costs. The set-up's writes are flushed to disk (``os.sync``) before the import is
timed, so that its commit does not pay for writing out the synthesised file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from ourpatch.benchmarks.common import Figure, postgres_database, result_line, table

MIN_ROWS = 500_000
MIN_NEIGHBOURHOODS = 7_000
SQLITE_TARGET_S = 10.0
POSTGRES_TARGET_S = 15.0
MONTH = "2025-06"
FORCE_FILE_ID = "england-and-wales"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
NAN = math.nan

CATEGORY_WEIGHTS = {
    "Anti-social behaviour": 0.30,
    "Violence and sexual offences": 0.28,
    "Other theft": 0.07,
    "Criminal damage and arson": 0.07,
    "Shoplifting": 0.06,
    "Public order": 0.06,
    "Vehicle crime": 0.05,
    "Burglary": 0.04,
    "Other crime": 0.02,
    "Drugs": 0.02,
    "Theft from the person": 0.01,
    "Robbery": 0.01,
    "Bicycle theft": 0.006,
    "Possession of weapons": 0.004,
}
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Court result unavailable",
    "Local resolution",
    "Offender given a caution",
)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench import",
        description="Import a synthesised national month of police.uk street-level crime.",
    )
    parser.add_argument("--rows", type=int, default=MIN_ROWS, help="rows (500,000)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OURPATCH_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="a PostgreSQL server's URL to create a temporary database on "
        f"(default {DEFAULT_POSTGRES}); '' skips PostgreSQL",
    )
    parser.add_argument("--cache", type=Path, default=None, help="national areas cache folder")
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    return parser


def synthesise(path: Path, shapes: np.ndarray, rows: int, seed: int, month: str = MONTH) -> int:
    """Write a street-level file of ``rows`` rows over ``shapes`` for ``month``; returns map
    points made. The map points depend on ``seed`` only, as police.uk's stay put from one
    month to the next; the crimes on the month too."""
    rng = np.random.default_rng(seed)
    per_area = max(1, rows // (len(shapes) * 3))
    lats: list[np.ndarray] = []
    lngs: list[np.ndarray] = []
    for shape in shapes:
        west, south, east, north = shape.bounds
        xs = rng.uniform(west, east, per_area * 6)
        ys = rng.uniform(south, north, per_area * 6)
        inside = shapely.contains_xy(shape, xs, ys)
        lngs.append(xs[inside][:per_area])
        lats.append(ys[inside][:per_area])
    point_lat = np.round(np.concatenate(lats), 6)
    point_lng = np.round(np.concatenate(lngs), 6)
    points = len(point_lat)
    names = [f"On or near Street {i}" for i in range(points)]
    if month != MONTH:
        rng = np.random.default_rng([seed, int(month[:4]), int(month[5:])])
    which = rng.integers(0, points, rows)
    located = rng.random(rows) > 0.02  # about 2% "No Location", as in real files
    kinds = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()))
    category = rng.choice(len(kinds), rows, p=weights / weights.sum())
    outcome = rng.integers(0, len(OUTCOMES), rows)
    force = "England and Wales (benchmark)"
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
        "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    )
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        for i in range(rows):
            kind = kinds[category[i]]
            asb = kind == "Anti-social behaviour"
            serial = f"{seed}:{i}" if month == MONTH else f"{seed}:{month}:{i}"
            crime_id = "" if asb else hashlib.sha256(serial.encode()).hexdigest()
            last = "" if asb else OUTCOMES[outcome[i]]
            if located[i]:
                p = which[i]
                where = f"{point_lng[p]:.6f},{point_lat[p]:.6f},{names[p]},E01000001,Area 001A"
            else:
                where = ",,No Location,,"
            out.write(f"{crime_id},{month},{force},{force},{where},{kind},{last},\n")
    return points


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        command, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def _measure(database_url: str, workdir: Path, areas_cache: Path, csv: Path) -> float:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        OURPATCH_DATA_DIR=str(workdir / "data"),
        OURPATCH_ENV="development",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="ourpatch.settings",
    )
    python = sys.executable
    _run([python, "-m", "ourpatch.cli", "manage", "migrate", "--verbosity", "0"], env, "migrate")
    _run([python, "-m", "ourpatch.benchmarks.loaddb", str(areas_cache)], env, "loading areas")
    # The set-up's writes (the synthesised file, the new database) go to disk first: else
    # the import's commit, whose fsync flushes the file system's journal, pays for them
    os.sync()
    out = _run(
        [python, "-m", "ourpatch.benchmarks.crime_import", "--child", str(csv)], env, "import"
    )
    seconds = float(out.strip().splitlines()[-1].split()[1])
    return seconds


def _child(csv: Path) -> int:
    """In the temporary database's process: import the file, print the seconds."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    from ourpatch.crime.imports import import_police_uk

    started = time.perf_counter()
    [report] = import_police_uk([csv], commit=True)
    seconds = time.perf_counter() - started
    if not report.ok or report.created != report.read:
        print(report.as_text(), file=sys.stderr)
        return 1
    print(report.as_text(), file=sys.stderr)
    print(f"SECONDS {seconds:.3f} ROWS {report.read}", flush=True)
    return 0


def run(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return _child(Path(argv[1]))
    args = _parser().parse_args(argv)
    if args.rows < 1:
        raise SystemExit("ourpatch bench import: --rows must be at least 1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    import pyarrow.csv
    from django.conf import settings

    from ourpatch.benchmarks import national

    cache_dir: Path = args.cache or Path(settings.OURPATCH_DATA_DIR)
    areas_cache = cache_dir / national.AREAS_CACHE
    _say(f"national neighbourhoods (cache: {areas_cache})")
    areas = national.national_areas(areas_cache, progress=_say)
    workdir = Path(tempfile.mkdtemp(prefix="ourpatch-bench-crime-"))
    folder = workdir / MONTH
    folder.mkdir()
    csv = folder / f"{MONTH}-{FORCE_FILE_ID}-street.csv"
    started = time.perf_counter()
    points = synthesise(csv, areas.shapes, args.rows, args.seed)
    _say(
        f"synthesised {args.rows:,} rows over {points:,} map points in "
        f"{time.perf_counter() - started:.1f} s: {csv} ({csv.stat().st_size / 1e6:.0f} MB)"
    )
    # the bare parse: best of three (its first run also reads the file into the page cache)
    parse_s = math.inf
    for _ in range(3):
        started = time.perf_counter()
        pyarrow.csv.read_csv(csv)
        parse_s = min(parse_s, time.perf_counter() - started)

    _say("importing into SQLite")
    sqlite_s = _measure(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, areas_cache, csv)
    postgres_s = NAN
    with postgres_database(args.postgres, "crime") as url:
        if url is not None:
            _say("importing into PostgreSQL")
            postgres_s = _measure(url, workdir, areas_cache, csv)
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)

    figures = [
        Figure("rows", "rows imported", float(args.rows), "", MIN_ROWS, "higher"),
        Figure(
            "neighbourhoods", "neighbourhoods", float(len(areas)), "", MIN_NEIGHBOURHOODS, "higher"
        ),
        Figure("map_points", "map points", float(points), ""),
        Figure("sqlite_s", "import into SQLite", sqlite_s, "s", SQLITE_TARGET_S, "lower"),
        Figure("postgres_s", "import into PostgreSQL", postgres_s, "s", POSTGRES_TARGET_S, "lower"),
        Figure("parse_s", "bare pyarrow.csv parse", parse_s, "s"),
        Figure("rows_per_s_sqlite", "rows/s into SQLite", args.rows / sqlite_s, "rows/s"),
        Figure("parse_ratio_sqlite", "SQLite import / bare parse", sqlite_s / parse_s, "×"),
        Figure("parse_ratio_postgres", "PostgreSQL import / bare parse", postgres_s / parse_s, "×"),
    ]
    print(table(figures, f"police.uk import, {MONTH}, {dt.date.today()}"))
    print(result_line(figures, first=["rows", "sqlite_s", "postgres_s", "parse_ratio_sqlite"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
