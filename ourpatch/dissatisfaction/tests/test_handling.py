"""Handling dissatisfaction: the 24-hour acknowledgement clock, and each step in order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ourpatch.accounts.factories import UserFactory
from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.dissatisfaction import handling
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.dissatisfaction.handling import ClockState, acknowledgement_clock
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.pledge.models import PledgeStandards
from ourpatch.worker.queue import run_pending

LONDON = ZoneInfo("Europe/London")


def test_the_clock_is_24_elapsed_hours_across_the_spring_change():
    # received at noon GMT on Saturday 28 March 2026; the clocks go forward that night
    received = dt.datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    due = handling.acknowledgement_due(received, 24)
    assert due == dt.datetime(2026, 3, 29, 12, 0, tzinfo=dt.UTC)
    assert due.astimezone(LONDON).hour == 13  # 1 pm BST: the wall clock moved, time did not
    # wall-clock arithmetic on the London time would have allowed only 23 real hours
    wall = received + dt.timedelta(hours=24)
    assert wall.astimezone(dt.UTC) - received.astimezone(dt.UTC) == dt.timedelta(hours=23)
    assert due.astimezone(dt.UTC) - received.astimezone(dt.UTC) == dt.timedelta(hours=24)


def test_the_clock_is_24_elapsed_hours_across_the_autumn_change():
    received = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)  # BST
    due = handling.acknowledgement_due(received, 24)
    assert due.astimezone(LONDON) == dt.datetime(2026, 10, 25, 11, 0, tzinfo=LONDON)  # GMT


def test_clock_states():
    received = dt.datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    due = handling.acknowledgement_due(received, 24)
    hour = dt.timedelta(hours=1)
    waiting = acknowledgement_clock(received, None, due - hour, 24)
    assert waiting.state == ClockState.WAITING and waiting.margin == hour and waiting.is_open
    overdue = acknowledgement_clock(received, None, due + 2 * hour, 24)
    assert overdue.state == ClockState.OVERDUE and overdue.margin == 2 * hour
    on_time = acknowledgement_clock(received, due, due + 5 * hour, 24)
    assert on_time.state == ClockState.ON_TIME and not on_time.is_open
    late = acknowledgement_clock(received, due + hour, due + 5 * hour, 24)
    assert late.state == ClockState.LATE and late.margin == hour
    # the clocks went forward in the night: 12:30 BST next day looks 24.5 hours on, but only
    # 23.5 hours have passed; at 13:30 BST the 24 hours are over
    in_time = dt.datetime(2026, 3, 29, 12, 30, tzinfo=LONDON)
    assert acknowledgement_clock(received, None, in_time, 24).state == ClockState.WAITING
    past = dt.datetime(2026, 3, 29, 13, 30, tzinfo=LONDON)
    assert acknowledgement_clock(received, None, past, 24).state == ClockState.OVERDUE
    assert handling.describe(dt.timedelta(days=2, hours=4, minutes=5)) == "2 days 4 h"
    assert handling.describe(dt.timedelta(hours=3, minutes=20)) == "3 h 20 min"


@pytest.fixture
def area(db):
    return NeighbourhoodFactory(force=ForceFactory(id="west-yorkshire"), code="A", name="Chapel")


def test_the_forces_own_standard_is_used(area):
    assert handling.acknowledgement_hours(area.force_id) == 24
    PledgeStandards.objects.create(force=area.force, dissatisfaction_ack_hours=12)
    assert handling.acknowledgement_hours(area.force_id) == 12


def test_record_acknowledge_agree_close_each_audited(area):
    sergeant = UserFactory(username="sergeant")
    record = handling.record_dissatisfaction(
        by=sergeant,
        force=area.force,
        neighbourhood=area,
        channel=Channel.TELEPHONE,
        category=Category.ATTENDANCE,
        complainant_name="Pat\x07 Example",
        complainant_contact="0113 496 0001",
        summary="Waited all day and nobody came.",
    )
    assert record.complainant_name == "Pat Example"  # control characters dropped
    with pytest.raises(handling.HandlingError):
        handling.agree_resolution(record, by=sergeant, resolution="Sorry", agreed=True)
    with pytest.raises(handling.HandlingError):
        handling.close(record, by=sergeant)
    with pytest.raises(handling.HandlingError):
        handling.acknowledge(record, by=sergeant, how=Channel.WEB)  # a page is not a person
    handling.acknowledge(record, by=sergeant, how=Channel.TELEPHONE)
    with pytest.raises(handling.HandlingError):
        handling.acknowledge(record, by=sergeant, how=Channel.TELEPHONE)
    handling.agree_resolution(record, by=sergeant, resolution="A written apology.", agreed=False)
    assert record.resolution_agreed_at is None
    handling.agree_resolution(
        record, by=sergeant, resolution="An apology and a visit.", agreed=True
    )
    handling.close(record, by=sergeant)
    saved = Dissatisfaction.objects.read_by(sergeant, "test").get()
    assert saved.acknowledged_how == Channel.TELEPHONE and saved.acknowledged_by == sergeant
    assert saved.acknowledged_at is not None and saved.resolution_agreed_at is not None
    assert saved.resolution == "An apology and a visit." and saved.closed_at is not None
    actions = list(
        AuditEntry.objects.filter(record_type="dissatisfaction.dissatisfaction")
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert actions[:5] == [
        (AuditAction.CREATE, "sergeant"),
        (AuditAction.UPDATE, "sergeant"),
        (AuditAction.UPDATE, "sergeant"),
        (AuditAction.UPDATE, "sergeant"),
        (AuditAction.UPDATE, "sergeant"),
    ]


def test_an_acknowledgement_cannot_precede_receipt(area):
    record = DissatisfactionFactory(force=area.force, neighbourhood=area)
    with pytest.raises(handling.HandlingError):
        handling.acknowledge(
            record,
            by=UserFactory(),
            how=Channel.TELEPHONE,
            at=record.received_at - dt.timedelta(minutes=1),
        )


def test_the_web_receipt_is_emailed_once_and_is_not_the_acknowledgement(area, mailoutbox):
    record = handling.record_dissatisfaction(
        by=handling.SYSTEM,
        force=area.force,
        neighbourhood=area,
        channel=Channel.WEB,
        category=Category.NO_RESPONSE,
        complainant_name="Sam",
        complainant_email="sam@example.org",
        summary="No reply to my message.",
        client_address="198.51.100.1",
    )
    assert mailoutbox == []  # the worker sends it
    assert run_pending() == 1 and run_pending() == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sam@example.org"]
    assert record.reference in mailoutbox[0].body and "within 24 hours" in mailoutbox[0].body
    saved = Dissatisfaction.objects.filter(pk=record.pk).values(
        "acknowledged_at", "receipt_sent_at"
    )[0]
    assert saved["receipt_sent_at"] is not None
    assert saved["acknowledged_at"] is None  # a person still has to acknowledge it


def test_a_neighbourhood_of_another_force_is_refused(area):
    other = ForceFactory(id="north-yorkshire")
    with pytest.raises(handling.HandlingError):
        handling.record_dissatisfaction(
            by=UserFactory(),
            force=other,
            neighbourhood=area,
            channel=Channel.TELEPHONE,
            category=Category.OTHER,
            complainant_name="X",
            summary="Y",
        )
