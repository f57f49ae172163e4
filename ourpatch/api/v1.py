"""ourpatch's own JSON API, /api/v1/: richer than police.uk's, described by OpenAPI 3.1 at
/api/v1/openapi.json (``openapi.py``).

Conventions: numbers are numbers, dates and times ISO 8601, absent values ``null``; every
object that has a page carries ``url`` (this API) and ``page_url`` (the public page); a bad
parameter is a 400 ``{"error": "NAME: what is wrong", "parameter": "NAME"}``; nothing found
is a 404 ``{"error": ...}``. Only published information: nothing about residents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from ourpatch.api import queries
from ourpatch.api.http import BadParameter, NotFound, api_view, json_response
from ourpatch.api.openapi import document
from ourpatch.geography.locate import (
    Area,
    BadCoordinates,
    locate_point,
    locate_postcode,
    parse_lat_lng,
)
from ourpatch.geography.models import Force, Neighbourhood, NeighbourhoodBoundary
from ourpatch.geography.postcodes import normalise
from ourpatch.geography.search import search as search_places
from ourpatch.teams.models import Location, Role, TeamMember
from ourpatch.teams.supervision import is_stale

DEFAULT_STALE_AFTER_DAYS = 90


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: str | None) -> str | None:
    return value if value else None


def _stale_after() -> int:
    return int(getattr(settings, "OURPATCH_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


def _absolute(request: HttpRequest, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def neighbourhood_ref(request: HttpRequest, force_id: str, code: str, name: str) -> dict[str, Any]:
    return {
        "force": force_id,
        "code": code,
        "name": name,
        "url": _absolute(request, "api:v1-neighbourhood", force_id, code),
        "page_url": _absolute(request, "web:neighbourhood", force_id, code),
    }


def _area_ref(request: HttpRequest, area: Area) -> dict[str, Any]:
    return neighbourhood_ref(request, area.force_id, area.code, area.name)


def member(request: HttpRequest, m: TeamMember, stale_after: int) -> dict[str, Any]:
    return {
        "name": m.name,
        "role": {"code": m.role, "name": Role(m.role).label},
        "collar_number": _text(m.collar_number),
        "photo_url": request.build_absolute_uri(m.photo.url) if m.photo else None,
        "photo_alt": _text(m.photo_alt),
        "bio": _text(m.bio),
        "email": _text(m.email),
        "telephone": _text(m.telephone),
        "languages": [str(lang) for lang in m.languages] if isinstance(m.languages, list) else [],
        "last_confirmed": _iso(m.last_confirmed),
        "stale": is_stale(m.last_confirmed, stale_after),
    }


def base(b: Location, stale_after: int) -> dict[str, Any]:
    return {
        "name": b.name,
        "address": b.address,
        "postcode": b.postcode,
        "latitude": b.latitude,
        "longitude": b.longitude,
        "telephone": _text(b.telephone),
        "description": _text(b.description),
        "last_confirmed": _iso(b.last_confirmed),
        "stale": is_stale(b.last_confirmed, stale_after),
    }


def boundary_version(v: NeighbourhoodBoundary, day: dt.date) -> dict[str, Any]:
    return {
        "valid_from": _iso(v.valid_from),
        "valid_to": _iso(v.valid_to),
        "current": v.valid_from <= day and (v.valid_to is None or v.valid_to > day),
        "centre": {"latitude": v.centre_latitude, "longitude": v.centre_longitude},
        "source": _text(v.source),
        "imported_at": _iso(v.imported_at),
    }


def neighbourhood_detail(request: HttpRequest, area: Neighbourhood) -> dict[str, Any]:
    day = timezone.localdate()
    stale_after = _stale_after()
    versions = list(area.boundaries.defer("boundary").order_by("valid_from"))
    shown = [boundary_version(v, day) for v in versions]
    current = next((v for v in shown if v["current"]), None)
    return {
        **neighbourhood_ref(request, area.force_id, area.code, area.name),
        "force": {
            "id": area.force.id,
            "name": area.force.name,
            "is_demonstration": area.force.is_demonstration,
            "url": _absolute(request, "api:v1-force-neighbourhoods", area.force.id),
        },
        "description": _text(area.description),
        "area_class": area.area_class,
        "population": area.population,
        "bcu": {"code": area.bcu.code, "name": area.bcu.name} if area.bcu else None,
        "email": _text(area.email),
        "telephone": _text(area.telephone),
        "valid_from": _iso(area.valid_from),
        "valid_to": _iso(area.valid_to),
        "current": area.valid_from <= day and (area.valid_to is None or area.valid_to > day),
        "last_confirmed": _iso(area.last_confirmed),
        "stale": is_stale(area.last_confirmed, stale_after),
        "centre": current["centre"] if current else None,
        "boundary_url": (
            _absolute(request, "web:boundary", area.force_id, area.code) if current else None
        ),
        "boundaries": shown,
        "team": [member(request, m, stale_after) for m in queries.current_team(area)],
        "bases": [base(b, stale_after) for b in queries.bases(area)],
    }


def _current_neighbourhoods() -> Q:
    day = timezone.localdate()
    return Q(neighbourhoods__valid_from__lte=day) & (
        Q(neighbourhoods__valid_to__isnull=True) | Q(neighbourhoods__valid_to__gt=day)
    )


# --- views -------------------------------------------------------------------------------


@api_view
def forces(request: HttpRequest) -> HttpResponse:
    rows = Force.objects.annotate(
        neighbourhood_count=Count("neighbourhoods", filter=_current_neighbourhoods())
    ).order_by("name", "id")
    return json_response(
        {
            "forces": [
                {
                    "id": f.id,
                    "name": f.name,
                    "description": _text(f.description),
                    "url": _text(f.url),
                    "telephone": _text(f.telephone),
                    "is_demonstration": f.is_demonstration,
                    "neighbourhood_count": f.neighbourhood_count,
                    "last_confirmed": _iso(f.last_confirmed),
                    "neighbourhoods_url": _absolute(request, "api:v1-force-neighbourhoods", f.id),
                }
                for f in rows
            ]
        }
    )


@api_view
def force_neighbourhoods(request: HttpRequest, force: str) -> HttpResponse:
    """The force's neighbourhoods in use today."""
    f = queries.force_or_404(force)
    rows = (
        Neighbourhood.objects.current()
        .filter(force=f)
        .select_related("bcu")
        .order_by("name", "code")
    )
    return json_response(
        {
            "force": {"id": f.id, "name": f.name, "is_demonstration": f.is_demonstration},
            "neighbourhoods": [
                {
                    **neighbourhood_ref(request, f.id, n.code, n.name),
                    "area_class": n.area_class,
                    "population": n.population,
                    "bcu": {"code": n.bcu.code, "name": n.bcu.name} if n.bcu else None,
                }
                for n in rows
            ],
        }
    )


