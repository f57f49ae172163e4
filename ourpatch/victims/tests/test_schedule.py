"""When a victim is due an update: their chosen frequency, at least monthly, in London days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ourpatch.audit.models import AuditEntry
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.victims import schedule
from ourpatch.victims.factories import UpdateAgreementFactory, VictimUpdateFactory
from ourpatch.victims.models import UpdateAgreement
from ourpatch.victims.schedule import UpdateStatus, interval_days, next_due_at, status_at

LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=LONDON)


# ---- the rules, without the database ------------------------------------------------------


def test_a_monthly_request_is_due_within_the_forces_monthly_standard():
    assert interval_days(14, 31) == 14
    assert interval_days(7, 31) == 7
    # asked for monthly (28 days or more): the force's "monthly", never fewer days than asked
    assert interval_days(28, 31) == 31
    assert interval_days(30, 31) == 31
    assert interval_days(31, 28) == 31
    assert interval_days(60, 31) == 60  # the victim's own choice of less often
    assert interval_days(None, 31) is None  # no updates wanted


def test_the_next_update_counts_from_the_last_one_given():
    agreed = at(2026, 1, 5, 10)
    assert next_due_at(agreed, None, 14, 31) == at(2026, 1, 19, 10)
    assert next_due_at(agreed, at(2026, 1, 15, 16), 14, 31) == at(2026, 1, 29, 16)
    assert next_due_at(agreed, None, None, 31) is None


def test_due_times_are_elapsed_days_across_the_clock_changes():
    # agreed at 10:00 GMT before the clocks go forward (29 March 2026): 14 days of elapsed
    # time later is 11:00 BST, not 10:00 BST (which would be an hour short)
    due = next_due_at(at(2026, 3, 20, 10), None, 14, 31)
    assert due == dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC)
    assert due.astimezone(LONDON) == at(2026, 4, 3, 11)
    # and back in autumn (25 October 2026): 10:00 BST + 7 days is 09:00 GMT
    due = next_due_at(at(2026, 10, 20, 10), None, 7, 31)
    assert due is not None and due.astimezone(LONDON) == at(2026, 10, 27, 9)
    # the London day is the one shown: 00:30 BST on 8 April is still 7 April in UTC
    due = next_due_at(at(2026, 4, 1, 0, 30), None, 7, 31)
    assert due is not None and due.astimezone(dt.UTC).day == 7
    assert schedule.local_date(due) == dt.date(2026, 4, 8)
    with pytest.raises(ValueError):
        next_due_at(dt.datetime(2026, 3, 1, 12), None, 7, 31)  # a naive time is refused


def test_status_due_soon_overdue_on_time():
    due = at(2026, 4, 10, 12)
    assert status_at(due, at(2026, 4, 1)) == UpdateStatus.ON_TIME
    assert status_at(due, at(2026, 4, 7, 11)) == UpdateStatus.ON_TIME
    assert status_at(due, at(2026, 4, 7, 12)) == UpdateStatus.DUE_SOON  # three days to go
    assert status_at(due, at(2026, 4, 10, 12)) == UpdateStatus.DUE_SOON  # due now
    assert status_at(due, at(2026, 4, 10, 12, 1)) == UpdateStatus.OVERDUE
    assert status_at(None, at(2026, 4, 11)) == UpdateStatus.NOT_WANTED
    assert status_at(due, at(2026, 4, 11), ended=True) == UpdateStatus.ENDED


# ---- the schedule over the records ---------------------------------------------------------


@pytest.fixture
def force(db):
    return ForceFactory(id="west-yorkshire")


def test_schedule_reads_no_personal_data_and_orders_the_most_urgent_first(force):
    officer = TeamMemberFactory(force=force)
    now = at(2026, 5, 20)
    late = UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=7, agreed_at=at(2026, 5, 1)
    )
    soon = UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=14, agreed_at=at(2026, 5, 8)
    )
    fine = UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=14, agreed_at=at(2026, 5, 4)
    )
    VictimUpdateFactory(agreement=fine, given_at=at(2026, 5, 18))
    quiet = UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=None, agreed_at=at(2026, 5, 1)
    )
    entries = schedule.schedule(UpdateAgreement.objects.all(), now)
    assert [e.agreement_id for e in entries] == [late.pk, soon.pk, fine.pk, quiet.pk]
    assert [e.status for e in entries] == [
        UpdateStatus.OVERDUE,
        UpdateStatus.DUE_SOON,
        UpdateStatus.ON_TIME,
        UpdateStatus.NOT_WANTED,
    ]
    assert entries[0].due_at == at(2026, 5, 8) and entries[0].days_overdue == 12
    assert entries[2].due_at == at(2026, 6, 1)
    assert AuditEntry.objects.count() == 0  # operational fields only
    counts = schedule.count(entries)
    assert (counts.overdue, counts.due_soon, counts.on_time, counts.not_wanted) == (1, 1, 1, 1)


def test_a_monthly_agreement_is_due_within_the_forces_monthly_standard(force):
    officer = TeamMemberFactory(force=force)
    UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=28, agreed_at=at(2026, 1, 1)
    )
    [entry] = schedule.schedule(UpdateAgreement.objects.all(), at(2026, 1, 2))
    assert entry.interval_days == 31 and entry.due_on == dt.date(2026, 2, 1)
    # the force sets 35 days as its "monthly"
    PledgeStandards.objects.create(force=force, monthly_update_days=35)
    [entry] = schedule.schedule(UpdateAgreement.objects.all(), at(2026, 1, 2))
    assert entry.interval_days == 35 and entry.due_on == dt.date(2026, 2, 5)


def test_a_callback_asking_only_the_victims_view_does_not_restart_the_clock(force):
    officer = TeamMemberFactory(force=force)
    agreement = UpdateAgreementFactory(
        force=force, officer=officer, frequency_days=14, agreed_at=at(2026, 5, 1)
    )
    VictimUpdateFactory(
        agreement=agreement, given_at=at(2026, 5, 10), is_callback=True, victim_view="neither"
    )
    [entry] = schedule.schedule(UpdateAgreement.objects.all(), at(2026, 5, 20))
    assert entry.last_update_at is None and entry.status == UpdateStatus.OVERDUE
    VictimUpdateFactory(agreement=agreement, given_at=at(2026, 5, 12))
    [entry] = schedule.schedule(UpdateAgreement.objects.all(), at(2026, 5, 20))
    assert entry.last_update_at == at(2026, 5, 12) and entry.due_at == at(2026, 5, 26)


def test_ended_agreements_and_future_updates_are_left_out(force):
    officer = TeamMemberFactory(force=force)
    now = at(2026, 6, 1)
    ended = UpdateAgreementFactory(
        force=force, officer=officer, agreed_at=at(2026, 4, 1), ended_at=at(2026, 5, 1)
    )
    ending_later = UpdateAgreementFactory(
        force=force, officer=officer, agreed_at=at(2026, 5, 1), ended_at=at(2026, 7, 1)
    )
    # an update recorded with a later time does not count before it happens
    VictimUpdateFactory(agreement=ending_later, given_at=at(2026, 6, 2))
    entries = schedule.schedule(UpdateAgreement.objects.all(), now)
    assert [e.agreement_id for e in entries] == [ending_later.pk]
    assert entries[0].last_update_at is None and entries[0].status == UpdateStatus.OVERDUE
    assert ended.pk not in {e.agreement_id for e in entries}


def test_lists_per_officer_and_per_neighbourhood(force):
    a = NeighbourhoodFactory(force=force, code="A")
    b = NeighbourhoodFactory(force=force, code="B")
    one = TeamMemberFactory(force=force, neighbourhoods=[a])
    two = TeamMemberFactory(force=force, neighbourhoods=[b])
    now = at(2026, 5, 20)
    for officer, area, agreed in [
        (one, a, at(2026, 5, 1)),  # overdue
        (one, a, at(2026, 5, 19)),  # not yet due
        (two, a, at(2026, 5, 1)),  # overdue
        (two, b, at(2026, 5, 7)),  # due soon (due at noon on 21 May)
    ]:
        UpdateAgreementFactory(
            force=force, officer=officer, neighbourhood=area, frequency_days=14, agreed_at=agreed
        )
    entries = schedule.schedule(UpdateAgreement.objects.all(), now)
    per_officer = {k: schedule.count(v) for k, v in schedule.by_officer(entries).items()}
    assert (per_officer[one.pk].overdue, per_officer[one.pk].on_time) == (1, 1)
    assert (per_officer[two.pk].overdue, per_officer[two.pk].due_soon) == (1, 1)
    per_hood = {k: schedule.count(v) for k, v in schedule.by_neighbourhood(entries).items()}
    assert per_hood[a.pk].overdue == 2 and per_hood[b.pk].due_soon == 1
    assert len(schedule.needing_update(entries)) == 3
