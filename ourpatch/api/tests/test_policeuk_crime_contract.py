"""The police.uk-compatible crime API against real police.uk responses.

The data is a real police.uk street-level file (City of London, January 2017) imported by
the real importer; the answers are compared key by key and type by type with real
responses (ourpatch/crime/tests/fixtures/, Open Government Licence v3.0).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from shapely.geometry import box

from ourpatch.api import policeuk_crime
from ourpatch.api.tests.shapes import assert_same_shape
from ourpatch.crime.factories import CrimeFactory, MapPointFactory, OutcomeFactory
from ourpatch.crime.imports import import_police_uk
from ourpatch.crime.incidents import import_incidents
from ourpatch.crime.models import Crime, Incident, MapPoint, StopAndSearch
from ourpatch.geography.factories import (
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
)

CRIME_FIXTURES = Path(__file__).resolve().parents[2] / "crime" / "tests" / "fixtures"
STREET = CRIME_FIXTURES / "2017-01-city-of-london-street.csv"
STOPS = CRIME_FIXTURES / "2026-02-city-of-london-stop-and-search.csv"
# Near St Paul's: most of the City of London's crimes lie within a mile
CENTRE = {"lat": "51.5150", "lng": "-0.0950"}
POLY = "51.505,-0.100:51.525,-0.100:51.525,-0.075:51.505,-0.075"


def crime_sample(name: str) -> Any:
    return json.loads((CRIME_FIXTURES / name).read_text(encoding="utf-8"))


MOZFEST = crime_sample("crimes-street_all-crime_2014-08_mozfest.json")
ASB_SAMPLE = next(c for c in MOZFEST if c["outcome_status"] is None)
CRIME_SAMPLE = crime_sample("crime.json")
assert CRIME_SAMPLE["outcome_status"] is not None


def call(url: str, status: int = 200, method: str = "get", **params: str) -> Any:
    response = getattr(Client(), method)(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def assert_crime_shape(item: dict[str, Any]) -> None:
    theirs = ASB_SAMPLE if item["outcome_status"] is None else CRIME_SAMPLE
    assert_same_shape(theirs, item)
    assert item["location_type"] in ("Force", "BTP")
    assert (item["persistent_id"] == "") == (item["category"] == "anti-social-behaviour")


@pytest.fixture
def city(db):
    [report] = import_police_uk([STREET], commit=True)
    assert report.ok, report.as_text()
    [stops] = import_police_uk([STOPS], commit=True)
    assert stops.ok, stops.as_text()


def test_crimes_street_by_point_matches_police_uk(city):
    crimes = call("/api/crimes-street/all-crime", date="2017-01", **CENTRE)
    assert len(crimes) > 300
    for item in crimes:
        assert_crime_shape(item)
    burglary = next(
        c
        for c in crimes
        if c["persistent_id"] == "356f6e3b1e3585e37630f2c954e85b55b949d862a46472170b9ddba928e7df15"
    )
    assert burglary["category"] == "burglary" and burglary["month"] == "2017-01"
    assert burglary["location"]["latitude"] == "51.518226"
    assert burglary["location"]["longitude"] == "-0.111497"
    assert burglary["location"]["street"]["name"] == "On or near Pedestrian Subway"
    assert burglary["outcome_status"] == {
        "category": "Offender given community sentence",
        "date": "2017-01",
    }
    # the latest month when no date is given
    assert call("/api/crimes-street/all-crime", **CENTRE) == crimes
    only = call("/api/crimes-street/burglary", date="2017-01", **CENTRE)
    assert only and {c["category"] for c in only} == {"burglary"}


def test_crimes_street_builds_the_same_objects_as_every_other_method(city):
    crime = Crime.objects.exclude(persistent_id="").exclude(map_point=None).first()
    assert crime is not None
    OutcomeFactory(persistent_id=crime.persistent_id, month=dt.date(2017, 3, 1))
    answer = call("/api/crimes-street/all-crime", date="2017-01", **CENTRE)
    months = policeuk_crime._latest_outcome_months(c["persistent_id"] for c in answer)
    assert months == {crime.persistent_id: dt.date(2017, 3, 1)}
    by_id = {c.pk: c for c in Crime.objects.select_related("map_point")}
    for item in answer:
        expected = by_id[item["id"]]
        assert item == policeuk_crime.crime_object(
            expected, outcome_month=months.get(expected.persistent_id)
        )
    assert [c["id"] for c in answer] == sorted(c["id"] for c in answer)


def test_crimes_street_by_polygon_get_and_post(city):
    got = call("/api/crimes-street/all-crime", date="2017-01", poly=POLY)
    posted = call("/api/crimes-street/all-crime", method="post", date="2017-01", poly=POLY)
    assert got == posted and got
    for item in got:
        lat, lng = float(item["location"]["latitude"]), float(item["location"]["longitude"])
        assert 51.505 <= lat <= 51.525 and -0.100 <= lng <= -0.075


def test_crimes_street_refuses_more_than_the_limit(city, monkeypatch):
    monkeypatch.setattr(policeuk_crime, "MAX_CRIMES", 10)
    body = call("/api/crimes-street/all-crime", 503, date="2017-01", **CENTRE)
    assert "more than 10" in body["error"]


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({}, 400, "lat"),
        ({"lat": "x", "lng": "0"}, 400, "lat"),
        ({"poly": "51,0:52,0"}, 400, "poly"),
        ({**CENTRE, "date": "2017-13"}, 400, "date"),
    ],
)
def test_crimes_street_bad_parameters(city, params, status, parameter):
    assert call("/api/crimes-street/all-crime", status, **params)["parameter"] == parameter


def test_unknown_category_is_404(city):
    call("/api/crimes-street/jaywalking", 404, **CENTRE)


def test_btp_location_type(db):
    CrimeFactory(reported_by="British Transport Police", month=dt.date(2017, 1, 1))
    [item] = call("/api/crimes-street/all-crime", lat="53.795", lng="-1.545")
    assert item["location_type"] == "BTP"


def test_crimes_at_location_and_no_location(city):
    point = MapPoint.objects.get(latitude=51.518226, longitude=-0.111497)
    at = call("/api/crimes-at-location", date="2017-01", location_id=str(point.pk))
    assert at and {c["location"]["street"]["id"] for c in at} == {point.pk}
    near = call("/api/crimes-at-location", date="2017-01", lat="51.51823", lng="-0.11150")
    assert near == at
    none = call("/api/crimes-no-location", category="all-crime", force="city-of-london")
    assert len(none) == 14
    for item in none:
        assert item["location"] is None and item["location_type"] is None
    call("/api/crimes-no-location", 400, category="all-crime")
    call("/api/crimes-no-location", 404, force="atlantis")


def test_categories_last_updated_and_dates(city):
    listed = call("/api/crime-categories", date="2017-01")
    assert len(listed) == 15 and listed[0] == {"url": "all-crime", "name": "All crime"}
    for item in listed:
        assert_same_shape(crime_sample("crime-category.json"), item)
    assert call("/api/crime-last-updated") == {"date": "2017-01-01"}
    CrimeFactory(month=dt.date(2016, 12, 1))
    dates = call("/api/crimes-street-dates")
    assert [d["date"] for d in dates] == ["2017-01", "2016-12"]
    assert_same_shape(crime_sample("data-set.json"), dates[0], may_be_empty={"$.stop-and-search"})


def test_outcomes_for_crime_and_at_location(db):
    crime = CrimeFactory(map_point=None, month=dt.date(2020, 3, 1))
    OutcomeFactory(persistent_id=crime.persistent_id, month=dt.date(2020, 3, 1), map_point=None)
    OutcomeFactory(
        persistent_id=crime.persistent_id,
        month=dt.date(2020, 4, 1),
        outcome="no-further-action",
        outcome_type="Investigation complete; no suspect identified",
        map_point=None,
    )
    history = call(f"/api/outcomes-for-crime/{crime.persistent_id}")
    assert_same_shape(crime_sample("case-history.json"), history)
    assert [o["category"]["code"] for o in history["outcomes"]] == ["charged", "no-further-action"]
    call("/api/outcomes-for-crime/nonesuch", 404)

    point = MapPointFactory()
    located = CrimeFactory(map_point=point, month=dt.date(2020, 9, 1))
    OutcomeFactory(persistent_id=located.persistent_id, month=dt.date(2020, 9, 1), map_point=point)
    [item] = call("/api/outcomes-at-location", date="2020-09", location_id=str(point.pk))
    assert_same_shape(crime_sample("outcome.json"), item)
    assert_same_shape(crime_sample("outcomes-at-location_2019-01.json")[0], item)


def test_stops_match_police_uk_keys(city):
    theirs = crime_sample("stop-and-search.json")
    force = call("/api/stops-force", force="city-of-london", date="2026-02")
    assert len(force) == 20
    for item in force:
        assert set(item) == set(theirs)
        if item["location"] is not None:
            assert_same_shape(theirs["location"], item["location"])
        assert item["datetime"].startswith("2026-02-")
    assert len(call("/api/stops-no-location", force="city-of-london", date="2026-02")) == 3
    street = call("/api/stops-street", date="2026-02", lat="51.5173", lng="-0.0819")
    assert street and all(s["location"] for s in street)
    point = StopAndSearch.objects.filter(map_point__isnull=False).first()
    assert point is not None
    assert call("/api/stops-at-location", date="2026-02", location_id=str(point.map_point_id))


def _coordinates(value: Any) -> list[tuple[str, str]]:
    found = []
    if isinstance(value, dict):
        if "latitude" in value and "longitude" in value:
            found.append((value["latitude"], value["longitude"]))
        for item in value.values():
            found += _coordinates(item)
    elif isinstance(value, list):
        for item in value:
            found += _coordinates(item)
    return found


# Where the incidents happened: exactly, and near a few of the City's map points
INCIDENT_OFFSETS = [(0.0003137, -0.0002891), (-0.0002413, 0.0003379), (0.0001911, 0.0001723)]


@pytest.fixture
def city_with_incidents(db, tmp_path):
    """The City's January 2017 crimes in a neighbourhood, and the force's own incidents at
    exact positions near three of its map points."""
    force = ForceFactory(id="city-of-london", name="City of London Police")
    area = NeighbourhoodFactory(force=force, code="CITY", valid_from=dt.date(2000, 1, 1))
    NeighbourhoodBoundaryFactory(
        neighbourhood=area, boundary=box(-0.12, 51.50, -0.07, 51.53), valid_from=dt.date(2000, 1, 1)
    )
    [report] = import_police_uk([STREET], commit=True)
    assert report.ok, report.as_text()
    [stops] = import_police_uk([STOPS], commit=True)
    assert stops.ok, stops.as_text()
    points = list(
        MapPoint.objects.filter(latitude__gt=51.51, latitude__lt=51.52).order_by(
            "latitude", "longitude", "name"
        )[:3]
    )
    exact = [
        (round(p.latitude + dlat, 7), round(p.longitude + dlng, 7))
        for p, (dlat, dlng) in zip(points, INCIDENT_OFFSETS, strict=True)
    ]
    rows = [
        f"city-of-london,CITY{i},2017-01-1{i}T22:30:00Z,burglary,{lat},{lng}"
        for i, (lat, lng) in enumerate(exact)
    ]
    path = tmp_path / "incidents.csv"
    path.write_text("force,incident_id,occurred_at,category,latitude,longitude\n" + "\n".join(rows))
    imported = import_incidents(path, commit=True, max_bytes=10**6)
    assert imported.ok and imported.created == 3 and imported.unsnapped == 0, imported.as_text()
    return area, exact


def _public_pages(start: list[str], limit: int = 80) -> dict[str, str]:
    """Every public page reachable from ``start`` by links (staff and static files aside)."""
    client = Client()
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code in (200, 301, 302, 404), (url, response.status_code)
        text = response.content.decode("utf-8", "replace")
        seen[url] = text
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/[^"#?]*)', text):
            if not link.startswith(("/staff", "/static", "/media", "/accounts")):
                queue.append(link)
    return seen


def test_no_answer_ever_gives_a_location_that_is_not_a_map_point(city_with_incidents):
    """Every coordinate the crime API publishes is an anonymous map point's, never more
    precise: the map points are the only coordinates the crime tables hold. And a force's
    own incidents, imported with their exact positions, never show those positions on any
    public page or API answer; the map point each is snapped to may be published."""
    area, exact = city_with_incidents
    points = {
        (f"{lat:.6f}", f"{lng:.6f}")
        for lat, lng in MapPoint.objects.values_list("latitude", "longitude")
    }
    crime = Crime.objects.exclude(persistent_id="").exclude(map_point=None).first()
    assert crime is not None
    OutcomeFactory(persistent_id=crime.persistent_id, month=crime.month, map_point=crime.map_point)
    snapped = list(Incident.objects.values_list("map_point", flat=True))
    answers = [
        call("/api/crimes-street/all-crime", date="2017-01", **CENTRE),
        call("/api/crimes-street/all-crime", date="2017-01", poly=POLY),
        call("/api/crimes-at-location", date="2017-01", location_id=str(crime.map_point_id)),
        call("/api/outcomes-for-crime/" + crime.persistent_id),
        call("/api/outcomes-at-location", date="2017-01", **CENTRE),
        call("/api/stops-force", force="city-of-london", date="2026-02"),
        call("/api/stops-street", date="2026-02", **CENTRE),
        *(call("/api/crimes-at-location", date="2017-01", location_id=str(p)) for p in snapped),
    ]
    published = [pair for answer in answers for pair in _coordinates(answer)]
    assert len(published) > 300
    assert set(published) <= points
    # the incidents' map points are published (with the crimes at them) ...
    where = dict(MapPoint.objects.filter(pk__in=snapped).values_list("pk", "latitude"))
    assert {f"{where[p]:.6f}" for p in snapped} <= {lat for lat, _ in published}

    # ... and their exact positions nowhere: not in the API, not on any public page
    texts = [json.dumps(answer) for answer in answers]
    pages = _public_pages(
        ["/", f"/neighbourhoods/{area.force_id}/{area.code}/", f"/forces/{area.force_id}/"]
    )
    assert f"/neighbourhoods/{area.force_id}/{area.code}/" in pages
    for url in (
        f"/api/{area.force_id}/{area.code}",
        f"/api/{area.force_id}/{area.code}/boundary",
        f"/api/v1/neighbourhoods/{area.force_id}/{area.code}",
        "/api/crime-last-updated",
        "/api/crimes-street-dates",
        "/api/crimes-no-location?category=all-crime&force=city-of-london&date=2017-01",
    ):
        texts.append(Client().get(url).content.decode())
    texts += pages.values()
    page = pages[f"/neighbourhoods/{area.force_id}/{area.code}/"]
    assert f"{where[snapped[0]]:.6f}".rstrip("0") in page  # the page's map shows map points
    for lat, lng in exact:
        renderings = {f"{lat:.6f}", f"{lng:.6f}", repr(lat), repr(lng)}
        assert not any(r in f"{a},{b}" for r in renderings for a, b in points)  # a fair test
        for text in texts:
            assert not any(r in text for r in renderings)
