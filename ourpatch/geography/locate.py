"""Point and postcode to neighbourhood, in memory.

Boundaries live in the database as WKB; lookups run against prepared polygons, found
through a grid of their bounding boxes, built once per process (and rebuilt when a boundary
import changes the data), so a lookup costs microseconds and no query. One index serves the
public search, both APIs, the importers and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from django.db.models import Max, Q
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from ourpatch.geography.models import Neighbourhood, NeighbourhoodBoundary, Postcode

# Great Britain and Northern Ireland, with a margin: anything outside is not a UK point.
UK_BOUNDS = (-8.75, 49.8, 1.95, 60.95)  # west, south, east, north


class BadCoordinates(ValueError):
    """Coordinates that are not numbers, out of range, or not in the United Kingdom."""


def parse_lat_lng(latitude: str | float, longitude: str | float) -> tuple[float, float]:
    """Check and convert a latitude/longitude pair, with a message naming what is wrong."""
    try:
        lat = float(latitude)
        lng = float(longitude)
    except (TypeError, ValueError):
        raise BadCoordinates(
            f"latitude and longitude must be numbers, got {latitude!r}, {longitude!r}"
        ) from None
    if not (np.isfinite(lat) and np.isfinite(lng)):
        raise BadCoordinates("latitude and longitude must be finite numbers")
    if not -90 <= lat <= 90:
        raise BadCoordinates(f"latitude must be between -90 and 90, got {lat}")
    if not -180 <= lng <= 180:
        raise BadCoordinates(f"longitude must be between -180 and 180, got {lng}")
    return lat, lng


def in_uk(lat: float, lng: float) -> bool:
    west, south, east, north = UK_BOUNDS
    return south <= lat <= north and west <= lng <= east


@dataclass(frozen=True)
class Area:
    """What a lookup returns: enough to link and label, without touching the database."""

    neighbourhood_id: int
    force_id: str
    code: str
    name: str


class BoxGrid:
    """Which areas' bounding boxes hold a point: a uniform grid of cells over all the boxes,
    each cell listing (in ascending order) the areas whose box touches it.

    It answers what an STRtree queried by bounding box would, but needs no Point objects
    (making 200,000 of them costs more than locating them), costs a list slice rather than
    a tree query for one point, and lets a batch be visited cell by cell, so consecutive
    exact tests touch the same few polygons.

    Exact at the edges: a point's cell and a box's range of cells come from the same
    monotonic arithmetic, ``floor((v - origin) / size)``, so a point inside or on a box
    always lands in a cell that lists it; the boxes are then compared exactly.
    """

    MAX_CELLS = 1 << 18

    def __init__(self, bounds: np.ndarray) -> None:
        bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        self.xmin, self.ymin, self.xmax, self.ymax = (bounds[:, i].copy() for i in range(4))
        usable = np.flatnonzero(np.isfinite(bounds).all(axis=1))  # empty shapes: NaN bounds
        if len(usable):
            self.x0, self.y0 = float(self.xmin[usable].min()), float(self.ymin[usable].min())
            self.x1, self.y1 = float(self.xmax[usable].max()), float(self.ymax[usable].max())
        else:  # nothing is ever inside
            self.x0 = self.y0 = math.inf
            self.x1 = self.y1 = -math.inf
        width, height = max(self.x1 - self.x0, 0.0), max(self.y1 - self.y0, 0.0)
        # Cells about the size of a typical area's box: few boxes per cell, few cells per box
        dx = float(np.median(self.xmax[usable] - self.xmin[usable])) if len(usable) else 0.0
        dy = float(np.median(self.ymax[usable] - self.ymin[usable])) if len(usable) else 0.0
        dx = dx if dx > 0 else (width / 64 if width > 0 else 1.0)
        dy = dy if dy > 0 else (height / 64 if height > 0 else 1.0)
        cells = (width / dx + 1) * (height / dy + 1)
        if cells > self.MAX_CELLS:
            scale = math.sqrt(cells / self.MAX_CELLS) * 1.01
            dx, dy = dx * scale, dy * scale
        self.dx, self.dy = dx, dy
        self.nx = math.floor(width / dx) + 1
        self.ny = math.floor(height / dy) + 1

        ix0, ix1 = self._column(self.xmin[usable]), self._column(self.xmax[usable])
        iy0, iy1 = self._row(self.ymin[usable]), self._row(self.ymax[usable])
        across, down = ix1 - ix0 + 1, iy1 - iy0 + 1
        counts = across * down
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        across_each = np.repeat(across, counts)
        cell = (np.repeat(iy0, counts) + offsets // across_each) * self.nx + (
            np.repeat(ix0, counts) + offsets % across_each
        )
        # Generated in ascending area order; a stable sort by cell keeps each cell's ascending
        order = np.argsort(cell, kind="stable")
        self.entries = np.repeat(usable, counts)[order]
        self.indptr = np.zeros(self.nx * self.ny + 1, dtype=np.int64)
        np.cumsum(np.bincount(cell, minlength=self.nx * self.ny), out=self.indptr[1:])
        # The same as plain Python lists, for one point at a time (no numpy call overhead)
        self._entries: list[int] = self.entries.tolist()
        self._indptr: list[int] = self.indptr.tolist()
        self._boxes: list[tuple[float, float, float, float]] = list(
            zip(
                self.xmin.tolist(),
                self.ymin.tolist(),
                self.xmax.tolist(),
                self.ymax.tolist(),
                strict=True,
            )
        )

    def _column(self, xs: np.ndarray) -> np.ndarray:
        return np.floor((xs - self.x0) / self.dx).astype(np.int64)

    def _row(self, ys: np.ndarray) -> np.ndarray:
        return np.floor((ys - self.y0) / self.dy).astype(np.int64)

    def cells(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points that fall in the grid, in cell order, and their cells."""
        inside = (xs >= self.x0) & (xs <= self.x1) & (ys >= self.y0) & (ys <= self.y1)
        points = np.flatnonzero(inside)  # NaN compares False: never inside
        cell = self._row(ys[points]) * self.nx + self._column(xs[points])
        order = np.argsort(cell, kind="stable")
        return points[order], cell[order]

    def pairs(
        self, points: np.ndarray, cell: np.ndarray, xs: np.ndarray, ys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(point, area) pairs where the point is in or on the area's box, for ``points`` in
        ``cell`` (from ``cells``): each point's pairs consecutive, ascending by area."""
        start = self.indptr[cell]
        count = self.indptr[cell + 1] - start
        point_idx = np.repeat(points, count)
        first_of_point = np.cumsum(count) - count
        entry = np.repeat(start - first_of_point, count) + np.arange(len(point_idx))
        shape_idx = self.entries[entry]
        px, py = xs[point_idx], ys[point_idx]
        keep = (
            (self.xmin[shape_idx] <= px)
            & (px <= self.xmax[shape_idx])
            & (self.ymin[shape_idx] <= py)
            & (py <= self.ymax[shape_idx])
        )
        return point_idx[keep], shape_idx[keep]

    def candidates(self, x: float, y: float) -> list[int]:
        """The areas whose box holds one point, ascending."""
        if not (self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1):  # NaN: False
            return []
        # The arithmetic of _row and _column, in Python floats (both IEEE doubles)
        cell = math.floor((y - self.y0) / self.dy) * self.nx + math.floor((x - self.x0) / self.dx)
        boxes = self._boxes
        found = []
        for i in self._entries[self._indptr[cell] : self._indptr[cell + 1]]:
            x0, y0, x1, y1 = boxes[i]
            if x0 <= x <= x1 and y0 <= y <= y1:
                found.append(i)
        return found


class NeighbourhoodIndex:
    """The boundary versions valid on one day, prepared for point lookups.

    Candidates come from a grid of bounding boxes (``BoxGrid``); the exact test is
    ``shapely.intersects_xy`` against the prepared polygons (no Point is made, and a point on
    the boundary counts as inside). Neighbourhoods tile without overlap; where a point
    touches two (a shared edge, or generalised boundaries that overlap a little) the one
    listed first in ``areas`` wins, always, in both ``locate`` and ``locate_many``.
    """

    # Points per step of locate_many
    CHUNK = 1 << 15

    def __init__(self, areas: Sequence[Area], shapes: Sequence[BaseGeometry], day: dt.date):
        self.day = day
        self.areas = list(areas)
        self.shapes = np.asarray(shapes, dtype=object).reshape(-1)
        shapely.prepare(self.shapes)
        # One-element views: shapely's array path skips the per-call prepare check
        self._one: list[np.ndarray] = [self.shapes[i : i + 1] for i in range(len(self.shapes))]
        self.grid = BoxGrid(shapely.bounds(self.shapes))
        self._by_id = {a.neighbourhood_id: a for a in self.areas}

    @cached_property
    def tree(self) -> shapely.STRtree:
        """An STRtree of the shapes, for callers that want other spatial queries."""
        return shapely.STRtree(self.shapes)

    @classmethod
    def build(cls, day: dt.date | None = None) -> NeighbourhoodIndex:
        day = day or timezone.localdate()
        versions = (
            NeighbourhoodBoundary.objects.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .filter(neighbourhood__valid_from__lte=day)
            .filter(Q(neighbourhood__valid_to__isnull=True) | Q(neighbourhood__valid_to__gt=day))
            .select_related("neighbourhood")
            .order_by("neighbourhood__force_id", "neighbourhood__code")
        )
        areas: list[Area] = []
        shapes: list[BaseGeometry] = []
        for version in versions:
            n = version.neighbourhood
            areas.append(Area(n.pk, n.force_id, n.code, n.name))
            shapes.append(version.boundary)
        return cls(areas, shapes, day)

    def __len__(self) -> int:
        return len(self.areas)

    def area(self, neighbourhood_id: int) -> Area | None:
        return self._by_id.get(neighbourhood_id)

    def locate(self, lat: float, lng: float) -> Area | None:
        """The neighbourhood containing the point, or None outside every one."""
        x, y = float(lng), float(lat)
        one = self._one
        for i in self.grid.candidates(x, y):  # ascending: the first hit is the lowest
            if shapely.intersects_xy(one[i], x, y)[0]:
                return self.areas[i]
        return None

    def locate_many(self, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
        """For each point the index into ``areas`` of its neighbourhood, or -1."""
        xs = np.asarray(lngs, dtype=float).reshape(-1)
        ys = np.asarray(lats, dtype=float).reshape(-1)
        result = np.full(len(xs), -1, dtype=np.int64)
        if len(xs) == 0 or len(self.areas) == 0:
            return result
        points, cells = self.grid.cells(xs, ys)
        # In chunks of neighbouring points: the work arrays stay small enough to be fast
        for at in range(0, len(points), self.CHUNK):
            point_idx, shape_idx = self.grid.pairs(
                points[at : at + self.CHUNK], cells[at : at + self.CHUNK], xs, ys
            )
            inside = shapely.intersects_xy(self.shapes[shape_idx], xs[point_idx], ys[point_idx])
            point_idx, shape_idx = point_idx[inside], shape_idx[inside]
            # Each point's pairs are consecutive and ascending by area: its first is lowest
            first = np.ones(len(point_idx), dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            result[point_idx[first]] = shape_idx[first]
        return result


# Another process (an import, a second web worker) may change boundaries; each process
# checks the data's version at most this often, so a lookup normally costs no query.
RECHECK_SECONDS = 5.0

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], NeighbourhoodIndex] | None = None
_checked_at = -RECHECK_SECONDS


def _data_version() -> tuple[object, ...]:
    """Changes whenever boundaries are imported or neighbourhoods open or close."""
    stats = NeighbourhoodBoundary.objects.aggregate(
        n=Max("id"), imported=Max("imported_at"), closed=Max("valid_to")
    )
    hood = Neighbourhood.objects.aggregate(n=Max("id"), closed=Max("valid_to"))
    return (timezone.localdate(), stats["n"], stats["imported"], stats["closed"], *hood.values())


def current_index() -> NeighbourhoodIndex:
    """The process's index for today, rebuilt only when the boundary data has changed."""
    global _cached, _checked_at
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - _checked_at < RECHECK_SECONDS:
        return cached[1]
    version = _data_version()
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, NeighbourhoodIndex.build())
        _checked_at = now
        return _cached[1]


def invalidate() -> None:
    """Forget the index: the next lookup rebuilds it (after this process changed boundaries)."""
    global _cached
    with _lock:
        _cached = None


def locate_point(lat: float, lng: float) -> Area | None:
    return current_index().locate(lat, lng)


@dataclass(frozen=True)
class PostcodeMatch:
    postcode: str
    latitude: float | None
    longitude: float | None
    terminated: dt.date | None
    area: Area | None


def locate_postcode(postcode: str) -> PostcodeMatch | None:
    """A full postcode (already normalised) to its neighbourhood, or None if unknown."""
    row = (
        Postcode.objects.filter(postcode=postcode)
        .values("postcode", "latitude", "longitude", "terminated", "neighbourhood_id")
        .first()
    )
    if row is None:
        return None
    index = current_index()
    area = index.area(row["neighbourhood_id"]) if row["neighbourhood_id"] else None
    if area is None and row["latitude"] is not None and row["longitude"] is not None:
        area = index.locate(row["latitude"], row["longitude"])
    return PostcodeMatch(
        row["postcode"], row["latitude"], row["longitude"], row["terminated"], area
    )
