"""Priorities: raised by residents, agreed with the community, acted on, closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.geography.models import Neighbourhood
from ourpatch.problems.models import CURRENT_PRIORITY_STATUSES, Priority, PriorityStatus

# How many current priorities a neighbourhood works at once (configurable per deployment)
DEFAULT_LIMIT = 3


class PriorityRefused(ValueError):
    """A change the rules do not allow; the message says why."""


class EditedElsewhere(PriorityRefused):
    """Someone else saved the priority since this editor opened it."""


# Raised issues are the team's to weigh up; residents see what was agreed and what became of it.
PUBLISHED_STATUSES = (PriorityStatus.AGREED, PriorityStatus.ACTED_ON, PriorityStatus.CLOSED)


def published(neighbourhood: Neighbourhood) -> QuerySet[Priority]:
    return Priority.objects.filter(
        neighbourhood=neighbourhood, status__in=PUBLISHED_STATUSES
    ).order_by("-issue_date")


@transaction.atomic
def agree(
    priority: Priority, meeting: Meeting, limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None
) -> Priority:
    """Agree a raised issue as a priority at a meeting that was held."""
    if priority.status != PriorityStatus.RAISED:
        raise PriorityRefused(f"only a raised issue can be agreed; this is {priority.status}")
    if meeting.status != MeetingStatus.HELD:
        raise PriorityRefused("priorities are agreed at a meeting recorded as held")
    if meeting.neighbourhood_id != priority.neighbourhood_id:
        raise PriorityRefused("the meeting was for another neighbourhood")
    current = Priority.objects.filter(
        neighbourhood_id=priority.neighbourhood_id, status__in=CURRENT_PRIORITY_STATUSES
    ).count()
    if current >= limit:
        raise PriorityRefused(
            f"the neighbourhood already has {current} current priorities (the limit is {limit}): "
            "close one first"
        )
    return save(
        priority,
        expected_version=priority.version,
        status=PriorityStatus.AGREED,
        agreed_at=meeting,
        action_date=priority.action_date or (now or timezone.now()),
    )


def save(priority: Priority, *, expected_version: int, **changes: Any) -> Priority:
    """Save changes only if nobody else saved since ``expected_version`` (no lost update)."""
    fields = {**changes, "version": F("version") + 1}
    updated = Priority.objects.filter(pk=priority.pk, version=expected_version).update(**fields)
    if updated == 0:
        raise EditedElsewhere(
            "someone else changed this priority while you were editing it; "
            "your changes were not saved. Reload it to see theirs, then make yours again."
        )
    priority.refresh_from_db()
    return priority
