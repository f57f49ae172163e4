"""Boundary (KML, GeoJSON) and postcode (ONSPD CSV) imports, and ``ourpatch import``."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
from django.db import IntegrityError
from shapely.geometry import Point, box

from ourpatch.cli import main
from ourpatch.geography import imports
from ourpatch.geography.factories import (
    ForceFactory,
    LSOAFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
)
from ourpatch.geography.imports import import_boundaries, import_postcodes
from ourpatch.geography.models import Neighbourhood, NeighbourhoodBoundary, Postcode

FIXTURES = Path(__file__).parent / "fixtures"
KML = FIXTURES / "kml"
GEOJSON = FIXTURES / "boundaries.geojson"
ONSPD = FIXTURES / "onspd.csv"
JAN = dt.date(2025, 1, 1)
JUNE = dt.date(2025, 6, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def force():
    return ForceFactory(id="west-yorkshire", name="West Yorkshire Police")


def _state() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Everything the imports can write, to show that a refused or dry run changed nothing."""
    return (
        list(Neighbourhood.objects.order_by("pk").values_list()),
        list(NeighbourhoodBoundary.objects.order_by("pk").values_list()),
        list(Postcode.objects.order_by("pk").values_list()),
    )


def _kml(polygon_coordinates: str, name: str = "") -> str:
    named = f"<name>{name}</name>" if name else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        f"{named}<Polygon><outerBoundaryIs><LinearRing><coordinates>{polygon_coordinates}"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"
    )


# --- boundaries ---------------------------------------------------------------------------


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(force) -> None:
    report = import_boundaries(KML, force.pk, commit=False, today=JAN)
    assert report.ok and not report.committed
    assert (report.read, report.created, report.changed, report.repaired) == (3, 3, 0, 1)
    assert Neighbourhood.objects.count() == 0
    assert NeighbourhoodBoundary.objects.count() == 0
    text = report.as_text()
    assert "dry run" in text and "would create 3" in text and "--commit" in text


def test_commit_creates_neighbourhoods_with_their_boundaries(force) -> None:
    report = import_boundaries(KML, force.pk, commit=True, today=JAN)
    assert report.ok and report.committed
    assert (report.created, report.changed, report.unchanged) == (3, 0, 0)
    hoods = {n.code: n for n in Neighbourhood.objects.filter(force=force)}
    assert sorted(hoods) == ["NH1", "NH2", "NH3"]
    assert hoods["NH1"].name == "City Centre"
    assert hoods["NH2"].name == "NH2"  # the file names it not: named after its id
    assert hoods["NH3"].name == "Outer Villages"  # whitespace collapsed
    assert all(n.valid_from == JAN for n in hoods.values())

    nh3 = hoods["NH3"].boundary_on(JAN)
    assert nh3 is not None and nh3.boundary.geom_type == "MultiPolygon"
    assert nh3.valid_from == JAN and nh3.valid_to is None
    assert nh3.boundary.contains(Point(-1.43, 53.80))  # the second polygon
    assert not nh3.boundary.contains(Point(-1.47, 53.80))  # the hole
    for version in NeighbourhoodBoundary.objects.all():
        centre = Point(version.centre_longitude, version.centre_latitude)
        assert version.boundary.buffer(1e-6).contains(centre)
    assert "Imported." in report.as_text()


def test_a_self_intersecting_boundary_is_repaired_and_reported_by_id(force) -> None:
    report = import_boundaries(KML, force.pk, commit=True, today=JAN)
    assert report.repaired == 1
    [note] = [m for m in report.messages if "repaired" in m]
    assert note.startswith("NH2 (NH2.kml)") and "Self-intersection" in note
    bow_tie = Neighbourhood.objects.get(code="NH2").boundary_on(JAN)
    assert bow_tie is not None and bow_tie.boundary.is_valid
    assert bow_tie.boundary.geom_type == "MultiPolygon"  # the two triangles
    assert bow_tie.boundary.area == pytest.approx(0.0002)


@pytest.mark.parametrize("source", [KML, GEOJSON], ids=["kml", "geojson"])
def test_the_same_file_twice_changes_nothing(force, source: Path) -> None:
    first = import_boundaries(source, force.pk, commit=True, today=JAN)
    before = _state()
    second = import_boundaries(source, force.pk, commit=True, today=JUNE)
    assert second.ok and second.committed
    assert (second.created, second.changed, second.unchanged) == (0, 0, first.created)
    assert _state() == before


