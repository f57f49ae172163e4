"""``ourpatch bench crimes-street``: the police.uk-compatible ``crimes-street`` method, in process.

Reads the configured database (build the demo first: ``ourpatch demo --build-only``; it holds
87,000 real West Yorkshire crimes) and asks ``/api/crimes-street/all-crime`` for the latest
month around randomly chosen map points (a one-mile circle) and inside small polygons,
through Django's test client (the whole view, no network), with the rate limit off.
Reports requests per second, the median and 99th percentile, and crimes per answer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

from ourpatch.benchmarks.common import Figure, percentile, result_line, table

P99_TARGET_MS = 100.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourpatch bench crimes-street",
        description="Time /api/crimes-street/all-crime in process against the configured data.",
    )
    parser.add_argument("--requests", type=int, default=300, help="requests per shape (300)")
    parser.add_argument("--seed", type=int, default=2008)
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.requests < 1:
        raise SystemExit("ourpatch bench crimes-street: --requests must be at least 1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.benchmarks.server_settings")
    import django

    django.setup()
    from django.test import Client

    from ourpatch.api import ratelimit
    from ourpatch.crime.models import Crime

    latest = Crime.objects.filter(map_point__isnull=False).order_by("-month").first()
    if latest is None:
        print("no crimes in the configured database: run `ourpatch demo --build-only` first")
        return 1
    month = latest.month.strftime("%Y-%m")
    points = list(
        Crime.objects.filter(month=latest.month, map_point__isnull=False)
        .order_by()
        .values_list("map_point__latitude", "map_point__longitude")
        .distinct()
    )
    rng = np.random.default_rng(args.seed)
    client = Client()
    figures: list[Figure] = []
    for shape in ("circle", "poly"):
        times: list[float] = []
        sizes: list[int] = []
        for i in rng.integers(0, len(points), args.requests):
            lat, lng = points[int(i)]
            if shape == "circle":
                params = {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", "date": month}
            else:
                d = 0.005
                corners = [(lat - d, lng - d), (lat + d, lng - d), (lat + d, lng + d)]
                corners.append((lat - d, lng + d))
                params = {"poly": ":".join(f"{a:.6f},{b:.6f}" for a, b in corners), "date": month}
            ratelimit.reset()
            started = time.perf_counter()
            response = client.get("/api/crimes-street/all-crime", params)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                print(f"{response.status_code}: {response.content[:200]!r}", file=sys.stderr)
                return 1
            sizes.append(len(json.loads(response.content)))
        seconds = np.array(times)
        figures += [
            Figure(f"{shape}_rps", f"{shape}: requests per second", len(times) / seconds.sum()),
            Figure(f"{shape}_p50_ms", f"{shape}: median", percentile(seconds, 50) * 1000, "ms"),
            Figure(
                f"{shape}_p99_ms",
                f"{shape}: 99th percentile",
                percentile(seconds, 99) * 1000,
                "ms",
                P99_TARGET_MS,
                "lower",
            ),
            Figure(f"{shape}_crimes", f"{shape}: crimes per answer (mean)", float(np.mean(sizes))),
        ]
    figures.append(Figure("map_points", f"map points in {month}", float(len(points))))
    print(table(figures, f"crimes-street, {month}, {len(points):,} map points"))
    print(result_line(figures, first=["circle_rps", "circle_p99_ms", "poly_rps", "poly_p99_ms"]))
    return 0 if all(math.isfinite(f.value) for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
