"""Team members' absences: who is away, until when, and recording it.

While a member is away, messages written to them go to the whole team (Recommendation 5,
seed 16.14: nothing waits on one person, and no out-of-date "I'm here" greeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from ourpatch.audit.models import AuditAction
from ourpatch.audit.personal import SystemReader, log
from ourpatch.teams.models import Absence, AbsenceReason, TeamMember

# An absence is recorded ahead, not years ahead: a typing slip (2062) is caught
LONGEST_ABSENCE_DAYS = 366


class BadAbsence(ValueError):
    """The dates of an absence do not make sense."""


def _covering(member: TeamMember, on: dt.date) -> list[Absence]:
    return list(member.absences.filter(starts_on__lte=on, ends_on__gte=on))


def is_away(member: TeamMember, on: dt.date) -> bool:
    """Is ``member`` away on the day ``on`` (a local date)?"""
    return member.absences.filter(starts_on__lte=on, ends_on__gte=on).exists()


def away_until(member: TeamMember, on: dt.date) -> dt.date | None:
    """The last day of the absence ``member`` is on, on ``on``; None if they are not away.

    Absences that follow on without a working day between (leave, then a training course)
    are one time away: the date is the last day of the last of them.
    """
    covering = _covering(member, on)
    if not covering:
        return None
    last = max(a.ends_on for a in covering)
    later = list(member.absences.filter(ends_on__gt=last, starts_on__gt=on).order_by("starts_on"))
    for absence in later:
        if absence.starts_on > last + dt.timedelta(days=1):
            break
        last = max(last, absence.ends_on)
    return last


def away_until_by_member(members: list[TeamMember], on: dt.date) -> dict[int, dt.date]:
    """``away_until`` for a whole team, in one query: member pk → last day away."""
    absences = Absence.objects.filter(member__in=members, ends_on__gte=on).order_by("starts_on")
    by_member: dict[int, list[Absence]] = {}
    for absence in absences:
        by_member.setdefault(absence.member_id, []).append(absence)
    result: dict[int, dt.date] = {}
    for member_id, spans in by_member.items():
        last: dt.date | None = None
        for absence in spans:
            if last is None:
                if absence.starts_on <= on:
                    last = absence.ends_on
                continue
            if absence.starts_on > last + dt.timedelta(days=1):
                break
            last = max(last, absence.ends_on)
        if last is not None:
            result[member_id] = last
    return result


@dataclass
class AbsenceRecorded:
    absence: Absence
    # references of the messages that went back to the team because of it
    returned_to_team: list[str] = field(default_factory=list)


def record_absence(
    member: TeamMember,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: AbsenceReason | str,
    by: AbstractBaseUser | AnonymousUser | SystemReader,
    today: dt.date | None = None,
) -> AbsenceRecorded:
    """Record that ``member`` is away from ``starts_on`` to ``ends_on`` (both days included).

    If the absence has begun, the member's open, unanswered messages go back to the team at
    once; one that starts later is covered by the worker on its first day.
    """
    today = today or timezone.localdate()
    if ends_on < starts_on:
        raise BadAbsence("The last day away cannot be before the first.")
    if ends_on < today:
        raise BadAbsence("That absence is already over: give today or a later last day.")
    if (ends_on - starts_on).days >= LONGEST_ABSENCE_DAYS:
        raise BadAbsence(f"An absence can be at most {LONGEST_ABSENCE_DAYS} days long.")
    # The contact app owns messages and depends on teams, not the other way round:
    # imported here so that the teams app keeps no import-time dependency on it.
    from ourpatch.contact.inbox import return_messages_of_absent

    with transaction.atomic():
        absence = Absence.objects.create(
            member=member, starts_on=starts_on, ends_on=ends_on, reason=reason
        )
        # who recorded it stays on the record (the reason may be sickness)
        log(by, AuditAction.CREATE, [absence], "absence recorded", ["starts_on", "ends_on"])
        returned: list[str] = []
        if starts_on <= today:
            returned = return_messages_of_absent(member, by=by, on=today)
    return AbsenceRecorded(absence, returned)
