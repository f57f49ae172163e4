"""A force's incident export: restricted, audited, snapped to map points; and the staff page
that lists a neighbourhood's incidents to those allowed to read them.

Who may open the page is in accounts/tests/test_permission_matrix.py: the force's
administrator and analysts (``Action.READ_INCIDENTS``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.test import Client
from pyproj import Transformer
from shapely.geometry import box

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.audit.personal import UnauditedRead
from ourpatch.cli import main
from ourpatch.crime.factories import IncidentFactory, MapPointFactory
from ourpatch.crime.incidents import SNAP_METRES, import_incidents, snap
from ourpatch.crime.models import Incident
from ourpatch.geography.factories import (
    ForceFactory,
    LSOAFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
)

NOW = dt.datetime(2024, 12, 1, 12, 0, tzinfo=dt.UTC)
HEADER = "force,incident_id,occurred_at,category,latitude,longitude,easting,northing"
TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@pytest.fixture
def place(db):
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    area = NeighbourhoodFactory(force=force, code="LS1", valid_from=dt.date(2000, 1, 1))
    NeighbourhoodBoundaryFactory(
        neighbourhood=area, boundary=box(-1.56, 53.79, -1.54, 53.81), valid_from=dt.date(2000, 1, 1)
    )
    LSOAFactory(code="E01011365", boundary=box(-1.56, 53.79, -1.55, 53.81))
    LSOAFactory(code="E01011366", boundary=box(-1.55, 53.79, -1.54, 53.81))
    near = MapPointFactory(name="On or near Park Row", latitude=53.8, longitude=-1.552)
    MapPointFactory(name="On or near Far Away", latitude=54.2, longitude=-1.552)
    return area, near


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(path: Path, commit: bool = True, **kwargs):
    return import_incidents(path, commit=commit, max_bytes=kwargs.pop("max_bytes", 10**7), now=NOW)


def grid(lat: float, lng: float) -> tuple[str, str]:
    easting, northing = TO_GRID.transform(lng, lat)
    return f"{easting:.1f}", f"{northing:.1f}"


def test_dry_run_then_commit_then_again_then_a_change(place, tmp_path):
    area, near = place
    east, north = grid(53.8003, -1.5483)
    rows = [
        "west-yorkshire,INC1,2024-06-03T21:15:00+01:00,burglary,53.8004,-1.5523,,",
        f"west-yorkshire,INC2,2024-06-04T08:00:00Z,Violence and sexual offences,,,{east},{north}",
        "west-yorkshire,INC3,2024-06-05T08:00:00Z,Vehicle crime,53.9,-1.7,,",
    ]
    path = write(tmp_path, rows)
    dry = run(path, commit=False)
    assert dry.ok and not dry.committed, dry.as_text()
    assert (dry.read, dry.created, dry.unsnapped) == (3, 3, 1)
    assert Incident.objects.count() == 0
    assert not AuditEntry.objects.filter(record_type="crime.incident").exists()

    first = run(path)
    assert first.ok and first.committed and first.created == 3, first.as_text()
    assert "no map point within 1,000 m (never published) 1" in first.as_text()
    one, two, three = Incident.objects.order_by("incident_id").read_by(
        UserFactory(), "test: check the import"
    )
    assert (one.category, one.map_point_id, one.neighbourhood_id) == ("burglary", near.pk, area.pk)
    assert one.lsoa_code == "E01011365" and one.month == dt.date(2024, 6, 1)
    assert (one.latitude, one.longitude) == (53.8004, -1.5523)
    assert two.category == "violent-crime" and two.map_point_id == near.pk
    assert two.lsoa_code == "E01011366" and abs(two.latitude - 53.8003) < 1e-5
    assert three.map_point_id is None and three.neighbourhood_id is None and three.lsoa_code == ""
    created = AuditEntry.objects.filter(record_type="crime.incident", action=AuditAction.CREATE)
    assert created.count() == 3 and {e.actor_name for e in created} == {"ourpatch (system)"}

    again = run(path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    rows[0] = rows[0].replace("burglary", "robbery")
    changed = run(write(tmp_path, rows))
    assert (changed.created, changed.changed, changed.unchanged) == (0, 1, 2)
    assert Incident.objects.filter(category="robbery").count() == 1


@pytest.mark.parametrize(
    ("occurred_at", "month"),
    [
        ("2024-03-31T00:30:00+00:00", dt.date(2024, 3, 1)),  # 00:30 GMT, 31 March
        ("2024-03-31T23:30:00Z", dt.date(2024, 4, 1)),  # 00:30 BST, 1 April
        ("2024-04-01T00:30:00+01:00", dt.date(2024, 4, 1)),
        ("2024-10-31T23:30:00Z", dt.date(2024, 10, 1)),  # 23:30 GMT, after the clocks went back
        ("2024-09-30T23:30:00Z", dt.date(2024, 10, 1)),  # 00:30 BST, 1 October
    ],
)
def test_the_month_is_london_time_across_summer_time(place, tmp_path, occurred_at, month):
    run(write(tmp_path, [f"west-yorkshire,INC9,{occurred_at},burglary,53.8,-1.55,,"]))
    assert Incident.objects.values_list("month", flat=True).get() == month


BAD_ROWS = {
    "no offset": ("2024-06-03T21:15:00,burglary,53.8,-1.55,,", "occurred_at", "no UTC offset"),
    "not a time": ("yesterday,burglary,53.8,-1.55,,", "occurred_at", "not an ISO 8601"),
    "future": ("2025-01-01T00:00:00Z,burglary,53.8,-1.55,,", "occurred_at", "in the future"),
    "category": ("2024-06-03T21:15:00Z,jaywalking,53.8,-1.55,,", "category", "not a police.uk"),
    "all crime": ("2024-06-03T21:15:00Z,all-crime,53.8,-1.55,,", "category", "not a police.uk"),
    "outside": ("2024-06-03T21:15:00Z,burglary,48.85,2.35,,", "latitude/longitude", "outside"),
    "swapped": ("2024-06-03T21:15:00Z,burglary,-1.55,53.8,,", "latitude/longitude", "swapped"),
    "not numbers": ("2024-06-03T21:15:00Z,burglary,north,-1.55,,", "latitude/longitude", "not"),
    "off the grid": ("2024-06-03T21:15:00Z,burglary,,,-5,900000", "easting/northing", "not on"),
    "nowhere": ("2024-06-03T21:15:00Z,burglary,,,,", "latitude/longitude", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_refuses_the_file_naming_line_and_field(place, tmp_path, case):
    rest, column, expected = BAD_ROWS[case]
    rows = [
        "west-yorkshire,INC1,2024-06-03T21:15:00Z,burglary,53.8,-1.55,,",
        f"west-yorkshire,INC2,{rest}",
    ]
    report = run(write(tmp_path, rows))
    assert not report.ok and report.rejected == 1, report.as_text()
    assert f"incidents.csv line 3, {column}:" in report.problems[0]
    assert expected in report.problems[0]
    assert Incident.objects.count() == 0


def test_more_bad_rows(place, tmp_path):
    rows = [
        "west-yorkshire,INC1,2024-06-03T21:15:00Z,burglary,53.8,-1.55,,",
        "west-yorkshire,INC1,2024-06-04T21:15:00Z,burglary,53.8,-1.55,,",
        "atlantis,INC2,2024-06-04T21:15:00Z,burglary,53.8,-1.55,,",
        "west-yorkshire,,2024-06-04T21:15:00Z,burglary,53.8,-1.55,,",
        "west-yorkshire,INC3,2024-06-04T21:15:00Z,burglary,53.8,-1.55,,,extra",
    ]
    report = run(write(tmp_path, rows))
    assert report.problems == [
        "incidents.csv line 3, incident_id: 'INC1' of west-yorkshire again (first on line 2)",
        "incidents.csv line 4, force: 'atlantis' is not a force ourpatch knows (its police.uk id)",
        "incidents.csv line 5, incident_id: empty",
        "incidents.csv line 6, the row: 9 fields, the header has 8 (an unquoted comma in a field?)",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"force,incident_id,occurred_at\n", "missing column(s): category, latitude and"),
        (HEADER.encode() + b",colour\n", "unexpected column(s) 'colour'"),
        (b"", "the file is empty"),
        (
            HEADER.encode() + b"\nwest-yorkshire,Caf\xe9,x,y,1,2,,\n",
            "line 2: not UTF-8 (byte 0xE9)",
        ),
        (b"\xef\xbb\xbf" + HEADER.upper().encode() + b"\r\n", ""),  # a BOM, CRLF, capitals: fine
    ],
)
def test_bad_files(place, tmp_path, content, expected):
    path = tmp_path / "incidents.csv"
    path.write_bytes(content)
    report = run(path)
    if expected:
        assert not report.ok and expected in report.problems[0], report.problems
    else:
        assert report.ok and report.read == 0, report.as_text()


def test_too_big_is_refused_before_reading(place, tmp_path):
    report = run(write(tmp_path, []), max_bytes=10)
    assert not report.ok and "the limit is 10" in report.problems[0]


def test_snapping_takes_the_nearest_point_within_a_kilometre(db):
    north = MapPointFactory(latitude=53.8, longitude=-1.55)
    MapPointFactory(latitude=53.81, longitude=-1.55)  # about 1.1 km further north
    east, northing = TO_GRID.transform(-1.55, 53.8)
    offsets = np.array([0.0, 700.0, SNAP_METRES - 1, SNAP_METRES + 1200])
    found = snap(np.full(4, east) - offsets, np.full(4, northing))
    assert found[:3] == [north.pk] * 3 and found[3] is None


def test_the_cli_imports(place, tmp_path, capsys):
    path = write(tmp_path, ["west-yorkshire,INC1,2024-06-03T21:15:00Z,burglary,53.8,-1.55,,"])
    assert main(["import", "incidents", str(path), "--commit"]) == 0
    assert "created 1" in capsys.readouterr().out
    assert Incident.objects.count() == 1


# --- the staff page ----------------------------------------------------------------------


def login(role: str, force_id: str) -> Client:
    user = UserFactory()
    profile = StaffProfileFactory(user=user, role=role, force=ForceFactory(id=force_id))
    if role in (StaffRole.CONSTABLE, StaffRole.SERGEANT):
        profile.neighbourhoods.set(profile.force.neighbourhoods.all())
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_exact_locations_and_audits_each_incident(place):
    area, near = place
    june = dt.date(2024, 6, 1)
    shown = [
        IncidentFactory(force=area.force, neighbourhood=area, map_point=near, month=june)
        for _ in range(3)
    ]
    IncidentFactory(force=area.force, neighbourhood=area, map_point=None, month=dt.date(2024, 5, 1))
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/incidents/"
    client = login(StaffRole.ANALYST, area.force_id)
    page = client.get(url).content.decode()
    assert "3 incidents in June 2024" in page
    for incident in shown:
        assert incident.incident_id in page and f"{incident.latitude:.6f}" in page
    assert "On or near Park Row" in page
    reads = AuditEntry.objects.filter(action=AuditAction.READ, record_type="crime.incident")
    assert sorted(int(e.record_id) for e in reads) == sorted(i.pk for i in shown)
    may = client.get(url, {"month": "2024-05"}).content.decode()
    assert "1 incident in May 2024" in may and "not published" in may
    assert "must be a month" in client.get(url, {"month": "May"}).content.decode()


@pytest.mark.parametrize(
    ("role", "force", "status"),
    [
        (StaffRole.FORCE_ADMIN, "west-yorkshire", 200),
        (StaffRole.ANALYST, "another-force", 403),
        (StaffRole.CONSTABLE, "west-yorkshire", 403),
        (StaffRole.INSPECTORATE, "west-yorkshire", 403),
    ],
)
def test_only_the_forces_readers_of_incidents(place, role, force, status):
    area, _ = place
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/incidents/"
    assert login(role, force).get(url).status_code == status
    assert Client().get(url).status_code == 302


def test_incidents_cannot_be_read_unaudited(place):
    IncidentFactory()
    with pytest.raises(UnauditedRead):
        list(Incident.objects.all())
