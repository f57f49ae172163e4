"""The call import: good rows in, bad rows quarantined and named, re-imports idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from ourpatch.audit.personal import SYSTEM
from ourpatch.calls.exclusions import call_exclusions, call_exclusions_by_neighbourhood
from ourpatch.calls.imports import import_calls
from ourpatch.calls.models import (
    Appointment,
    Call,
    CallLocation,
    RejectedCall,
    RejectReason,
)
from ourpatch.cli import main
from ourpatch.geography.factories import (
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
)
from ourpatch.teams.factories import TeamMemberFactory

UTC = dt.UTC
COLUMNS = [
    "force",
    "call_id",
    "kind",
    "received",
    "answered",
    "graded",
    "dispatched",
    "arrived",
    "grade",
    "vulnerable",
    "neighbourhood_priority",
    "eta_given",
    "neighbourhood",
    "latitude",
    "longitude",
    "address",
    "outcome",
    "appointment_at",
]
# Inside NH1's boundary (the factory's box around Leeds city centre)
IN_NH1 = ("53.8", "-1.55")


def row(**values: str) -> dict[str, str]:
    """A good 999 call, answered in 5 s, attended 12 minutes after dispatch."""
    good = {
        "force": "west-yorkshire",
        "call_id": "C1",
        "kind": "999",
        "received": "2026-03-02T09:00:00Z",
        "answered": "2026-03-02T09:00:05Z",
        "graded": "2026-03-02T09:02:00Z",
        "dispatched": "2026-03-02T09:03:00Z",
        "arrived": "2026-03-02T09:15:00Z",
        "grade": "emergency",
        "vulnerable": "false",
        "neighbourhood_priority": "false",
        "eta_given": "true",
        "neighbourhood": "NH1",
        "latitude": "",
        "longitude": "",
        "address": "",
        "outcome": "attended",
        "appointment_at": "",
    }
    good.update(values)
    return good


def csv_text(rows: list[dict[str, str]], columns: list[str] = COLUMNS, end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator=end, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "calls.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    hood = NeighbourhoodFactory(force=force, code="NH1", name="City Centre")
    NeighbourhoodBoundaryFactory(neighbourhood=hood)
    other = NeighbourhoodFactory(force=force, code="NH2", name="Chapeltown")
    return {"force": force, "hood": hood, "other": other}


def imported(tmp_path: Path, rows: list[dict[str, str]], commit: bool = True, **kw: Any) -> Any:
    return import_calls(write(tmp_path, csv_text(rows)), commit=commit, **kw)


# --------------------------------------------------------------------------------------------
# Good rows


def test_a_good_file_is_imported_with_times_in_utc(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(),
            row(
                call_id="C2",
                kind="101",
                received="2026-07-01T10:00:00+01:00",
                answered="2026-07-01T10:01:00+01:00",
                graded="",
                dispatched="",
                arrived="",
                grade="resolution",
                vulnerable="TRUE",
                neighbourhood_priority="yes",
                eta_given="",
                outcome="advice",
            ),
        ],
    )
    assert report.ok and report.committed
    assert (report.read, report.created, report.rejected) == (2, 2, 0)
    first = Call.objects.get(call_id="C1")
    assert first.force_id == "west-yorkshire" and first.neighbourhood == world["hood"]
    assert first.arrived_at - first.dispatched_at == dt.timedelta(minutes=12)
    assert first.eta_given is True and first.source_file == "calls.csv" and first.source_line == 2
    second = Call.objects.get(call_id="C2")
    assert second.received_at == dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert second.dispatched_at is None and second.eta_given is None
    assert second.vulnerable and second.neighbourhood_priority
    assert "Imported." in report.as_text()


def test_location_is_kept_apart_and_an_appointment_is_made(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(
                kind="101",
                neighbourhood="",
                latitude=IN_NH1[0],
                longitude=IN_NH1[1],
                address="1 Briggate, Leeds",
                grade="scheduled",
                dispatched="",
                arrived="",
                outcome="appointment",
                appointment_at="2026-03-03T14:00:00Z",
            )
        ],
    )
    assert report.ok and report.located == 1
    call = Call.objects.get()
    assert call.neighbourhood == world["hood"]  # placed by its coordinates
    location = CallLocation.objects.filter(call=call).read_by(SYSTEM, "test").get()
    assert (location.latitude, location.address) == (53.8, "1 Briggate, Leeds")
    appointment = Appointment.objects.get()
    assert appointment.call == call and appointment.neighbourhood == world["hood"]
    assert appointment.requested_at == call.received_at
    assert appointment.appointment_at == dt.datetime(2026, 3, 3, 14, tzinfo=UTC)


def test_coordinates_outside_every_neighbourhood_leave_the_call_with_the_force(
    world, tmp_path
) -> None:
    report = imported(tmp_path, [row(neighbourhood="", latitude="51.5", longitude="-0.12")])
    assert report.ok and report.created == 1 and report.outside == 1
    assert Call.objects.get().neighbourhood is None
    assert "counted for the force only" in report.as_text()


def test_bom_crlf_quoted_commas_and_blank_lines(world, tmp_path) -> None:
    text = csv_text(
        [row(address="Flat 2, 1 Briggate, Leeds"), row(call_id="C2")], end="\r\n"
    ).replace("\r\nwest-yorkshire,C2", "\r\n\r\n,,,\r\nwest-yorkshire,C2")
    report = import_calls(write(tmp_path, text, bom=True), commit=True)
    assert report.ok, report.as_text()
    assert (report.read, report.created, report.rejected) == (2, 2, 0)
    location = CallLocation.objects.read_by(SYSTEM, "test").get()
    assert location.address == "Flat 2, 1 Briggate, Leeds"
    assert Call.objects.get(call_id="C2").source_line == 5  # blank lines still count


def test_header_names_are_case_insensitive_in_any_order_and_location_is_optional(
    world, tmp_path
) -> None:
    columns = [c for c in reversed(COLUMNS) if c not in ("latitude", "longitude", "address")]
    text = csv_text([row()], columns).replace("call_id", "Call_ID", 1)
    report = import_calls(write(tmp_path, text), commit=True)
    assert report.ok and report.created == 1


# --------------------------------------------------------------------------------------------
# Whole-file problems: refused


def test_a_missing_column_refuses_the_file_with_a_clear_message(world, tmp_path) -> None:
    columns = [c for c in COLUMNS if c != "arrived"]
    report = import_calls(write(tmp_path, csv_text([row()], columns)), commit=True)
    assert not report.ok and Call.objects.count() == 0
    assert "calls.csv line 1: missing column(s) arrived" in report.problems[0]
    assert "REJECTED" in report.as_text()


def test_a_file_without_a_header_is_refused(world, tmp_path) -> None:
    text = csv_text([row(), row(call_id="C2")]).split("\n", 1)[1]  # header removed
    report = import_calls(write(tmp_path, text), commit=True)
    assert not report.ok and "missing column(s) force, call_id" in report.problems[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"force,force,call_id\n", "missing column(s)"),
    ],
)
def test_empty_and_wrong_headers(world, tmp_path, content, message) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(content)
    report = import_calls(path, commit=True)
    assert not report.ok and message in report.problems[0]


def test_a_repeated_column_is_refused(world, tmp_path) -> None:
    text = csv_text([row()], [*COLUMNS, "grade"])
    report = import_calls(write(tmp_path, text), commit=True)
    assert not report.ok and "column(s) given twice: grade" in report.problems[0]


def test_an_oversized_file_is_refused_before_reading(world, tmp_path) -> None:
    report = import_calls(write(tmp_path, csv_text([row()])), commit=True, max_bytes=100)
    assert not report.ok and "the limit is" in report.problems[0]


def test_a_file_refused_late_leaves_nothing_behind(world, tmp_path) -> None:
    """Not UTF-8 on the last line: the good rows already written are undone with it."""
    text = csv_text([row(), row(call_id="C2")]).encode() + b"west-yorkshire,C\xe93\n"
    path = tmp_path / "calls.csv"
    path.write_bytes(text)
    report = import_calls(path, commit=True, chunk_rows=1)
    assert not report.ok and "line 4: not UTF-8" in report.problems[0]
    assert Call.objects.count() == 0 and RejectedCall.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Bad rows: quarantined, named, and the good rows still imported

BAD_ROWS = [
    pytest.param({"received": ""}, "received", RejectReason.MISSING, "missing", id="no-received"),
    pytest.param(
        {"received": "2026-03-02T09:00:00"},
        "received",
        RejectReason.NO_ZONE,
        "has no zone",
        id="no-zone",
    ),
    pytest.param(
        {"answered": "yesterday"},
        "answered",
        RejectReason.NOT_A_TIME,
        "is not a date and time such as 2026-10-25T01:30:00+01:00",
        id="not-a-time",
    ),
    pytest.param(
        {"answered": "2026-03-02T08:59:59Z"},
        "answered",
        RejectReason.OUT_OF_ORDER,
        "answered 2026-03-02 08:59:59 GMT is before received 2026-03-02 09:00:00 GMT",
        id="answered-before-received",
    ),
    pytest.param(
        {"dispatched": "2026-03-02T08:30:00Z", "graded": ""},
        "dispatched",
        RejectReason.OUT_OF_ORDER,
        "dispatched 2026-03-02 08:30:00 GMT is before received",
        id="dispatched-before-received",
    ),
    pytest.param(
        {"arrived": "2026-03-02T09:02:59Z"},
        "arrived",
        RejectReason.OUT_OF_ORDER,
        "arrived 2026-03-02 09:02:59 GMT is before dispatched 2026-03-02 09:03:00 GMT",
        id="arrived-before-dispatched",
    ),
    pytest.param(
        {"neighbourhood": "NH9"},
        "neighbourhood",
        RejectReason.UNKNOWN_NEIGHBOURHOOD,
        "unknown neighbourhood 'NH9' in west-yorkshire",
        id="unknown-neighbourhood",
    ),
    pytest.param(
        {"force": "atlantis"},
        "force",
        RejectReason.UNKNOWN_FORCE,
        "unknown force 'atlantis'",
        id="unknown-force",
    ),
    pytest.param(
        {"kind": "112"}, "kind", RejectReason.BAD_VALUE, "'112' is not a kind", id="bad-kind"
    ),
    pytest.param({"kind": ""}, "kind", RejectReason.MISSING, "missing: 999 or 101", id="no-kind"),
    pytest.param({"force": ""}, "force", RejectReason.MISSING, "missing", id="no-force"),
    pytest.param(
        {"grade": "urgent"},
        "grade",
        RejectReason.BAD_VALUE,
        "'urgent' is not a grade",
        id="bad-grade",
    ),
    pytest.param(
        {"outcome": "arrested"},
        "outcome",
        RejectReason.BAD_VALUE,
        "'arrested' is not an outcome",
        id="bad-outcome",
    ),
    pytest.param(
        {"vulnerable": "maybe"},
        "vulnerable",
        RejectReason.BAD_VALUE,
        "'maybe' is not true or false",
        id="bad-flag",
    ),
    pytest.param(
        {"neighbourhood": "", "latitude": "48.85", "longitude": "2.35"},
        "latitude",
        RejectReason.BAD_LOCATION,
        "latitude and longitude are outside the UK",
        id="outside-the-uk",
    ),
    pytest.param(
        {"neighbourhood": "", "latitude": "-1.55", "longitude": "53.8"},
        "latitude",
        RejectReason.BAD_LOCATION,
        "outside the UK (they look swapped)",
        id="swapped-coordinates",
    ),
    pytest.param(
        {"latitude": "53.8", "longitude": ""},
        "latitude",
        RejectReason.BAD_LOCATION,
        "give both latitude and longitude",
        id="half-a-location",
    ),
    pytest.param(
        {"outcome": "appointment"},
        "appointment_at",
        RejectReason.MISSING,
        "the outcome is an appointment",
        id="appointment-without-time",
    ),
    pytest.param({"call_id": ""}, "call_id", RejectReason.MISSING, "missing", id="no-call-id"),
    pytest.param(
        {"call_id": "C" * 41},
        "call_id",
        RejectReason.TOO_LONG,
        "longer than 40 characters",
        id="long-call-id",
    ),
]


@pytest.mark.parametrize(("bad", "field", "reason", "text"), BAD_ROWS)
def test_a_bad_row_is_quarantined_and_named_and_the_good_rows_imported(
    world, tmp_path, bad, field, reason, text
) -> None:
    rows = [row(call_id="C1"), row(**{"call_id": "C2", **bad}), row(call_id="C3")]
    report = imported(tmp_path, rows)
    assert report.ok and report.committed, report.as_text()
    assert (report.read, report.created, report.rejected) == (3, 2, 1)
    assert set(Call.objects.values_list("call_id", flat=True)) == {"C1", "C3"}
    assert report.quarantined[0].startswith(f"calls.csv line 3, field {field!r}: ")
    assert text in report.quarantined[0]
    rejected = RejectedCall.objects.read_by(SYSTEM, "test").get()
    assert (rejected.source_file, rejected.line, rejected.field, rejected.reason) == (
        "calls.csv",
        3,
        field,
        reason,
    )
    assert text in rejected.message
    assert rejected.raw["kind"] == rows[1]["kind"]  # the row as the file gave it
    assert report.rejected_by_reason == {reason: 1}
    assert "quarantined 1 bad row(s)" in report.as_text()


def test_a_duplicate_call_id_names_the_first_line(world, tmp_path) -> None:
    report = imported(tmp_path, [row(), row(call_id="C2"), row(answered="")])
    assert report.created == 2 and report.rejected == 1
    assert report.quarantined == [
        "calls.csv line 4, field 'call_id': call 'C1' is already on line 2"
    ]
    assert Call.objects.get(call_id="C1").answered_at is not None  # the first line's


def test_a_row_with_the_wrong_number_of_fields_is_quarantined_for_its_force(
    world, tmp_path
) -> None:
    text = csv_text([row()]) + "west-yorkshire,C2,999\n"
    report = import_calls(write(tmp_path, text), commit=True)
    assert report.ok and report.created == 1 and report.rejected == 1
    assert "line 3, field '(row)': 3 fields, but the header has 18" in report.quarantined[0]
    assert RejectedCall.objects.values_list("force", "call_id").get() == ("west-yorkshire", "C2")


def test_every_problem_of_a_row_is_listed(world, tmp_path) -> None:
    report = imported(tmp_path, [row(kind="112", answered="2026-03-02T09:00", grade="x")])
    assert report.rejected == 1 and len(report.quarantined) == 3
    rejected = RejectedCall.objects.values_list("field", "reason", "message").get()
    assert rejected[:2] == ("kind", RejectReason.BAD_VALUE)
    assert "field 'answered'" in rejected[2] and "field 'grade'" in rejected[2]


def test_messages_never_repeat_an_address_or_coordinates(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [row(neighbourhood="", latitude="-1.5512", longitude="53.8011", address="x" * 301)],
    )
    assert report.rejected == 1
    text = report.as_text()
    assert "53.8011" not in text and "x" * 20 not in text
    assert "longer than 300 characters" in text


# --------------------------------------------------------------------------------------------
# Idempotency, updates, dry runs


def test_a_dry_run_writes_nothing(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(),
            row(call_id="C2", received=""),
            row(call_id="C3", outcome="appointment", appointment_at="2026-03-03T09:00:00Z"),
        ],
        commit=False,
    )
    assert report.ok and not report.committed
    assert (report.created, report.rejected) == (2, 1)
    assert Call.objects.count() == 0 and RejectedCall.objects.count() == 0
    assert Appointment.objects.count() == 0 and CallLocation.objects.count() == 0
    text = report.as_text()
    assert "Nothing was changed" in text and "would create 2" in text
    assert "would be kept aside" in text


def test_importing_the_same_file_again_changes_nothing(world, tmp_path) -> None:
    rows = [
        row(address="1 Briggate", latitude=IN_NH1[0], longitude=IN_NH1[1]),
        row(call_id="C2", answered="2026-03-02T08:00:00Z"),
        row(call_id="C3", outcome="appointment", appointment_at="2026-03-03T09:00:00Z"),
        row(),  # a duplicate of line 2
    ]
    path = write(tmp_path, csv_text(rows))
    first = import_calls(path, commit=True)
    assert (first.created, first.rejected) == (2, 2)
    snapshot = list(Call.objects.values_list("id", "call_id", "imported_at", "fingerprint"))
    again = import_calls(path, commit=True)
    assert again.ok
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert again.rejected == 2 and again.already_quarantined == 2 and again.cleared == 0
    assert list(Call.objects.values_list("id", "call_id", "imported_at", "fingerprint")) == (
        snapshot
    )
    assert RejectedCall.objects.count() == 2
    assert Appointment.objects.count() == 1 and CallLocation.objects.count() == 1
    # The same rows under another file name are the same rows
    renamed = import_calls(write(tmp_path, csv_text(rows), "copy.csv"), commit=True)
    assert renamed.already_quarantined == 2 and RejectedCall.objects.count() == 2


def test_a_later_export_updates_the_call_and_releases_its_rejection(world, tmp_path) -> None:
    imported(
        tmp_path,
        [
            row(arrived="", outcome=""),
            row(call_id="C2", arrived="2026-03-02T09:01:00Z"),  # before dispatch: quarantined
        ],
    )
    assert RejectedCall.objects.filter(call_id="C2").exists()
    later = import_calls(
        write(
            tmp_path,
            csv_text([row(), row(call_id="C2", arrived="2026-03-02T09:20:00Z")]),
            "calls-later.csv",
        ),
        commit=True,
    )
    assert later.ok
    assert (later.created, later.changed, later.unchanged, later.cleared) == (0, 2, 0, 1)
    assert Call.objects.get(call_id="C1").arrived_at == dt.datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert Call.objects.get(call_id="C2").source_file == "calls-later.csv"
    assert not RejectedCall.objects.exists()
    assert "released" in later.as_text()


def test_a_dry_run_of_a_later_export_says_what_it_would_release(world, tmp_path) -> None:
    imported(tmp_path, [row(received="")])
    report = import_calls(write(tmp_path, csv_text([row()]), "later.csv"), commit=False)
    assert (report.changed, report.cleared) == (1, 1)
    assert RejectedCall.objects.count() == 1 and Call.objects.count() == 0


def test_a_changed_appointment_is_updated_keeping_what_staff_recorded(world, tmp_path) -> None:
    appointment_row = row(
        dispatched="", arrived="", outcome="appointment", appointment_at="2026-03-03T09:00:00Z"
    )
    imported(tmp_path, [appointment_row])
    officer = TeamMemberFactory(force=world["force"])
    Appointment.objects.update(officer=officer, kept=True)
    imported(tmp_path, [{**appointment_row, "appointment_at": "2026-03-03T11:00:00Z"}])
    appointment = Appointment.objects.get()
    assert appointment.appointment_at == dt.datetime(2026, 3, 3, 11, tzinfo=UTC)
    assert appointment.officer == officer and appointment.kept is True
    imported(tmp_path, [{**appointment_row, "outcome": "advice", "appointment_at": ""}])
    assert not Appointment.objects.exists()


def test_a_changed_location_replaces_the_old_one(world, tmp_path) -> None:
    imported(tmp_path, [row(address="1 Briggate")])
    report = imported(tmp_path, [row(address="2 Briggate")])
    assert report.changed == 1
    assert CallLocation.objects.read_by(SYSTEM, "test").get().address == "2 Briggate"
    imported(tmp_path, [row()])
    assert not CallLocation.objects.exists()


def test_a_rejection_judged_again_is_brought_up_to_date(world, tmp_path) -> None:
    """An unknown neighbourhood, then created: the row is imported and released."""
    bad = [row(neighbourhood="NH9")]
    imported(tmp_path, bad)
    NeighbourhoodFactory(force=world["force"], code="NH9")
    report = imported(tmp_path, bad)
    assert (report.changed, report.cleared, report.rejected) == (1, 1, 0)
    assert Call.objects.get().neighbourhood.code == "NH9"
    assert not RejectedCall.objects.exists()


# --------------------------------------------------------------------------------------------
# Summer time


def test_times_across_the_march_and_october_clock_changes(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            # 29 March 2026: clocks go forward at 01:00 GMT. Received 00:50 GMT, answered
            # "02:05 BST": 15 minutes later, though the wall clock moved 75.
            row(
                call_id="SPRING",
                received="2026-03-29T00:50:00+00:00",
                answered="2026-03-29T02:05:00+01:00",
                graded="",
                dispatched="2026-03-29T02:06:00+01:00",
                arrived="2026-03-29T01:10:00Z",
            ),
            # 25 October 2026: clocks go back at 01:00 GMT. Received 01:50 BST, answered
            # 01:05 GMT: 15 minutes later, though the wall clock shows 45 earlier.
            row(
                call_id="AUTUMN",
                received="2026-10-25T01:50:00+01:00",
                answered="2026-10-25T01:05:00+00:00",
                graded="",
                dispatched="2026-10-25T01:06:00Z",
                arrived="2026-10-25T01:20:00Z",
            ),
            # The wall-clock time 01:30 happens twice that night: without a zone it is refused
            row(
                call_id="AMBIGUOUS",
                received="2026-10-25T01:30:00",
                answered="",
                graded="",
                dispatched="",
                arrived="",
            ),
            # and on 29 March 01:30 never happens at all
            row(
                call_id="IMPOSSIBLE",
                received="2026-03-29T01:30:00",
                answered="",
                graded="",
                dispatched="",
                arrived="",
            ),
        ],
    )
    assert (report.created, report.rejected) == (2, 2)
    spring = Call.objects.get(call_id="SPRING")
    assert spring.answered_at - spring.received_at == dt.timedelta(minutes=15)
    assert spring.arrived_at - spring.dispatched_at == dt.timedelta(minutes=4)
    autumn = Call.objects.get(call_id="AUTUMN")
    assert autumn.answered_at - autumn.received_at == dt.timedelta(minutes=15)
    assert set(RejectedCall.objects.values_list("reason", flat=True)) == {RejectReason.NO_ZONE}


def test_an_out_of_order_message_shows_uk_time_with_its_zone(world, tmp_path) -> None:
    report = imported(
        tmp_path,
        [
            row(
                received="2026-10-25T01:50:00+01:00",
                answered="2026-10-25T01:45:00+01:00",
                graded="",
                dispatched="",
                arrived="",
            )
        ],
    )
    assert (
        "answered 2026-10-25 01:45:00 BST is before received 2026-10-25 01:50:00 BST"
        in (report.quarantined[0])
    )


# --------------------------------------------------------------------------------------------
# "n excluded", for the Pledge figures


def test_exclusions_count_quarantined_calls_by_reason_in_a_local_month(world, tmp_path) -> None:
    london = dt.timezone(dt.timedelta(hours=1))
    april = (dt.datetime(2026, 4, 1, tzinfo=london), dt.datetime(2026, 5, 1, tzinfo=london))

    def call(call_id: str, received: str, **values: str) -> dict[str, str]:
        empty = {"answered": "", "graded": "", "dispatched": "", "arrived": "", "outcome": ""}
        return row(call_id=call_id, received=received, **{**empty, **values})

    imported(
        tmp_path,
        [
            # 23:30 GMT on 31 March is 00:30 BST on 1 April: April's
            call("A", "2026-03-31T23:30:00Z", answered="2026-03-31T23:00:00Z"),
            call("B", "2026-04-10T10:00:00+01:00", kind="112"),
            call("C", "2026-04-10T10:00:00+01:00", kind="112", neighbourhood="NH2"),
            call("D", "2026-03-31T22:59:00Z", kind="112"),  # 23:59 BST on 31 March: March's
            call("E", ""),  # no time: in no month
            call("F", "2026-04-02T10:00:00+01:00", neighbourhood="NH404"),
            call("G", "2026-04-02T10:00:00+01:00"),  # good
        ],
    )
    whole = call_exclusions(world["force"], *april)
    assert whole.by_reason == {
        RejectReason.OUT_OF_ORDER: 1,
        RejectReason.BAD_VALUE: 2,
        RejectReason.UNKNOWN_NEIGHBOURHOOD: 1,
    }
    assert whole.total == 4 and whole.undated == 1
    assert whole.summary() == (
        "4 excluded: 2 a value that is not one of those allowed, 1 an unknown neighbourhood, "
        "1 times out of order (and 1 with no readable time, in no month)"
    )
    nh1 = call_exclusions("west-yorkshire", *april, neighbourhood=world["hood"])
    assert nh1.by_reason == {RejectReason.OUT_OF_ORDER: 1, RejectReason.BAD_VALUE: 1}
    assert nh1.undated == 1
    by_hood = call_exclusions_by_neighbourhood(world["force"], *april)
    assert by_hood[world["other"].pk].total == 1
    assert by_hood[None].by_reason == {RejectReason.UNKNOWN_NEIGHBOURHOOD: 1}
    assert call_exclusions(world["force"], *april, neighbourhood=world["other"]).summary() == (
        "1 excluded: 1 a value that is not one of those allowed"
    )


def test_no_exclusions(world) -> None:
    start = dt.datetime(2026, 4, 1, tzinfo=UTC)
    assert call_exclusions(world["force"], start, start).summary() == "none excluded"


# --------------------------------------------------------------------------------------------
# The command line


def test_the_command_line_imports_and_lists_the_quarantined_rows(world, tmp_path, capsys) -> None:
    path = write(tmp_path, csv_text([row(), row(call_id="C2", received="2026-03-02T09:00")]))
    assert main(["import", "calls", str(path)]) == 0
    out = capsys.readouterr().out
    assert "would create 1" in out and "line 3, field 'received'" in out
    assert Call.objects.count() == 0
    assert main(["import", "calls", str(path), "--commit"]) == 0
    out = capsys.readouterr().out
    assert "Imported." in out and "quarantined 1 bad row(s)" in out
    assert Call.objects.count() == 1 and RejectedCall.objects.count() == 1


def test_the_command_line_refuses_a_wrong_file(world, tmp_path, capsys) -> None:
    path = write(tmp_path, "call,when\nC1,2026-03-02T09:00:00Z\n")
    assert main(["import", "calls", str(path), "--commit"]) == 1
    assert "missing column(s)" in capsys.readouterr().err
