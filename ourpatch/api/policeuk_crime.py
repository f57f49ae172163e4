"""data.police.uk's crime, outcome and stop-and-search methods, at the same paths under /api/.

The objects have police.uk's keys and JSON types (the contract tests compare them with real
responses in ``ourpatch/crime/tests/fixtures/``): coordinates are strings to 6 decimal places,
``street`` is ``{"id": int, "name": str}`` where the id is the anonymous map point's,
``location_type`` is ``Force`` or ``BTP``, ``outcome_status`` an object or null,
``persistent_id`` empty for anti-social behaviour. Every location is a map point: nothing
more precise is ever published.

Where ourpatch differs: ``outcome_status.date`` is the month of the crime's latest imported
outcome, else the crime's own month (the street file gives the last outcome, not its month);
``location_subtype`` is always empty (the bulk files do not give it).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import shapely
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from shapely.geometry import Polygon

from ourpatch.api.http import (
    BadParameter,
    NotFound,
    Unavailable,
    api_form_view,
    api_view,
    json_response,
)
from ourpatch.crime import categories
from ourpatch.crime.models import Crime, MapPoint, Outcome, StopAndSearch
from ourpatch.geography.locate import BadCoordinates, parse_lat_lng
from ourpatch.geography.models import Force

BTP = "British Transport Police"  # its crimes' location_type is "BTP"
# police.uk's radius for lat/lng queries, and its most crimes in one answer
RADIUS_METRES = 1609.344
MAX_CRIMES = 10_000
EARTH_RADIUS_METRES = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_METRES / 180
MAX_POLY_POINTS = 1000
NO_DATA_MONTH = dt.date(1970, 1, 1)

# Stop-and-search outcomes: police.uk's outcome_object ids
STOP_OUTCOME_IDS = {
    "a no further action disposal": "bu-no-further-action",
    "arrest": "bu-arrest",
    "community resolution": "bu-community-resolution",
    "caution (simple or conditional)": "bu-caution",
    "summons / charged by post": "bu-summons",
    "penalty notice for disorder": "bu-penalty-notice",
    "khat or cannabis warning": "bu-warning",
}


# --- parameters ---------------------------------------------------------------------------


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _month(text: str | None, latest: Callable[[], dt.date | None]) -> dt.date:
    """The month asked for, else the latest (with no data at all: one that holds nothing).
    ``latest`` is asked only when no month is given: it costs a query."""
    if not text:
        return latest() or NO_DATA_MONTH
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadParameter("date", f"{text[:20]!r} is not a month: give YYYY-MM")
    return dt.date(int(match[1]), int(match[2]), 1)


def latest_month() -> dt.date | None:
    latest: dt.date | None = Crime.objects.aggregate(m=Max("month"))["m"]
    return latest


def _category(slug: str) -> str | None:
    """None for all-crime; a slug; 404 for an unknown one."""
    if slug == categories.ALL_CRIME:
        return None
    if slug not in categories.CATEGORY_NAMES:
        raise NotFound(f"no such crime category: {slug}")
    return slug


class Area:
    """Where a query looks: a circle (lat/lng, one mile) or a polygon (poly)."""

    def __init__(self, params: Any) -> None:
        poly = (params.get("poly") or "").strip()
        if poly:
            self.polygon: Polygon | None = _polygon(poly)
            west, south, east, north = self.polygon.bounds
        else:
            self.polygon = None
            lat_text, lng_text = params.get("lat"), params.get("lng")
            if not lat_text or not lng_text:
                raise BadParameter("lat", "give lat and lng, or poly=lat,lng:lat,lng:…")
            try:
                self.lat, self.lng = parse_lat_lng(lat_text, lng_text)
            except BadCoordinates as error:
                raise BadParameter("lat", str(error)) from None
            dlat = RADIUS_METRES / METRES_PER_DEGREE
            dlng = dlat / max(math.cos(math.radians(self.lat)), 1e-6)
            west, south, east, north = (
                self.lng - dlng,
                self.lat - dlat,
                self.lng + dlng,
                self.lat + dlat,
            )
        self.bounds = (west, south, east, north)

    def box(self, prefix: str = "map_point__") -> Q:
        west, south, east, north = self.bounds
        return Q(
            **{
                f"{prefix}latitude__gte": south,
                f"{prefix}latitude__lte": north,
                f"{prefix}longitude__gte": west,
                f"{prefix}longitude__lte": east,
            }
        )

    def contains(self, lats: Iterable[float], lngs: Iterable[float]) -> np.ndarray:
        ys = np.fromiter(lats, dtype=float)
        xs = np.fromiter(lngs, dtype=float)
        if self.polygon is not None:
            return np.asarray(shapely.intersects_xy(self.polygon, xs, ys), dtype=bool)
        # haversine distance from the centre
        phi1, phi2 = math.radians(self.lat), np.radians(ys)
        dphi = phi2 - phi1
        dlmb = np.radians(xs - self.lng)
        a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
        distance = 2 * EARTH_RADIUS_METRES * np.arcsin(np.sqrt(a))
        return np.asarray(distance <= RADIUS_METRES, dtype=bool)


def _polygon(text: str) -> Polygon:
    points = []
    for number, pair in enumerate(text.split(":"), 1):
        lat_text, _, lng_text = pair.partition(",")
        try:
            points.append(parse_lat_lng(lat_text.strip(), lng_text.strip()))
        except BadCoordinates as error:
            raise BadParameter("poly", f"point {number} ({pair[:40]!r}): {error}") from None
    if len(points) < 3:
        raise BadParameter("poly", "needs at least 3 points: lat,lng:lat,lng:lat,lng")
    if len(points) > MAX_POLY_POINTS:
        raise BadParameter("poly", f"at most {MAX_POLY_POINTS} points")
    polygon = Polygon([(lng, lat) for lat, lng in points])
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    if polygon.is_empty or polygon.area == 0:
        raise BadParameter("poly", "the polygon encloses no area")
    return polygon


def _point_ids_in(area: Area) -> list[int]:
    rows = list(
        MapPoint.objects.filter(area.box(prefix="")).values_list("id", "latitude", "longitude")
    )
    if not rows:
        return []
    inside = area.contains((r[1] for r in rows), (r[2] for r in rows))
    return [row[0] for row, keep in zip(rows, inside.tolist(), strict=True) if keep]


def _location_id(params: Any) -> int:
    text = (params.get("location_id") or "").strip()
    if not text.isdigit():
        raise BadParameter("location_id", "required: a street id (a whole number)")
    return int(text)


def _nearest_point(params: Any) -> int:
    """crimes-at-location by lat/lng: the nearest map point within a mile."""
    if params.get("poly"):
        raise BadParameter("poly", "give location_id, or lat and lng")
    area = Area(params)
    ids = _point_ids_in(area)
    if not ids:
        raise NotFound(f"no map point within a mile of {area.lat}, {area.lng}")
    rows = list(MapPoint.objects.filter(id__in=ids).values_list("id", "latitude", "longitude"))
    scale = math.cos(math.radians(area.lat))
    ys = np.array([r[1] for r in rows]) - area.lat
    xs = (np.array([r[2] for r in rows]) - area.lng) * scale
    return int(rows[int(np.argmin(ys**2 + xs**2))][0])


# --- objects ------------------------------------------------------------------------------


def coordinate(value: float) -> str:
    """police.uk's crime coordinates: strings to 6 decimal places ("51.500300")."""
    return f"{value:.6f}"


