from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ourpatch.accounts.models import StaffProfile
from ourpatch.accounts.permissions import (
    OPERATIONAL_ROLES,
    Action,
    can,
    neighbourhoods_in_scope,
    profile_of,
    require,
    staff_view,
)
from ourpatch.engagement.meetings import flagged_for
from ourpatch.teams.models import TeamMember
from ourpatch.teams.supervision import spans_of_control, stale_before

# A dashboard lists at most this many neighbourhoods; the count says how many there are.
DASHBOARD_LIMIT = 60
STALE_LIMIT = 25


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    assert profile is not None  # staff_view checked
    scope = neighbourhoods_in_scope(request.user).select_related("force", "bcu")
    total = scope.count()
    neighbourhoods = list(scope.order_by("force__name", "name")[:DASHBOARD_LIMIT])
    members = list(
        TeamMember.objects.current()
        .filter(neighbourhoods__in=neighbourhoods)
        .distinct()
        .order_by("role", "name")
        .prefetch_related("neighbourhoods")
    )
    own = TeamMember.objects.filter(account_id=request.user.pk).first()
    unconfirmed = flagged_for(scope).select_related("neighbourhood")
    cutoff = stale_before(settings.OURPATCH_STALE_AFTER_DAYS)
    stale_areas = scope.filter(last_confirmed__lt=cutoff).order_by("last_confirmed")
    can_view_pledge = can(request.user, Action.VIEW_PLEDGE, profile.force)
    # a constable or PCSO sees the Pledge of their own neighbourhoods only (the force-wide
    # pages link to every neighbourhood for the rest)
    pledge_neighbourhoods = (
        []
        if can_view_pledge
        else [n for n in neighbourhoods if can(request.user, Action.VIEW_PLEDGE, n)]
    )
    stale_members = (
        TeamMember.objects.current()
        .filter(neighbourhoods__in=scope, last_confirmed__lt=cutoff)
        .distinct()
        .order_by("last_confirmed")
    )
    return render(
        request,
        "accounts/dashboard.html",
        {
            "profile": profile,
            "neighbourhoods": neighbourhoods,
            "neighbourhood_total": total,
            "members": members,
            "spans": spans_of_control(members),
            "own_member": own,
            "unconfirmed_meetings": list(unconfirmed[:STALE_LIMIT]),
            "stale_areas": list(stale_areas[:STALE_LIMIT]),
            "stale_members": list(stale_members[:STALE_LIMIT]),
            "stale_days": settings.OURPATCH_STALE_AFTER_DAYS,
            "can_view_audit": can(request.user, Action.VIEW_AUDIT_LOG, profile.force),
            "can_manage_accounts": can(request.user, Action.MANAGE_ACCOUNTS, profile.force),
            "can_view_indicators": can(request.user, Action.VIEW_INDICATORS, profile.force),
            "can_recover_service": can(request.user, Action.RECOVER_SERVICE),
            "can_view_own_feedback": can(request.user, Action.VIEW_OWN_FEEDBACK),
            "can_view_pledge": can_view_pledge,
            "can_count_crime": can(request.user, Action.VIEW_CRIME_COUNTS, profile.force),
            "pledge_neighbourhoods": pledge_neighbourhoods,
            # victims are kept informed by the team that works in a neighbourhood
            "can_update_victims": profile.role in OPERATIONAL_ROLES,
        },
    )


@staff_view
def scope_json(request: HttpRequest) -> JsonResponse:
    """The signed-in user's role and scope, for scripts and the browser tests."""
    profile = profile_of(request.user)
    assert profile is not None
    neighbourhoods = neighbourhoods_in_scope(request.user).select_related("force")
    return JsonResponse(
        {
            "username": request.user.get_username(),
            "role": profile.role,
            "force": profile.force_id,
            "bcu": profile.bcu.code if profile.bcu else None,
            "agency": profile.agency.name if profile.agency else None,
            "neighbourhoods": [
                {"force": n.force_id, "id": n.code, "name": n.name}
                for n in neighbourhoods.order_by("force_id", "code")
            ],
        }
    )


@staff_view
def account_list(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    assert profile is not None
    require(request.user, Action.MANAGE_ACCOUNTS, profile.force)
    profiles = (
        StaffProfile.objects.filter(force=profile.force)
        .select_related("user", "bcu", "agency")
        .prefetch_related("neighbourhoods")
    )
    return render(request, "accounts/account_list.html", {"profiles": profiles})
