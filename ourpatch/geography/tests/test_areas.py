"""The ONS areas import (``ourpatch import areas``): LSOAs, MSOAs, wards, local authorities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ourpatch.cli import main
from ourpatch.crime.factories import CrimeFactory
from ourpatch.crime.layers import Layer, crime_by_layer
from ourpatch.geography import imports
from ourpatch.geography.areas import import_areas
from ourpatch.geography.factories import ForceFactory, LSOAFactory
from ourpatch.geography.models import LSOA, MSOA, LocalAuthority, Ward

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)

# ONS "Output Area (2021) to LSOA to MSOA to LAD (2022) Best Fit Lookup": one row per output
# area, so each LSOA and MSOA recurs.
OA_LOOKUP = """\
OA21CD,LSOA21CD,LSOA21NM,LSOA21NMW,MSOA21CD,MSOA21NM,MSOA21NMW,LAD22CD,LAD22NM,LAD22NMW,ObjectId
E00056750,E01011264,Leeds 001A,,E02002330,Leeds 001,,E08000035,Leeds,,1
E00056751,E01011264,Leeds 001A,,E02002330,Leeds 001,,E08000035,Leeds,,2
E00056752,E01011265,Leeds 001B,,E02002330,Leeds 001,,E08000035,Leeds,,3
E00056800,E01011300,Leeds 002A,,E02002331,Leeds 002,,E08000035,Leeds,,4
W00000001,W01000001,Isle of Anglesey 001A,Ynys Môn 001A,\
W02000001,Isle of Anglesey 001,Ynys Môn 001,W06000001,Isle of Anglesey,Ynys Môn,5
"""

# ONS "LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW"
WARD_LOOKUP = """\
LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM,ObjectId
E01011264,Leeds 001A,E05011419,Adel & Wharfedale,E08000035,Leeds,1
E01011265,Leeds 001B,E05011419,Adel & Wharfedale,E08000035,Leeds,2
E01011300,Leeds 002A,E05011420,Alwoodley,E08000035,Leeds,3
"""


def _csv(tmp_path: Path, text: str, name: str = "lookup.csv", *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def _state() -> tuple[list[tuple], ...]:
    """Every row the import can write, to show that a dry or refused run changed nothing."""
    return (
        list(LocalAuthority.objects.order_by("code").values_list()),
        list(MSOA.objects.order_by("code").values_list()),
        list(Ward.objects.order_by("code").values_list()),
        list(LSOA.objects.order_by("code").values_list("code", "name", "msoa", "ward")),
    )


def _problems(report) -> str:
    return "\n".join(report.problems)


# --- the two ONS shapes -------------------------------------------------------------------


def test_the_output_area_lookup_creates_lsoas_with_their_msoas_and_authorities(
    tmp_path,
) -> None:
    report = import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    assert report.ok and report.committed, report.as_text()
    assert report.read == 5
    leeds = LocalAuthority.objects.get(code="E08000035")
    assert leeds.name == "Leeds"
    assert LocalAuthority.objects.get(code="W06000001").name == "Isle of Anglesey"
    assert MSOA.objects.get(code="E02002330").local_authority == leeds
    lsoa = LSOA.objects.get(code="E01011264")
    assert (lsoa.name, lsoa.msoa_id, lsoa.ward_id) == ("Leeds 001A", "E02002330", None)
    assert LSOA.objects.count() == 4  # repeated, consistent rows name one LSOA once
    # 2 local authorities, 3 MSOAs, no wards, 4 LSOAs
    assert (report.created, report.changed, report.unchanged) == (9, 0, 0)
    text = report.as_text()
    assert "LSOAs: created 4, changed 0, unchanged 0" in text
    assert "MSOAs: created 3" in text and "local authorities: created 2" in text
    assert "columns ignored: OA21CD, LSOA21NMW, MSOA21NMW, LAD22NMW, ObjectId" in text


def test_the_ward_lookup_assigns_wards_to_lsoas_already_loaded(tmp_path) -> None:
    import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    report = import_areas(_csv(tmp_path, WARD_LOOKUP, "wards.csv"), commit=True)
    assert report.ok and report.committed, report.as_text()
    adel = Ward.objects.get(code="E05011419")
    assert (adel.name, adel.local_authority_id) == ("Adel & Wharfedale", "E08000035")
    assert LSOA.objects.get(code="E01011264").ward == adel
    assert LSOA.objects.get(code="E01011300").ward_id == "E05011420"
    assert LSOA.objects.get(code="W01000001").ward is None  # not in the file: left alone
    # The MSOAs the first file set are kept: this file has no MSOA columns.
    assert LSOA.objects.get(code="E01011264").msoa_id == "E02002330"
    text = report.as_text()
    assert "wards: created 2" in text
    assert "LSOAs: created 0, changed 3, unchanged 0" in text
    assert "local authorities: created 0, changed 0, unchanged 1" in text


def test_the_2011_lookups_are_read_alike(tmp_path) -> None:
    oa = (
        "OA11CD,LSOA11CD,LSOA11NM,MSOA11CD,MSOA11NM,LAD11CD,LAD11NM,LAD11NMW,FID\n"
        "E00169553,E01033010,Leeds 111B,E02006875,Leeds 111,E08000035,Leeds,,1\n"
        "E00169554,E01033010,Leeds 111B,E02006875,Leeds 111,E08000035,Leeds,,2\n"
    )
    wards = (
        "LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM,FID\n"
        "E01033010,Leeds 111B,E05001420,City and Hunslet,E08000035,Leeds,1\n"
    )
    assert import_areas(_csv(tmp_path, oa, "oa11.csv"), commit=True).ok
    report = import_areas(_csv(tmp_path, wards, "wd19.csv"), commit=True)
    assert report.ok, report.as_text()
    lsoa = LSOA.objects.select_related("ward", "msoa").get(code="E01033010")
    assert (lsoa.msoa.code, lsoa.ward.code, lsoa.ward.name) == (
        "E02006875",
        "E05001420",
        "City and Hunslet",
    )


def test_population_and_households_are_set_and_an_empty_cell_leaves_them(tmp_path) -> None:
    import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    counts = (
        "lsoa21cd,lsoa21nm,Population,HOUSEHOLDS\n"
        "E01011264,Leeds 001A,1620,702\n"
        "E01011265,Leeds 001B,,\n"
    )
    report = import_areas(_csv(tmp_path, counts, "counts.csv"), commit=True)
    assert report.ok, report.as_text()
    first, second = LSOA.objects.get(code="E01011264"), LSOA.objects.get(code="E01011265")
    assert (first.population, first.households) == (1620, 702)
    assert (second.population, second.households) == (None, None)
    assert "LSOAs: created 0, changed 1, unchanged 1" in report.as_text()


# --- repeats ------------------------------------------------------------------------------


def test_conflicting_repeats_refuse_the_file_naming_line_and_field(tmp_path) -> None:
    text = OA_LOOKUP.replace(
        "E00056751,E01011264,Leeds 001A,,E02002330,Leeds 001,",
        "E00056751,E01011264,Leeds 001Z,,E02002331,Leeds 001,",
    )
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert not report.ok and not report.committed
    problems = _problems(report)
    assert (
        "lookup.csv line 3, field 'LSOA21NM': LSOA E01011264 is named 'Leeds 001Z' here but "
        "'Leeds 001A' on line 2" in problems
    )
    assert "line 3, field 'MSOA21CD': LSOA E01011264 is in MSOA 'E02002331' here but " in problems
    # The MSOA named differently on two rows is a conflict too.
    assert "line 5, field 'MSOA21NM': MSOA E02002331 is named 'Leeds 002' here but 'Leeds 001'" in (
        problems
    )
    assert _state() == ([], [], [], [])
    assert (report.created, report.changed) == (0, 0)


def test_an_msoa_in_two_local_authorities_is_a_conflict(tmp_path) -> None:
    text = OA_LOOKUP.replace(
        "E00056752,E01011265,Leeds 001B,,E02002330,Leeds 001,,E08000035,Leeds",
        "E00056752,E01011265,Leeds 001B,,E02002330,Leeds 001,,E08000036,Wakefield",
    )
    report = import_areas(_csv(tmp_path, text), commit=False)
    assert not report.ok
    assert (
        "line 4, field 'LAD22CD': MSOA E02002330 is in local authority 'E08000036' here but "
        "'E08000035' on line 2" in _problems(report)
    )


# --- what the file cannot make ------------------------------------------------------------


def test_a_new_lsoa_without_msoa_columns_is_refused_with_the_columns_to_add(tmp_path) -> None:
    report = import_areas(_csv(tmp_path, WARD_LOOKUP), commit=True)
    assert not report.ok and report.rejected == 3
    problem = report.problems[0]
    assert problem.startswith("lookup.csv line 2, field 'LSOA21CD': LSOA E01011264 is not in")
    assert "add MSOA21CD and MSOA21NM" in problem
    assert "Output Area to LSOA to MSOA to Local Authority District" in problem
    assert _state() == ([], [], [], [])


def test_an_lsoa_already_loaded_needs_no_msoa_columns(tmp_path) -> None:
    LSOAFactory(code="E01011264", name="Leeds 001A")
    report = import_areas(
        _csv(tmp_path, WARD_LOOKUP.splitlines()[0] + "\n" + WARD_LOOKUP.splitlines()[1] + "\n"),
        commit=True,
    )
    assert report.ok, report.as_text()
    assert LSOA.objects.get(code="E01011264").ward_id == "E05011419"


def test_a_new_ward_without_local_authority_columns_is_refused(tmp_path) -> None:
    LSOAFactory(code="E01011264", name="Leeds 001A")
    text = "LSOA21CD,LSOA21NM,WD24CD,WD24NM\nE01011264,Leeds 001A,E05011419,Adel & Wharfedale\n"
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert not report.ok
    problem = _problems(report)
    assert "line 2, field 'WD24CD': ward E05011419 is not in the database" in problem
    assert "add LAD24CD and LAD24NM" in problem
    assert not Ward.objects.exists()


def test_bad_codes_are_named_by_field(tmp_path) -> None:
    text = (
        "LSOA21CD,LSOA21NM,MSOA21CD,MSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM\n"
        "E02011264,Leeds 001A,E02002330,Leeds 001,E05011419,Adel,E08000035,Leeds\n"
        "E01011264,Leeds 001A,E0200233,Leeds 001,E05011419,Adel,E08000035,Leeds\n"
        "E01011265,Leeds 001B,E02002330,Leeds 001,E01011419,Adel,E08000035,Leeds\n"
        "E01011266,Leeds 001C,E02002330,Leeds 001,E05011419,Adel,E05000035,Leeds\n"
        "S01011267,,E02002330,Leeds 001,E05011419,Adel,E08000035,Leeds\n"
    )
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert not report.ok and report.rejected == 5
    problems = _problems(report)
    assert "line 2, field 'LSOA21CD': 'E02011264' is not an ONS LSOA code (E01 or W01" in problems
    assert "line 3, field 'MSOA21CD': 'E0200233' is not an ONS MSOA code" in problems
    assert "line 4, field 'WD24CD': 'E01011419' is not an ONS ward code" in problems
    assert "line 5, field 'LAD24CD': 'E05000035' is not an ONS local authority code" in problems
    assert "line 6, field 'LSOA21CD': 'S01011267' is not an ONS LSOA code" in problems
    assert "line 6, field 'LSOA21NM': no LSOA name (the cell is empty)" in problems
    assert _state() == ([], [], [], [])


def test_a_bad_count_is_named(tmp_path) -> None:
    text = "LSOA21CD,LSOA21NM,population\nE01011264,Leeds 001A,-5\n"
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert "line 2, field 'population': '-5' is not a whole number" in _problems(report)


def test_a_row_with_the_wrong_number_of_fields_is_refused(tmp_path) -> None:
    report = import_areas(_csv(tmp_path, WARD_LOOKUP + "E01011301,Leeds 002B\n"), commit=False)
    assert "lookup.csv line 5: 2 fields, but the header has 7" in _problems(report)


# --- the header ---------------------------------------------------------------------------


def test_missing_lsoa_columns_are_named(tmp_path) -> None:
    text = "OA21CD,WD24CD,WD24NM\nE00056750,E05011419,Adel\n"
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert not report.ok
    problem = report.problems[0]
    assert problem.startswith("lookup.csv line 1: missing required column(s)")
    assert "LSOA21CD and LSOA21NM" in problem and "the header has: OA21CD, WD24CD, WD24NM" in (
        problem
    )


def test_a_code_column_needs_its_name_column(tmp_path) -> None:
    text = "LSOA21CD,LSOA21NM,MSOA21CD\nE01011264,Leeds 001A,E02002330\n"
    report = import_areas(_csv(tmp_path, text), commit=False)
    assert "MSOA21CD needs its name column MSOA21NM" in _problems(report)


def test_a_lookup_between_two_census_years_is_refused(tmp_path) -> None:
    text = (
        "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,CHGIND,LAD22CD,LAD22NM\n"
        "E01011264,Leeds 001A,E01011264,Leeds 001A,U,E08000035,Leeds\n"
    )
    report = import_areas(_csv(tmp_path, text), commit=False)
    assert not report.ok
    assert "more than one LSOA column of a kind (LSOA11CD, LSOA21CD, LSOA11NM, LSOA21NM)" in (
        _problems(report)
    )


def test_an_empty_file_is_refused(tmp_path) -> None:
    report = import_areas(_csv(tmp_path, ""), commit=True)
    assert report.problems == ["lookup.csv: the file is empty (no header row)"]


def test_a_byte_order_mark_and_crlf_line_ends_are_fine(tmp_path) -> None:
    path = _csv(tmp_path, OA_LOOKUP.replace("\n", "\r\n"), bom=True)
    report = import_areas(path, commit=True)
    assert report.ok, report.as_text()
    assert LSOA.objects.get(code="W01000001").name == "Isle of Anglesey 001A"
    assert LocalAuthority.objects.get(code="E08000035").name == "Leeds"  # no stray \r


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path) -> None:
    report = import_areas(_csv(tmp_path, OA_LOOKUP), commit=True, max_bytes=100)
    assert not report.ok
    assert (
        "lookup.csv: file is" in report.problems[0]
        and "the limit is 100 bytes" in (report.problems[0])
    )


# --- dry run, idempotence, changes --------------------------------------------------------


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path) -> None:
    report = import_areas(_csv(tmp_path, OA_LOOKUP), commit=False)
    assert report.ok and not report.committed
    assert _state() == ([], [], [], [])
    text = report.as_text()
    assert "dry run" in text and "LSOAs: would create 4, would change 0, unchanged 0" in text
    assert "Add --commit to import" in text


def test_the_same_file_twice_changes_nothing(tmp_path) -> None:
    path = _csv(tmp_path, OA_LOOKUP)
    import_areas(path, commit=True)
    import_areas(_csv(tmp_path, WARD_LOOKUP, "wards.csv"), commit=True)
    before = _state()
    again = import_areas(path, commit=True)
    assert again.ok and (again.created, again.changed, again.unchanged) == (0, 0, 9)
    wards_again = import_areas(_csv(tmp_path, WARD_LOOKUP, "wards.csv"), commit=True)
    assert (wards_again.created, wards_again.changed, wards_again.unchanged) == (0, 0, 6)
    assert _state() == before


def test_changed_names_and_a_moved_lsoa_are_updated(tmp_path) -> None:
    import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    import_areas(_csv(tmp_path, WARD_LOOKUP, "wards.csv"), commit=True)
    renamed = (
        WARD_LOOKUP.replace("Adel & Wharfedale", "Adel and Wharfedale")
        .replace(",Leeds,", ",Leeds City,")
        .replace("E05011420,Alwoodley", "E05011419,Adel and Wharfedale")
    )
    report = import_areas(_csv(tmp_path, renamed, "wards-2025.csv"), commit=True)
    assert report.ok, report.as_text()
    assert Ward.objects.get(code="E05011419").name == "Adel and Wharfedale"
    assert LocalAuthority.objects.get(code="E08000035").name == "Leeds City"
    assert LSOA.objects.get(code="E01011300").ward_id == "E05011419"
    text = report.as_text()
    assert "local authorities: created 0, changed 1, unchanged 0" in text
    assert "wards: created 0, changed 1, unchanged 0" in text  # Alwoodley is not in the file
    assert "LSOAs: created 0, changed 1, unchanged 2" in text


def test_a_refused_commit_leaves_the_database_as_it_was(tmp_path) -> None:
    import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    before = _state()
    # A good row that would rename Leeds, and a bad one later: nothing is written.
    text = OA_LOOKUP.replace(",Leeds,,", ",Leeds City,,") + (
        "E00099999,E01099999,Nowhere 001A,,E02099999,Nowhere 001,,X08000035,Nowhere,,6\n"
    )
    report = import_areas(_csv(tmp_path, text), commit=True)
    assert not report.ok and not report.committed
    assert _state() == before


# --- what relies on it --------------------------------------------------------------------


def test_crime_by_ward_places_a_crime_by_its_lsoa_after_the_import(tmp_path) -> None:
    import_areas(_csv(tmp_path, OA_LOOKUP), commit=True)
    import_areas(_csv(tmp_path, WARD_LOOKUP, "wards.csv"), commit=True)
    counts = "LSOA21CD,LSOA21NM,population\nE01011264,Leeds 001A,1500\nE01011265,Leeds 001B,500\n"
    import_areas(_csv(tmp_path, counts, "population.csv"), commit=True)
    force = ForceFactory()
    CrimeFactory(falls_within=force, lsoa_code="E01011265", lsoa_name="Leeds 001B")
    CrimeFactory(falls_within=force, lsoa_code="E01011300", lsoa_name="Leeds 002A")

    wards = crime_by_layer(force, Layer.WARD, JAN, JAN)
    by_code = {a.code: a for a in wards.areas}
    assert by_code["E05011419"].name == "Adel & Wharfedale"
    assert by_code["E05011419"].crimes == 1
    assert by_code["E05011419"].population == 2000  # both its LSOAs have a population
    assert by_code["E05011420"].crimes == 1
    assert not wards.unassigned
    authorities = crime_by_layer(force, Layer.LOCAL_AUTHORITY, JAN, JAN)
    assert [(a.code, a.crimes) for a in authorities.areas] == [("E08000035", 2)]


# --- the command --------------------------------------------------------------------------


def test_the_command_imports_areas(tmp_path, capsys) -> None:
    path = _csv(tmp_path, OA_LOOKUP)
    assert main(["import", "areas", str(path)]) == 0
    assert "would create 4" in capsys.readouterr().out
    assert not LSOA.objects.exists()
    assert main(["import", "areas", str(path), "--commit"]) == 0
    assert "Imported." in capsys.readouterr().out
    assert LSOA.objects.count() == 4


def test_the_command_reports_a_refused_file_and_fails(tmp_path, capsys) -> None:
    assert main(["import", "areas", str(_csv(tmp_path, WARD_LOOKUP)), "--commit"]) == 1
    err = capsys.readouterr().err
    assert "REJECTED: 3 problems" in err and "add MSOA21CD and MSOA21NM" in err


def test_the_command_applies_its_size_limit(tmp_path, capsys) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(2 * imports.MB)
    assert main(["import", "areas", str(big), "--max-size-mb", "1"]) == 1
    assert "file is 2 MB; the limit is 1 MB" in capsys.readouterr().err
