"""Appointments offered instead of attendance (Pledge item 6: within 48 hours of the request,
unless the caller chose a later time).

Most come with the calls that led to them (:mod:`ourpatch.calls.imports`); a team records the
others, such as one made at a front counter or by a victim's email, on its appointments page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from ourpatch.calls.models import Appointment
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember

# The Pledge's own standard, used where a force has set none of its own
APPOINTMENT_HOURS = 48


class AppointmentRefused(ValueError):
    """An appointment that cannot be recorded, in words for the person recording it."""


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight on the 1st of the month and of the next (never skipped or repeated in
    the UK: the clocks change at 01:00 UTC)."""
    zone = timezone.get_default_timezone()
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        dt.datetime(month.year, month.month, 1, tzinfo=zone),
        dt.datetime(following.year, following.month, 1, tzinfo=zone),
    )


def appointments_in_month(area: Neighbourhood, month: dt.date) -> QuerySet[Appointment]:
    """The neighbourhood's appointments falling due in the UK calendar month."""
    start, end = month_bounds(month)
    return (
        Appointment.objects.filter(
            neighbourhood=area, appointment_at__gte=start, appointment_at__lt=end
        )
        .select_related("officer", "call")
        .order_by("appointment_at", "id")
    )


def appointment_hours(area: Neighbourhood) -> int:
    """The force's standard for item 6, in hours (the Pledge's 48 unless it set its own)."""
    from ourpatch.pledge.models import PledgeStandards

    standards = PledgeStandards.objects.filter(force_id=area.force_id).first()
    return standards.appointment_hours if standards else APPOINTMENT_HOURS


def record_appointment(
    area: Neighbourhood,
    *,
    requested_at: dt.datetime,
    appointment_at: dt.datetime,
    officer: TeamMember | None = None,
    caller_chose_later: bool = False,
) -> Appointment:
    """Record an appointment made for someone in the neighbourhood."""
    if timezone.is_naive(requested_at) or timezone.is_naive(appointment_at):
        raise AppointmentRefused("times must say which zone they are in")
    if appointment_at < requested_at:
        raise AppointmentRefused("the appointment cannot be before it was asked for")
    if requested_at > timezone.now() + dt.timedelta(minutes=5):
        raise AppointmentRefused("it cannot have been asked for in the future")
    if officer is not None and officer.force_id != area.force_id:
        raise AppointmentRefused("the officer is not in this force")
    return Appointment.objects.create(
        force_id=area.force_id,
        neighbourhood=area,
        requested_at=requested_at,
        appointment_at=appointment_at,
        officer=officer,
        caller_chose_later=caller_chose_later,
    )
