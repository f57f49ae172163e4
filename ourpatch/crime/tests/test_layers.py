"""Crime counted on police and local-authority layers (crime.layers), and the staff page and
CSV that show it. Who may open them is in accounts/tests/test_permission_matrix.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.crime import layers
from ourpatch.crime.factories import CrimeFactory
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    LocalAuthorityFactory,
    LSOAFactory,
    MSOAFactory,
    NeighbourhoodFactory,
    WardFactory,
)

JAN, MAR, JUN = dt.date(2024, 1, 1), dt.date(2024, 3, 1), dt.date(2024, 6, 1)


@pytest.fixture
def area(db) -> dict[str, Any]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    leeds = LocalAuthorityFactory(code="W06000035", name="Leeds")
    bradford = LocalAuthorityFactory(code="W06000032", name="Bradford")
    headingley = WardFactory(code="W05011111", name="Headingley", local_authority=leeds)
    hyde_park = WardFactory(code="W05011112", name="Hyde Park", local_authority=leeds)
    city = WardFactory(code="W05022222", name="City", local_authority=bradford)
    LSOAFactory(code="W01000001", ward=headingley, population=1000)
    LSOAFactory(code="W01000002", ward=hyde_park, population=2000)
    LSOAFactory(code="W01000003", ward=city, population=1500)
    # no ward: its local authority is its MSOA's; its population is not known
    LSOAFactory(
        code="W01000004", ward=None, population=None, msoa=MSOAFactory(local_authority=bradford)
    )
    north = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds District")
    hoods = {
        "a": NeighbourhoodFactory(force=force, bcu=north, code="A", name="Alpha", population=5000),
        "b": NeighbourhoodFactory(force=force, bcu=north, code="B", name="Beta", population=3000),
        "c": NeighbourhoodFactory(force=force, bcu=None, code="C", name="Gamma", population=None),
    }

    def crimes(n: int, hood: str | None, lsoa: str, month: dt.date = MAR, **kw: Any) -> None:
        for _ in range(n):
            CrimeFactory(
                falls_within=force,
                neighbourhood=hoods[hood] if hood else None,
                lsoa_code=lsoa,
                lsoa_name=f"Somewhere {lsoa[-3:]}" if lsoa else "",
                month=month,
                **kw,
            )

    crimes(4, "a", "W01000001")
    crimes(2, "a", "W01000002", category="anti-social-behaviour", persistent_id="")
    crimes(3, "b", "W01000003", month=JAN)
    crimes(1, "c", "W01000004")
    crimes(1, "b", "W01099999")  # an LSOA the boundaries do not hold
    crimes(2, None, "")  # no location
    crimes(5, "a", "W01000001", month=dt.date(2023, 12, 1))  # before the range
    CrimeFactory(neighbourhood=hoods["a"], lsoa_code="W01000001", month=MAR)  # another force
    return {"force": force, "hoods": hoods}


def _by_code(counts: layers.LayerCounts) -> dict[str, tuple[int, int, float | None]]:
    return {a.code: (a.crimes, a.asb, a.per_thousand) for a in counts.areas}


def test_neighbourhoods_count_every_crime_of_the_force_in_the_range(area):
    counts = layers.crime_by_layer(area["force"], layers.Layer.NEIGHBOURHOOD, JAN, JUN)
    assert _by_code(counts) == {"A": (6, 2, 1.2), "B": (4, 0, 4000 / 3000), "C": (1, 0, None)}
    assert counts.unassigned == {layers.NO_NEIGHBOURHOOD: 2}
    assert counts.total == 13  # the 5 of December 2023 and the other force's are not counted
    assert [a.code for a in counts.areas] == ["A", "B", "C"]  # busiest first


def test_command_units_gather_their_neighbourhoods(area):
    counts = layers.crime_by_layer(area["force"], layers.Layer.COMMAND_UNIT, JAN, JUN)
    assert _by_code(counts) == {"leeds": (10, 2, 1.25)}  # 10 crimes, 8,000 residents
    assert counts.unassigned == {
        layers.NO_COMMAND_UNIT: 1,
        layers.NO_NEIGHBOURHOOD: 2,
    }
    assert counts.total == 13


def test_lsoas_wards_and_local_authorities(area):
    force = area["force"]
    lsoa = layers.crime_by_layer(force, layers.Layer.LSOA, JAN, JUN)
    assert _by_code(lsoa) == {
        "W01000001": (4, 0, 4.0),
        "W01000002": (2, 2, 1.0),
        "W01000003": (3, 0, 2.0),
        "W01000004": (1, 0, None),
        "W01099999": (1, 0, None),  # police.uk named it: still an LSOA row
    }
    assert lsoa.unassigned == {layers.NO_LSOA: 2}

    ward = layers.crime_by_layer(force, layers.Layer.WARD, JAN, JUN)
    assert _by_code(ward) == {
        "W05011111": (4, 0, 4.0),
        "W05011112": (2, 2, 1.0),
        "W05022222": (3, 0, 2.0),
    }
    assert ward.unassigned == {layers.NO_LSOA: 2, layers.UNKNOWN_LSOA: 1, layers.NO_WARD: 1}

    authority = layers.crime_by_layer(force, layers.Layer.LOCAL_AUTHORITY, JAN, JUN)
    # Bradford holds an LSOA of unknown population: no rate rather than an inflated one
    assert _by_code(authority) == {"W06000035": (6, 2, 2.0), "W06000032": (4, 0, None)}
    assert {a.name for a in authority.areas} == {"Leeds", "Bradford"}
    for counts in (lsoa, ward, authority):
        assert counts.total == 13


def test_one_category_and_a_narrower_range(area):
    counts = layers.crime_by_layer(
        area["force"], layers.Layer.WARD, MAR, MAR, "anti-social-behaviour"
    )
    assert _by_code(counts) == {"W05011112": (2, 2, 1.0)}
    assert counts.total == 2
    with pytest.raises(ValueError, match="unknown crime category"):
        layers.crime_by_layer(area["force"], layers.Layer.WARD, MAR, MAR, "jaywalking")


def _staff(force, role=StaffRole.PCSO) -> Client:
    user = UserFactory()
    StaffProfileFactory(user=user, role=role, force=force)
    client = Client()
    client.force_login(user)
    return client


def test_staff_page_and_csv(area):
    client = _staff(area["force"])
    page = client.get("/staff/crime/?layer=ward&from=2024-01&to=2024-06").content.decode()
    assert "Headingley" in page and "Hyde Park" in page
    assert "Unassigned: an LSOA with no ward" in page
    assert "<td>1,000</td>" in page  # Headingley's residents, as people read numbers
    assert "13 records of all crime from January 2024 to June 2024" in page

    response = client.get("/staff/crime.csv?layer=local-authority&from=2024-01&to=2024-06")
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "west-yorkshire-crime-by-local-authority-all-crime-2024-01-to-2024-06.csv"
        in (response["Content-Disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["layer", "code", "name", "crimes"]
    assert ["local-authority", "W06000035", "Leeds", "6", "2", "3000", "2.00"] in rows
    assert sum(int(r[3]) for r in rows[1:]) == 13


def test_the_default_range_is_the_twelve_months_to_the_latest(area):
    page = _staff(area["force"]).get("/staff/crime/").content.decode()
    assert "from April 2023 to March 2024" in page
    assert "18 records of all crime" in page  # December 2023's five now inside


def test_bad_parameters_are_named_and_defaults_used(area):
    client = _staff(area["force"])
    page = client.get("/staff/crime/?layer=parish&category=jaywalking&from=soon").content
    text = page.decode()
    assert "&#x27;layer&#x27; must be one of neighbourhood, command-unit" in text
    assert "&#x27;category&#x27; &#x27;jaywalking&#x27; is not a police.uk category" in text
    assert "&#x27;from&#x27; must be a month, YYYY-MM" in text
    assert "Alpha" in text  # neighbourhoods, all crime, the default range


def test_staff_of_another_force_cannot_name_this_one(area):
    other = _staff(ForceFactory())
    assert other.get("/staff/crime/?force=west-yorkshire").status_code == 403
    inspectorate = _staff(None, StaffRole.INSPECTORATE)
    page = inspectorate.get("/staff/crime/?force=west-yorkshire&layer=neighbourhood")
    assert page.status_code == 200 and "Alpha" in page.content.decode()


def test_the_staff_home_links_to_the_counts(area):
    page = _staff(area["force"]).get("/staff/").content.decode()
    assert 'href="/staff/crime/"' in page
