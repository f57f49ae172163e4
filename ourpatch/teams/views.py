from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ourpatch.accounts.permissions import Action, can, require, staff_view
from ourpatch.audit.models import AuditAction
from ourpatch.audit.personal import log
from ourpatch.geography.models import Neighbourhood, Postcode
from ourpatch.teams.forms import LocationForm, TeamMemberForm
from ourpatch.teams.models import Location, TeamMember
from ourpatch.teams.supervision import is_stale


@staff_view
def neighbourhood(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A neighbourhood as its staff see it: the team, and what needs confirming."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force", "bcu"), force_id=force, code=code
    )
    require(request.user, Action.VIEW_NEIGHBOURHOOD, area)
    max_age = settings.OURPATCH_STALE_AFTER_DAYS
    members = [
        {
            "member": m,
            "can_edit": can(request.user, Action.EDIT_TEAM_MEMBER, m),
            "stale": is_stale(m.last_confirmed, max_age),
        }
        for m in area.team_members.current().order_by("role", "name")
    ]
    return render(
        request,
        "teams/neighbourhood.html",
        {
            "area": area,
            "members": members,
            "bases": area.bases.all(),
            "area_stale": is_stale(area.last_confirmed, max_age),
            "max_age_days": max_age,
            "can_read_messages": can(request.user, Action.READ_PERSONAL_DATA, area),
            "can_edit_area": can(request.user, Action.EDIT_NEIGHBOURHOOD, area),
            "editable_bases": {
                b.pk for b in area.bases.all() if can(request.user, Action.EDIT_BASE, b)
            },
        },
    )


@staff_view
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(TeamMember, pk=pk)
    require(request.user, Action.EDIT_TEAM_MEMBER, member)
    form = TeamMemberForm(request.POST or None, request.FILES or None, instance=member)
    if request.method == "POST" and form.is_valid():
        changed = [f for f in form.changed_data if f not in {"new_photo", "remove_photo"}]
        if form.photo_changed:
            changed.append("photo")
        member = form.save(commit=False)
        member.last_confirmed = timezone.now()
        member.save()
        # who changed the public profile, and when, stays on the record
        log(request.user, AuditAction.UPDATE, [member], "team profile edited", changed)
        messages.success(request, f"Saved the profile of {member.name}.")
        return redirect("accounts:dashboard")
    return render(request, "teams/member_edit.html", {"form": form, "member": member})


@staff_view
def base_edit(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(Location, pk=pk)
    require(request.user, Action.EDIT_BASE, base)
    form = LocationForm(request.POST or None, instance=base)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        base = form.save(commit=False)
        if "postcode" in changed:
            # the map pin follows the postcode where we know where it is
            where = Postcode.objects.filter(postcode=base.postcode).values("latitude", "longitude")
            for row in where[:1]:
                base.latitude, base.longitude = row["latitude"], row["longitude"]
        base.last_confirmed = timezone.now()
        base.save()
        log(request.user, AuditAction.UPDATE, [base], "team base edited", changed)
        messages.success(request, f"Saved {base.name}.")
        return redirect("accounts:dashboard")
    return render(request, "teams/base_edit.html", {"form": form, "base": base})
