"""A police.uk-compatible API: data.police.uk's neighbourhood methods, at /api/.

An existing police.uk client works unchanged when pointed at ``https://HOST/api/``. The
objects have exactly the keys and JSON types of police.uk's (the contract tests compare them
with real samples in ``tests/fixtures/``): coordinates and population are strings, absent
text is ``null``, ``locate-neighbourhood`` returns one object, priorities use hyphenated
``issue-date``/``action-date``. Where ourpatch holds less than police.uk or chooses
differently, it says so below and in ``README.md`` beside this file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon

from ourpatch.api import queries
from ourpatch.api.http import BadParameter, NotFound, api_view, json_response
from ourpatch.engagement.meetings import upcoming
from ourpatch.engagement.models import Meeting
from ourpatch.geography.locate import (
    BadCoordinates,
    locate_point,
    locate_postcode,
    parse_lat_lng,
)
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.geography.postcodes import normalise
from ourpatch.problems.priorities import published
from ourpatch.teams.models import Location, Role, TeamMember

# police.uk's places, for a team's base
LOCATION_TYPE = "station"
# police.uk's timestamps: local time, to the second, without a zone ("2015-10-08T00:00:00")
POLICE_UK_DATETIME = "%Y-%m-%dT%H:%M:%S"


def coordinate(value: float) -> str:
    """A latitude or longitude as police.uk writes it: a string, to 6 decimal places (about
    10 cm) without trailing zeros (``"52.6389"``, ``"-1.13619"``)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(value: str | None) -> str | None:
    """Empty text as police.uk gives it: null."""
    return value if value else None


def contact_details(*, email: str = "", telephone: str = "") -> dict[str, str]:
    """police.uk's ``contact_details``: only the ways of contact there are."""
    details: dict[str, str] = {}
    if email:
        details["email"] = email
    if telephone:
        details["telephone"] = telephone
    return details


def officer(member: TeamMember) -> dict[str, Any]:
    """A police.uk officer (team member or senior officer)."""
    return {
        "bio": _text(member.bio),
        "contact_details": contact_details(email=member.email, telephone=member.telephone),
        "name": member.name,
        "rank": member.get_role_display(),
    }


def engagement_method(method: dict[str, Any]) -> dict[str, Any]:
    kind = method.get("type") or None
    return {
        "url": str(method.get("url") or ""),
        "description": _text(method.get("description")),
        "title": str(method.get("title") or kind or ""),
        "type": kind,
    }


def force_detail(force: Force) -> dict[str, Any]:
    methods = force.engagement_methods if isinstance(force.engagement_methods, list) else []
    return {
        "description": _text(force.description),
        "url": _text(force.url),
        "engagement_methods": [engagement_method(m) for m in methods if isinstance(m, dict)],
        "telephone": _text(force.telephone),
        "id": force.id,
        "name": force.name,
    }


def location(base: Location) -> dict[str, Any]:
    return {
        "name": base.name,
        "longitude": None if base.longitude is None else coordinate(base.longitude),
        "postcode": base.postcode,
        "address": base.address,
        "latitude": None if base.latitude is None else coordinate(base.latitude),
        "type": LOCATION_TYPE,
        "description": _text(base.description),
    }


def neighbourhood_detail(request: HttpRequest, area: Neighbourhood) -> dict[str, Any]:
    version = queries.current_boundary(area)
    centre: dict[str, str | None] = (
        {
            "latitude": coordinate(version.centre_latitude),
            "longitude": coordinate(version.centre_longitude),
        }
        if version is not None
        else {"latitude": None, "longitude": None}
    )
    page = reverse("web:neighbourhood", args=[area.force_id, area.code])
    return {
        # police.uk links to the force's own page for the neighbourhood: ours is that page
        "url_force": request.build_absolute_uri(page),
        "contact_details": contact_details(email=area.email, telephone=area.telephone),
        "name": area.name,
        # ourpatch keeps no links to partners' websites yet
        "links": [],
        "centre": centre,
        "locations": [location(b) for b in queries.bases(area)],
        "description": _text(area.description),
        "id": area.code,
        # police.uk writes an unknown population as "0"
        "population": str(area.population or 0),
    }


def event(meeting: Meeting) -> dict[str, Any]:
    """A police.uk event: local times without a zone, as police.uk writes them."""
    return {
        "contact_details": {},
        "description": _text(meeting.description),
        "title": meeting.title,
        "address": _text(
            ", ".join(p for p in (meeting.venue, meeting.address, meeting.postcode) if p)
        ),
        "type": "meeting",
        "start_date": police_uk_datetime(meeting.starts_at),
        "end_date": police_uk_datetime(meeting.ends_at),
    }


def boundary_points(shape: Polygon | MultiPolygon) -> list[dict[str, str]]:
    """police.uk's boundary: the exterior ring's points, as strings. A MultiPolygon's parts
    come one after another, each ring closed (its first point repeated at its end), so a
    client can tell where one part ends and the next begins; holes are left out, as
    police.uk's format has no way to say them."""
    parts = list(shape.geoms) if isinstance(shape, MultiPolygon) else [shape]
    points: list[dict[str, str]] = []
    for part in parts:
        for lng, lat in shapely.get_coordinates(part.exterior):
            points.append({"latitude": coordinate(lat), "longitude": coordinate(lng)})
    return points


