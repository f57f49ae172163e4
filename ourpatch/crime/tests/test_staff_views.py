"""Staff crime pages: counts per LSOA over a range of months, and the CSV export.

Who may open them is in accounts/tests/test_permission_matrix.py (crime_a, crime_csv_a,
crime_c): whoever may see the neighbourhood's staff page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.crime.factories import CrimeFactory, MapPointFactory
from ourpatch.crime.imports import STREET_HEADER
from ourpatch.geography.factories import NeighbourhoodFactory


@pytest.fixture
def setup(db):
    area = NeighbourhoodFactory()
    point = MapPointFactory(name="On or near Park Row", latitude=53.8, longitude=-1.55)
    for month, lsoa in [(1, "E01000001"), (2, "E01000001"), (2, "E01000002"), (5, "E01000002")]:
        CrimeFactory(
            neighbourhood=area,
            map_point=point,
            month=dt.date(2024, month, 1),
            lsoa_code=lsoa,
            lsoa_name=f"Leeds {lsoa[-1]}",
            falls_within=area.force,
            context="=HYPERLINK()" if month == 5 else "",
        )
    CrimeFactory(
        neighbourhood=area,
        map_point=None,
        month=dt.date(2024, 2, 1),
        falls_within=area.force,
        persistent_id="",
        category="anti-social-behaviour",
        crime_type="Anti-social behaviour",
        last_outcome="",
        last_outcome_category="",
        lsoa_code="",
    )
    user = UserFactory()
    StaffProfileFactory(user=user, role=StaffRole.ANALYST, force=area.force)
    client = Client()
    client.force_login(user)
    return area, client


def test_counts_per_lsoa_in_the_range(setup):
    area, client = setup
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/crime/"
    page = client.get(url).content.decode()
    assert "5 crimes" in page and "June 2023" in page and "May 2024" in page
    ranged = client.get(url, {"from": "2024-02", "to": "2024-02"}).content.decode()
    assert "3 crimes" in ranged and "E01000001" in ranged and "E01000002" in ranged
    swapped = client.get(url, {"from": "2024-05", "to": "2024-01"}).content.decode()
    assert "swapped" in swapped and "5 crimes" in swapped
    bad = client.get(url, {"from": "May"}).content.decode()
    assert "must be a month" in bad


def test_csv_is_police_uk_format_with_map_points_only(setup):
    area, client = setup
    response = client.get(
        f"/staff/neighbourhoods/{area.force_id}/{area.code}/crime.csv",
        {"from": "2024-01", "to": "2024-05"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == STREET_HEADER and len(rows) == 6
    located = [r for r in rows[1:] if r[6] != "No Location"]
    assert {(r[4], r[5], r[6]) for r in located} == {
        ("-1.550000", "53.800000", "On or near Park Row")
    }
    assert any(r[11] == "'=HYPERLINK()" for r in rows)
