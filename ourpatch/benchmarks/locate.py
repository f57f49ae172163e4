"""``ourpatch bench locate``: point and postcode → neighbourhood at national scale.

What it measures, against what (the targets are the design's, for two cores):

1. In process, with ``geography.locate.NeighbourhoodIndex`` built straight from the
   7,201 MSOAs of England and Wales (each the union of its LSOAs: ``national.py``), no
   database: points per second through ``locate_many`` (≥ 200,000/s), and the 99th
   percentile of one ``locate`` call (≤ 50 µs), both on points sampled from real postcodes.
2. Postcodes: every postcode in the ONS extract (2.7 million) assigned its neighbourhood with
   ``locate_many`` (postcodes assigned per second), then typed postcodes looked up as the app
   would keep them in memory: ``postcodes.normalise`` then a dict (≥ 200,000/s).
3. Over HTTP: the national neighbourhoods in a temporary SQLite database, served by
   ``ourpatch serve --workers 2`` on 127.0.0.1, loaded by a separate client process with a
   few requests in flight: the trivial ``/healthz`` and ``/api/locate-neighbourhood?q=LAT,LNG``
   in alternating slices of the same run. Locate must manage ≥ 1,000 requests/s with a p99
   ≤ 20 ms, and ≥ 0.8 of the trivial endpoint's rate (so the lookup costs little next to
   Django's own work).

Prints a table of every figure against its target, then one ``RESULT key=value ...`` line.
The neighbourhoods and postcodes are cached in the data directory (``--cache``), so only the
first run pays for building them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ourpatch.benchmarks.common import Figure, number, percentile, result_line, table

if TYPE_CHECKING:
    from ourpatch.benchmarks.national import NationalAreas
    from ourpatch.geography.locate import NeighbourhoodIndex

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RESULT_KEYS = (
    "point_per_s",
    "single_p99_us",
    "postcode_per_s",
    "http_rps",
    "http_p99_ms",
    "http_ratio",
)

POINT_TARGET = 200_000.0
SINGLE_P99_TARGET_US = 50.0
POSTCODE_TARGET = 200_000.0
MIN_NEIGHBOURHOODS = 7_000
HTTP_RPS_TARGET = 1_000.0
HTTP_P99_TARGET_MS = 20.0
HTTP_RATIO_TARGET = 0.8

LOCATE_API = "/api/locate-neighbourhood"
SERVER_SETTINGS = "ourpatch.benchmarks.server_settings"
NAN = math.nan

Say = Callable[[str], None]


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return NAN


def _say(line: str) -> None:
    print(line, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench locate",
        description=(
            "Measure point and postcode to neighbourhood lookups against every MSOA of "
            "England and Wales: in process, and over HTTP against `ourpatch serve`."
        ),
    )
    parser.add_argument(
        "--points", type=int, default=200_000, help="points per locate_many batch (200,000)"
    )
    parser.add_argument(
        "--singles", type=int, default=20_000, help="single locate calls timed (20,000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="batches timed; the median is reported (5)"
    )
    parser.add_argument(
        "--postcodes", type=int, default=200_000, help="typed postcodes looked up (200,000)"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds of load per HTTP endpoint (10)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="HTTP requests kept in flight (4)"
    )
    parser.add_argument("--workers", type=int, default=2, help="web workers to serve with (2)")
    parser.add_argument("--skip-http", action="store_true", help="in-process figures only")
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the built neighbourhoods and postcodes are cached (the data directory)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the neighbourhoods and read the postcodes again, not from the cache",
    )
    parser.add_argument("--seed", type=int, default=2008, help="random seed for the samples")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary database and server log"
    )
    return parser


def _setup_django() -> None:
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
        import django

        django.setup()


# --- In process ------------------------------------------------------------------------


@dataclass
class Sample:
    """Points in coverage, sampled (with replacement) from real postcodes' positions."""

    lats: FloatArray
    lngs: FloatArray


def build_index(areas: NationalAreas) -> NeighbourhoodIndex:
    from ourpatch.geography.locate import NeighbourhoodIndex

    return NeighbourhoodIndex(areas.areas(), list(areas.shapes), dt.date.today())


def time_batches(
    index: NeighbourhoodIndex, lats: FloatArray, lngs: FloatArray, repeats: int
) -> list[float]:
    """Seconds for each of ``repeats`` calls of ``locate_many`` on the whole batch."""
    timings = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        index.locate_many(lats, lngs)
        timings.append(time.perf_counter() - started)
    return timings