def priority(
    issue: str,
    issue_date: dt.datetime | dt.date | None,
    action: str | None = None,
    action_date: dt.datetime | dt.date | None = None,
) -> dict[str, Any]:
    """A police.uk priority, for when priorities are recorded: the hyphenated date keys are
    always present, null when there is no date (police.uk's own samples have both)."""
    return {
        "action": _text(action),
        "issue-date": police_uk_datetime(issue_date),
        "action-date": police_uk_datetime(action_date),
        "issue": issue,
    }


def police_uk_datetime(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(POLICE_UK_DATETIME)
    return dt.datetime.combine(value, dt.time()).strftime(POLICE_UK_DATETIME)


# --- views -------------------------------------------------------------------------------


@api_view
def forces(request: HttpRequest) -> HttpResponse:
    rows = Force.objects.order_by("id").values_list("id", "name")
    return json_response([{"id": pk, "name": name} for pk, name in rows])


@api_view
def force_info(request: HttpRequest, force: str) -> HttpResponse:
    return json_response(force_detail(queries.force_or_404(force)))


@api_view
def force_people(request: HttpRequest, force: str) -> HttpResponse:
    """police.uk's senior officers. ourpatch holds neighbourhood teams, not chief officers:
    the force's inspectors, who lead its teams, are the nearest it has."""
    queries.force_exists_or_404(force)
    inspectors = (
        TeamMember.objects.current()
        .filter(force_id=force, role=Role.INSPECTOR)
        .order_by("name", "pk")
    )
    return json_response([officer(m) for m in inspectors])


@api_view
def neighbourhoods(request: HttpRequest, force: str) -> HttpResponse:
    queries.force_exists_or_404(force)
    rows = (
        Neighbourhood.objects.current()
        .filter(force_id=force)
        .order_by("name", "code")
        .values_list("code", "name")
    )
    return json_response([{"id": code, "name": name} for code, name in rows])


@api_view
def neighbourhood(request: HttpRequest, force: str, neighbourhood: str) -> HttpResponse:
    area = queries.neighbourhood_or_404(force, neighbourhood, current_only=True)
    return json_response(neighbourhood_detail(request, area))


@api_view
def neighbourhood_boundary(request: HttpRequest, force: str, neighbourhood: str) -> HttpResponse:
    area = queries.neighbourhood_or_404(force, neighbourhood, current_only=True)
    version = queries.current_boundary(area, geometry=True)
    shape = version.boundary if version is not None else None
    if not isinstance(shape, Polygon | MultiPolygon):
        return json_response([])
    return json_response(boundary_points(shape))


@api_view
def neighbourhood_people(request: HttpRequest, force: str, neighbourhood: str) -> HttpResponse:
    area = queries.neighbourhood_or_404(force, neighbourhood, current_only=True)
    return json_response([officer(m) for m in queries.current_team(area)])


@api_view
def neighbourhood_events(request: HttpRequest, force: str, neighbourhood: str) -> HttpResponse:
    area = queries.neighbourhood_or_404(force, neighbourhood, current_only=True)
    return json_response([event(m) for m in upcoming(area)])


@api_view
def neighbourhood_priorities(request: HttpRequest, force: str, neighbourhood: str) -> HttpResponse:
    area = queries.neighbourhood_or_404(force, neighbourhood, current_only=True)
    return json_response(
        [priority(p.issue, p.issue_date, p.action, p.action_date) for p in published(area)]
    )


Q_HELP = "give latitude,longitude (q=51.500617,-0.124629) or a full postcode (q=LS1 4AP)"


@api_view
def locate_neighbourhood(request: HttpRequest) -> HttpResponse:
    """``q=lat,lng`` as police.uk; ``q=POSTCODE`` too (an ourpatch extension)."""
    q = request.GET.get("q", "").strip()
    if not q:
        raise BadParameter("q", f"required: {Q_HELP}")
    if "," in q:
        latitude, _, longitude = q.partition(",")
        try:
            lat, lng = parse_lat_lng(latitude.strip(), longitude.strip())
        except BadCoordinates as error:
            raise BadParameter("q", str(error)) from None
        area = locate_point(lat, lng)
        if area is None:
            raise NotFound(f"no neighbourhood covers {lat}, {lng}")
    else:
        postcode = normalise(q)
        if postcode is None:
            raise BadParameter("q", f"{q!r} is neither coordinates nor a postcode: {Q_HELP}")
        match = locate_postcode(postcode)
        if match is None:
            raise NotFound(f"unknown postcode: {postcode}")
        if match.area is None:
            raise NotFound(f"no neighbourhood covers {postcode}")
        area = match.area
    return json_response({"force": area.force_id, "neighbourhood": area.code})
