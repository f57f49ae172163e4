"""The ``ourpatch`` command: one entry point for running, building and managing the platform."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

COMMANDS: dict[str, str] = {
    "demo": "build the demo force (West Yorkshire, real open data), serve it",
    "serve": "serve the configured database (gunicorn, WhiteNoise)",
    "manage": "run a Django management command (migrate, check, ...)",
    "import": "import boundaries, postcodes, areas, crime, incidents, calls, duties or surveys",
    "worker": "run scheduled and queued background jobs until stopped",
    "bench": "run a benchmark (locate, survey, ...) and print its figures",
}

# benchmark name → module with ``run(argv) -> int`` (imported only when asked for)
BENCHMARKS: dict[str, str] = {
    "locate": "ourpatch.benchmarks.locate",
    "import": "ourpatch.benchmarks.crime_import",
    "crimes-street": "ourpatch.benchmarks.crimes_street",
    "survey": "ourpatch.benchmarks.survey",
    "pledge": "ourpatch.benchmarks.pledge",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch",
        description="Neighbourhood Policing and Citizen Focus policing, measured honestly.",
        epilog=(
            "The database is chosen by DATABASE_URL (unset: SQLite in OURPATCH_DATA_DIR, "
            "default ~/.local/share/ourpatch)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    demo = sub.add_parser("demo", help=COMMANDS["demo"], description=COMMANDS["demo"])
    demo.add_argument(
        "--build-only", action="store_true", help="build (if not built yet), print counts, exit"
    )
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    demo.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    demo.add_argument("--workers", type=int, default=2, help="web worker processes (default 2)")

    serve = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    serve.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
    )
    serve.add_argument("--workers", type=int, default=2, help="web worker processes (default 2)")

    manage = sub.add_parser("manage", help=COMMANDS["manage"], description=COMMANDS["manage"])
    manage.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")

    _import_parser(sub)

    worker = sub.add_parser("worker", help=COMMANDS["worker"], description=COMMANDS["worker"])
    worker.add_argument("--once", action="store_true", help="run what is due, then exit")
    worker.add_argument(
        "--sleep", type=float, default=2.0, help="seconds to wait when nothing is due (2)"
    )

    bench = sub.add_parser("bench", help=COMMANDS["bench"], description=COMMANDS["bench"])
    bench.add_argument("name", choices=sorted(BENCHMARKS), help="which benchmark")
    bench.add_argument(
        "args", nargs=argparse.REMAINDER, help="the benchmark's own options (see NAME --help)"
    )
    return parser


def _import_parser(sub: Any) -> None:
    """``ourpatch import boundaries|postcodes``: thin, the work is in geography.imports."""
    summary = COMMANDS["import"]
    imp = sub.add_parser(
        "import",
        help=summary,
        description=summary
        + ". A dry run unless --commit; a file with any bad row is refused whole.",
    )
    what = imp.add_subparsers(dest="what", metavar="WHAT", title="what to import", required=True)
    limit_help = "refuse files larger than this many megabytes (default 200)"

    boundaries = what.add_parser(
        "boundaries",
        help="neighbourhood boundaries: police.uk KML folder, .kml or GeoJSON",
        description=(
            "Import one force's neighbourhood boundaries: a folder of police.uk "
            "<neighbourhood id>.kml files, one .kml file, or a GeoJSON FeatureCollection "
            "with 'id' and 'name' properties. Changed boundaries become new versions from today."
        ),
    )
    _file_import_arguments(boundaries, "the folder or file to import", limit_help)
    boundaries.add_argument("--force", required=True, metavar="ID", help="the force's id")

    postcodes = what.add_parser(
        "postcodes",
        help="postcodes from an ONS Postcode Directory CSV",
        description=(
            "Import (upsert) postcodes from an ONS Postcode Directory CSV, placing each in "
            "its neighbourhood."
        ),
    )
    _file_import_arguments(postcodes, "the CSV file to import", limit_help)

    areas = what.add_parser(
        "areas",
        help="LSOAs, MSOAs, wards and local authorities from an ONS lookup CSV",
        description=(
            "Import (upsert) the ONS statistical geographies from a lookup CSV as the ONS Open "
            "Geography Portal publishes it: 'Output Area (2021) to LSOA to MSOA to LAD (2022) "
            "Best Fit Lookup' (OA21CD, LSOA21CD, LSOA21NM, MSOA21CD, MSOA21NM, LAD22CD, "
            "LAD22NM) creates LSOAs with their MSOAs; 'LSOA (2021) to Electoral Ward (2024) to "
            "LAD (2024) Best Fit Lookup' (LSOA21CD, LSOA21NM, WD24CD, WD24NM, LAD24CD, "
            "LAD24NM) sets their wards. The 2011 files (LSOA11CD, WD19CD, LAD19CD, ...) too; "
            "optional population and households columns (census counts by LSOA). Import the "
            "output-area lookup first. Columns are described in ourpatch/geography/areas.py."
        ),
    )
    _file_import_arguments(areas, "the CSV file to import", limit_help)

    survey = what.add_parser(
        "survey",
        help="survey responses (victim satisfaction, public perception), one row each",
        description=(
            "Import survey responses from a CSV, one row per respondent: reference, survey, "
            "month, force, neighbourhood or lsoa, crime_group, answers by question code, "
            "ethnicity, age_band, weight, officer, recontact, comment. Columns are described "
            "in ourpatch/citizenfocus/imports.py."
        ),
    )
    _file_import_arguments(survey, "the CSV file to import", limit_help)

    peers = what.add_parser(
        "peer-figures",
        help="most similar forces' published indicator figures (aggregates)",
        description=(
            "Import peer forces' published figures: force, name, indicator, period_end "
            "(YYYY-MM), value, respondents, and optionally peer_of (the force they are "
            "most similar to)."
        ),
    )
    _file_import_arguments(peers, "the CSV file to import", limit_help)

    calls = what.add_parser(
        "calls",
        help="calls for service (999 and 101) from a call-handling export",
        description=(
            "Import calls from a call-handling export CSV, one row per call. The columns are "
            "described in ourpatch/calls/imports.py; times must carry their zone."
        ),
    )
    _file_import_arguments(calls, "the CSV file to import", limit_help)

    duties = what.add_parser(
        "duties",
        help="duty records (officer, start, end, activity, place) for visible time",
        description=(
            "Import duty records from a CSV: officer, start, end, activity and place. The "
            "columns are described in ourpatch/teams/duties.py."
        ),
    )
    _file_import_arguments(duties, "the CSV file to import", limit_help)
    duties.add_argument(
        "--supersede",
        action="store_true",
        help=(
            "accept the file's version where a stretch overlaps a duty already recorded for "
            "the officer with another start (a re-export that moved a start time): the "
            "recorded duty is deleted and listed. Default: such a stretch is quarantined"
        ),
    )

    incidents = what.add_parser(
        "incidents",
        help="the force's own incident export, exact locations (restricted)",
        description=(
            "Import a force's incident export with exact coordinates into the restricted, "
            "audited incident table; only map points are ever published from it. The "
            "columns are described in ourpatch/crime/incidents.py."
        ),
    )
    _file_import_arguments(incidents, "the CSV file to import", limit_help)

    police_uk = what.add_parser(
        "police-uk",
        help="police.uk street-level crime, outcomes and stop-and-search CSVs",
        description=(
            "Import police.uk bulk files: CSVs, month folders (YYYY-MM/) or the archive zip. "
            "Each file is atomic: refused whole when any row is bad, unless --quarantine."
        ),
    )
    police_uk.add_argument("paths", nargs="+", metavar="PATH", help="CSV, folder or zip")
    police_uk.add_argument("--commit", action="store_true", help="write (default: dry run)")
    police_uk.add_argument(
        "--quarantine",
        action="store_true",
        help="import a file's good rows and list its bad ones (default: refuse the file)",
    )


def _file_import_arguments(parser: argparse.ArgumentParser, path_help: str, limit: str) -> None:
    """What every single-file import takes: the file, --commit, and a size limit."""
    parser.add_argument("path", metavar="PATH", help=path_help)
    parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
    parser.add_argument("--max-size-mb", type=int, default=200, help=limit)


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise SystemExit(f"ourpatch: --port must be between 1 and 65535, got {port}")


def _unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def _prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def serve(host: str, port: int, workers: int) -> None:
    """Run gunicorn in this process; WhiteNoise serves the static files."""
    _check_port(port)
    if workers < 1:
        raise SystemExit(f"ourpatch: --workers must be at least 1, got {workers}")
    from django.conf import settings
    from django.core.management import call_command
    from gunicorn.app.base import BaseApplication

    pending = _unapplied_migrations()
    if pending:
        raise SystemExit(
            f"ourpatch: the database needs {len(pending)} migration(s); "
            "run `ourpatch manage migrate` first"
        )
    if settings.CONFIG.is_production:
        call_command("collectstatic", interactive=False, verbosity=0)

    from ourpatch.wsgi import application

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self) -> Callable[..., Any]:
            return application

    print(f"ourpatch: serving on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    _Server().run()


def demo(args: argparse.Namespace) -> None:
    _check_port(args.port)
    from ourpatch.demo.builder import build_demo, demo_logins

    _prepare_database()
    report = build_demo(progress=lambda line: print(line, flush=True))
    print(report.as_text(), flush=True)
    print("\nDemo sign-ins (password for each: " + report.password + "):")
    for username, description in demo_logins():
        print(f"  {username:<14} {description}")
    if not args.build_only:
        serve(args.host, args.port, args.workers)


def import_(args: argparse.Namespace) -> int:
    """Run one import and print its report: 0 when accepted, 1 when the file was refused."""
    from pathlib import Path

    from ourpatch.geography.imports import MB, import_boundaries, import_postcodes

    if args.what == "police-uk":
        return _import_police_uk(args)
    if args.max_size_mb < 1:
        raise SystemExit(f"ourpatch: --max-size-mb must be at least 1, got {args.max_size_mb}")
    pending = _unapplied_migrations()
    if pending:
        raise SystemExit(
            f"ourpatch: the database needs {len(pending)} migration(s); "
            "run `ourpatch manage migrate` first"
        )
    path = Path(args.path)
    limit = args.max_size_mb * MB
    if args.what == "boundaries":
        report = import_boundaries(path, args.force, commit=args.commit, max_bytes=limit)
    elif args.what == "areas":
        from ourpatch.geography.areas import import_areas

        report = import_areas(path, commit=args.commit, max_bytes=limit)
    elif args.what == "survey":
        from ourpatch.citizenfocus.imports import import_survey

        report = import_survey(path, commit=args.commit, max_bytes=limit)
    elif args.what == "peer-figures":
        from ourpatch.citizenfocus.imports import import_peer_figures

        report = import_peer_figures(path, commit=args.commit, max_bytes=limit)
    elif args.what == "calls":
        from ourpatch.calls.imports import import_calls

        report = import_calls(path, commit=args.commit, max_bytes=limit)
    elif args.what == "duties":
        from ourpatch.teams.duties import import_duties

        report = import_duties(path, commit=args.commit, supersede=args.supersede, max_bytes=limit)
    elif args.what == "incidents":
        from ourpatch.crime.incidents import import_incidents

        report = import_incidents(path, commit=args.commit, max_bytes=limit)
    else:
        report = import_postcodes(path, commit=args.commit, max_bytes=limit)
    print(report.as_text(), file=sys.stdout if report.ok else sys.stderr, flush=True)
    return 0 if report.ok else 1


def _import_police_uk(args: argparse.Namespace) -> int:
    import time

    from ourpatch.crime.imports import import_police_uk

    pending = _unapplied_migrations()
    if pending:
        raise SystemExit(
            f"ourpatch: the database needs {len(pending)} migration(s); "
            "run `ourpatch manage migrate` first"
        )
    started: dict[str, float] = {}

    def progress(label: str, done: int, finished: bool) -> None:
        """One line per file, rewritten as it goes: rows read and rows per second."""
        now = time.perf_counter()
        seconds = max(now - started.setdefault(label, now), 1e-9)
        state = "done" if finished else "reading"
        print(
            f"\r{label[-60:]}: {done:,} rows, {done / seconds:,.0f} rows/s, {state}   ",
            end="\n" if finished else "",
            file=sys.stderr,
            flush=True,
        )

    reports = import_police_uk(
        args.paths, commit=args.commit, quarantine=args.quarantine, progress=progress
    )
    for report in reports:
        print(report.as_text(), file=sys.stdout if report.ok else sys.stderr, flush=True)
    read = sum(r.read for r in reports)
    refused = sum(not r.ok for r in reports)
    print(
        f"{len(reports)} file(s), {read:,} rows read, "
        f"{sum(r.created for r in reports):,} imported, "
        f"{sum(r.unchanged for r in reports):,} unchanged, {refused} file(s) refused",
        flush=True,
    )
    return 1 if refused else 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if args.command == "bench":
        import importlib

        # a benchmark sets up its own database and settings
        module = importlib.import_module(BENCHMARKS[args.name])
        return int(module.run(list(args.args)))
    _setup_django()
    if args.command == "demo":
        demo(args)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "worker":
        from ourpatch.worker.runner import serve as run_worker

        run_worker(once=args.once, idle_sleep=args.sleep)
    elif args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ourpatch manage", *args.args])
    elif args.command == "import":
        return import_(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