def location(point: MapPoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {
        "latitude": coordinate(point.latitude),
        "street": {"id": point.pk, "name": point.name},
        "longitude": coordinate(point.longitude),
    }


def outcome_category(code: str, text: str) -> str:
    return categories.outcome_name(code) if code else text


def crime_object(
    crime: Crime, *, outcome_month: dt.date | None = None, status: bool = True
) -> dict[str, Any]:
    """A crime as police.uk gives it (crimes-street builds the same object from a row)."""
    body: dict[str, Any] = {
        "category": crime.category,
        "location_type": crime.location_type if crime.map_point_id is not None else None,
        "location": location(crime.map_point),
        "context": crime.context,
    }
    if status:
        has_outcome = bool(crime.last_outcome or crime.last_outcome_category)
        body["outcome_status"] = (
            {
                "category": outcome_category(crime.last_outcome, crime.last_outcome_category),
                "date": (outcome_month or crime.month).strftime("%Y-%m"),
            }
            if has_outcome
            else None
        )
    body.update(
        persistent_id=crime.persistent_id,
        id=crime.pk,
        location_subtype="",
        month=crime.month.strftime("%Y-%m"),
    )
    return body


def outcome_object(outcome: Outcome) -> dict[str, Any]:
    code = outcome.outcome or slugify(outcome.outcome_type)
    return {
        "category": {"code": code, "name": outcome_category(outcome.outcome, outcome.outcome_type)},
        "date": outcome.month.strftime("%Y-%m"),
        "person_id": None,
    }


def _text(value: str) -> str | None:
    return value or None


def stop_object(stop: StopAndSearch) -> dict[str, Any]:
    outcome = stop.outcome
    outcome_id = STOP_OUTCOME_IDS.get(outcome.casefold(), f"bu-{slugify(outcome)}")
    return {
        "age_range": _text(stop.age_range),
        "outcome": _text(outcome),
        "involved_person": "person" in stop.type.casefold(),
        "self_defined_ethnicity": _text(stop.self_defined_ethnicity),
        "gender": _text(stop.gender),
        "legislation": _text(stop.legislation),
        "outcome_linked_to_object_of_search": stop.outcome_linked_to_object_of_search,
        "datetime": stop.datetime.astimezone(dt.UTC).isoformat(),
        "removal_of_more_than_outer_clothing": stop.removal_of_more_than_outer_clothing,
        "outcome_object": {"id": outcome_id, "name": outcome} if outcome else None,
        "location": location(stop.map_point),
        "operation": stop.part_of_operation,
        "officer_defined_ethnicity": _text(stop.officer_defined_ethnicity),
        "type": stop.type,
        "operation_name": _text(stop.operation_name),
        "object_of_search": _text(stop.object_of_search),
    }


def _crimes(queryset: QuerySet[Crime]) -> list[dict[str, Any]]:
    crimes = list(queryset.select_related("map_point").order_by("id"))
    months = _latest_outcome_months(c.persistent_id for c in crimes if c.persistent_id)
    return [crime_object(c, outcome_month=months.get(c.persistent_id)) for c in crimes]


def _latest_outcome_months(ids: Iterable[str]) -> dict[str, dt.date]:
    ids = list(ids)
    found: dict[str, dt.date] = {}
    for at in range(0, len(ids), 500):
        rows = (
            Outcome.objects.filter(persistent_id__in=ids[at : at + 500])
            .values("persistent_id")
            .annotate(latest=Max("month"))
            .values_list("persistent_id", "latest")
        )
        found.update(rows)
    return found


def _force(params: Any) -> str:
    force = (params.get("force") or "").strip()
    if not force:
        raise BadParameter("force", "required: a force id (west-yorkshire)")
    if not Force.objects.filter(pk=force).exists():
        raise NotFound(f"no such force: {force}")
    return force


# --- views --------------------------------------------------------------------------------


@api_view
def crime_categories(request: HttpRequest) -> HttpResponse:
    _month(request.GET.get("date"), lambda: None)
    listed = [(categories.ALL_CRIME, categories.CATEGORY_NAMES[categories.ALL_CRIME])]
    listed += list(categories.CATEGORIES)
    return json_response([{"url": slug, "name": name} for slug, name in listed])


@api_view
def crime_last_updated(request: HttpRequest) -> HttpResponse:
    latest = latest_month()
    return json_response({"date": latest.isoformat() if latest else None})


@api_view
def crimes_street_dates(request: HttpRequest) -> HttpResponse:
    months = list(Crime.objects.order_by("-month").values_list("month", flat=True).distinct())
    stops: dict[dt.date, list[str]] = {}
    for month, force in (
        StopAndSearch.objects.values_list("month", "falls_within_id")
        .distinct()
        .order_by("falls_within_id")
    ):
        stops.setdefault(month, []).append(force)
    return json_response(
        [{"date": m.strftime("%Y-%m"), "stop-and-search": stops.get(m, [])} for m in months]
    )


# What crimes-street reads of each crime: no model instances, no join (the map points are
# in hand already); a national month's densest square mile is a thousand or two crimes
STREET_COLUMNS = (
    "id",
    "map_point_id",
    "category",
    "persistent_id",
    "context",
    "last_outcome",
    "last_outcome_category",
    "reported_by",
)
IN_CHUNK = 900  # ids per IN (…): well inside SQLite's limit on a statement's parameters


@api_form_view
def crimes_street(request: HttpRequest, category: str) -> HttpResponse:
    """The month's crimes in a circle or polygon: the map points in its bounding box (by
    their (latitude, longitude) index), those truly inside it, then their crimes (by the
    (map_point, month) index)."""
    params = _params(request)
    slug = _category(category)
    area = Area(params)
    month = _month(params.get("date"), latest_month)
    points = _points_in(area)
    crimes = Crime.objects.filter(month=month)
    if slug is not None:
        crimes = crimes.filter(category=slug)
    # each crime's latest outcome's month, in the same query (outcomes are indexed by crime)
    crimes = crimes.annotate(
        outcome_month=Subquery(
            Outcome.objects.filter(persistent_id=OuterRef("persistent_id"))
            .exclude(persistent_id="")
            .order_by("-month")
            .values("month")[:1]
        )
    )
    rows: list[tuple[Any, ...]] = []
    ids = list(points)
    for at in range(0, len(ids), IN_CHUNK):
        rows += crimes.filter(map_point_id__in=ids[at : at + IN_CHUNK]).values_list(
            *STREET_COLUMNS, "outcome_month"
        )
        if len(rows) > MAX_CRIMES:
            raise Unavailable(
                f"the area holds more than {MAX_CRIMES:,} crimes: ask for a smaller one"
            )
    rows.sort()
    month_text = month.strftime("%Y-%m")
    found = []
    for pk, point, slug_, persistent_id, context, code, text, reported_by, outcome_month in rows:
        found.append(
            {
                "category": slug_,
                "location_type": "BTP" if reported_by == BTP else "Force",
                "location": points[point],
                "context": context,
                "outcome_status": {
                    "category": outcome_category(code, text),
                    "date": outcome_month.strftime("%Y-%m") if outcome_month else month_text,
                }
                if code or text
                else None,
                "persistent_id": persistent_id,
                "id": pk,
                "location_subtype": "",
                "month": month_text,
            }
        )
    return json_response(found)


def _points_in(area: Area) -> dict[int, dict[str, Any]]:
    """The map points in the area, each as the ``location`` object police.uk gives."""
    rows = list(
        MapPoint.objects.filter(area.box(prefix="")).values_list(
            "id", "latitude", "longitude", "name"
        )
    )
    if not rows:
        return {}
    inside = area.contains((r[1] for r in rows), (r[2] for r in rows))
    return {
        pk: {
            "latitude": coordinate(lat),
            "street": {"id": pk, "name": name},
            "longitude": coordinate(lng),
        }
        for (pk, lat, lng, name), keep in zip(rows, inside.tolist(), strict=True)
        if keep
    }


@api_view
def crimes_at_location(request: HttpRequest) -> HttpResponse:
    params = request.GET
    point = _location_id(params) if params.get("location_id") else _nearest_point(params)
    month = _month(params.get("date"), latest_month)
    return json_response(_crimes(Crime.objects.filter(map_point_id=point, month=month)))


@api_view
def crimes_no_location(request: HttpRequest) -> HttpResponse:
    params = request.GET
    slug = _category((params.get("category") or categories.ALL_CRIME).strip())
    force = _force(params)
    month = _month(params.get("date"), latest_month)
    crimes = Crime.objects.filter(falls_within_id=force, month=month, map_point__isnull=True)
    if slug is not None:
        crimes = crimes.filter(category=slug)
    return json_response(_crimes(crimes))


@api_view
def outcomes_for_crime(request: HttpRequest, persistent_id: str) -> HttpResponse:
    # a crime's key is its persistent id (indexed; anti-social behaviour's keys are hashes)
    crime = Crime.objects.select_related("map_point").filter(key=persistent_id).first()
    if crime is None or not persistent_id:
        raise NotFound(f"no crime with persistent id {persistent_id}")
    outcomes = Outcome.objects.filter(persistent_id=persistent_id).order_by("month", "id")
    return json_response(
        {
            "outcomes": [outcome_object(o) for o in outcomes],
            "crime": crime_object(crime, status=False),
        }
    )


@api_form_view
def outcomes_at_location(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    month = _month(params.get("date"), latest_month)
    outcomes = Outcome.objects.filter(month=month)
    if params.get("location_id"):
        outcomes = outcomes.filter(map_point_id=_location_id(params))
    else:
        outcomes = outcomes.filter(map_point_id__in=_point_ids_in(Area(params)))
    listed = list(outcomes.order_by("id"))
    crimes = {
        c.persistent_id: c
        for c in Crime.objects.select_related("map_point").filter(
            key__in={o.persistent_id for o in listed}
        )
    }
    answer = []
    for outcome in listed:
        crime = crimes.get(outcome.persistent_id)
        if crime is None:
            continue  # the crime's street file is not imported: police.uk omits these too
        answer.append({**outcome_object(outcome), "crime": crime_object(crime, status=False)})
    return json_response(answer)


def _stops_month(params: Any) -> dt.date:
    def latest() -> dt.date | None:
        found: dt.date | None = StopAndSearch.objects.aggregate(m=Max("month"))["m"]
        return found

    return _month(params.get("date"), latest)


def _stops(queryset: QuerySet[StopAndSearch]) -> HttpResponse:
    return json_response(
        [stop_object(s) for s in queryset.select_related("map_point").order_by("datetime", "id")]
    )


@api_form_view
def stops_street(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    month = _stops_month(params)
    points = _point_ids_in(Area(params))
    return _stops(StopAndSearch.objects.filter(month=month, map_point_id__in=points))


@api_view
def stops_at_location(request: HttpRequest) -> HttpResponse:
    point = _location_id(request.GET)
    month = _stops_month(request.GET)
    return _stops(StopAndSearch.objects.filter(month=month, map_point_id=point))


@api_view
def stops_no_location(request: HttpRequest) -> HttpResponse:
    force = _force(request.GET)
    month = _stops_month(request.GET)
    return _stops(
        StopAndSearch.objects.filter(falls_within_id=force, month=month, map_point__isnull=True)
    )


@api_view
def stops_force(request: HttpRequest) -> HttpResponse:
    force = _force(request.GET)
    month = _stops_month(request.GET)
    return _stops(StopAndSearch.objects.filter(falls_within_id=force, month=month))