def time_singles(
    index: NeighbourhoodIndex, lats: FloatArray, lngs: FloatArray, warm_up: Sample | None = None
) -> IntArray:
    """Nanoseconds for each ``locate`` call, one point at a time (Python floats, as a view
    would pass them), after ``warm_up``'s points (other points: not cached for the timing)."""
    locate = index.locate
    clock = time.perf_counter_ns
    if warm_up is not None:
        for lat, lng in zip(warm_up.lats.tolist(), warm_up.lngs.tolist(), strict=True):
            locate(lat, lng)
    pairs = list(zip(lats.tolist(), lngs.tolist(), strict=True))
    spent = np.empty(len(pairs), dtype=np.int64)
    for i, (lat, lng) in enumerate(pairs):
        started = clock()
        locate(lat, lng)
        spent[i] = clock() - started
    return spent


def typed_forms(postcodes: Sequence[str], rng: np.random.Generator) -> list[str]:
    """What residents type: the same postcodes in assorted case and spacing."""
    styles: list[Callable[[str], str]] = [
        lambda p: p,
        lambda p: p.lower(),
        lambda p: p.replace(" ", ""),
        lambda p: f" {p.lower().replace(' ', '  ')} ",
        lambda p: p.title(),
    ]
    choice = rng.integers(0, len(styles), len(postcodes))
    return [styles[c](p) for p, c in zip(postcodes, choice.tolist(), strict=True)]


def time_postcode_lookups(
    lookup: dict[str, int], areas: Sequence[Any], typed: Sequence[str]
) -> float:
    """Seconds to turn every typed postcode into its neighbourhood, as the app would:
    normalise, then the in-memory table, then the area."""
    from ourpatch.geography.postcodes import normalise

    get = lookup.get
    found = 0
    started = time.perf_counter()
    for text in typed:
        postcode = normalise(text)
        if postcode is not None:
            at = get(postcode)
            if at is not None and areas[at] is not None:
                found += 1
    spent = time.perf_counter() - started
    if found != len(typed):
        raise RuntimeError(f"only {found} of {len(typed)} typed postcodes were found")
    return spent


def sample_points(
    areas: NationalAreas, lats: FloatArray, lngs: FloatArray, size: int, rng: np.random.Generator
) -> Sample:
    """``size`` postcode positions that fall in a neighbourhood (the others are outside
    England and Wales, or in a sliver between generalised boundaries)."""
    located = np.flatnonzero(np.isfinite(lats) & np.isfinite(lngs))
    probe = rng.choice(located, size=min(len(located), size * 2))
    inside = probe[build_index(areas).locate_many(lats[probe], lngs[probe]) >= 0]
    if len(inside) == 0:
        raise RuntimeError("no postcode falls in any neighbourhood")
    chosen = rng.choice(inside, size=size)
    return Sample(lats[chosen], lngs[chosen])


def measure_in_process(
    areas: NationalAreas, sample: Sample, args: argparse.Namespace, say: Say
) -> tuple[list[Figure], NeighbourhoodIndex]:
    figures: list[Figure] = []
    started = time.perf_counter()
    index = build_index(areas)
    index_seconds = time.perf_counter() - started
    say(f"index of {len(index):,} neighbourhoods built in {index_seconds * 1000:.0f} ms")
    figures.append(
        Figure(
            "index_build_ms",
            "index build (prepared shapes, box grid)",
            index_seconds * 1000,
            "ms",
            note="once per process and boundary change",
        )
    )

    lats, lngs = sample.lats[: args.points], sample.lngs[: args.points]
    batch = time_batches(index, lats, lngs, args.repeats)
    rates = sorted(len(lats) / s for s in batch)
    say(f"locate_many: {', '.join(number(r) for r in rates)} points/s")
    figures.append(
        Figure(
            "point_per_s",
            "points located per second (locate_many)",
            float(np.median(rates)),
            "/s",
            POINT_TARGET,
            "higher",
            note=f"median of {len(rates)} batches of {len(lats):,}; best {number(rates[-1])}",
        )
    )

    n = min(args.singles, len(sample.lats))
    warm_up = Sample(sample.lats[n : n + 1000], sample.lngs[n : n + 1000])
    spent = time_singles(index, sample.lats[:n], sample.lngs[:n], warm_up) / 1000.0
    say(f"locate: p50 {percentile(spent, 50):.1f} µs, p99 {percentile(spent, 99):.1f} µs")
    figures.append(Figure("single_p50_us", "single locate, p50", percentile(spent, 50), "µs"))
    figures.append(
        Figure(
            "single_p99_us",
            "single locate, p99",
            percentile(spent, 99),
            "µs",
            SINGLE_P99_TARGET_US,
            "lower",
            note=f"{n:,} calls timed one by one; max {number(float(spent.max()))} µs",
        )
    )
    return figures, index