def test_a_changed_boundary_becomes_a_new_version_and_history_is_kept(force, tmp_path) -> None:
    import_boundaries(KML, force.pk, commit=True, today=JAN)
    folder = tmp_path / "kml"
    folder.mkdir()
    (folder / "NH1.kml").write_text(
        _kml("-1.57,53.79 -1.54,53.79 -1.54,53.81 -1.57,53.81 -1.57,53.79", "City Centre")
    )
    report = import_boundaries(folder, force.pk, commit=True, today=JUNE)
    assert (report.created, report.changed, report.unchanged) == (0, 1, 0)
    assert any("NH1" in m and "new version from 2025-06-01" in m for m in report.messages)
    assert any("2 of west-yorkshire's neighbourhoods are not in" in m for m in report.messages)

    nh1 = Neighbourhood.objects.get(code="NH1")
    old, new = nh1.boundaries.order_by("valid_from")
    assert (old.valid_from, old.valid_to, new.valid_from, new.valid_to) == (JAN, JUNE, JUNE, None)
    assert nh1.boundary_on(dt.date(2025, 3, 1)) == old
    assert nh1.boundary_on(JUNE) == new
    assert new.boundary.contains(Point(-1.565, 53.80))
    assert not old.boundary.contains(Point(-1.565, 53.80))


def test_a_second_change_on_the_same_day_replaces_that_days_version(force, tmp_path) -> None:
    target = tmp_path / "NH9.kml"
    target.write_text(_kml("-1.6,53.7 -1.5,53.7 -1.5,53.8 -1.6,53.7", "Nine"))
    import_boundaries(target, force.pk, commit=True, today=JAN)
    target.write_text(_kml("-1.6,53.7 -1.4,53.7 -1.4,53.8 -1.6,53.7", "Nine"))
    report = import_boundaries(target, force.pk, commit=True, today=JAN)
    assert report.changed == 1
    [version] = NeighbourhoodBoundary.objects.all()
    assert version.valid_from == JAN and version.valid_to is None
    assert version.boundary.contains(Point(-1.42, 53.71))


def test_an_existing_neighbourhood_is_matched_by_code_and_renamed(force) -> None:
    hood = NeighbourhoodFactory(force=force, code="NH1", name="Old Name")
    # the same square as the file's, drawn from another corner and the other way round
    NeighbourhoodBoundaryFactory(neighbourhood=hood, boundary=box(-1.56, 53.79, -1.54, 53.81))
    report = import_boundaries(GEOJSON, force.pk, commit=True, today=JUNE)
    assert (report.created, report.changed) == (1, 1)
    assert any("renamed 'Old Name' → 'City Centre'" in m for m in report.messages)
    hood.refresh_from_db()
    assert hood.name == "City Centre"
    assert hood.boundaries.count() == 1  # the shape did not change


def test_a_kml_placemark_named_by_its_id_keeps_the_stored_name(force, tmp_path) -> None:
    hood = NeighbourhoodFactory(force=force, code="NH9", name="Nine Town")
    target = tmp_path / "NH9.kml"
    target.write_text(_kml("-1.6,53.7 -1.5,53.7 -1.5,53.8 -1.6,53.7", "NH9"))
    report = import_boundaries(target, force.pk, commit=True, today=JAN)
    assert (report.created, report.changed) == (1, 0)  # its first boundary; no rename
    hood.refresh_from_db()
    assert hood.name == "Nine Town"


def test_geojson_creates_polygons_and_multipolygons(force) -> None:
    report = import_boundaries(GEOJSON, force.pk, commit=True, today=JAN)
    assert (report.read, report.created) == (2, 2)
    nh3 = Neighbourhood.objects.get(code="NH3")
    assert nh3.name == "Outer Villages"
    version = nh3.boundary_on(JAN)
    assert version is not None and version.boundary.geom_type == "MultiPolygon"
    assert version.source == "boundaries.geojson#NH3"


def test_an_unknown_force_is_refused_naming_the_known_ones(force) -> None:
    report = import_boundaries(KML, "nope", commit=True, today=JAN)
    assert not report.ok
    assert report.problems == ["unknown force 'nope'; known: west-yorkshire"]
    assert Neighbourhood.objects.count() == 0


