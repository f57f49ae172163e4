"""Staff pages for victim updates (Pledge item 9, "Contact Counts").

- ``/staff/victims/``: the signed-in officer's own victims, due an update and overdue; and,
  for supervisors (sergeants, inspectors, commanders, administrators), the same for each
  of their neighbourhoods, with a count per officer;
- ``/staff/victims/new/``: record what a victim agreed;
- ``/staff/victims/<pk>/``: the history; record an update or a callback; end the agreement.

Victims are personal data: who may read them is READ_PERSONAL_DATA on the agreement's
neighbourhood, or being the officer in the case; every read is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ourpatch.accounts.permissions import (
    Action,
    AnyUser,
    can,
    neighbourhoods_in_scope,
    require,
    staff_view,
)
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember
from ourpatch.victims import agreements, schedule
from ourpatch.victims.forms import CALLBACK, AgreementForm, EndForm, UpdateForm
from ourpatch.victims.models import UpdateAgreement, VictimUpdate, VictimView

# names read (and audited) on one page at most
READ_LIMIT = 300


def _own_member(user: AnyUser) -> TeamMember | None:
    return TeamMember.objects.filter(account_id=user.pk).first() if user.pk else None


def _readable(user: AnyUser) -> list[Neighbourhood]:
    """The neighbourhoods whose victims the user may read."""
    return [
        h
        for h in neighbourhoods_in_scope(user).order_by("name")
        if can(user, Action.READ_PERSONAL_DATA, h)
    ]


def _require_read(user: AnyUser, neighbourhood_id: int | None, officer_id: int) -> None:
    """The officer in the case, or someone who may read the neighbourhood's personal data
    (where no neighbourhood was recorded: one of the officer's neighbourhoods)."""
    officer = TeamMember.objects.get(pk=officer_id)
    if officer.account_id is not None and officer.account_id == user.pk:
        return
    if neighbourhood_id is not None:
        require(user, Action.READ_PERSONAL_DATA, Neighbourhood.objects.get(pk=neighbourhood_id))
        return
    if not any(can(user, Action.READ_PERSONAL_DATA, h) for h in officer.neighbourhoods.all()):
        raise PermissionDenied("not allowed")


def _read_agreements(user: AnyUser, ids: Iterable[int], purpose: str) -> dict[int, UpdateAgreement]:
    wanted = list(dict.fromkeys(ids))[:READ_LIMIT]
    if not wanted:
        return {}
    rows = (
        UpdateAgreement.objects.filter(pk__in=wanted)
        .select_related("officer", "neighbourhood")
        .read_by(user, purpose)
    )
    return {a.pk: a for a in rows}


def _rows(
    entries: Iterable[schedule.Entry], read: dict[int, UpdateAgreement]
) -> list[dict[str, Any]]:
    return [
        {"entry": e, "agreement": read[e.agreement_id]} for e in entries if e.agreement_id in read
    ]


@staff_view
def victims_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = _own_member(user)
    hoods = _readable(user)
    if own is None and not hoods:
        raise PermissionDenied("no victims in scope")
    now = timezone.now()
    own_entries = schedule.schedule(UpdateAgreement.objects.filter(officer=own), now) if own else []
    team_entries: list[schedule.Entry] = []
    supervises = bool(hoods) and can(user, Action.RECOVER_SERVICE)
    if supervises:
        hood_ids = [h.pk for h in hoods]
        team_entries = schedule.schedule(
            UpdateAgreement.objects.filter(
                Q(neighbourhood__in=hood_ids)
                | Q(neighbourhood__isnull=True, officer__neighbourhoods__in=hood_ids)
            ).distinct(),
            now,
        )
    # names are read (and logged) only for the rows shown
    own_open = [e for e in own_entries if e.status != schedule.UpdateStatus.ENDED]
    team_due = schedule.needing_update(team_entries)
    read = _read_agreements(
        user,
        [e.agreement_id for e in own_open] + [e.agreement_id for e in team_due],
        "victims due an update",
    )
    officers = {
        m.pk: m for m in TeamMember.objects.filter(pk__in={e.officer_id for e in team_entries})
    }
    teams = []
    if supervises:
        by_hood = schedule.by_neighbourhood(team_entries)
        for hood in hoods:
            entries = by_hood.get(hood.pk, [])
            if not entries:
                continue
            per_officer: list[dict[str, Any]] = [
                {"officer": officers.get(officer_id), "counts": schedule.count(mine)}
                for officer_id, mine in schedule.by_officer(entries).items()
            ]
            per_officer.sort(key=lambda r: (-r["counts"].overdue, -r["counts"].due_soon))
            teams.append(
                {
                    "neighbourhood": hood,
                    "counts": schedule.count(entries),
                    "per_officer": per_officer,
                    "rows": _rows(schedule.needing_update(entries), read),
                }
            )
        # agreements with no neighbourhood recorded, under their officer's team
        loose = by_hood.get(None, [])
        if loose:
            teams.append(
                {
                    "neighbourhood": None,
                    "counts": schedule.count(loose),
                    "per_officer": [
                        {"officer": officers.get(o), "counts": schedule.count(mine)}
                        for o, mine in schedule.by_officer(loose).items()
                    ],
                    "rows": _rows(schedule.needing_update(loose), read),
                }
            )
    return render(
        request,
        "victims/list.html",
        {
            "own": own,
            "own_counts": schedule.count(own_open),
            "own_rows": _rows(own_open, read),
            "teams": teams,
            "supervises": supervises,
            "due_soon_days": schedule.DUE_SOON_DAYS,
            "can_record": bool(hoods),
        },
    )


@staff_view
def agreement_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    hoods = _readable(user)
    if not hoods:
        raise PermissionDenied("no neighbourhoods in scope")
    own = _own_member(user)
    choices = Neighbourhood.objects.filter(pk__in=[h.pk for h in hoods]).order_by("name")
    who = Q(neighbourhoods__in=choices)
    if own is not None:
        who |= Q(pk=own.pk)
    officers = TeamMember.objects.current().filter(who).distinct().order_by("name")
    initial: dict[str, Any] = {}
    if own is not None:
        initial["officer"] = own.pk
        first = own.neighbourhoods.filter(pk__in=[h.pk for h in hoods]).order_by("name").first()
        if first is not None:
            initial["neighbourhood"] = first.pk
    form = AgreementForm(
        request.POST or None, initial=initial, officers=officers, neighbourhoods=choices
    )
    if request.method == "POST" and form.is_valid():
        area: Neighbourhood = form.cleaned_data["neighbourhood"]
        require(user, Action.READ_PERSONAL_DATA, area)
        agreement = agreements.record_agreement(
            by=user,
            officer=form.cleaned_data["officer"],
            neighbourhood=area,
            crime_reference=form.cleaned_data["crime_reference"],
            victim_name=form.cleaned_data["victim_name"],
            victim_contact=form.cleaned_data["victim_contact"],
            method=form.cleaned_data["method"],
            frequency_days=form.frequency_days(schedule.monthly_update_days(area.force_id)),
        )
        messages.success(request, f"Agreement for crime {agreement.crime_reference} recorded.")
        return redirect("victims:victim-agreement", agreement.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "victims/new.html", {"form": form}, status=status)


@staff_view
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    facts = (
        UpdateAgreement.objects.filter(pk=pk)
        .values("id", "neighbourhood", "officer", "force")
        .first()
    )
    if facts is None:
        raise Http404("no such agreement")
    # the permission is decided before anything personal is read (and logged)
    _require_read(user, facts["neighbourhood"], facts["officer"])
    purpose = f"victim update agreement {pk}"
    agreement = (
        UpdateAgreement.objects.filter(pk=pk)
        .select_related("officer", "neighbourhood", "force")
        .read_by(user, purpose)
        .get()
    )
    now = timezone.now()
    local_now = timezone.localtime(now, timezone.get_default_timezone()).replace(
        second=0, microsecond=0, tzinfo=None
    )
    update_form = UpdateForm(initial={"given_at": local_now, "method": agreement.method})
    end_form = EndForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        status = 400
        try:
            if step == "update":
                update_form = UpdateForm(request.POST)
                if update_form.is_valid():
                    data = update_form.cleaned_data
                    update = agreements.record_update(
                        agreement,
                        by=user,
                        given_by=_own_member(user),
                        method=data["method"],
                        note=data["note"],
                        victim_view=data["victim_view"],
                        is_callback=data["kind"] == CALLBACK,
                        given_at=data["given_at"],
                        category=data["category"],
                        acknowledged_on_call=data["acknowledged_on_call"],
                    )
                    messages.success(request, "Update recorded.")
                    if update.dissatisfaction is not None:
                        messages.warning(
                            request,
                            f"The victim is dissatisfied: dissatisfaction "
                            f"{update.dissatisfaction.reference} is opened so that the service "
                            "can be put right.",
                        )
                    return redirect("victims:victim-agreement", pk)
            elif step == "end":
                end_form = EndForm(request.POST)
                if end_form.is_valid():
                    agreements.end_agreement(
                        agreement, by=user, reason=end_form.cleaned_data["reason"]
                    )
                    messages.success(request, "The agreement has ended: no more updates are due.")
                    return redirect("victims:victim-agreement", pk)
            else:
                raise agreements.AgreementError("unknown step")
        except agreements.AgreementError as refused:
            messages.error(request, f"Not done: {refused}.")
    updates = list(
        VictimUpdate.objects.filter(agreement_id=pk)
        .select_related("given_by", "dissatisfaction")
        .order_by("-given_at", "-id")
        .read_by(user, purpose)
    )
    entry = next(iter(schedule.schedule(UpdateAgreement.objects.filter(pk=pk), now)), None)
    monthly = schedule.monthly_update_days(agreement.force_id)
    return render(
        request,
        "victims/agreement.html",
        {
            "agreement": agreement,
            "updates": updates,
            "entry": entry,
            "interval": schedule.interval_days(agreement.frequency_days, monthly),
            "monthly": monthly,
            "update_form": update_form,
            "end_form": end_form,
            "dissatisfied": [v.value for v in agreements.DISSATISFIED],
            "not_asked": VictimView.NOT_ASKED,
            "list_url": reverse("victims:victims"),
        },
        status=status,
    )