def measure_postcodes(
    index: NeighbourhoodIndex,
    lats: FloatArray,
    lngs: FloatArray,
    postcodes: npt.NDArray[np.bytes_],
    args: argparse.Namespace,
    say: Say,
) -> tuple[list[Figure], IntArray]:
    """Assign every postcode its neighbourhood, then time typed lookups. Returns the
    assignment (-1: outside every neighbourhood or no coordinates), by postcode."""
    figures: list[Figure] = []
    located = np.isfinite(lats) & np.isfinite(lngs)
    assigned = np.full(len(postcodes), -1, dtype=np.int64)
    started = time.perf_counter()
    assigned[located] = index.locate_many(lats[located], lngs[located])
    spent = time.perf_counter() - started
    inside = int((assigned >= 0).sum())
    say(f"{int(located.sum()):,} postcodes assigned in {spent:.2f} s; {inside:,} inside")
    figures.append(
        Figure(
            "postcode_assign_per_s",
            "postcodes assigned per second (locate_many)",
            int(located.sum()) / spent,
            "/s",
            note=f"all {int(located.sum()):,} with a grid reference; {inside:,} land in one",
        )
    )

    started = time.perf_counter()
    in_coverage = np.flatnonzero(assigned >= 0)
    names = postcodes[in_coverage].astype(str).tolist()
    lookup = dict(zip(names, assigned[in_coverage].tolist(), strict=True))
    table_seconds = time.perf_counter() - started
    figures.append(
        Figure(
            "postcode_table_s",
            "postcode table built (dict)",
            table_seconds,
            "s",
            note=f"{len(lookup):,} postcodes → neighbourhood",
        )
    )

    rng = np.random.default_rng(args.seed + 1)
    chosen = rng.choice(len(names), size=args.postcodes)
    typed = typed_forms([names[i] for i in chosen.tolist()], rng)
    rates = sorted(
        len(typed) / time_postcode_lookups(lookup, index.areas, typed)
        for _ in range(max(1, args.repeats))
    )
    figures.append(
        Figure(
            "postcode_per_s",
            "typed postcodes looked up per second",
            float(np.median(rates)),
            "/s",
            POSTCODE_TARGET,
            "higher",
            note=f"{len(typed):,} typed in mixed case/spacing: normalise + dict; "
            f"median of {len(rates)}, best {number(rates[-1])}",
        )
    )
    say(f"typed postcode lookups: {', '.join(number(r) for r in rates)}/s")
    return figures, assigned


# --- Over HTTP -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


class BenchError(RuntimeError):
    """The HTTP part could not be run (a subprocess failed, the server did not answer)."""


def _run(command: list[str], env: dict[str, str], what: str, timeout: float = 600) -> float:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{what} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


@contextlib.contextmanager
def serving(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[int, int]]:
    """``ourpatch serve`` on a free port of 127.0.0.1, until the block ends (always).
    Yields the port and the server's process id."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "ourpatch.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn and its workers
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise BenchError(f"the server exited ({server.returncode}):\n{_tail(log)}")
            try:
                if http_get(port, "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"the server did not answer /healthz in 60 s:\n{_tail(log)}")
            time.sleep(0.2)
        yield port, server.pid
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Gunicorn's master stops its workers on SIGTERM; anything left is killed. Only the
    process group this benchmark started is signalled."""
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=5)


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    expect: int  # the status every request should get