@pytest.mark.parametrize("name", ["billion_laughs.kml", "external_entity.kml"])
def test_an_xml_bomb_is_refused_quickly_naming_the_file(force, name: str) -> None:
    started = time.monotonic()
    report = import_boundaries(FIXTURES / name, force.pk, commit=True, today=JAN)
    assert time.monotonic() - started < 2
    assert not report.ok and report.rejected == 1
    [problem] = report.problems
    assert problem.startswith(f"{name}: refused") and "entities" in problem
    assert "REJECTED" in report.as_text()


def test_one_bomb_in_a_folder_refuses_the_whole_folder(force, tmp_path) -> None:
    folder = tmp_path / "kml"
    shutil.copytree(KML, folder)
    shutil.copy(FIXTURES / "billion_laughs.kml", folder / "NH4.kml")
    report = import_boundaries(folder, force.pk, commit=True, today=JAN)
    assert not report.ok and (report.read, report.rejected) == (4, 1)
    assert report.problems[0].startswith("NH4.kml: refused")
    assert (report.created, report.changed) == (0, 0)
    assert Neighbourhood.objects.count() == 0


def test_a_geojson_with_bad_features_lists_every_problem_and_imports_none(force) -> None:
    before = _state()
    report = import_boundaries(FIXTURES / "bad_boundaries.geojson", force.pk, commit=True)
    assert not report.ok and not report.committed
    assert (report.read, report.rejected, report.created) == (6, 5, 0)
    assert report.problems == [
        "bad_boundaries.geojson feature 2: no id (an 'id' property naming the neighbourhood)",
        "bad_boundaries.geojson feature 3 (id 'X'): no geometry",
        "bad_boundaries.geojson feature 4 (id 'NH4'): no name (a 'name' property)",
        "bad_boundaries.geojson feature 5 (id 'NH5'): a Point, not a Polygon or MultiPolygon",
        "bad_boundaries.geojson feature 6 (id 'NH6'): coordinate (429000, 433000) is out of "
        "range: expected WGS84 longitude,latitude in degrees (not eastings and northings)",
    ]
    assert "refused whole" in report.as_text()
    assert _state() == before  # feature 1 was good, and was not imported either


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"type": "FeatureCollection", "features": [',
            "bad.geojson line 1, column 44: invalid JSON",
        ),
        ('{"type": "Feature"}', "bad.geojson: not a GeoJSON FeatureCollection"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", '
            '"properties": {"id": "A", "name": "A"}, "geometry": {"type": "Polygon", '
            '"coordinates": [[[-1.5, 53.8], [-1.4, 53.8]]]}}]}',
            "bad.geojson feature 1 (id 'A'): the outer ring has 2 points",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", '
            '"properties": {"id": "A", "name": "A"}, "geometry": {"type": "Polygon", '
            '"coordinates": [[[53.8, -1.5], [53.8, -1.4], [53.9, -1.4], [53.8, -1.5]]]}}]}',
            "outside the United Kingdom (latitude and longitude swapped?)",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", '
            '"properties": {"id": "A", "name": "A"}}]}',
            "bad.geojson feature 1 (id 'A'): no geometry",
        ),
    ],
    ids=["invalid-json", "not-a-collection", "short-ring", "swapped", "missing-geometry"],
)
def test_bad_geojson_is_explained(force, tmp_path, content: str, expected: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    report = import_boundaries(path, force.pk, commit=True)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert Neighbourhood.objects.count() == 0


def test_non_utf8_geojson_names_the_line(force, tmp_path) -> None:
    path = tmp_path / "latin1.geojson"
    path.write_bytes(b'{"type": "FeatureCollection",\n"name": "Caf\xe9", "features": []}')
    report = import_boundaries(path, force.pk, commit=True)
    assert report.problems == ["latin1.geojson line 2: not UTF-8 (byte 0xE9)"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<kml><Document>", "NH1.kml line 1, column 15: not well-formed XML (no element found)"),
        (
            "<kml><Placemark><Point><coordinates>-1.5,53.8</coordinates></Point></Placemark></kml>",
            "NH1.kml: no Polygon or MultiGeometry of Polygons (found Point)",
        ),
        (
            _kml("-1.6,53.7 -1.5;53.7 -1.5,53.8 -1.6,53.7"),
            "NH1.kml polygon 1 outer ring: coordinate 2 '-1.5;53.7' is not "
            "longitude,latitude[,altitude]",
        ),
        (_kml("-1.6,53.7 -1.5,53.7 -1.6,53.7"), "NH1.kml polygon 1: the outer ring has 3 points"),
        (_kml("-1.6,95 -1.5,53.7 -1.5,53.8 -1.6,95"), "coordinate (-1.6, 95) is out of range"),
        (_kml("2.3,48.8 2.4,48.8 2.4,48.9 2.3,48.8"), "is outside the United Kingdom"),
        (_kml("-1.6,53.7 -1.5,53.7 -1.4,53.7 -1.6,53.7"), "encloses no area"),
    ],
    ids=["xml", "point", "coordinates", "short-ring", "range", "france", "flat"],
)
def test_bad_kml_is_explained(force, tmp_path, content: str, expected: str) -> None:
    path = tmp_path / "NH1.kml"
    path.write_text(content)
    report = import_boundaries(path, force.pk, commit=True)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_a_path_that_is_not_boundaries_is_explained(force, tmp_path) -> None:
    (tmp_path / "west-yorkshire").mkdir()
    assert import_boundaries(tmp_path, force.pk, commit=False).problems == [
        f"{tmp_path.name}: no .kml files in this folder (it holds folders: west-yorkshire; "
        "give one force's folder)"
    ]
    missing = tmp_path / "missing.kml"
    assert import_boundaries(missing, force.pk, commit=False).problems == [
        "missing.kml: no such file or folder"
    ]
    archive = tmp_path / "boundaries.zip"
    archive.write_bytes(b"PK")
    assert "unzip it" in import_boundaries(archive, force.pk, commit=False).problems[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(force, tmp_path) -> None:
    huge = tmp_path / "huge.geojson"
    with huge.open("wb") as f:
        f.truncate(201 * imports.MB)  # sparse: no disk used, and never read
    report = import_boundaries(huge, force.pk, commit=True)
    assert report.problems == ["huge.geojson: file is 201 MB; the limit is 200 MB"]
    small = import_boundaries(GEOJSON, force.pk, commit=False, max_bytes=100)
    size = f"{GEOJSON.stat().st_size:,}"
    assert small.problems == [f"boundaries.geojson: file is {size} bytes; the limit is 100 bytes"]


def test_a_database_failure_midway_leaves_nothing_half_imported(force, monkeypatch) -> None:
    apply = imports._apply_boundaries

    def apply_then_fail(*args, **kwargs):
        apply(*args, **kwargs)
        assert Neighbourhood.objects.count() == 3  # written, inside the transaction
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(imports, "_apply_boundaries", apply_then_fail)
    report = import_boundaries(KML, force.pk, commit=True, today=JAN)
    assert not report.ok and not report.committed
    assert "the database refused the import (simulated failure)" in report.problems[0]
    assert Neighbourhood.objects.count() == 0
    assert NeighbourhoodBoundary.objects.count() == 0


def test_a_boundary_dated_after_the_import_is_refused(force) -> None:
    hood = NeighbourhoodFactory(force=force, code="NH1")
    NeighbourhoodBoundaryFactory(neighbourhood=hood, valid_from=JUNE)
    report = import_boundaries(GEOJSON, force.pk, commit=True, today=JAN)
    assert not report.ok
    assert (
        "current boundary starts on 2025-06-01, after the import date 2025-01-01"
        in (report.problems[0])
    )
    assert NeighbourhoodBoundary.objects.count() == 1


def test_a_committed_import_refreshes_the_lookup_index(force) -> None:
    from ourpatch.geography import locate

    assert locate.locate_point(53.80, -1.55) is None
    import_boundaries(KML, force.pk, commit=True)
    area = locate.locate_point(53.80, -1.55)
    assert area is not None and area.code == "NH1"


# --- postcodes ----------------------------------------------------------------------------


@pytest.fixture
def patches(force):
    """NH-A covers most of the CSV's points and holds LSOA E01011111; NH-B is a thin strip
    west of LS1 2AB, which is therefore in no neighbourhood."""
    a = NeighbourhoodBoundaryFactory(
        neighbourhood__force=force,
        neighbourhood__code="NH-A",
        boundary=box(-1.56, 53.79, -1.54, 53.81),
    ).neighbourhood
    b = NeighbourhoodBoundaryFactory(
        neighbourhood__force=force,
        neighbourhood__code="NH-B",
        boundary=box(-1.48, 53.79, -1.475, 53.81),
    ).neighbourhood
    lsoa = LSOAFactory(code="E01011111")
    a.lsoas.add(lsoa)
    return {"a": a, "b": b, "lsoa": lsoa}


def _csv(tmp_path: Path, text: str, name: str = "pc.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_postcode_dry_run_changes_nothing(patches) -> None:
    report = import_postcodes(ONSPD, commit=False)
    assert report.ok and not report.committed
    assert (report.read, report.created, report.changed, report.unchanged) == (6, 6, 0, 0)
    assert Postcode.objects.count() == 0
    assert "would create 6" in report.as_text()


def test_postcodes_are_created_located_and_marked(patches) -> None:
    report = import_postcodes(ONSPD, commit=True)
    assert report.ok and report.committed
    assert report.created == 6
    rows = {p.postcode: p for p in Postcode.objects.all()}
    assert sorted(rows) == ["LS1 1AA", "LS1 2AB", "LS1 3XY", "LS2 7EE", "LS6 1AN", "LS99 9ZZ"]

    centre = rows["LS1 1AA"]
    assert (centre.compact, centre.latitude, centre.longitude) == ("LS11AA", 53.8, -1.55)
    assert (centre.easting, centre.northing) == (429737, 433838)
    assert (centre.local_authority_code, centre.lsoa, centre.terminated) == (
        "E08000035",
        patches["lsoa"],
        None,
    )
    assert centre.neighbourhood == patches["a"]

    terminated = rows["LS1 3XY"]
    assert terminated.terminated == dt.date(2019, 6, 1)
    assert terminated.neighbourhood == patches["a"]  # kept, and still placed

    no_grid = rows["LS99 9ZZ"]  # ONSPD's 99.999999, 0.000000: no coordinates
    assert (no_grid.latitude, no_grid.longitude, no_grid.easting) == (None, None, None)
    assert no_grid.neighbourhood == patches["a"]  # through its LSOA

    from_grid = rows["LS2 7EE"]  # no lat/long: from oseast1m/osnrth1m
    assert from_grid.latitude == pytest.approx(53.805, abs=1e-5)
    assert from_grid.longitude == pytest.approx(-1.545, abs=1e-5)
    assert from_grid.neighbourhood == patches["a"] and from_grid.lsoa is None

    outside = rows["LS1 2AB"]  # its LSOA is not in the database: not created
    assert outside.lsoa is None and outside.neighbourhood is None
    assert rows["LS6 1AN"].neighbourhood is None

    notes = "\n".join(report.messages)
    assert "1 postcode terminated: kept" in notes
    assert "1 postcode located from the grid reference" in notes
    assert "1 postcode with no grid reference: kept without coordinates" in notes
    assert "1 postcode placed in a neighbourhood by LSOA" in notes
    assert "2 postcodes in no known neighbourhood" in notes
    assert "1 postcode with an LSOA that is not in the database (e.g. E01099999)" in notes


def test_the_same_postcode_file_twice_changes_nothing(patches) -> None:
    import_postcodes(ONSPD, commit=True)
    before = _state()
    report = import_postcodes(ONSPD, commit=True)
    assert report.ok and report.committed
    assert (report.created, report.changed, report.unchanged) == (0, 0, 6)
    assert _state() == before


def test_a_changed_postcode_is_updated_and_the_rest_left_alone(patches, tmp_path) -> None:
    import_postcodes(ONSPD, commit=True)
    moved = ONSPD.read_text().replace("53.700000,-1.600000", "53.800000,-1.550000")
    moved = moved.replace("198001,201906", "198001,202001").replace(
        "LS1 1AA,198001,", "LS1 1AA,198001,202403"
    )
    report = import_postcodes(_csv(tmp_path, moved), commit=True)
    assert (report.created, report.changed, report.unchanged) == (0, 3, 3)
    assert Postcode.objects.get(postcode="LS6 1AN").neighbourhood == patches["a"]
    assert Postcode.objects.get(postcode="LS1 3XY").terminated == dt.date(2020, 1, 1)
    assert Postcode.objects.get(postcode="LS1 1AA").terminated == dt.date(2024, 3, 1)


def test_a_column_the_file_lacks_leaves_that_field_alone(patches, tmp_path) -> None:
    PostcodeFactory(
        postcode="LS1 1AA",
        local_authority_code="E08000035",
        lsoa=patches["lsoa"],
        easting=429737,
        northing=433838,
    )
    report = import_postcodes(_csv(tmp_path, "PCD,LAT,LONG\nLS11AA,53.8,-1.55\n"), commit=True)
    assert report.ok and report.changed == 1  # the neighbourhood is now set
    row = Postcode.objects.get(postcode="LS1 1AA")
    assert (row.local_authority_code, row.lsoa) == ("E08000035", patches["lsoa"])
    assert (row.easting, row.northing) == (429737, 433838)
    assert row.neighbourhood == patches["a"]
    assert "columns used: pcd, lat, long" in report.messages[0]


def test_every_bad_row_is_listed_and_nothing_is_imported(patches, tmp_path) -> None:
    text = (
        "pcds,lat,long,oseast1m,osnrth1m,doterm\n"
        "LS1 1AA,53.8,-1.55,,,\n"  # row 2: good
        "LS1 4A@,53.8,-1.55,,,\n"
        "LS1 1AB,153.8,-1.55,,,\n"
        "LS1 1AD,53.8,-1.55,,,201913\n"
        "LS1 1AA,53.8,-1.55,,,\n"
        "LS1 1AE,53.8\n"
        "LS1 1AF,,,-5,433838,\n"
        ",53.8,-1.55,,,\n"
        "LS1 1AG,48.85,2.35,,,\n"
        "LS1 1AH,abc,-1.55,,,\n"
    )
    report = import_postcodes(_csv(tmp_path, text), commit=True)
    assert not report.ok and not report.committed
    assert (report.read, report.rejected, report.created) == (10, 9, 0)
    assert report.problems == [
        "pc.csv row 3: 'LS1 4A@' is not a postcode",
        "pc.csv row 4: (LS1 1AB) lat/long 153.8, -1.55 are out of range",
        "pc.csv row 5: (LS1 1AD) doterm '201913' is not a year and month (YYYYMM)",
        "pc.csv row 6: (LS1 1AA) appears again (first on row 2)",
        "pc.csv row 7: 2 fields, but the header has 6",
        "pc.csv row 8: (LS1 1AF) oseast1m/osnrth1m -5, 433838 are out of range",
        "pc.csv row 9: no postcode (pcds is empty)",
        "pc.csv row 10: (LS1 1AG) lat/long 48.85, 2.35 are outside the United Kingdom",
        "pc.csv row 11: (LS1 1AH) lat/long 'abc', '-1.55' are not numbers",
    ]
    assert "refused whole" in report.as_text()
    assert Postcode.objects.count() == 0


def test_a_bad_row_after_written_chunks_rolls_everything_back(patches, tmp_path) -> None:
    PostcodeFactory(postcode="LS1 1AA", latitude=50.0, longitude=-3.0)
    before = _state()
    good = "".join(f"LS1 {n}AB,53.8,-1.55\n" for n in range(1, 10))
    path = _csv(tmp_path, "pcds,lat,long\nLS1 1AA,53.8,-1.55\n" + good + "LS1 4A@,53.8,-1.55\n")
    report = import_postcodes(path, commit=True, chunk_rows=2)
    assert not report.ok
    assert report.problems == ["pc.csv row 12: 'LS1 4A@' is not a postcode"]
    assert _state() == before


def test_many_rows_stream_through_in_chunks(patches, tmp_path) -> None:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    points = [(53.7905 + n % 100 / 5000, -1.5605 + n // 100 % 100 / 2500) for n in range(12_000)]
    rows = [
        f"LS{1 + n // 4000} {n // 400 % 10}{letters[n // 20 % 20]}{letters[n % 20]},"
        f"{lat:.6f},{lng:.6f}"
        for n, (lat, lng) in enumerate(points)
    ]
    inside_a = sum(53.79 < lat < 53.81 and -1.56 < lng < -1.54 for lat, lng in points)
    path = _csv(tmp_path, "pcds,lat,long\n" + "\n".join(rows) + "\n")
    report = import_postcodes(path, commit=True, chunk_rows=5000)
    assert report.ok and report.created == 12_000
    assert Postcode.objects.filter(neighbourhood=patches["a"]).count() == inside_a == 6664
    again = import_postcodes(path, commit=True, chunk_rows=5000)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 12_000)


def test_a_row_the_csv_reader_cannot_read_is_named(patches, tmp_path) -> None:
    huge_field = "x" * 200_000  # over the csv module's field size limit
    path = _csv(tmp_path, f"pcds,lat,long\nLS1 1AA,53.8,-1.55\nLS1 1AB,{huge_field},-1.55\n")
    report = import_postcodes(path, commit=True)
    assert report.problems == ["pc.csv row 3: not CSV (field larger than field limit (131072))"]
    assert Postcode.objects.count() == 0


def test_missing_columns_are_named(patches, tmp_path) -> None:
    report = import_postcodes(_csv(tmp_path, "postcode,latitude\nLS1 1AA,53.8\n"), commit=True)
    assert report.problems == [
        "pc.csv: missing required column(s): pcds (or pcd, pcd2); lat and long, or "
        "oseast1m and osnrth1m"
    ]


def test_non_utf8_bytes_name_the_line(patches, tmp_path) -> None:
    path = tmp_path / "pc.csv"
    path.write_bytes(b"pcds,lat,long\nLS1 1AA,53.8,-1.55\nLS1 1AB,53.8,-1.55 caf\xe9\n")
    report = import_postcodes(path, commit=True)
    assert report.problems[0] == (
        "pc.csv line 3: not UTF-8 (byte 0xE9 at column 23); save the file as UTF-8"
    )
    assert Postcode.objects.count() == 0


def test_a_byte_order_mark_and_upper_case_headers_are_fine(patches, tmp_path) -> None:
    path = tmp_path / "pc.csv"
    path.write_bytes(b"\xef\xbb\xbfPCDS,OSEAST1M,OSNRTH1M\r\nLS1 1AA,429737,433838\r\n")
    report = import_postcodes(path, commit=True)
    assert report.ok and report.created == 1
    assert Postcode.objects.get().neighbourhood == patches["a"]


def test_empty_oversized_and_missing_csv_files_are_refused(patches, tmp_path) -> None:
    empty = _csv(tmp_path, "", "empty.csv")
    assert import_postcodes(empty, commit=True).problems == [
        "empty.csv: the file is empty (no header row)"
    ]
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(201 * imports.MB)
    assert import_postcodes(huge, commit=True).problems == [
        "huge.csv: file is 201 MB; the limit is 200 MB"
    ]
    missing = tmp_path / "nope.csv"
    assert import_postcodes(missing, commit=True).problems == ["nope.csv: no such file"]


# --- the command --------------------------------------------------------------------------


def test_the_command_dry_runs_then_commits_boundaries(force, capsys) -> None:
    assert main(["import", "boundaries", str(KML), "--force", force.pk]) == 0
    out = capsys.readouterr().out
    assert f"Import boundaries from {KML} for force west-yorkshire (dry run)" in out
    assert "would create 3" in out and "NH2 (NH2.kml): repaired" in out
    assert Neighbourhood.objects.count() == 0

    assert main(["import", "boundaries", str(KML), "--force", force.pk, "--commit"]) == 0
    out = capsys.readouterr().out
    assert "Imported." in out and "created 3" in out
    assert Neighbourhood.objects.count() == 3

    assert main(["import", "boundaries", str(KML), "--force", force.pk, "--commit"]) == 0
    assert "created 0, changed 0, unchanged 3" in capsys.readouterr().out


def test_the_command_reports_a_refused_import_without_a_traceback(force, capsys) -> None:
    assert main(["import", "boundaries", str(KML), "--force", "nope"]) == 1
    captured = capsys.readouterr()
    assert "unknown force 'nope'; known: west-yorkshire" in captured.err
    assert "Traceback" not in captured.err + captured.out

    bomb = FIXTURES / "billion_laughs.kml"
    assert main(["import", "boundaries", str(bomb), "--force", force.pk, "--commit"]) == 1
    err = capsys.readouterr().err
    assert "REJECTED" in err and "billion_laughs.kml: refused" in err


def test_the_command_imports_postcodes(patches, capsys) -> None:
    assert main(["import", "postcodes", str(ONSPD), "--commit"]) == 0
    out = capsys.readouterr().out
    assert "Imported." in out and "created 6" in out
    assert Postcode.objects.count() == 6


def test_the_command_applies_its_size_limit(patches, tmp_path, capsys) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(2 * imports.MB)
    assert main(["import", "postcodes", str(big), "--max-size-mb", "1"]) == 1
    assert "file is 2 MB; the limit is 1 MB" in capsys.readouterr().err
