"""``ourpatch bench pledge``: every Pledge measure for a synthetic force-year.

Synthesises (fixed seed, ``pledge.synthetic``) a force of dozens of neighbourhoods in a few
command units with a year of at least 1,000,000 calls and contacts — calls with their
appointments, messages with their replies — and the year's duties, victim update agreements
and updates, and expressions of dissatisfaction, into a temporary SQLite database and, when
a server is reachable, a temporary PostgreSQL database, each in its own process. Then,
timed: every Pledge item (2 to 10) for every neighbourhood, command unit and the force, for
each of the 12 months — what the force's dashboard, its CSV and every scorecard are made
from. Making the data, and the ``ANALYZE`` that any loaded database gets, are not timed.

Prints a table and ends ``RESULT records=… sqlite_s=… postgres_s=…``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ourpatch.benchmarks.common import Figure, postgres_database, result_line, table

TARGET_S = 5.0
MIN_CALLS_AND_CONTACTS = 1_000_000
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
LAST_MONTH = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
NAN = math.nan


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench pledge",
        description="Time every Pledge measure for every unit and month of a force-year.",
    )
    parser.add_argument("--calls", type=int, default=880_000, help="calls in the year (880,000)")
    parser.add_argument(
        "--messages", type=int, default=120_000, help="messages to teams in the year (120,000)"
    )
    parser.add_argument("--neighbourhoods", type=int, default=48, help="(48)")
    parser.add_argument("--bcus", type=int, default=6, help="command units (6)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best counts (3)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OURPATCH_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="a PostgreSQL server's URL to create a temporary database on "
        f"(default {DEFAULT_POSTGRES}); '' skips PostgreSQL",
    )
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    return parser


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        command, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    sys.stderr.write(done.stderr)
    return done.stdout


def _measure(database_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, float]:
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
    child = [
        python,
        "-m",
        "ourpatch.benchmarks.pledge",
        "--child",
        *("--calls", str(args.calls), "--messages", str(args.messages)),
        *("--neighbourhoods", str(args.neighbourhoods), "--bcus", str(args.bcus)),
        *("--repeats", str(args.repeats), "--seed", str(args.seed)),
    ]
    out = _run(child, env, "the benchmark")
    line = out.strip().splitlines()[-1]
    words = line.split()
    if words[0] != "MEASURED":
        raise RuntimeError(f"unexpected output: {line!r}")
    return {k: float(v) for k, v in (w.split("=") for w in words[1:])}


def _child(args: argparse.Namespace) -> int:
    """In the temporary database's process: make the force-year, then time the measures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    from django.db import connection

    from ourpatch.geography.models import AreaClass, BasicCommandUnit, Force, Neighbourhood
    from ourpatch.pledge.clocks import months_ending
    from ourpatch.pledge.measures import measure
    from ourpatch.pledge.rules import make_scope
    from ourpatch.pledge.synthetic import Volumes, synthesise

    force = Force.objects.create(id="bench", name="Benchmark Police")
    units = BasicCommandUnit.objects.bulk_create(
        BasicCommandUnit(force=force, code=f"bcu-{k}", name=f"Command unit {k}")
        for k in range(args.bcus)
    )
    Neighbourhood.objects.bulk_create(
        Neighbourhood(
            force=force,
            code=f"N{k:03d}",
            name=f"Neighbourhood {k}",
            bcu=units[k % len(units)],
            # about one in six is rural, as in West Yorkshire
            area_class=AreaClass.RURAL if k % 6 == 5 else AreaClass.URBAN,
        )
        for k in range(args.neighbourhoods)
    )
    months = months_ending(LAST_MONTH, 12)
    volumes = Volumes(
        calls=args.calls,
        messages=args.messages,
        agreements=args.calls // 30,
        dissatisfaction=args.calls // 80,
        duty_days=20,
    )
    started = time.perf_counter()
    made = synthesise(
        force, months, volumes=volumes, seed=args.seed, members_per_hood=8, progress=_say
    )
    synth_s = time.perf_counter() - started
    _say(f"made {made.total:,} records in {synth_s:.1f} s ({made.as_text()})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    best = math.inf
    first = math.nan
    cells = 0
    for k in range(args.repeats):
        t0 = time.perf_counter()
        result = measure(make_scope(force, months, now=NOW))
        seconds = time.perf_counter() - t0
        first = seconds if k == 0 else first
        best = min(best, seconds)
        units_count = 1 + len(result.bcus) + len(result.neighbourhoods)
        cells = units_count * len(months) * len(result.items)
        _say(f"  run {k + 1}: {seconds:.2f} s")
    print(
        f"MEASURED records={made.total} calls_and_contacts={made.calls_and_contacts} "
        f"calls={made.calls} messages={made.messages} best={best:.3f} first={first:.3f} "
        f"synth={synth_s:.1f} figures={cells}",
        flush=True,
    )
    return 0


def run(argv: list[str]) -> int:
    child = argv[:1] == ["--child"]
    args = _parser().parse_args(argv[1:] if child else argv)
    for name in ("calls", "messages", "neighbourhoods", "bcus", "repeats"):
        if getattr(args, name) < 1:
            raise SystemExit(f"ourpatch bench pledge: --{name} must be at least 1")
    if child:
        return _child(args)
    workdir = Path(tempfile.mkdtemp(prefix="ourpatch-bench-pledge-"))
    (workdir / "data").mkdir()
    _say("SQLite: migrating, making the force-year, measuring")
    sqlite = _measure(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, args)
    postgres: dict[str, float] = {}
    with postgres_database(args.postgres, "pledge") as url:
        if url is not None:
            _say("PostgreSQL: migrating, making the force-year, measuring")
            postgres = _measure(url, workdir, args)
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    figures = [
        Figure("records", "records in the force-year (all kinds)", sqlite["records"]),
        Figure(
            "calls_and_contacts",
            "calls and messages in the force-year",
            sqlite["calls_and_contacts"],
            "",
            MIN_CALLS_AND_CONTACTS,
            "higher",
        ),
        Figure("neighbourhoods", "neighbourhoods", float(args.neighbourhoods)),
        Figure(
            "figures",
            "figures computed (units × months × items)",
            sqlite["figures"],
        ),
        Figure(
            "sqlite_s",
            "every measure, every unit and month: SQLite",
            sqlite["best"],
            "s",
            TARGET_S,
            "lower",
            f"best of {args.repeats}; first {sqlite['first']:.2f} s",
        ),
        Figure(
            "postgres_s",
            "every measure, every unit and month: PostgreSQL",
            postgres.get("best", NAN),
            "s",
            TARGET_S,
            "lower",
            f"best of {args.repeats}; first {postgres['first']:.2f} s" if postgres else "skipped",
        ),
        Figure("sqlite_synth_s", "making the data: SQLite (not timed)", sqlite["synth"], "s"),
        Figure(
            "postgres_synth_s",
            "making the data: PostgreSQL (not timed)",
            postgres.get("synth", NAN),
            "s",
        ),
        Figure("cores", "CPU cores", float(os.cpu_count() or 0), "", note=f"load average {load}"),
    ]
    print()
    print(table(figures, f"ourpatch bench pledge, {dt.date.today()}"))
    print(result_line(figures, first=("records", "sqlite_s", "postgres_s")), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