def locate_endpoint(port: int, sample: Sample, index: NeighbourhoodIndex) -> tuple[Endpoint, str]:
    """The police.uk-style API if it answers, else the search page's point search. Checks
    that the server's answers agree with the in-process index on the first points."""
    points = [
        f"{lat:.6f},{lng:.6f}"
        for lat, lng in zip(sample.lats[:5000].tolist(), sample.lngs[:5000].tolist(), strict=True)
    ]
    status, body = http_get(port, f"{LOCATE_API}?q={points[0]}", timeout=60)
    if status == 429:
        raise BenchError(f"{LOCATE_API} is rate limited: the server ignored {SERVER_SETTINGS}")
    if status == 200:
        disagree = 0
        for point in points[:50]:
            status, body = http_get(port, f"{LOCATE_API}?q={point}")
            lat, lng = (float(v) for v in point.split(","))
            local = index.locate(lat, lng)
            answer = json.loads(body) if status == 200 else {}
            if local is None or answer.get("neighbourhood") != local.code:
                disagree += 1
        note = "50 answers checked against the index" + (
            f": {disagree} DISAGREE" if disagree else ", all agree"
        )
        return Endpoint("locate", [f"{LOCATE_API}?q={p}" for p in points], 200), note
    # Not there yet: the public search page does the same lookup, answering with a redirect
    paths = [f"/search?lat={p.split(',')[0]}&lng={p.split(',')[1]}" for p in points]
    status, _ = http_get(port, paths[0], timeout=60)
    if status != 302:
        raise BenchError(f"neither {LOCATE_API} nor /search?lat=&lng= locates (got {status})")
    return Endpoint("locate", paths, 302), f"{LOCATE_API} not found: /search?lat=&lng= used"


