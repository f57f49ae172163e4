"""The Pledge figures are computed once and reused until something they are computed from
changes: a record added, changed or removed by any route (a form, an import's raw SQL), the
force's standards, or time itself (a reply's clock running out, a day ending)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ourpatch.calls.factories import CallFactory
from ourpatch.calls.imports import import_calls
from ourpatch.contact.models import Message
from ourpatch.pledge.clocks import months_ending
from ourpatch.pledge.factories import PledgeStandardsFactory
from ourpatch.pledge.inputs import input_tables, input_version, install_triggers
from ourpatch.pledge.measures import (
    CACHE_COUNTS,
    Measures,
    cached_measure,
    figures_change_at,
    measure,
)
from ourpatch.pledge.rules import make_scope
from ourpatch.pledge.tests.conftest import MARCH, NOW, T

# Transactional: on PostgreSQL a transaction that has written an input table caches nothing
# (pledge.inputs), so the records each test makes must be committed, as a request's are
pytestmark = pytest.mark.django_db(transaction=True)

FORCE_PAGE = "/forces/west-yorkshire/pledge/?month=2026-03"
APRIL = dt.date(2026, 4, 1)


class Counting:
    """How many times the figures were computed and reused since it was made."""

    def __init__(self) -> None:
        self.start = (CACHE_COUNTS.computed, CACHE_COUNTS.reused)

    @property
    def computed(self) -> int:
        return CACHE_COUNTS.computed - self.start[0]

    @property
    def reused(self) -> int:
        return CACHE_COUNTS.reused - self.start[1]


def _force_figures(world, item: int, month: dt.date = MARCH, now: dt.datetime = NOW) -> Measures:
    return cached_measure(make_scope(world.force, months_ending(month, 12), now=now))


def _month(measures: Measures, item: int, month: dt.date = MARCH):
    return measures.items[item].month(measures.force_unit, month)


def test_unchanged_figures_are_computed_once_for_every_page_that_shows_them(world):
    counting = Counting()
    public = Client()
    assert "0.0% (0 of 1 calls)" in public.get(FORCE_PAGE).content.decode()
    public.get(FORCE_PAGE)
    staff = Client()
    staff.force_login(world.users["force_admin"])
    assert staff.get("/staff/pledge/?month=2026-03").status_code == 200
    # the public scorecard twice and the staff dashboard: one force, the same 12 months
    assert (counting.computed, counting.reused) == (1, 2)


def test_a_new_record_is_on_the_page_at_once(world):
    client = Client()
    assert "0.0% (0 of 1 calls)" in client.get(FORCE_PAGE).content.decode()
    CallFactory(force=world.force, neighbourhood=world.b, received_at=T)  # answered in 5 s
    assert "50.0% (1 of 2 calls)" in client.get(FORCE_PAGE).content.decode()


def test_a_record_changed_in_place_without_signals_is_seen(world):
    counting = Counting()
    assert _month(_force_figures(world, 4), 4).met == 0  # answered after 30 hours
    # an UPDATE statement: no save(), no signal
    Message.objects.filter(pk=world.message.pk).update(first_response_at=T + dt.timedelta(hours=1))
    assert _month(_force_figures(world, 4), 4).met == 1
    assert counting.computed == 2


def test_figures_read_between_two_changes_of_one_transaction_are_not_kept(world):
    # a transaction that changes an input, reads the figures, then changes it again: what it
    # read halfway must not be served afterwards as the figures of what it committed
    with transaction.atomic():
        Message.objects.filter(pk=world.message.pk).update(
            first_response_at=T + dt.timedelta(hours=40)
        )
        assert _month(_force_figures(world, 4), 4).met == 0
        Message.objects.filter(pk=world.message.pk).update(
            first_response_at=T + dt.timedelta(hours=1)
        )
        assert _month(_force_figures(world, 4), 4).met == 1
    assert _month(_force_figures(world, 4), 4).met == 1


def test_a_call_re_imported_by_raw_sql_is_seen(world, tmp_path: Path):
    counting = Counting()
    assert _month(_force_figures(world, 5), 5).met == 0  # answered after 25 seconds
    # the same call in a later export, now answered in 4 seconds
    again = {
        "force": "west-yorkshire",
        "call_id": "C0001234",
        "kind": "999",
        "received": "2026-03-10T09:00:00Z",
        "answered": "2026-03-10T09:00:04Z",
        "grade": "priority",
        "neighbourhood": "A",
    }
    columns = [*again, "graded", "dispatched", "arrived", "vulnerable"]
    columns += ["neighbourhood_priority", "eta_given", "outcome", "appointment_at"]
    path = tmp_path / "calls.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(again.get(c, "") for c in columns) + "\n")
    report = import_calls(path, commit=True)
    assert report.ok and report.changed == 1, report
    assert _month(_force_figures(world, 5), 5).met == 1
    assert counting.computed == 2


def test_the_forces_own_standards_are_applied_at_once(world):
    assert _month(_force_figures(world, 5), 5).met == 0
    PledgeStandardsFactory(force=world.force, emergency_answer_seconds=30)
    assert _month(_force_figures(world, 5), 5).met == 1


def test_a_clock_running_out_changes_the_figure_with_no_new_record(world):
    # a message with no reply yet, 23 hours old: not judged until its 24 hours are up
    Message.objects.create(
        neighbourhood=world.a,
        reference="M-WAITING2",
        sender_name="R. Esident",
        body="Parking on the zigzags.",
        received_at=NOW - dt.timedelta(hours=23),
    )
    counting = Counting()
    waiting = _month(_force_figures(world, 4, APRIL), 4, APRIL)
    assert (waiting.counted, sum(waiting.excluded.values())) == (0, 1)
    later = _month(_force_figures(world, 4, APRIL, NOW + dt.timedelta(minutes=30)), 4, APRIL)
    assert later == waiting
    assert (counting.computed, counting.reused) == (1, 1)
    overdue = _month(_force_figures(world, 4, APRIL, NOW + dt.timedelta(hours=1)), 4, APRIL)
    assert (overdue.counted, overdue.met) == (1, 0)
    assert counting.computed == 2


def test_the_figures_say_when_time_alone_will_change_them(world):
    scope = make_scope(world.force, months_ending(APRIL, 12), now=NOW)
    # 20 April, 13:00 in London: the day ends at midnight (23:00 UTC)
    assert figures_change_at(scope) == dt.datetime(2026, 4, 20, 23, 0, tzinfo=dt.UTC)
    received = NOW - dt.timedelta(hours=20)
    Message.objects.create(
        neighbourhood=world.a, reference="M-WAITING3", body="Noise.", received_at=received
    )
    assert figures_change_at(scope) == received + dt.timedelta(hours=24)
    # a year long over: only a change to a record changes it
    past = make_scope(world.force, months_ending(dt.date(2025, 12, 1), 12), now=NOW)
    assert figures_change_at(past) is None


# In one transaction: measure() then runs its rules on this connection, where they are seen
@pytest.mark.django_db
def test_every_table_the_figures_read_is_versioned(world):
    scopes = [
        make_scope(world.force, months_ending(APRIL, 12), now=NOW),
        make_scope(world.force, months_ending(APRIL, 12), neighbourhood_ids=[world.a.pk], now=NOW),
    ]
    with CaptureQueriesContext(connection) as queries:
        for scope in scopes:
            measure(scope)
            figures_change_at(scope)
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"])
    }
    assert "calls_call" in read and "teams_teammember_neighbourhoods" in read
    assert read <= set(input_tables()), read - set(input_tables())


def test_without_the_triggers_nothing_is_reused(world):
    table = "calls_call"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER "pledge_input_{table}_update"')
        else:
            cursor.execute(f'DROP TRIGGER "pledge_input_{table}" ON "{table}"')
    assert input_version(connection) is None
    counting = Counting()
    _force_figures(world, 5)
    _force_figures(world, 5)
    assert (counting.computed, counting.reused) == (2, 0)
    assert install_triggers(connection) == []
    assert input_version(connection) is not None
    _force_figures(world, 5)
    _force_figures(world, 5)
    assert (counting.computed, counting.reused) == (3, 1)
