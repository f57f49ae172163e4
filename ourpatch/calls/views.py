from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.calls.appointments import (
    AppointmentRefused,
    appointment_hours,
    appointments_in_month,
    record_appointment,
)
from ourpatch.calls.forms import AppointmentForm
from ourpatch.geography.models import Neighbourhood


def _month(text: str) -> dt.date:
    """?month=YYYY-MM, else this month (UK time)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@staff_view
def appointments(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A team's appointments this month, and a form to record one."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.READ_PERSONAL_DATA, area)
    form = AppointmentForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = record_appointment(
                area,
                requested_at=data["requested_at"],
                appointment_at=data["appointment_at"],
                officer=data["officer"],
                caller_chose_later=data["caller_chose_later"],
            )
        except AppointmentRefused as refused:
            form.add_error(None, f"This appointment cannot be recorded: {refused}.")
        else:
            when = timezone.localtime(made.appointment_at)
            messages.success(request, f"Recorded the appointment on {when:%d %B %Y at %H:%M}.")
            return redirect("calls:appointments", force, code)
    month = _month(request.GET.get("month", ""))
    hours = appointment_hours(area)
    rows = [
        {
            "appointment": a,
            "wait_hours": (a.appointment_at - a.requested_at).total_seconds() / 3600,
            "late": a.appointment_at - a.requested_at > dt.timedelta(hours=hours)
            and not a.caller_chose_later,
        }
        for a in appointments_in_month(area, month)
    ]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "calls/appointments.html",
        {
            "area": area,
            "form": form,
            "rows": rows,
            "month": month,
            "previous": previous,
            "following": following,
            "hours": hours,
        },
        status=400 if request.method == "POST" else 200,
    )
