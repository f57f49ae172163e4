"""The rules of a meeting's life: advertised ahead, recorded after, never silently missed.

Plain functions, used alike by staff screens, the API and the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.geography.models import Neighbourhood

# A meeting still unrecorded this long after it ended is "advertised, not confirmed" (seed 14.7)
CONFIRM_WITHIN = dt.timedelta(hours=72)


class MeetingRefused(ValueError):
    """A change the rules do not allow; the message says why."""


def check_new_meeting(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> None:
    """A meeting is advertised for the future, and ends after it starts."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MeetingRefused("give the meeting's times with their time zone")
    if starts_at <= now:
        raise MeetingRefused(
            f"the meeting starts in the past ({timezone.localtime(starts_at):%d %B %Y %H:%M}); "
            "a new meeting must be in the future"
        )
    if ends_at <= starts_at:
        raise MeetingRefused("the meeting must end after it starts")


@transaction.atomic
def record_held(
    meeting: Meeting,
    *,
    attendance: int,
    issues_raised: str,
    partner_attendees: str = "",
    by: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Meeting:
    """Record that it took place: only once it has started, and only once."""
    now = now or timezone.now()
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingRefused(f"this meeting is already recorded as {meeting.get_status_display()}")
    if now < meeting.starts_at:
        raise MeetingRefused("a meeting cannot be recorded as held before it has started")
    if attendance < 0:
        raise MeetingRefused("attendance cannot be negative")
    meeting.status = MeetingStatus.HELD
    meeting.attendance = attendance
    meeting.issues_raised = issues_raised.strip()
    meeting.partner_attendees = partner_attendees.strip()
    meeting.recorded_at = now
    meeting.recorded_by = by  # type: ignore[assignment]
    meeting.save()
    return meeting


@transaction.atomic
def record_cancelled(
    meeting: Meeting, *, reason: str, by: AbstractBaseUser, now: dt.datetime | None = None
) -> Meeting:
    """Record that it did not take place, and why: residents are told the reason."""
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingRefused(f"this meeting is already recorded as {meeting.get_status_display()}")
    if not reason.strip():
        raise MeetingRefused("say why the meeting was cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    meeting.recorded_at = now or timezone.now()
    meeting.recorded_by = by  # type: ignore[assignment]
    meeting.save()
    return meeting


def upcoming(neighbourhood: Neighbourhood, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """What residents are invited to: scheduled and not yet over."""
    return Meeting.objects.filter(
        neighbourhood=neighbourhood,
        status=MeetingStatus.SCHEDULED,
        ends_at__gte=now or timezone.now(),
    ).order_by("starts_at")


def is_unconfirmed(meeting: Meeting, now: dt.datetime) -> bool:
    """Advertised, its date passed, and still not recorded as held or cancelled."""
    return meeting.status == MeetingStatus.SCHEDULED and meeting.ends_at + CONFIRM_WITHIN < now


def unconfirmed(meetings: Iterable[Meeting], now: dt.datetime) -> list[Meeting]:
    return [m for m in meetings if is_unconfirmed(m, now)]


def flag_unconfirmed(now: dt.datetime | None = None) -> int:
    """Flag every meeting advertised, past, and still unrecorded; each is flagged once."""
    now = now or timezone.now()
    return Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        ends_at__lt=now - CONFIRM_WITHIN,
        unconfirmed_flagged_at__isnull=True,
    ).update(unconfirmed_flagged_at=now)


def flagged_for(neighbourhoods: QuerySet[Neighbourhood]) -> QuerySet[Meeting]:
    """What a sergeant is shown: flagged meetings in their scope, still not recorded."""
    return Meeting.objects.filter(
        neighbourhood__in=neighbourhoods,
        status=MeetingStatus.SCHEDULED,
        unconfirmed_flagged_at__isnull=False,
    ).order_by("starts_at")


def preference_summary(neighbourhood: Neighbourhood) -> list[tuple[str, int, float]]:
    """For each method: how many residents chose it, and their share of those who answered."""
    from ourpatch.engagement.models import EngagementPreference, PreferredMethod

    answers = list(
        EngagementPreference.objects.filter(neighbourhood=neighbourhood).values_list(
            "methods", flat=True
        )
    )
    counts = {m.value: 0 for m in PreferredMethod}
    for methods in answers:
        for method in set(methods):
            if method in counts:
                counts[method] += 1
    total = len(answers)
    return sorted(
        ((PreferredMethod(m).label, n, n / total if total else 0.0) for m, n in counts.items()),
        key=lambda row: (-row[1], row[0]),
    )
