"""The column-at-a-time street reader gives what the row reader gives: the same rows, values,
keys and problems, word for word; and the bulk load leaves the tables as they should be."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from django.db import IntegrityError, connection, transaction

from ourpatch.crime import columnar
from ourpatch.crime.imports import (
    STREET_HEADER,
    Columns,
    CrimeImportReport,
    _decode,
    _FileReader,
    _Importer,
    _sources,
    _z_order,
    import_police_uk,
)
from ourpatch.crime.models import Crime, MapPoint
from ourpatch.geography.locate import UK_BOUNDS
from ourpatch.importing import bulk

FIXTURES = Path(__file__).parent / "fixtures"
STREET = FIXTURES / "2017-01-city-of-london-street.csv"
TODAY = dt.date(2026, 11, 26)
HEADER = ",".join(STREET_HEADER)
WY = "West Yorkshire Police"
NAME = "2024-01-west-yorkshire-street.csv"


def row(
    crime_id: str = "a" * 64,
    month: str = "2024-01",
    lng: str = "-1.550000",
    lat: str = "53.800000",
    location: str = "On or near Park Row",
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
    force: str = WY,
    context: str = "",
) -> str:
    return (
        f"{crime_id},{month},{force},{force},{lng},{lat},{location},E01011365,Leeds 111B,"
        f"{crime_type},{outcome},{context}"
    )


def asb(**kwargs: str) -> str:
    return row(crime_id="", crime_type="Anti-social behaviour", outcome="", **kwargs)


def read_both(
    path: Path, quarantine: bool = False
) -> tuple[Columns | None, CrimeImportReport, Columns, CrimeImportReport]:
    """The file read a column at a time (None: it went to the row reader) and row by row."""
    [source] = list(_sources([path]))
    assert not isinstance(source, Exception)
    data = source.read()
    text = _decode(data, source.label)
    fast = CrimeImportReport("police.uk crime", source.label, False)
    columns = _Importer(TODAY).columnar(data, text, _FileReader(source, fast, quarantine, TODAY))
    slow = CrimeImportReport("police.uk crime", source.label, False)
    _, rows = _FileReader(source, slow, quarantine, TODAY).rows(text)
    return columns, fast, Columns.of_rows(rows, slow.read), slow


def assert_same(path: Path, quarantine: bool = False) -> Columns:
    fast_columns, fast, slow_columns, slow = read_both(path, quarantine)
    assert fast_columns is not None, "the file should be read a column at a time"
    assert fast.problems == slow.problems
    assert fast.quarantined == slow.quarantined
    assert fast.rejected_by_reason == slow.rejected_by_reason
    assert fast_columns.read == slow_columns.read
    for name in (
        "key",
        "month",
        "reported_by",
        "falls_within",
        "location",
        "lsoa_code",
        "lsoa_name",
        "fields",
    ):
        assert getattr(fast_columns, name) == getattr(slow_columns, name), name
    for name in ("lat", "lng"):
        np.testing.assert_array_equal(getattr(fast_columns, name), getattr(slow_columns, name))
    return fast_columns


def write(tmp_path: Path, rows: list[str], name: str = NAME, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_whitespace_is_pythons():
    every = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert sorted(columnar.PY_WHITESPACE) == sorted(every)


def test_plain_numbers_convert_as_python_does():
    rng = random.Random(5)
    texts = [f"{rng.uniform(-180, 180):.{rng.randint(0, 15)}f}".rstrip(".") for _ in range(20_000)]
    texts += ["53.1234565", "-1.0000005", "0.0000005", "-0", "0"]
    converted = columnar._floats(pa.array(texts))
    assert converted.tolist() == [float(t) for t in texts]
    rounded = columnar._python_round6(converted)
    assert rounded.tolist() == [round(float(t), 6) for t in texts]


@pytest.mark.django_db
def test_a_real_file_reads_the_same():
    columns = assert_same(STREET)
    assert len(columns) == columns.read == 483


@pytest.mark.django_db
def test_spacing_no_location_and_unnamed_points(tmp_path):
    rows = [
        row(" " + "b" * 64 + " ", month=" 2024-01", location="On or near Park Row\xa0"),
        row("c" * 64, force=f"  {WY}\u3000", lat=" 53.8", lng="-1.55 "),
        row("d" * 64, location="NO LOCATION", lat="", lng=""),
        row("e" * 64, location="no location"),
        row("f" * 64, location=""),
        row("1" * 64, lat="+53.81", lng="-1.5500004999"),
        asb(),
        asb(),
        asb(context="Loud music"),
        asb(context='"quoted, with a comma\nand a new line"'),
        ",,,,,,,,,,,",
        " , , , ,\t, , , , , , , ",
    ]
    columns = assert_same(write(tmp_path, rows))
    assert columns.read == 10
    assert len(set(columns.key)) == 10


BAD = {
    "outside the UK": row(lat="48.8566", lng="2.3522"),
    "swapped": row(lat="-1.55", lng="53.8"),
    "not numbers": row(lat="north"),
    "one coordinate": row(lat=""),
    "month mismatch": row(month="2023-12"),
    "bad month": row(month="January"),
    "future": row(month="2027-01"),
    "unknown category": row(crime_type="Jaywalking"),
    "long id": row(crime_id="9" * 65),
    "long location": row(location="x" * 201),
    "long outcome": row(outcome="y" * 101),
    "no force": row(force=""),
}


@pytest.mark.django_db
@pytest.mark.parametrize("quarantine", [False, True])
def test_bad_rows_are_worded_by_the_row_reader(tmp_path, quarantine):
    rows = [row("0" * 64)]
    for i, bad in enumerate(BAD.values()):
        rows.append(bad.replace("a" * 64, f"{i + 10:064d}", 1))
    rows += [row("5" * 64), row("5" * 64), row("5" * 64, month="x"), row("5" * 64)]
    assert_same(write(tmp_path, rows), quarantine=quarantine)


@pytest.mark.django_db
def test_only_the_required_columns(tmp_path):
    header = "Month,Falls within,Longitude,Latitude,Location,Crime type"
    rows = [
        f"2024-01,{WY},-1.55,53.8,On or near Park Row,Burglary",
        f"2024-01,{WY},-1.55,53.8,On or near Park Row,Burglary",
    ]
    columns = assert_same(write(tmp_path, rows, header=header))
    assert len(set(columns.key)) == 2 and columns.fields["persistent_id"] == ["", ""]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        f"\n{HEADER}\n{row()}\n",  # a blank line before the header
        f"{HEADER}\n{row()},extra\n",  # a row too long
        f"{HEADER}\n{row()}\n   \n",  # a line of spaces
        "Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context\n"
        f"2024-01,{WY},{WY},430000,433500,On or near Park Row,Burglary,\n",
    ],
)
def test_files_pyarrow_does_not_read_cleanly_go_to_the_row_reader(tmp_path, text):
    path = tmp_path / NAME
    path.write_text(text, encoding="utf-8")
    fast_columns, *_ = read_both(path)
    assert fast_columns is None
    [report] = import_police_uk([path], commit=True, today=TODAY)
    assert report.read in (1, 2)  # the row reader read it


@pytest.mark.django_db
def test_a_bulk_load_rebuilds_the_indexes_and_a_second_reads_what_is_there(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "REBUILD_AT_LEAST", 1)
    before = _index_names()
    first = write(tmp_path, [row(f"{i:064x}", lat=f"53.{i:06d}") for i in range(1, 40)])
    [report] = import_police_uk([first], commit=True, today=TODAY)
    assert report.created == 39 and report.map_points_created == 39, report.as_text()
    assert _index_names() == before
    # a smaller load into a bigger table keeps its indexes; and finds the rows already there
    again = write(
        tmp_path,
        [row(f"{i:064x}", lat=f"53.{i:06d}") for i in range(1, 3)]
        + [row(f"{100:064x}", outcome="Suspect charged")],
    )
    [report] = import_police_uk([again], commit=True, today=TODAY)
    assert (report.created, report.unchanged, report.map_points_created) == (1, 2, 1)
    assert Crime.objects.count() == 40 and MapPoint.objects.count() == 40
    assert _index_names() == before


@pytest.mark.django_db
def test_a_row_another_import_added_is_refused_not_duplicated():
    [report] = import_police_uk([STREET], commit=True, today=TODAY)
    crime = Crime.objects.first()
    assert crime is not None
    columns = ["key", "month", "falls_within_id", "category", "crime_type", "imported_at"]
    values = [crime.key, crime.month, crime.falls_within_id, "burglary", "Burglary"]
    values.append(crime.imported_at)
    values = [bulk.db_value(Crime, name, v) for name, v in zip(columns, values, strict=True)]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Crime, columns, [values], count=1)
    assert Crime.objects.count() == report.created


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Crime._meta.db_table)
    return {name for name, about in found.items() if about["index"]}


def test_no_location_any_case():
    location = pa.array(["No Location", "NO LOCATION", "no location", "No Locations", ""])
    assert columnar._no_location_blank(location).to_pylist() == [
        "",
        "",
        "",
        "No Locations",
        "",
    ]
    assert math.isnan(columnar._floats(pa.array([None], pa.string()))[0])


@pytest.mark.django_db
def test_crimes_are_stored_street_by_street_along_a_curve(tmp_path):
    """A square mile's crimes lie together in the table: each street's in a run, and the
    streets numbered along a Z-order curve, so that near streets have near numbers."""
    rows = [
        row(f"{i:064x}", lat=f"{53.80 + (i % 7) * 0.01:.6f}", lng=f"{-1.55 - (i % 5) * 0.01:.6f}")
        for i in range(1, 60)
    ]
    [report] = import_police_uk([write(tmp_path, rows)], commit=True, today=TODAY)
    assert report.ok, report.as_text()
    points = list(Crime.objects.order_by("id").values_list("map_point_id", flat=True))
    assert points == sorted(points)
    curve = _z_order(
        *np.array(MapPoint.objects.order_by("id").values_list("latitude", "longitude")).T
    )
    assert list(curve) == sorted(curve)
    west, south, east, north = UK_BOUNDS
    corners = _z_order(np.array([south, north]), np.array([west, east]))
    assert corners.tolist() == [0, 2**32 - 1]
