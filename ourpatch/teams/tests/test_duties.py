"""The duty import: stretches of duty in, bad rows quarantined and named, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from ourpatch.cli import main
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.teams.duties import duty_exclusions, import_duties
from ourpatch.teams.factories import DutyFactory, TeamMemberFactory
from ourpatch.teams.models import Duty, DutyRejectReason, RejectedDuty

UTC = dt.UTC
COLUMNS = ["force", "officer", "start", "end", "activity", "neighbourhood", "place"]


def row(**values: str) -> dict[str, str]:
    good = {
        "force": "west-yorkshire",
        "officer": "PC1234",
        "start": "2026-03-02T07:00:00Z",
        "end": "2026-03-02T11:00:00Z",
        "activity": "patrol",
        "neighbourhood": "NH1",
        "place": "Briggate, Leeds",
    }
    good.update(values)
    return good


def csv_text(rows: list[dict[str, str]], columns: list[str] = COLUMNS, end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator=end, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "duties.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def imported(tmp_path: Path, rows: list[dict[str, str]], commit: bool = True, **kw: Any) -> Any:
    return import_duties(write(tmp_path, csv_text(rows), **kw), commit=commit)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    hood = NeighbourhoodFactory(force=force, code="NH1", name="City Centre")
    officer = TeamMemberFactory(force=force, collar_number="PC1234", neighbourhoods=[hood])
    return {"force": force, "hood": hood, "officer": officer}


def test_good_rows_are_imported(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(),
            row(
                start="2026-03-02T11:00:00Z",
                end="2026-03-02T15:00:00Z",
                activity="COURT",
                neighbourhood="",
                place="Leeds Crown Court",
                officer=" pc1234 ",
            ),
        ],
    )
    assert report.ok and report.committed and (report.read, report.created) == (2, 2)
    patrol, court = Duty.objects.order_by("starts_at")
    assert patrol.member == world["officer"] and patrol.neighbourhood == world["hood"]
    assert patrol.ends_at - patrol.starts_at == dt.timedelta(hours=4)
    assert court.activity == "court" and court.neighbourhood is None
    assert court.source_file == "duties.csv" and report.outside == 1
    assert "outside every neighbourhood" in report.as_text()


def test_bom_crlf_quoted_commas_and_blank_lines(world, tmp_path) -> None:
    text = csv_text(
        [
            row(place="Briggate, Leeds"),
            row(start="2026-03-02T12:00:00Z", end="2026-03-02T13:00:00Z"),
        ],
        end="\r\n",
    ).replace(
        "\r\nwest-yorkshire,PC1234,2026-03-02T12", "\r\n\r\nwest-yorkshire,PC1234,2026-03-02T12"
    )
    report = import_duties(write(tmp_path, text, bom=True), commit=True)
    assert report.ok and report.created == 2, report.as_text()
    assert Duty.objects.filter(place="Briggate, Leeds").count() == 2


def test_a_wrong_header_is_refused(world, tmp_path) -> None:
    report = import_duties(write(tmp_path, csv_text([row()], COLUMNS[:-2])), commit=True)
    assert not report.ok and "missing column(s) neighbourhood" in report.problems[0]
    assert not Duty.objects.exists()


BAD_ROWS = [
    pytest.param(
        {"officer": "PC9999"},
        "officer",
        DutyRejectReason.UNKNOWN_OFFICER,
        "no team member of west-yorkshire has collar number 'PC9999'",
        id="officer",
    ),
    pytest.param({"officer": ""}, "officer", DutyRejectReason.MISSING, "missing", id="no-officer"),
    pytest.param(
        {"force": "atlantis"},
        "force",
        DutyRejectReason.UNKNOWN_FORCE,
        "unknown force 'atlantis'",
        id="force",
    ),
    pytest.param(
        {"end": "2026-03-02T06:00:00Z"},
        "end",
        DutyRejectReason.OUT_OF_ORDER,
        "end 2026-03-02 06:00 GMT is not after start 2026-03-03 07:00 GMT",
        id="end-before-start",
    ),
    pytest.param(
        {"end": "2026-03-02T07:00:00Z"},
        "end",
        DutyRejectReason.OUT_OF_ORDER,
        "is not after start",
        id="no-length",
    ),
    pytest.param(
        {"start": "2026-03-02T07:00:00"},
        "start",
        DutyRejectReason.NO_ZONE,
        "has no zone",
        id="no-zone",
    ),
    pytest.param({"start": ""}, "start", DutyRejectReason.MISSING, "missing", id="no-start"),
    pytest.param(
        {"end": "soon"},
        "end",
        DutyRejectReason.NOT_A_TIME,
        "is not a date and time",
        id="not-a-time",
    ),
    pytest.param(
        {"activity": "lunch"},
        "activity",
        DutyRejectReason.BAD_VALUE,
        "'lunch' is not an activity",
        id="activity",
    ),
    pytest.param(
        {"neighbourhood": "NH9"},
        "neighbourhood",
        DutyRejectReason.UNKNOWN_NEIGHBOURHOOD,
        "unknown neighbourhood 'NH9' in west-yorkshire",
        id="neighbourhood",
    ),
    pytest.param(
        {"place": "x" * 201},
        "place",
        DutyRejectReason.TOO_LONG,
        "longer than 200 characters",
        id="place",
    ),
]


@pytest.mark.parametrize(("bad", "field", "reason", "text"), BAD_ROWS)
def test_a_bad_row_is_quarantined_and_named(world, tmp_path, bad, field, reason, text) -> None:
    rows = [
        row(),
        row(**{"start": "2026-03-03T07:00:00Z", "end": "2026-03-03T11:00:00Z", **bad}),
        row(start="2026-03-04T07:00:00Z", end="2026-03-04T11:00:00Z"),
    ]
    report = imported(tmp_path, rows)
    assert report.ok and (report.read, report.created, report.rejected) == (3, 2, 1)
    assert report.quarantined[0].startswith(f"duties.csv line 3, field {field!r}: ")
    assert text in report.quarantined[0]
    rejected = RejectedDuty.objects.get()
    assert (rejected.line, rejected.field, rejected.reason) == (3, field, reason)
    assert rejected.raw["activity"] == rows[1]["activity"]


def test_overlapping_duties_in_the_file_name_the_earlier_line(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(),  # 07:00–11:00
            row(start="2026-03-02T10:00:00Z", end="2026-03-02T12:00:00Z"),  # overlaps line 2
            row(start="2026-03-02T11:00:00Z", end="2026-03-02T12:00:00Z"),  # follows: fine
            row(start="2026-03-02T07:00:00Z", end="2026-03-02T08:00:00Z"),  # same start
        ],
    )
    assert (report.created, report.rejected) == (2, 2)
    assert report.quarantined == [
        "duties.csv line 3, field 'start': overlaps line 2",
        "duties.csv line 5, field 'start': overlaps line 2",
    ]
    assert set(RejectedDuty.objects.values_list("reason", flat=True)) == {"overlap"}


def test_a_duty_overlapping_one_already_recorded_is_quarantined(world, tmp_path) -> None:
    DutyFactory(
        member=world["officer"],
        starts_at=dt.datetime(2026, 3, 2, 6, tzinfo=UTC),
        ends_at=dt.datetime(2026, 3, 2, 8, tzinfo=UTC),
        source_file="rota.csv",
    )
    report = imported(tmp_path, [row()])
    assert report.rejected == 1 and report.created == 0
    assert (
        "overlaps the duty 2026-03-02 06:00 GMT to 2026-03-02 08:00 GMT already recorded "
        "(from rota.csv)" in report.quarantined[0]
    )


def test_a_dry_run_writes_nothing(world, tmp_path) -> None:
    report = imported(tmp_path, [row(), row(officer="PC9")], commit=False)
    assert report.ok and not report.committed and (report.created, report.rejected) == (1, 1)
    assert not Duty.objects.exists() and not RejectedDuty.objects.exists()
    assert "would create 1" in report.as_text()


def test_importing_the_same_file_again_changes_nothing(world, tmp_path) -> None:
    rows = [
        row(),
        row(start="2026-03-02T12:00:00Z", end="2026-03-02T16:00:00Z"),
        row(officer="PC9"),
    ]
    path = write(tmp_path, csv_text(rows))
    first = import_duties(path, commit=True)
    assert (first.created, first.rejected) == (2, 1)
    before = list(Duty.objects.values_list("pk", "ends_at", "activity"))
    again = import_duties(path, commit=True)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert again.already_quarantined == 1 and RejectedDuty.objects.count() == 1
    assert list(Duty.objects.values_list("pk", "ends_at", "activity")) == before


def test_a_later_export_updates_a_duty_and_releases_its_rejection(world, tmp_path) -> None:
    imported(tmp_path, [row(), row(start="2026-03-02T12:00:00Z", end="2026-03-02T11:00:00Z")])
    assert RejectedDuty.objects.get().member == world["officer"]
    later = import_duties(
        write(
            tmp_path,
            csv_text(
                [
                    row(end="2026-03-02T11:30:00Z", activity="response"),
                    row(start="2026-03-02T12:00:00Z", end="2026-03-02T16:00:00Z"),
                ]
            ),
            "duties-corrected.csv",
        ),
        commit=True,
    )
    assert (later.created, later.changed, later.cleared) == (0, 2, 1)
    first = Duty.objects.get(starts_at=dt.datetime(2026, 3, 2, 7, tzinfo=UTC))
    assert first.activity == "response" and first.ends_at.minute == 30
    assert Duty.objects.count() == 2 and not RejectedDuty.objects.exists()


def test_a_collar_number_reissued_is_matched_on_the_day(world, tmp_path) -> None:
    world["officer"].end_date = dt.date(2025, 12, 31)
    world["officer"].save()
    newer = TeamMemberFactory(
        force=world["force"], collar_number="PC1234", start_date=dt.date(2026, 1, 1)
    )
    report = imported(tmp_path, [row()])
    assert report.created == 1 and Duty.objects.get().member == newer


def test_duties_across_the_clock_changes(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            # a night shift over the change to summer time: 22:00 GMT to 07:00 BST is 8 hours
            row(start="2026-03-28T22:00:00+00:00", end="2026-03-29T07:00:00+01:00"),
            # and over the change back: 22:00 BST to 07:00 GMT is 10 hours
            row(start="2026-10-24T22:00:00+01:00", end="2026-10-25T07:00:00+00:00"),
            # 01:30 on 25 October happened twice: without its zone it is refused
            row(start="2026-10-25T01:30:00", end="2026-10-25T09:00:00Z"),
        ],
    )
    assert (report.created, report.rejected) == (2, 1)
    spring, autumn = Duty.objects.order_by("starts_at")
    assert spring.ends_at - spring.starts_at == dt.timedelta(hours=8)
    assert autumn.ends_at - autumn.starts_at == dt.timedelta(hours=10)
    assert RejectedDuty.objects.get().reason == DutyRejectReason.NO_ZONE


def test_duty_exclusions_count_rows_and_hours(world, tmp_path) -> None:
    imported(
        tmp_path,
        [
            row(activity="lunch"),  # 4 hours
            row(start="2026-03-03T07:00:00Z", end="2026-03-03T09:00:00Z", officer="PC9"),
            row(start="", end="2026-03-03T09:00:00Z"),  # no start: in no month
            row(
                start="2026-04-03T07:00:00+01:00", end="2026-04-03T09:00:00+01:00", activity="lunch"
            ),  # April
        ],
    )
    march = (dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 31, 23, tzinfo=UTC))
    excluded = duty_exclusions(world["force"], *march)
    assert excluded.by_reason == {"bad_value": 1, "unknown_officer": 1}
    assert excluded.hours == 6 and excluded.undated == 1
    assert excluded.summary() == (
        "2 excluded (6.0 hours): 1 a value that is not one of those allowed, "
        "1 an unknown officer (and 1 with no readable time, in no month)"
    )
    assert duty_exclusions(world["force"], *march, neighbourhood=world["hood"]).total == 2


def test_the_command_line(world, tmp_path, capsys) -> None:
    path = write(tmp_path, csv_text([row(), row(officer="PC9")]))
    assert main(["import", "duties", str(path), "--commit"]) == 0
    out = capsys.readouterr().out
    assert "Imported." in out and "line 3, field 'officer'" in out
    assert Duty.objects.count() == 1 and RejectedDuty.objects.count() == 1
