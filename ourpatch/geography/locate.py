"""Point and postcode to neighbourhood, in memory.

Boundaries live in the database as WKB; lookups run against an STRtree of prepared
polygons built once per process (and rebuilt when a boundary import changes the data), so a
lookup costs microseconds and no query. One index serves the public search, both APIs, the
importers and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

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


class NeighbourhoodIndex:
    """An STRtree over the boundary versions valid on one day."""

    def __init__(self, areas: Sequence[Area], shapes: Sequence[BaseGeometry], day: dt.date):
        self.day = day
        self.areas = list(areas)
        self.shapes = np.asarray(shapes, dtype=object)
        shapely.prepare(self.shapes)
        self.tree = shapely.STRtree(self.shapes)
        self._by_id = {a.neighbourhood_id: a for a in self.areas}

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
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        # Neighbourhoods tile without overlap; on a shared edge the lowest index wins, always.
        return self.areas[int(hits.min())]

    def locate_many(self, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
        """For each point the index into ``areas`` of its neighbourhood, or -1."""
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        point_idx, shape_idx = self.tree.query(points, predicate="intersects")
        result = np.full(len(points), -1, dtype=np.int64)
        # reversed so that, where a point touches two areas, the lowest index is written last
        order = np.lexsort((-shape_idx, point_idx))
        result[point_idx[order]] = shape_idx[order]
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
