from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ourpatch.accounts.factories import UserFactory
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.meetings import (
    CONFIRM_WITHIN,
    MeetingRefused,
    check_new_meeting,
    is_unconfirmed,
    record_cancelled,
    record_held,
)
from ourpatch.engagement.models import MeetingStatus

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)


def test_a_new_meeting_must_be_in_the_future_and_end_after_it_starts() -> None:
    check_new_meeting(NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=1, hours=2), NOW)
    with pytest.raises(MeetingRefused, match="starts in the past"):
        check_new_meeting(NOW - dt.timedelta(minutes=1), NOW + dt.timedelta(hours=1), NOW)
    with pytest.raises(MeetingRefused, match="end after it starts"):
        check_new_meeting(NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=1), NOW)
    with pytest.raises(MeetingRefused, match="time zone"):
        check_new_meeting(dt.datetime(2027, 1, 1, 18), dt.datetime(2027, 1, 1, 20), NOW)


@pytest.mark.django_db
def test_a_meeting_cannot_be_recorded_held_before_it_starts_nor_twice() -> None:
    meeting = MeetingFactory()
    user = UserFactory()
    with pytest.raises(MeetingRefused, match="before it has started"):
        record_held(meeting, attendance=20, issues_raised="Parking", by=user)
    later = meeting.starts_at + dt.timedelta(hours=1)
    record_held(meeting, attendance=20, issues_raised=" Parking ", by=user, now=later)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.attendance, meeting.issues_raised) == ("held", 20, "Parking")
    with pytest.raises(MeetingRefused, match="already recorded as Held"):
        record_cancelled(meeting, reason="rain", by=user)


@pytest.mark.django_db
def test_a_cancellation_needs_its_reason() -> None:
    meeting = MeetingFactory()
    with pytest.raises(MeetingRefused, match="why"):
        record_cancelled(meeting, reason="  ", by=UserFactory())
    record_cancelled(meeting, reason="Venue flooded", by=UserFactory())
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


@pytest.mark.django_db
def test_an_unrecorded_meeting_is_flagged_once_the_grace_period_has_passed() -> None:
    meeting = MeetingFactory(starts_at=timezone.now() - dt.timedelta(days=5))
    assert not is_unconfirmed(meeting, meeting.ends_at + CONFIRM_WITHIN)
    assert is_unconfirmed(meeting, meeting.ends_at + CONFIRM_WITHIN + dt.timedelta(seconds=1))
    record_cancelled(meeting, reason="Nobody came", by=UserFactory())
    assert not is_unconfirmed(meeting, timezone.now())


@pytest.mark.django_db
def test_the_hourly_job_flags_unrecorded_meetings_to_the_sergeant_once() -> None:
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole
    from ourpatch.engagement.jobs import FLAG_UNCONFIRMED
    from ourpatch.engagement.meetings import flag_unconfirmed
    from ourpatch.worker.queue import enqueue, run_pending

    past = MeetingFactory(title="Tuesday surgery", starts_at=timezone.now() - dt.timedelta(days=5))
    MeetingFactory(neighbourhood=past.neighbourhood, title="Next week's PACT")
    enqueue(FLAG_UNCONFIRMED)
    assert run_pending() == 1
    past.refresh_from_db()
    flagged_at = past.unconfirmed_flagged_at
    assert flagged_at is not None
    assert flag_unconfirmed() == 0  # already flagged: not again
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=past.neighbourhood.force, neighbourhoods=[past.neighbourhood]
    ).user
    client = Client()
    client.force_login(sergeant)
    page = client.get("/staff/").content.decode()
    section = page[page.index("Advertised, not confirmed") :]
    assert "Tuesday surgery" in section and "Next week" not in section


@pytest.mark.django_db
def test_staff_advertise_a_meeting_and_record_it_after_it_happened() -> None:
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole
    from ourpatch.engagement.models import Meeting
    from ourpatch.geography.factories import NeighbourhoodFactory

    area = NeighbourhoodFactory()
    pcso = StaffProfileFactory(role=StaffRole.PCSO, force=area.force, neighbourhoods=[area]).user
    client = Client()
    client.force_login(pcso)
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/meetings/"
    past = client.post(
        url,
        {
            "kind": "pact",
            "title": "Too late",
            "starts_at": "2020-01-01 18:00",
            "ends_at": "2020-01-01 20:00",
        },
    )
    assert past.status_code == 400 and "starts in the past" in past.content.decode()
    soon = timezone.localtime() + dt.timedelta(days=3)
    made = client.post(
        url,
        {
            "kind": "surgery",
            "title": "Library surgery",
            "starts_at": soon.strftime("%Y-%m-%d %H:%M"),
            "ends_at": (soon + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert made.status_code == 302
    meeting = Meeting.objects.get(title="Library surgery")
    public = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "Library surgery" in public
    early = client.post(
        f"/staff/meetings/{meeting.pk}/record/",
        {"outcome": "held", "attendance": "9", "issues_raised": "Parking"},
    )
    assert early.status_code == 400 and "before it has started" in early.content.decode()
    no_reason = client.post(f"/staff/meetings/{meeting.pk}/record/", {"outcome": "cancelled"})
    assert "Say why it was cancelled" in no_reason.content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    done = client.post(
        f"/staff/meetings/{meeting.pk}/record/",
        {"outcome": "held", "attendance": "9", "issues_raised": "Parking"},
    )
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.attendance, meeting.recorded_by) == ("held", 9, pcso)


@pytest.mark.django_db
def test_key_individuals_need_consent_and_every_read_is_audited() -> None:
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole
    from ourpatch.audit.models import AuditEntry
    from ourpatch.geography.factories import NeighbourhoodFactory

    area = NeighbourhoodFactory()
    pc = StaffProfileFactory(role=StaffRole.CONSTABLE, force=area.force, neighbourhoods=[area]).user
    client = Client()
    client.force_login(pc)
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/key-individuals/"
    refused = client.post(url, {"name": "Mo Ali", "role_in_community": "Shopkeeper"})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    added = client.post(
        url,
        {
            "name": "Mo Ali",
            "role_in_community": "Shopkeeper",
            "telephone": "0113 496 0000",
            "consent_given_on": "2026-11-20",
        },
    )
    assert added.status_code == 302
    page = client.get(url).content.decode()
    assert "Mo Ali" in page
    assert (
        AuditEntry.objects.filter(
            actor=pc, record_type="engagement.keyindividual", action="create"
        ).count()
        == 1
    )
    assert (
        AuditEntry.objects.filter(
            actor=pc, record_type="engagement.keyindividual", action="read"
        ).count()
        == 1
    )
    public = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "Mo Ali" not in public


@pytest.mark.django_db
def test_engagement_preferences_are_summarised_without_who_answered() -> None:
    from django.test import Client

    from ourpatch.engagement.meetings import preference_summary
    from ourpatch.geography.factories import NeighbourhoodFactory

    area = NeighbourhoodFactory()
    url = f"/neighbourhoods/{area.force_id}/{area.code}/how-to-engage/"
    assert Client().post(url, {"methods": ["email", "meeting"]}).status_code == 200
    assert Client().post(url, {"methods": ["email"]}).status_code == 200
    assert Client().post(url, {"methods": ["carrier-pigeon"]}).status_code == 400
    summary = preference_summary(area)
    assert summary[0] == ("Email updates", 2, 1.0)
    assert ("Public meetings", 1, 0.5) in summary
