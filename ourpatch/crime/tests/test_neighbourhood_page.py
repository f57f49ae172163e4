"""The crime section of the public neighbourhood page."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from ourpatch.crime.factories import CrimeFactory, MapPointFactory
from ourpatch.crime.models import MapPoint
from ourpatch.crime.summary import add_months, neighbourhood_crime
from ourpatch.geography.factories import NeighbourhoodBoundaryFactory, NeighbourhoodFactory

MONTH = dt.date(2024, 6, 1)


@pytest.fixture
def area(db):
    area = NeighbourhoodFactory()
    NeighbourhoodBoundaryFactory(neighbourhood=area)
    point, other = MapPointFactory(name="On or near Park Row"), MapPointFactory()
    for _ in range(3):
        CrimeFactory(neighbourhood=area, map_point=point, month=MONTH)
    CrimeFactory(
        neighbourhood=area,
        map_point=other,
        month=MONTH,
        persistent_id="",
        category="anti-social-behaviour",
        crime_type="Anti-social behaviour",
        last_outcome="",
        last_outcome_category="",
    )
    CrimeFactory(neighbourhood=area, map_point=point, month=add_months(MONTH, -3))
    CrimeFactory(neighbourhood=area, map_point=point, month=add_months(MONTH, -12))  # too old
    CrimeFactory(month=MONTH)  # another neighbourhood's
    return area


def test_summary_counts_trend_outcomes_and_points(area):
    crime = neighbourhood_crime(area)
    assert crime is not None
    assert crime.month == MONTH and crime.total == 4
    assert crime.by_category == [
        ("burglary", "Burglary", 3),
        ("anti-social-behaviour", "Anti-social behaviour", 1),
    ]
    assert len(crime.trend) == 12 and crime.trend[-1].month == MONTH
    assert [(t.crimes, t.asb) for t in crime.trend if t.total] == [(1, 0), (3, 1)]
    assert crime.outcomes == [("Investigation complete; no suspect identified", 3)]
    assert sorted(sum(p["counts"].values()) for p in crime.points) == [1, 3]


def test_page_shows_tables_and_map_points_only(area):
    response = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="crime-heading"' in page and "June 2024" in page
    assert page.count('<tr><th scope="row"><time datetime=') == 12
    assert "crime/crime-map" in page
    found = re.search(r'id="crime-points"[^>]*>(.*?)</script>', page, re.S)
    assert found is not None
    points = json.loads(found[1])
    stored = {(p.latitude, p.longitude, p.name) for p in MapPoint.objects.all()}
    assert {(p["lat"], p["lng"], p["name"]) for p in points} <= stored


def test_page_without_crime_says_so(db):
    area = NeighbourhoodFactory()
    NeighbourhoodBoundaryFactory(neighbourhood=area)
    page = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "No crime data has been published for this neighbourhood yet." in page
    assert "crime-map.js" not in page
