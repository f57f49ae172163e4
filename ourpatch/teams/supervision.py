"""Spans of control: how many staff each sergeant supervises (seed 14.3: 1:8 to 1:12 is
effective; some forces ran 1:30 or more)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from ourpatch.teams.models import SUPERVISED_ROLES, Role, TeamMember

# Above this many staff per sergeant, supervision is stretched (seed 14.3: 13 forces exceeded 1:12)
STRETCHED_ABOVE = 12


@dataclass(frozen=True)
class Span:
    sergeant: TeamMember
    staff: int

    @property
    def stretched(self) -> bool:
        return self.staff > STRETCHED_ABOVE


def spans_of_control(members: Iterable[TeamMember], on: dt.date | None = None) -> list[Span]:
    """One span per current sergeant among ``members``, counting their current supervisees."""
    day = on or timezone.localdate()
    current = [m for m in members if m.is_current(day)]
    counts: dict[int, int] = {}
    for member in current:
        if member.role in SUPERVISED_ROLES and member.supervisor_id is not None:
            counts[member.supervisor_id] = counts.get(member.supervisor_id, 0) + 1
    sergeants = [m for m in current if m.role == Role.SERGEANT]
    return sorted(
        (Span(s, counts.get(s.pk, 0)) for s in sergeants),
        key=lambda span: (-span.staff, span.sergeant.name),
    )


def is_stale(
    last_confirmed: dt.datetime, max_age_days: int, now: dt.datetime | None = None
) -> bool:
    """Information not confirmed for longer than the force allows (seed 14.7)."""
    return last_confirmed < stale_before(max_age_days, now)


def stale_before(max_age_days: int, now: dt.datetime | None = None) -> dt.datetime:
    """Anything last confirmed before this moment is out of date."""
    return (now or timezone.now()) - dt.timedelta(days=max_age_days)
