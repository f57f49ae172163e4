"""The duty import: stretches of duty in, bad rows quarantined and named, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
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


def imported(
    tmp_path: Path,
    rows: list[dict[str, str]],
    commit: bool = True,
    supersede: bool = False,
    **kw: Any,
) -> Any:
    return import_duties(write(tmp_path, csv_text(rows), **kw), commit=commit, supersede=supersede)


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


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def recorded(world: dict[str, Any], start: dt.datetime, end: dt.datetime) -> Any:
    return DutyFactory(
        member=world["officer"], starts_at=start, ends_at=end, source_file="rota.csv"
    )


def stretches() -> list[tuple[dt.datetime, dt.datetime]]:
    return list(Duty.objects.order_by("starts_at").values_list("starts_at", "ends_at"))


# The duty system re-exports the 07:00–15:00 shift as 07:30–15:00
MOVED = row(start="2026-03-02T07:30:00Z", end="2026-03-02T15:00:00Z")


def test_a_moved_start_is_quarantined_without_supersede_and_names_the_choice(
    world, tmp_path
) -> None:
    recorded(world, at(7), at(15))
    report = imported(tmp_path, [MOVED])
    assert (report.created, report.rejected, report.superseded) == (0, 1, 0)
    assert report.quarantined == [
        "duties.csv line 2, field 'start': overlaps the duty 2026-03-02 07:00 GMT to "
        "2026-03-02 15:00 GMT already recorded (from rota.csv); import with --supersede to "
        "replace it with this file's version"
    ]
    assert stretches() == [(at(7), at(15))]
    assert RejectedDuty.objects.get().reason == DutyRejectReason.OVERLAP


def test_with_supersede_a_moved_start_replaces_the_recorded_duty(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    imported(tmp_path, [MOVED])  # first without: quarantined
    report = import_duties(write(tmp_path, csv_text([MOVED])), commit=True, supersede=True)
    assert report.ok and report.committed and report.superseded == 1
    assert report.superseded_listed == [
        "the duty of PC1234 2026-03-02 07:00 GMT to 2026-03-02 15:00 GMT (from rota.csv), "
        "by duties.csv line 2"
    ]
    # the stretch had been quarantined: it comes out of quarantine ("changed", "released")
    assert (report.created, report.changed, report.cleared, report.rejected) == (0, 1, 1, 0)
    assert stretches() == [(at(7, 30), at(15))]
    assert not RejectedDuty.objects.exists()
    text = report.as_text()
    assert "1 recorded duty(ies) superseded (deleted)" in text
    assert "    - superseded: the duty of PC1234 2026-03-02 07:00 GMT" in text


def test_a_stretch_overlapping_two_recorded_duties_supersedes_both(world, tmp_path) -> None:
    recorded(world, at(6), at(8))
    recorded(world, at(10), at(12))
    recorded(world, at(12), at(14))  # touches the new stretch's end: not an overlap
    report = imported(
        tmp_path, [row(start="2026-03-02T07:00:00Z", end="2026-03-02T12:00:00Z")], supersede=True
    )
    assert (report.created, report.superseded, report.rejected) == (1, 2, 0)
    assert [s.split(" (from")[0] for s in report.superseded_listed] == [
        "the duty of PC1234 2026-03-02 06:00 GMT to 2026-03-02 08:00 GMT",
        "the duty of PC1234 2026-03-02 10:00 GMT to 2026-03-02 12:00 GMT",
    ]
    assert stretches() == [(at(7), at(12)), (at(12), at(14))]


def test_one_recorded_duty_split_in_two_names_both_lines(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    other = TeamMemberFactory(force=world["force"], collar_number="PC77")
    DutyFactory(member=other, starts_at=at(8), ends_at=at(16))  # another officer: untouched
    report = imported(
        tmp_path,
        [
            row(start="2026-03-02T07:30:00Z", end="2026-03-02T11:00:00Z"),
            row(start="2026-03-02T11:00:00Z", end="2026-03-02T15:00:00Z"),
        ],
        supersede=True,
    )
    assert (report.created, report.superseded) == (2, 1)
    assert report.superseded_listed[0].endswith("by duties.csv lines 2, 3")
    assert Duty.objects.filter(member=other).count() == 1
    assert list(
        Duty.objects.filter(member=world["officer"]).values_list("starts_at", "ends_at")
    ) == [(at(7, 30), at(11)), (at(11), at(15))]


def test_a_recorded_duty_with_the_files_start_is_updated_not_superseded(world, tmp_path) -> None:
    kept = recorded(world, at(7), at(15))
    report = imported(
        tmp_path,
        [
            row(start="2026-03-02T07:00:00Z", end="2026-03-02T11:00:00Z"),
            row(start="2026-03-02T11:00:00Z", end="2026-03-02T15:00:00Z"),
        ],
        supersede=True,
    )
    assert (report.created, report.changed, report.superseded) == (1, 1, 0)
    kept.refresh_from_db()
    assert (kept.starts_at, kept.ends_at) == (at(7), at(11))


def test_overlaps_within_the_file_are_quarantined_even_with_supersede(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    report = imported(
        tmp_path,
        [
            MOVED,  # 07:30–15:00, line 2: kept, supersedes 07:00–15:00
            row(start="2026-03-02T14:00:00Z", end="2026-03-02T16:00:00Z"),  # overlaps line 2
        ],
        supersede=True,
    )
    assert (report.created, report.superseded, report.rejected) == (1, 1, 1)
    assert report.quarantined == ["duties.csv line 3, field 'start': overlaps line 2"]
    assert stretches() == [(at(7, 30), at(15))]


def test_importing_again_with_supersede_changes_nothing(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    path = write(tmp_path, csv_text([MOVED, row(officer="PC9")]))
    first = import_duties(path, commit=True, supersede=True)
    assert (first.created, first.superseded, first.rejected) == (1, 1, 1)
    before = list(Duty.objects.values_list("pk", "starts_at", "ends_at", "source_file"))
    again = import_duties(path, commit=True, supersede=True)
    assert (again.created, again.changed, again.unchanged, again.superseded) == (0, 0, 1, 0)
    assert again.already_quarantined == 1 and RejectedDuty.objects.count() == 1
    assert list(Duty.objects.values_list("pk", "starts_at", "ends_at", "source_file")) == before
    assert "superseded" not in again.as_text()


def test_a_dry_run_with_supersede_writes_nothing(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    report = imported(tmp_path, [MOVED], commit=False, supersede=True)
    assert report.ok and not report.committed
    assert (report.created, report.superseded) == (1, 1)
    assert "1 recorded duty(ies) would be superseded (deleted)" in report.as_text()
    assert stretches() == [(at(7), at(15))] and not RejectedDuty.objects.exists()


def test_a_refused_file_supersedes_nothing(world, tmp_path) -> None:
    recorded(world, at(7), at(15))
    path = write(tmp_path, csv_text([MOVED]))
    path.write_bytes(path.read_bytes() + b"west-yorkshire,caf\xe9\n")  # line 3 not UTF-8
    report = import_duties(path, commit=True, supersede=True)
    assert not report.ok and report.superseded == 0 and "line 3: not UTF-8" in report.as_text()
    assert stretches() == [(at(7), at(15))]


def test_the_command_line_supersedes_on_request(world, tmp_path, capsys) -> None:
    recorded(world, at(7), at(15))
    path = write(tmp_path, csv_text([MOVED]))
    assert main(["import", "duties", str(path), "--commit"]) == 0
    assert "import with --supersede" in capsys.readouterr().out
    assert main(["import", "duties", str(path), "--commit", "--supersede"]) == 0
    out = capsys.readouterr().out
    assert "superseded: the duty of PC1234 2026-03-02 07:00 GMT" in out
    assert stretches() == [(at(7, 30), at(15))]


def assert_no_overlaps() -> None:
    """The rule every import keeps: no officer has two recorded duties that overlap."""
    last: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for member, starts_at, ends_at in Duty.objects.order_by("member", "starts_at").values_list(
        "member", "starts_at", "ends_at"
    ):
        if member in last:
            assert last[member][1] <= starts_at, (member, last[member], (starts_at, ends_at))
        last[member] = (starts_at, ends_at)


# The officer's 07:00–15:00 is recorded; the file has 06:00–14:00, then 07:00–15:00 again.
REPEATED = [
    row(start="2026-03-02T06:00:00Z", end="2026-03-02T14:00:00Z"),  # line 2
    row(start="2026-03-02T07:00:00Z", end="2026-03-02T15:00:00Z"),  # line 3: as recorded
]


def test_a_line_contradicting_a_recorded_duty_is_set_aside_not_the_line_repeating_it(
    world, tmp_path
) -> None:
    # Line 3 overlaps line 2, so it is set aside; then the recorded 07:00–15:00 is not
    # replaced and stays, and line 2 overlaps it, so line 2 is set aside too; line 3 then
    # overlaps nothing that stays, and is taken back. A rota officer expects that: line 3
    # repeats what is recorded, and line 2, which contradicts both, is the one to check.
    # Setting both aside would leave the same duties recorded, but would count line 3's
    # eight hours as "excluded" beside the visible-time figure, which counts them.
    recorded(world, at(7), at(15))
    report = imported(tmp_path, REPEATED)
    assert (report.created, report.changed + report.unchanged, report.rejected) == (0, 1, 1)
    assert report.quarantined == ["duties.csv line 2, field 'start': overlaps line 3"]
    assert stretches() == [(at(7), at(15))]
    assert RejectedDuty.objects.get().line == 2
    assert_no_overlaps()


def test_with_supersede_the_earlier_line_wins_and_supersedes_the_recorded_duty(
    world, tmp_path
) -> None:
    recorded(world, at(7), at(15))
    report = imported(tmp_path, REPEATED, supersede=True)
    assert (report.created, report.rejected, report.superseded) == (1, 1, 1)
    assert report.quarantined == ["duties.csv line 3, field 'start': overlaps line 2"]
    assert report.superseded_listed == [
        "the duty of PC1234 2026-03-02 07:00 GMT to 2026-03-02 15:00 GMT (from rota.csv), "
        "by duties.csv line 2"
    ]
    assert stretches() == [(at(6), at(14))]
    assert_no_overlaps()


# 03:00–06:00 and 07:00–15:00 are recorded. Line 3 repeats 07:00–15:00 but overlaps line 2,
# so it is set aside; 07:00–15:00 then stays, and sets aside line 2 and line 4 (which would
# have stretched 03:00–06:00 to 08:00), so 03:00–06:00 stays as it was; line 3, overlapping
# nothing that stays, is taken back. With supersede, lines 2 and 4 win and 07:00–15:00 goes.
BROUGHT_BACK = [
    row(start="2026-03-02T14:00:00Z", end="2026-03-02T16:00:00Z"),  # line 2: new
    row(start="2026-03-02T07:00:00Z", end="2026-03-02T15:00:00Z"),  # line 3: as recorded
    row(start="2026-03-02T03:00:00Z", end="2026-03-02T08:00:00Z"),  # line 4: longer
]


@pytest.mark.parametrize(
    ("supersede", "quarantined", "superseded", "after"),
    [
        pytest.param(
            False,
            [
                "duties.csv line 2, field 'start': overlaps line 3",
                "duties.csv line 4, field 'start': overlaps line 3",
            ],
            [],
            [(at(3), at(6)), (at(7), at(15))],
            id="default",
        ),
        pytest.param(
            True,
            ["duties.csv line 3, field 'start': overlaps line 2"],
            [
                "2026-03-02 07:00 GMT to 2026-03-02 15:00 GMT (from rota.csv), "
                "by duties.csv lines 2, 4"
            ],
            [(at(3), at(8)), (at(14), at(16))],
            id="supersede",
        ),
    ],
)
def test_a_recorded_duty_brought_back_sets_aside_the_lines_overlapping_it(
    world, tmp_path, supersede, quarantined, superseded, after
) -> None:
    recorded(world, at(3), at(6))
    recorded(world, at(7), at(15))
    report = imported(tmp_path, BROUGHT_BACK, supersede=supersede)
    assert report.quarantined == quarantined
    assert [s.split("PC1234 ")[1] for s in report.superseded_listed] == superseded
    assert stretches() == after
    assert_no_overlaps()


# A cascade of two. From a database in which no duties overlap, setting a line aside can only
# set aside the lines that overlap the duty it brings back; those lines bring back duties
# that no line kept overlaps. An earlier import could leave 07:00–15:00 and 14:00–20:00
# both recorded, though: then line 3 (07:00–10:00) is set aside for line 2, which brings
# back 07:00–15:00, which sets aside line 4 (14:00–15:30), which brings back 14:00–20:00,
# which sets aside line 5 (16:00–19:00). In the end lines 3, 4 and 5 overlap nothing that
# stays, and are taken back in turn (each replacing the duty that stood in the next's way).
CASCADE = [
    row(start="2026-03-02T06:00:00Z", end="2026-03-02T08:00:00Z"),  # line 2: new
    row(start="2026-03-02T07:00:00Z", end="2026-03-02T10:00:00Z"),  # line 3: shorter
    row(start="2026-03-02T14:00:00Z", end="2026-03-02T15:30:00Z"),  # line 4: shorter
    row(start="2026-03-02T16:00:00Z", end="2026-03-02T19:00:00Z"),  # line 5: new
]


@pytest.mark.parametrize(
    ("supersede", "quarantined", "superseded", "after"),
    [
        pytest.param(
            False,
            ["duties.csv line 2, field 'start': overlaps line 3"],
            [],
            [(at(7), at(10)), (at(14), at(15, 30)), (at(16), at(19))],
            id="default",
        ),
        pytest.param(
            True,
            ["duties.csv line 3, field 'start': overlaps line 2"],
            [
                "2026-03-02 07:00 GMT to 2026-03-02 15:00 GMT (from rota.csv), "
                "by duties.csv lines 2, 4"
            ],
            [(at(6), at(8)), (at(14), at(15, 30)), (at(16), at(19))],
            id="supersede",
        ),
    ],
)
def test_a_cascade_of_two_settles_with_no_overlap(
    world, tmp_path, supersede, quarantined, superseded, after
) -> None:
    recorded(world, at(7), at(15))
    recorded(world, at(14), at(20))  # overlapping: left by an import before this rule
    report = imported(tmp_path, CASCADE, supersede=supersede)
    assert report.quarantined == quarantined
    assert [s.split("PC1234 ")[1] for s in report.superseded_listed] == superseded
    assert stretches() == after
    assert_no_overlaps()
    again = imported(tmp_path, CASCADE, supersede=supersede)
    assert (again.created, again.changed, again.superseded) == (0, 0, 0)
    assert stretches() == after


def random_import(seed: int, members: dict[str, Any], folder: Path) -> None:
    """Record a few duties of each officer that do not overlap, import a small random file
    over them (a re-export: many rows start where a recorded duty does, some end elsewhere),
    with or without supersede, then the same file again; check what must always hold."""
    rng = random.Random(seed)
    Duty.objects.all().delete()
    RejectedDuty.objects.all().delete()
    before: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for collar, member in members.items():
        before[collar] = []
        free_from = at(3)
        for _ in range(rng.randint(1, 4)):
            start = free_from + dt.timedelta(minutes=30 * rng.randint(0, 4))
            end = start + dt.timedelta(minutes=30 * rng.randint(1, 10))
            recorded({"officer": member}, start, end)
            before[collar].append((start, end))
            free_from = end
    rows: dict[tuple[str, dt.datetime], dict[str, str]] = {}  # no two with one key
    for _ in range(rng.randint(2, 8)):
        collar = rng.choice(list(members))
        if rng.random() < 0.5:
            start, end = rng.choice(before[collar])
            end = max(start + HALF_HOUR, end + HALF_HOUR * rng.randint(-2, 2))
        else:
            start = at(3) + HALF_HOUR * rng.randint(0, 24)
            end = start + HALF_HOUR * rng.randint(1, 10)
        rows.setdefault(
            (collar, start), row(officer=collar, start=start.isoformat(), end=end.isoformat())
        )
    supersede = rng.random() < 0.5
    path = write(folder, csv_text(list(rows.values())), f"duties-{seed}.csv")
    report = import_duties(path, commit=True, supersede=supersede)
    context = f"seed {seed}, supersede={supersede}\n{report.as_text()}"
    assert report.ok and report.read == len(rows), context
    assert_no_overlaps()
    # a row is set aside only for a duty that stays in its way (not the one it would update)
    for rejected in RejectedDuty.objects.all():
        assert (
            Duty.objects.filter(
                member=rejected.member,
                starts_at__lt=rejected.ends_at,
                ends_at__gt=rejected.starts_at,
            )
            .exclude(starts_at=rejected.starts_at)
            .exists()
        ), context
    # and the same file again changes nothing
    after = set(Duty.objects.values_list("member", "starts_at", "ends_at"))
    again = import_duties(path, commit=True, supersede=supersede)
    assert (again.created, again.changed, again.superseded, again.rejected) == (
        0,
        0,
        0,
        report.rejected,
    ), context
    assert set(Duty.objects.values_list("member", "starts_at", "ends_at")) == after, context


HALF_HOUR = dt.timedelta(minutes=30)


def test_no_import_ever_leaves_two_overlapping_duties(world, tmp_path) -> None:
    members = {
        "PC1234": world["officer"],
        "PC77": TeamMemberFactory(force=world["force"], collar_number="PC77"),
    }
    for seed in range(40):
        random_import(seed, members, tmp_path)