@api_view
def neighbourhood(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """Any neighbourhood the force has had, current or not (``current`` says which)."""
    area = queries.neighbourhood_or_404(force, code, current_only=False)
    return json_response(neighbourhood_detail(request, area))


def _coordinate(name: str, value: str) -> float:
    """``lat`` or ``lng``, checked on its own so that an error names the right one."""
    if not value.strip():
        raise BadParameter(name, "required with " + ("lng" if name == "lat" else "lat"))
    try:
        number = float(value)
    except ValueError:
        raise BadParameter(name, f"must be a number, got {value.strip()!r}") from None
    try:
        pair = parse_lat_lng(number, 0.0) if name == "lat" else parse_lat_lng(0.0, number)
    except BadCoordinates as error:
        raise BadParameter(name, str(error)) from None
    return pair[0] if name == "lat" else pair[1]


@api_view
def locate(request: HttpRequest) -> HttpResponse:
    """``?lat=&lng=`` or ``?postcode=``: the neighbourhood there, or 404."""
    params = request.GET
    has_point = "lat" in params or "lng" in params
    if "postcode" in params:
        if has_point:
            raise BadParameter("postcode", "give either postcode, or lat and lng, not both")
        text = params["postcode"]
        postcode = normalise(text)
        if postcode is None:
            raise BadParameter(
                "postcode", f"{text.strip()!r} is not a full postcode (such as LS1 4AP)"
            )
        match = locate_postcode(postcode)
        if match is None:
            raise NotFound(f"unknown postcode: {postcode}")
        if match.area is None:
            raise NotFound(f"no neighbourhood covers {postcode}")
        return json_response(
            {
                "query": {"postcode": postcode},
                "postcode": {
                    "postcode": match.postcode,
                    "latitude": match.latitude,
                    "longitude": match.longitude,
                    "terminated": _iso(match.terminated),
                },
                "neighbourhood": _area_ref(request, match.area),
            }
        )
    if not has_point:
        raise BadParameter("lat", "required: give lat and lng, or postcode")
    lat = _coordinate("lat", params.get("lat", ""))
    lng = _coordinate("lng", params.get("lng", ""))
    area = locate_point(lat, lng)
    if area is None:
        raise NotFound(f"no neighbourhood covers {lat}, {lng}")
    return json_response(
        {
            "query": {"latitude": lat, "longitude": lng},
            "postcode": None,
            "neighbourhood": _area_ref(request, area),
        }
    )


@api_view
def search(request: HttpRequest) -> HttpResponse:
    """What the public search does, as data: a match, choices, or a message saying why not."""
    q = request.GET.get("q", "")
    if not q.strip():
        raise BadParameter("q", "required: a postcode, place name or latitude,longitude")
    outcome = search_places(q)
    if outcome.kind in ("invalid", "empty"):
        raise BadParameter("q", outcome.message or "required")
    return json_response(
        {
            "query": outcome.query,
            "kind": outcome.kind,
            "message": _text(outcome.message),
            "note": _text(outcome.note),
            "results": [
                {**_area_ref(request, c.area), "detail": _text(c.detail)} for c in outcome.choices
            ],
        }
    )


@api_view
def openapi(request: HttpRequest) -> HttpResponse:
    return json_response(document())
