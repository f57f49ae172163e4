"""Importing police.uk bulk files: real samples, idempotence, neighbourhoods, bad input."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from shapely.geometry import box

from ourpatch.crime.categories import category_slug, outcome_code
from ourpatch.crime.imports import STREET_HEADER, force_id_from_name, import_police_uk
from ourpatch.crime.models import Crime, MapPoint, Outcome, StopAndSearch
from ourpatch.geography.factories import (
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
)
from ourpatch.geography.models import Force

FIXTURES = Path(__file__).parent / "fixtures"
STREET = FIXTURES / "2017-01-city-of-london-street.csv"
OUTCOMES = FIXTURES / "2015-01-city-of-london-outcomes.csv"
STOPS = FIXTURES / "2026-02-city-of-london-stop-and-search.csv"
TODAY = dt.date(2026, 11, 26)
HEADER = ",".join(STREET_HEADER)
WY = "West Yorkshire Police"


def run(*paths: Path, commit: bool = True, quarantine: bool = False):
    return import_police_uk(paths, commit=commit, quarantine=quarantine, today=TODAY)


def street_file(tmp_path: Path, rows: list[str], name: str = "2024-01-west-yorkshire-street.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def crime_row(
    crime_id: str = "a" * 64,
    month: str = "2024-01",
    lng: str = "-1.550000",
    lat: str = "53.800000",
    location: str = "On or near Park Row",
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
) -> str:
    return (
        f"{crime_id},{month},{WY},{WY},{lng},{lat},{location},E01011365,Leeds 111B,"
        f"{crime_type},{outcome},"
    )


def test_categories_and_outcome_variants():
    assert category_slug("Violence and sexual offences") == "violent-crime"
    assert category_slug("Anti-social behaviour") == "anti-social-behaviour"
    assert category_slug("Criminal damage and arson") == "criminal-damage-arson"
    assert category_slug("Not a crime") is None
    assert outcome_code("Offender given penalty notice") == "penalty-notice-issued"
    assert outcome_code("Offender given a penalty notice") == "penalty-notice-issued"
    assert outcome_code("Investigation complete; no suspect identified") == "no-further-action"
    assert outcome_code("offender given  a CAUTION") == "cautioned"


def test_force_ids_from_names():
    assert force_id_from_name("City of London Police") == "city-of-london"
    assert force_id_from_name("West Yorkshire Police") == "west-yorkshire"
    assert force_id_from_name("Avon and Somerset Constabulary") == "avon-and-somerset"
    assert force_id_from_name("Devon & Cornwall Police") == "devon-and-cornwall"
    assert force_id_from_name("Metropolitan Police Service") == "metropolitan"


@pytest.mark.django_db
def test_real_street_file_dry_run_then_commit_then_again():
    dry = run(STREET, commit=False)[0]
    assert dry.ok and not dry.committed
    assert (dry.read, dry.created, dry.without_location) == (483, 483, 14)
    assert Crime.objects.count() == 0 and MapPoint.objects.count() == 0
    assert not Force.objects.filter(pk="city-of-london").exists()

    first = run(STREET)[0]
    assert first.ok and first.committed, first.as_text()
    assert (first.read, first.created, first.unchanged) == (483, 483, 0)
    assert Force.objects.get(pk="city-of-london").name == "City of London Police"
    assert Crime.objects.count() == 483
    assert Crime.objects.filter(map_point__isnull=True).count() == 14
    points = MapPoint.objects.count()
    assert points == first.map_points_created > 0

    again = run(STREET)[0]
    assert (again.created, again.changed, again.unchanged) == (0, 0, 483)
    assert Crime.objects.count() == 483 and MapPoint.objects.count() == points

    crime = Crime.objects.select_related("map_point").get(
        persistent_id="356f6e3b1e3585e37630f2c954e85b55b949d862a46472170b9ddba928e7df15"
    )
    assert crime.category == "burglary" and crime.last_outcome == "community-penalty"
    assert crime.map_point is not None and crime.map_point.name == "On or near Pedestrian Subway"
    assert (crime.map_point.latitude, crime.map_point.longitude) == (51.518226, -0.111497)
    assert crime.lsoa_code == "E01000914" and crime.month == dt.date(2017, 1, 1)
    text = again.as_text()
    assert "without location 14" in text and "rows/s" in text


@pytest.mark.django_db
def test_real_outcomes_and_stops_files():
    outcomes, stops = run(OUTCOMES, STOPS)
    assert outcomes.ok and outcomes.created == 15, outcomes.as_text()
    assert stops.ok and stops.created == 20, stops.as_text()
    assert Outcome.objects.filter(outcome="charged").count() == 5
    assert StopAndSearch.objects.filter(map_point__isnull=True).count() == 3
    assert {s.falls_within_id for s in StopAndSearch.objects.all()} == {"city-of-london"}
    assert [r.unchanged for r in run(OUTCOMES, STOPS)] == [15, 20]


@pytest.mark.django_db
def test_asb_identical_rows_are_two_incidents_and_stay_two(tmp_path):
    asb = crime_row(crime_id="", crime_type="Anti-social behaviour", outcome="")
    path = street_file(tmp_path, [asb, asb, crime_row()])
    report = run(path)[0]
    assert report.created == 3, report.as_text()
    assert Crime.objects.filter(category="anti-social-behaviour", persistent_id="").count() == 2
    assert run(path)[0].unchanged == 3
    assert Crime.objects.count() == 3


@pytest.mark.django_db
def test_changed_outcome_updates_the_crime(tmp_path):
    run(street_file(tmp_path, [crime_row()]))
    report = run(street_file(tmp_path, [crime_row(outcome="Suspect charged")]))[0]
    assert (report.created, report.changed) == (0, 1)
    assert Crime.objects.get().last_outcome == "charged"


@pytest.mark.django_db
def test_each_record_goes_to_the_boundary_valid_in_its_month(tmp_path):
    force = ForceFactory(id="west-yorkshire", name=WY)
    old = NeighbourhoodFactory(force=force, code="OLD", valid_from=dt.date(2000, 1, 1))
    new = NeighbourhoodFactory(force=force, code="NEW", valid_from=dt.date(2000, 1, 1))
    shape = box(-1.56, 53.79, -1.54, 53.81)
    NeighbourhoodBoundaryFactory(
        neighbourhood=old,
        boundary=shape,
        valid_from=dt.date(2000, 1, 1),
        valid_to=dt.date(2024, 1, 1),
    )
    NeighbourhoodBoundaryFactory(neighbourhood=new, boundary=shape, valid_from=dt.date(2024, 1, 1))
    run(street_file(tmp_path, [crime_row(month="2023-12")], "2023-12-west-yorkshire-street.csv"))
    run(street_file(tmp_path, [crime_row("b" * 64), crime_row("c" * 64, lat="54.5")]))
    assert Crime.objects.get(persistent_id="a" * 64).neighbourhood == old
    assert Crime.objects.get(persistent_id="b" * 64).neighbourhood == new
    outside = Crime.objects.get(persistent_id="c" * 64)
    assert outside.neighbourhood is None and outside.map_point is not None


@pytest.mark.django_db
def test_month_folder_and_archive_zip(tmp_path):
    folder = tmp_path / "2017-01"
    folder.mkdir()
    shutil.copy(STREET, folder / STREET.name)
    assert run(folder, commit=False)[0].created == 483
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(STREET, f"2017-01/{STREET.name}")
        zipped.write(OUTCOMES, f"2015-01/{OUTCOMES.name}")
    reports = run(archive)
    assert [r.created for r in reports] == [15, 483]
    assert reports[1].source.endswith("!2017-01/2017-01-city-of-london-street.csv")


@pytest.mark.django_db
def test_truncated_zip_is_a_clear_message(tmp_path):
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(STREET, f"2017-01/{STREET.name}")
    archive.write_bytes(archive.read_bytes()[:2000])
    [report] = run(archive)
    assert not report.ok
    assert "police.zip" in report.problems[0] and "truncated" in report.problems[0]
    assert Crime.objects.count() == 0


@pytest.mark.django_db
def test_pre_2013_easting_northing_form(tmp_path):
    path = tmp_path / "2011-01-west-yorkshire-street.csv"
    path.write_text(
        "Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context\n"
        f"2011-01,{WY},{WY},430000,433500,On or near Park Row,Violent crime,\n",
        encoding="utf-8",
    )
    report = run(path)[0]
    assert report.created == 1, report.as_text()
    crime = Crime.objects.select_related("map_point").get()
    assert crime.category == "violent-crime" and crime.map_point is not None
    assert 53.7 < crime.map_point.latitude < 53.9 and -1.6 < crime.map_point.longitude < -1.4


@pytest.mark.django_db
def test_tolerated_forms_bom_crlf_quoted_commas_blank_lines(tmp_path):
    path = tmp_path / "2024-01-west-yorkshire-street.csv"
    rows = [HEADER, crime_row(location='"On or near Park Row, Leeds"'), "", crime_row("b" * 64)]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n\r\n")
    report = run(path)[0]
    assert report.ok and report.created == 2, report.as_text()
    assert MapPoint.objects.filter(name="On or near Park Row, Leeds").exists()


BAD_CASES = {
    "wrong header": ("Foo,Bar\n1,2\n", "line 1: not a police.uk"),
    "missing column": (HEADER.replace(",Location", "") + "\n", "missing column(s): Location"),
    "extra column": (HEADER + ",Extra\n", "unexpected column(s) 'Extra'"),
    "empty": ("", "the file is empty"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_files_are_refused_with_a_message(tmp_path, case):
    text, expected = BAD_CASES[case]
    path = tmp_path / "2024-01-west-yorkshire-street.csv"
    path.write_text(text, encoding="utf-8")
    [report] = run(path)
    assert not report.ok
    assert "2024-01-west-yorkshire-street.csv" in report.problems[0]
    assert expected in report.problems[0], report.problems
    assert Crime.objects.count() == 0


@pytest.mark.django_db
def test_not_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "2024-01-west-yorkshire-street.csv"
    path.write_bytes((HEADER + "\n" + crime_row() + "\n").encode() + b"On or near Caf\xe9\n")
    [report] = run(path)
    assert not report.ok and "line 3: not UTF-8 (byte 0xE9" in report.problems[0]


BAD_ROWS = {
    "outside the UK": (crime_row(lat="48.8566", lng="2.3522"), "Latitude/Longitude", "outside"),
    "swapped": (crime_row(lat="-1.55", lng="53.8"), "Latitude/Longitude", "swapped"),
    "not numbers": (crime_row(lat="north"), "Latitude/Longitude", "not numbers"),
    "month mismatch": (crime_row(month="2023-12"), "Month", "does not match"),
    "bad month": (crime_row(month="January"), "Month", "not a month"),
    "unknown category": (crime_row(crime_type="Jaywalking"), "Crime type", "not a category"),
    "too many fields": (crime_row() + ",extra", "the row", "13 fields"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_refuses_the_file_naming_line_and_field(tmp_path, case):
    row, column, expected = BAD_ROWS[case]
    path = street_file(tmp_path, [crime_row("b" * 64), row])
    [report] = run(path)
    assert not report.ok and report.rejected == 1, report.as_text()
    problem = report.problems[0]
    assert f"2024-01-west-yorkshire-street.csv line 3, {column}:" in problem, problem
    assert expected in problem
    assert Crime.objects.count() == 0 and MapPoint.objects.count() == 0
    assert "REJECTED" in report.as_text()


@pytest.mark.django_db
def test_future_month_and_duplicate_crime_id(tmp_path):
    future = street_file(
        tmp_path, [crime_row(month="2027-03")], name="2027-03-west-yorkshire-street.csv"
    )
    assert "is in the future" in run(future)[0].problems[0]
    duplicate = street_file(tmp_path, [crime_row(), crime_row()])
    [report] = run(duplicate)
    assert "line 3, Crime ID" in report.problems[0] and "first on line 2" in report.problems[0]
    assert Crime.objects.count() == 0


@pytest.mark.django_db
def test_quarantine_imports_the_good_rows_and_lists_the_bad(tmp_path):
    path = street_file(tmp_path, [crime_row(), crime_row("b" * 64, lat="48.0", lng="2.0")])
    [report] = run(path, quarantine=True)
    assert report.ok and report.committed
    assert (report.created, report.rejected) == (1, 1)
    assert "line 3, Latitude/Longitude" in report.quarantined[0]
    assert "quarantined 1 bad row(s)" in report.as_text()
    assert list(Crime.objects.values_list("persistent_id", flat=True)) == ["a" * 64]


@pytest.mark.django_db
def test_stop_and_search_needs_its_force_in_the_file_name(tmp_path):
    path = tmp_path / "stops.csv"
    shutil.copy(STOPS, path)
    [report] = run(path)
    assert not report.ok and "names its force only in its file name" in report.problems[0]


@pytest.mark.django_db
def test_missing_path(tmp_path):
    [report] = run(tmp_path / "nope.csv")
    assert not report.ok and "no such file or folder" in report.problems[0]


@pytest.mark.django_db
def test_a_btp_file_places_rows_in_the_forces_they_fall_within(tmp_path):
    btp, met = "British Transport Police", "Metropolitan Police Service"
    path = tmp_path / "2024-01-btp-street.csv"
    path.write_text(
        f"{HEADER}\n{'d' * 64},2024-01,{btp},{met},-0.1246,51.5007,Westminster,,,Robbery,,\n",
        encoding="utf-8",
    )
    report = run(path)[0]
    assert report.forces_created == [f"metropolitan ({met})"], report.as_text()
    crime = Crime.objects.get()
    assert crime.falls_within_id == "metropolitan" and crime.reported_by == btp
    assert crime.location_type == "BTP"