def process_tree(pid: int) -> list[int]:
    """``pid`` and its children (gunicorn's master and workers), from Linux's /proc."""
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def load(
    port: int,
    plan_rounds: list[tuple[str, float, bool]],
    endpoints: Sequence[Endpoint],
    concurrency: int,
    server_pids: Sequence[int] = (),
) -> dict[str, Any]:
    """Run the load generator in its own process and return its report."""
    plan = {
        "port": port,
        "concurrency": concurrency,
        "targets": {e.name: e.paths for e in endpoints},
        "rounds": [list(r) for r in plan_rounds],
        "server_pids": list(server_pids),
    }
    total = sum(r[1] for r in plan_rounds)
    done = subprocess.run(
        [sys.executable, "-m", "ourpatch.benchmarks.loadgen"],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=total + 120,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the load generator failed:\n{done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def rounds(seconds: float, slice_seconds: float = 2.0) -> list[tuple[str, float, bool]]:
    """Alternating slices of the two endpoints, so both see the same machine (other work on
    it comes and goes), adding up to ``seconds`` each."""
    count = max(1, math.ceil(seconds / slice_seconds))
    each = seconds / count
    plan: list[tuple[str, float, bool]] = []
    for _ in range(count):
        plan += [("healthz", each, True), ("locate", each, True)]
    return plan


@dataclass
class HttpFigures:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # errors and unexpected statuses
    detail: str
    server_cpu_ms: float  # server CPU (all its processes) per request
    client_cpu_ms: float  # the load generator's CPU per request


def summarise(tally: dict[str, Any], expect: int) -> HttpFigures:
    latencies = np.asarray(tally["latencies_ns"], dtype=np.float64) / 1e6
    statuses = {int(k): v for k, v in tally["statuses"].items()}
    errors: dict[str, int] = tally["errors"]
    good = statuses.get(expect, 0)
    bad = sum(errors.values()) + sum(v for k, v in statuses.items() if k != expect)
    detail = ", ".join(
        [f"{v} × HTTP {k}" for k, v in sorted(statuses.items()) if k != expect]
        + [f"{v} × {k}" for k, v in sorted(errors.items())]
    )
    return HttpFigures(
        rps=good / tally["seconds"] if tally["seconds"] else NAN,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        requests=len(latencies),
        bad=bad,
        detail=detail,
        server_cpu_ms=1000 * tally["server_cpu_seconds"] / len(latencies)
        if len(latencies)
        else NAN,
        client_cpu_ms=1000 * tally["client_cpu_seconds"] / len(latencies)
        if len(latencies)
        else NAN,
    )


def measure_http(
    areas_cache: Path, index: NeighbourhoodIndex, sample: Sample, args: argparse.Namespace, say: Say
) -> list[Figure]:
    workdir = Path(tempfile.mkdtemp(prefix="ourpatch-bench-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        OURPATCH_DATA_DIR=str(workdir / "data"),
        OURPATCH_ENV="development",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="ourpatch.settings",
    )
    env.pop("ALLOWED_HOSTS", None)
    try:
        migrate = _run(
            [sys.executable, "-m", "ourpatch.cli", "manage", "migrate", "--verbosity", "0"],
            env,
            "migrate",
        )
        loaded = _run(
            [sys.executable, "-m", "ourpatch.benchmarks.loaddb", str(areas_cache)],
            env,
            "loading the neighbourhoods",
        )
        say(f"temporary database {workdir}: migrated in {migrate:.1f} s, loaded in {loaded:.1f} s")
        # ourpatch's settings with the API's rate limit off (server_settings.py)
        server_env = dict(env, DJANGO_SETTINGS_MODULE=SERVER_SETTINGS)
        with serving(server_env, args.workers, workdir / "server.log") as (port, pid):
            endpoint, note = locate_endpoint(port, sample, index)
            say(f"serving on 127.0.0.1:{port}; {note}")
            trivial = Endpoint("healthz", ["/healthz"], 200)
            # Warm-up, not recorded: each worker builds its index on its first lookup
            load(
                port,
                [("locate", 3.0, False), ("healthz", 1.0, False)],
                [trivial, endpoint],
                args.concurrency,
            )
            pids = process_tree(pid)
            say(
                f"load: {args.seconds:g} s per endpoint, {args.concurrency} in flight, "
                f"server processes {pids} ..."
            )
            report = load(port, rounds(args.seconds), [trivial, endpoint], args.concurrency, pids)
        health = summarise(report["healthz"], trivial.expect)
        located = summarise(report["locate"], endpoint.expect)
        for name in ("healthz", "locate"):
            rates = [number(n / s) for n, s in report[name]["rounds"] if s > 0]
            say(f"  {name} requests/s by slice: {', '.join(rates)}")
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = located.rps / health.rps if health.rps else NAN
    load_note = f"{args.concurrency} in flight, {args.workers} workers"
    return [
        Figure("healthz_rps", "HTTP /healthz requests/s", health.rps, "/s", note=load_note),
        Figure(
            "healthz_p99_ms",
            "HTTP /healthz p99",
            health.p99_ms,
            "ms",
            note=f"p50 {number(health.p50_ms)} ms",
        ),
        Figure(
            "http_rps",
            "HTTP locate requests/s",
            located.rps,
            "/s",
            HTTP_RPS_TARGET,
            "higher",
            note=note,
        ),
        Figure(
            "http_p99_ms",
            "HTTP locate p99",
            located.p99_ms,
            "ms",
            HTTP_P99_TARGET_MS,
            "lower",
            note=f"p50 {number(located.p50_ms)} ms",
        ),
        Figure("http_ratio", "HTTP locate / healthz rate", ratio, "", HTTP_RATIO_TARGET, "higher"),
        Figure(
            "healthz_cpu_ms",
            "server CPU per /healthz request",
            health.server_cpu_ms,
            "ms",
            note=f"load generator: {number(health.client_cpu_ms)} ms each",
        ),
        Figure(
            "locate_cpu_ms",
            "server CPU per locate request",
            located.server_cpu_ms,
            "ms",
            note=f"load generator: {number(located.client_cpu_ms)} ms each",
        ),
        Figure(
            "http_cpu_ratio",
            "server CPU: healthz / locate",
            health.server_cpu_ms / located.server_cpu_ms if located.server_cpu_ms else NAN,
            "",
            note="the rate ratio, without the machine's other load",
        ),
        Figure(
            "http_errors",
            "HTTP failed or unexpected",
            float(health.bad + located.bad),
            "",
            0,
            "lower",
            note="; ".join(d for d in (health.detail, located.detail) if d)
            or f"{health.requests + located.requests:,} requests",
        ),
    ]


def skipped_http(reason: str) -> list[Figure]:
    return [
        Figure(
            "http_rps", "HTTP locate requests/s", NAN, "/s", HTTP_RPS_TARGET, "higher", note=reason
        ),
        Figure("http_p99_ms", "HTTP locate p99", NAN, "ms", HTTP_P99_TARGET_MS, "lower"),
        Figure("http_ratio", "HTTP locate / healthz rate", NAN, "", HTTP_RATIO_TARGET, "higher"),
    ]


# --- The command -----------------------------------------------------------------------


def run(argv: list[str]) -> int:
    """``ourpatch bench locate [options]``: 0 when every figure was measured (met or not),
    1 when part of the benchmark could not run."""
    args = _parser().parse_args(argv)
    for name in ("points", "singles", "repeats", "postcodes", "concurrency", "workers"):
        if getattr(args, name) < 1:
            raise SystemExit(f"ourpatch bench locate: --{name} must be at least 1")
    if not args.seconds > 0:
        raise SystemExit("ourpatch bench locate: --seconds must be above 0")
    _setup_django()
    from django.conf import settings

    from ourpatch.benchmarks import national

    say = _say
    cache_dir: Path = args.cache or Path(settings.OURPATCH_DATA_DIR)
    areas_cache = cache_dir / national.AREAS_CACHE
    figures: list[Figure] = []
    load_at_start = _load_average()

    say(f"national neighbourhoods (cache: {areas_cache})")
    areas = national.national_areas(areas_cache, progress=say, rebuild=args.rebuild)
    if areas.from_cache:
        cold = national.cached_build_seconds(areas_cache) or NAN
        cached = areas.seconds
        say(f"  {len(areas):,} read from the cache in {cached:.2f} s")
    else:
        cold = areas.seconds
        again = national.load_areas(areas_cache)  # what the next run will pay
        cached = again.seconds if again is not None else NAN
        say(f"  {len(areas):,} built in {cold:.1f} s and cached (read back in {cached:.2f} s)")
    figures += [
        Figure(
            "neighbourhoods",
            "neighbourhoods (MSOAs of England and Wales)",
            float(len(areas)),
            "",
            MIN_NEIGHBOURHOODS,
            "higher",
            note=f"unions of {areas.lsoa_count:,} LSOAs",
        ),
        Figure(
            "build_s",
            "national build, cold",
            cold,
            "s",
            note="this run" if not areas.from_cache else "as recorded when the cache was built",
        ),
        Figure(
            "cached_s",
            "national neighbourhoods from cache",
            cached,
            "s",
            note=f"{areas_cache.stat().st_size / 1e6:.1f} MB of WKB",
        ),
    ]

    say("postcodes")
    postcodes = national.national_postcodes(
        cache_dir / national.POSTCODES_CACHE, progress=say, rebuild=args.rebuild
    )
    say(
        f"  {len(postcodes):,} {'read from the cache' if postcodes.from_cache else 'read'} "
        f"in {postcodes.seconds:.1f} s"
    )
    started = time.perf_counter()
    lats, lngs = postcodes.lat_lng()
    transform_seconds = time.perf_counter() - started
    say(f"  grid references → WGS84 in {transform_seconds:.1f} s")
    figures += [
        Figure(
            "postcodes_load_s",
            f"{len(postcodes):,} postcodes " + ("from cache" if postcodes.from_cache else "read"),
            postcodes.seconds,
            "s",
            note="" if postcodes.from_cache else "from the package, then cached",
        ),
        Figure("postcodes_wgs84_s", "postcodes BNG → WGS84 (pyproj)", transform_seconds, "s"),
    ]

    # The sample: points in coverage, where real postcodes are
    rng = np.random.default_rng(args.seed)
    sample = sample_points(areas, lats, lngs, max(args.points, args.singles), rng)
    in_process, index = measure_in_process(areas, sample, args, say)
    figures += in_process

    postcode_figures, _ = measure_postcodes(index, lats, lngs, postcodes.postcodes, args, say)
    figures += postcode_figures

    status = 0
    if args.skip_http:
        figures += skipped_http("--skip-http")
    else:
        try:
            figures += measure_http(areas_cache, index, sample, args, say)
        except (BenchError, OSError, subprocess.SubprocessError) as error:
            print(f"HTTP part failed: {error}", file=sys.stderr, flush=True)
            figures += skipped_http("failed: see the message above")
            status = 1

    cores = os.cpu_count() or 1
    figures.append(
        Figure(
            "machine_load",
            "machine load average (1 min), end of run",
            _load_average(),
            "",
            note=f"{number(load_at_start)} at the start; {cores} cores. Above {cores}, "
            "other work was competing: figures are pessimistic",
        )
    )
    print()
    print(table(figures, title="ourpatch bench locate"))
    print(result_line(figures, first=RESULT_KEYS), flush=True)
    return status


def main() -> int:
    return run(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
