"""Charts drawn on the server as SVG: no script, no inline style (the CSP forbids both).

Every chart is decorative beside its data table (``aria-hidden``): the table is the
accessible form and the CSV download the reusable one. Colours are presentation attributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
LINE = "#1d4f91"
BAND = "#9bb8e0"
GRID = "#cccccc"
BETTER = "#1b7a3a"
WORSE = "#b3261e"
NEUTRAL = "#6b6b6b"


@dataclass(frozen=True)
class Point:
    label: str
    estimate: float
    lower: float
    upper: float


def _ok(p: Point) -> bool:
    return not (math.isnan(p.estimate) or math.isnan(p.lower) or math.isnan(p.upper))


def _range(points: Sequence[Point]) -> tuple[float, float]:
    good = [p for p in points if _ok(p)]
    if not good:
        return 0.0, 1.0
    lo = min(p.lower for p in good)
    hi = max(p.upper for p in good)
    pad = max((hi - lo) * 0.1, 0.02)
    return max(0.0, lo - pad), min(1.0, hi + pad)


def _axis(lo: float, hi: float, y: object) -> list[str]:
    parts = []
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        yy = y(v)  # type: ignore[operator]
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{v * 100:.0f}%</text>"
        )
    return parts


def trend_svg(points: Sequence[Point], title: str) -> str:
    """A line with its 95% interval as a band; gaps where a period has no responses."""
    lo, hi = _range(points)
    n = max(len(points), 2)
    span = max(hi - lo, 1e-9)

    def x(i: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * i / (n - 1)

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - lo) / span)

    parts = _axis(lo, hi, y)
    runs: list[list[int]] = [[]]
    for i, p in enumerate(points):
        if _ok(p):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        if not run:
            continue
        upper = " ".join(f"{x(i):.1f},{y(points[i].upper):.1f}" for i in run)
        lower = " ".join(f"{x(i):.1f},{y(points[i].lower):.1f}" for i in reversed(run))
        parts.append(f'<polygon points="{upper} {lower}" fill="{BAND}" fill-opacity="0.6"/>')
        line = " ".join(f"{x(i):.1f},{y(points[i].estimate):.1f}" for i in run)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    step = max(1, len(points) // 6)
    for i, p in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            anchor = "end" if i == len(points) - 1 else "start" if i == 0 else "middle"
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" font-size="11">'
                f"{escape(p.label)}</text>"
            )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-hidden="true" focusable="false"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def intervals_svg(points: Sequence[Point], title: str, colours: Sequence[str] = ()) -> str:
    """One row per force or area: the estimate as a dot and its 95% interval as a bar."""
    lo, hi = _range(points)
    span = max(hi - lo, 1e-9)
    row = 22
    label_width = 200
    height = TOP + row * len(points) + BOTTOM

    def x(v: float) -> float:
        return label_width + (WIDTH - label_width - RIGHT) * (v - lo) / span

    parts = []
    for k in range(5):
        v = lo + span * k / 4
        parts.append(
            f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{TOP}" y2="{height - BOTTOM}" '
            f'stroke="{GRID}"/><text x="{x(v):.1f}" y="{height - 14}" text-anchor="middle" '
            f'font-size="11">{v * 100:.0f}%</text>'
        )
    for i, p in enumerate(points):
        yy = TOP + row * i + row / 2
        colour = colours[i] if i < len(colours) else LINE
        parts.append(
            f'<text x="{label_width - 8}" y="{yy + 4:.1f}" text-anchor="end" font-size="12">'
            f"{escape(p.label[:32])}</text>"
        )
        if _ok(p):
            parts.append(
                f'<line x1="{x(p.lower):.1f}" x2="{x(p.upper):.1f}" y1="{yy:.1f}" '
                f'y2="{yy:.1f}" stroke="{colour}" stroke-width="3"/>'
                f'<circle cx="{x(p.estimate):.1f}" cy="{yy:.1f}" r="4" fill="{colour}"/>'
            )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-hidden="true" focusable="false"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def map_svg(areas: Sequence[tuple[str, object, str]], title: str) -> str:
    """Neighbourhood boundaries, each filled with its colour: (name, shapely geometry, colour).

    Only areas significantly different after the false-discovery-rate correction get a
    colour; the rest are drawn in a neutral fill.
    """
    from shapely import simplify
    from shapely.geometry import MultiPolygon, Polygon

    shapes = [(name, geometry, colour) for name, geometry, colour in areas if geometry]
    if not shapes:
        return ""
    bounds = [g.bounds for _, g, _ in shapes]  # type: ignore[attr-defined]
    west = min(b[0] for b in bounds)
    south = min(b[1] for b in bounds)
    east = max(b[2] for b in bounds)
    north = max(b[3] for b in bounds)
    squash = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 20) / max((east - west) * squash, 1e-9)
    height = (north - south) * scale + 20

    def ring(coords: Sequence[tuple[float, float]]) -> str:
        return (
            "M"
            + "L".join(
                f"{10 + (lng - west) * squash * scale:.1f},{10 + (north - lat) * scale:.1f}"
                for lng, lat, *_ in coords
            )
            + "Z"
        )

    parts = []
    tolerance = max(east - west, north - south) / 1500
    for name, geometry, colour in shapes:
        simple = simplify(geometry, tolerance)
        polygons = list(simple.geoms) if isinstance(simple, MultiPolygon) else [simple]
        d = "".join(
            ring(list(p.exterior.coords)) + "".join(ring(list(r.coords)) for r in p.interiors)
            for p in polygons
            if isinstance(p, Polygon) and not p.is_empty
        )
        parts.append(
            f'<path d="{d}" fill="{colour}" fill-rule="evenodd" stroke="#ffffff" '
            f'stroke-width="0.6"><title>{escape(name)}</title></path>'
        )
    return (
        f'<svg class="chart map" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
        f'aria-hidden="true" focusable="false"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
