"""The one place that decides who may do what. Every staff view and endpoint asks here.

A decision is ``can(user, action, target)``: the user's role and scope (StaffProfile)
against the action and, where the action is about one thing, that thing. Scopes:

- force administrator, analyst: their force (the analyst read-only)
- commander: their basic command unit
- inspector, sergeant: their neighbourhoods; constable, PCSO: their neighbourhood
- partner agency user: only what is shared with their agency
- inspectorate: every force, read-only
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from ourpatch.accounts.models import StaffProfile, StaffRole
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.problems.models import Problem, ProblemAction
from ourpatch.teams.models import Location, TeamMember

AnyUser = AbstractBaseUser | AnonymousUser


class Action(enum.StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_NEIGHBOURHOOD = "view_neighbourhood"
    EDIT_TEAM_MEMBER = "edit_team_member"
    EDIT_NEIGHBOURHOOD = "edit_neighbourhood"
    MANAGE_MEETINGS = "manage_meetings"
    MANAGE_PRIORITIES = "manage_priorities"
    VIEW_PROBLEM = "view_problem"
    EDIT_PROBLEM = "edit_problem"
    ADD_PROBLEM_ACTION = "add_problem_action"
    EDIT_PROBLEM_ACTION = "edit_problem_action"
    VIEW_PRACTICE_LIBRARY = "view_practice_library"
    EDIT_BASE = "edit_base"
    READ_PERSONAL_DATA = "read_personal_data"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_ACCOUNTS = "manage_accounts"
    IMPORT_DATA = "import_data"
    PLATFORM_ADMIN = "platform_admin"
    VIEW_INDICATORS = "view_indicators"
    RECOVER_SERVICE = "recover_service"
    VIEW_OWN_FEEDBACK = "view_own_feedback"
    # the team inbox: read, assign and answer messages (personal data, in scope)
    WORK_INBOX = "work_inbox"
    # Pledge compliance figures and the drill-down, force-wide (a Force) or of one
    # neighbourhood (aggregates; the breaching records themselves are read with
    # READ_PERSONAL_DATA where they hold any)
    VIEW_PLEDGE = "view_pledge"
    # write the public explanation of a Pledge breach: in a neighbourhood (its target), or
    # placed in no neighbourhood (the force)
    EXPLAIN_BREACH = "explain_breach"
    # a force's own incident records with exact locations (restricted, audited)
    READ_INCIDENTS = "read_incidents"
    # the force's crime counted by neighbourhood, ward, local authority, ... (published
    # figures: any of its staff; the inspectorate, every force's)
    VIEW_CRIME_COUNTS = "view_crime_counts"


# Roles that work inside a set of neighbourhoods named on their profile
NEIGHBOURHOOD_ROLES = frozenset(
    {StaffRole.INSPECTOR, StaffRole.SERGEANT, StaffRole.CONSTABLE, StaffRole.PCSO}
)
# Roles that supervise: they may edit anyone on their neighbourhoods' teams
SUPERVISING_ROLES = frozenset({StaffRole.INSPECTOR, StaffRole.SERGEANT})
# Roles that may read the personal data of residents and victims in their scope
OPERATIONAL_ROLES = frozenset({StaffRole.FORCE_ADMIN, StaffRole.COMMANDER, *NEIGHBOURHOOD_ROLES})
# Roles that see their force's survey indicators (aggregates: no one is identifiable)
INDICATOR_ROLES = frozenset(
    {
        StaffRole.FORCE_ADMIN,
        StaffRole.COMMANDER,
        StaffRole.INSPECTOR,
        StaffRole.SERGEANT,
        StaffRole.ANALYST,
    }
)


def profile_of(user: AnyUser) -> StaffProfile | None:
    if not user.is_authenticated or not user.is_active:
        return None
    cached: StaffProfile | None = getattr(user, "_ourpatch_profile", None)
    if cached is None:
        cached = (
            StaffProfile.objects.select_related("force", "bcu", "agency")
            .filter(user_id=user.pk)
            .first()
        )
        # one query per request, however many decisions the page asks for
        setattr(user, "_ourpatch_profile", cached)  # noqa: B010
    return cached


def neighbourhoods_in_scope(user: AnyUser) -> QuerySet[Neighbourhood]:
    """Every neighbourhood the user may see as staff (empty for partners and strangers)."""
    profile = profile_of(user)
    everything = Neighbourhood.objects.all()
    if profile is None:
        return everything.none()
    role = profile.role
    if role == StaffRole.INSPECTORATE:
        return everything
    if role in (StaffRole.FORCE_ADMIN, StaffRole.ANALYST):
        return everything.filter(force_id=profile.force_id)
    if role == StaffRole.COMMANDER:
        return everything.filter(bcu_id=profile.bcu_id)
    if role in NEIGHBOURHOOD_ROLES:
        return everything.filter(staff=profile)
    return everything.none()


def _in_scope(profile: StaffProfile, user: AnyUser, neighbourhood: Neighbourhood) -> bool:
    role = profile.role
    if role == StaffRole.INSPECTORATE:
        return True
    if role in (StaffRole.FORCE_ADMIN, StaffRole.ANALYST):
        return neighbourhood.force_id == profile.force_id
    if role == StaffRole.COMMANDER:
        return neighbourhood.bcu_id is not None and neighbourhood.bcu_id == profile.bcu_id
    if role in NEIGHBOURHOOD_ROLES:
        return profile.neighbourhoods.filter(pk=neighbourhood.pk).exists()
    return False


def _can_edit_member(profile: StaffProfile, user: AnyUser, member: TeamMember) -> bool:
    role = profile.role
    if role == StaffRole.FORCE_ADMIN:
        return member.force_id == profile.force_id
    if role == StaffRole.COMMANDER:
        return member.neighbourhoods.filter(bcu_id=profile.bcu_id).exists()
    if role in SUPERVISING_ROLES:
        return member.neighbourhoods.filter(staff=profile).exists()
    if role in (StaffRole.CONSTABLE, StaffRole.PCSO):
        # their own public profile only
        return member.account_id is not None and member.account_id == user.pk
    return False


def _shared_with_agency(profile: StaffProfile, problem: Problem) -> bool:
    return (
        profile.role == StaffRole.PARTNER
        and profile.agency_id is not None
        and problem.shared_with.filter(pk=profile.agency_id).exists()
    )


def _problem_rule(profile: StaffProfile, user: AnyUser, action: Action, target: Any) -> bool:
    """Joint problem solving: the team in scope works the problem; a partner agency sees only
    the problems shared with it, adds actions to them, and changes only its own actions."""
    role = profile.role
    if action == Action.VIEW_PRACTICE_LIBRARY:
        # closed, assessed problems are shared across the force to learn from (seed 15.18)
        return role == StaffRole.INSPECTORATE or (
            isinstance(target, Force) and target.pk == profile.force_id
        )
    if action == Action.EDIT_PROBLEM_ACTION:
        if not isinstance(target, ProblemAction):
            return False
        if role == StaffRole.PARTNER:
            return (
                target.agency_id is not None
                and target.agency_id == profile.agency_id
                and (_shared_with_agency(profile, target.problem))
            )
        return role in OPERATIONAL_ROLES and _in_scope(profile, user, target.problem.neighbourhood)
    if not isinstance(target, Problem):
        return False
    in_scope = _in_scope(profile, user, target.neighbourhood)
    if action == Action.VIEW_PROBLEM:
        team = role in OPERATIONAL_ROLES or role in READ_ONLY_ROLES
        return (team and in_scope) or _shared_with_agency(profile, target)
    if action == Action.EDIT_PROBLEM:
        return role in OPERATIONAL_ROLES and in_scope
    if action == Action.ADD_PROBLEM_ACTION:
        return (role in OPERATIONAL_ROLES and in_scope) or _shared_with_agency(profile, target)
    return False


PROBLEM_ACTIONS = frozenset(
    {
        Action.VIEW_PROBLEM,
        Action.EDIT_PROBLEM,
        Action.ADD_PROBLEM_ACTION,
        Action.EDIT_PROBLEM_ACTION,
        Action.VIEW_PRACTICE_LIBRARY,
    }
)
READ_ONLY_ROLES = frozenset({StaffRole.ANALYST, StaffRole.INSPECTORATE})


def can(user: AnyUser, action: Action, target: Any = None) -> bool:
    """May ``user`` do ``action`` (to ``target``, where the action is about one thing)?"""
    if action == Action.PLATFORM_ADMIN:
        return bool(
            user.is_authenticated and user.is_active and getattr(user, "is_superuser", False)
        )
    profile = profile_of(user)
    if profile is None:
        return False
    role = profile.role
    if action == Action.VIEW_DASHBOARD:
        return True
    if action in PROBLEM_ACTIONS:
        return _problem_rule(profile, user, action, target)
    if action == Action.VIEW_NEIGHBOURHOOD:
        return isinstance(target, Neighbourhood) and _in_scope(profile, user, target)
    if action == Action.EXPLAIN_BREACH and isinstance(target, Force):
        # a breach placed in no neighbourhood (a call from outside every boundary) has no
        # team to explain it: the force's administrator and its commanders do
        return (
            role in (StaffRole.FORCE_ADMIN, StaffRole.COMMANDER) and target.pk == profile.force_id
        )
    if action in (Action.READ_PERSONAL_DATA, Action.WORK_INBOX, Action.EXPLAIN_BREACH):
        return (
            role in OPERATIONAL_ROLES
            and isinstance(target, Neighbourhood)
            and _in_scope(profile, user, target)
        )
    if action in (Action.EDIT_NEIGHBOURHOOD, Action.MANAGE_MEETINGS, Action.MANAGE_PRIORITIES):
        # the team keeps its own page current: description and how to reach it
        return (
            role in OPERATIONAL_ROLES
            and isinstance(target, Neighbourhood)
            and _in_scope(profile, user, target)
        )
    if action == Action.EDIT_BASE:
        return (
            role in OPERATIONAL_ROLES
            and isinstance(target, Location)
            and any(_in_scope(profile, user, n) for n in target.neighbourhoods.all())
        )
    if action == Action.EDIT_TEAM_MEMBER:
        return isinstance(target, TeamMember) and _can_edit_member(profile, user, target)
    if action == Action.VIEW_AUDIT_LOG:
        if role == StaffRole.INSPECTORATE:
            return True
        return (
            role == StaffRole.FORCE_ADMIN
            and isinstance(target, Force)
            and target.pk == profile.force_id
        )
    if action == Action.IMPORT_DATA:
        # boundaries and postcodes change what every resident sees: the force's administrator
        return (
            role == StaffRole.FORCE_ADMIN
            and isinstance(target, Force)
            and target.pk == profile.force_id
        )
    if action == Action.RECOVER_SERVICE:
        # calling back a dissatisfied victim: the officer's supervisors and commanders
        if role not in (StaffRole.FORCE_ADMIN, StaffRole.COMMANDER, *SUPERVISING_ROLES):
            return False
        if target is None:  # the list of tasks (filtered by scope)
            return True
        response = getattr(target, "response", None)
        hood = getattr(response, "neighbourhood", None)
        if role == StaffRole.FORCE_ADMIN:
            return response is not None and response.force_id == profile.force_id
        assigned = getattr(target, "assigned_to", None)
        if assigned is not None and assigned.account_id == user.pk:
            return True
        return isinstance(hood, Neighbourhood) and _in_scope(profile, user, hood)
    if action == Action.VIEW_OWN_FEEDBACK:
        # what victims said about the officer they name: for that officer
        return TeamMember.objects.filter(account_id=user.pk).exists()
    if action == Action.VIEW_INDICATORS:
        # satisfaction and confidence: supervisors, commanders, analysts; the inspectorate
        # sees every force
        if role == StaffRole.INSPECTORATE:
            return target is None or isinstance(target, Force)
        return (
            role in INDICATOR_ROLES and isinstance(target, Force) and target.pk == profile.force_id
        )
    if action == Action.VIEW_PLEDGE:
        # Pledge compliance, as the survey indicators: the inspectorate sees every force.
        # A neighbourhood's figures and breaches are also its own team's, who explain them.
        if isinstance(target, Neighbourhood):
            return (
                role == StaffRole.INSPECTORATE
                or (role in INDICATOR_ROLES and target.force_id == profile.force_id)
                or (role in NEIGHBOURHOOD_ROLES and _in_scope(profile, user, target))
            )
        if role == StaffRole.INSPECTORATE:
            return target is None or isinstance(target, Force)
        return (
            role in INDICATOR_ROLES and isinstance(target, Force) and target.pk == profile.force_id
        )
    if action == Action.VIEW_CRIME_COUNTS:
        if role == StaffRole.INSPECTORATE:
            return target is None or isinstance(target, Force)
        return isinstance(target, Force) and target.pk == profile.force_id
    if action == Action.READ_INCIDENTS:
        # exact locations: the force's administrator and its analysts, who map them
        return (
            role in (StaffRole.FORCE_ADMIN, StaffRole.ANALYST)
            and isinstance(target, Force)
            and target.pk == profile.force_id
        )
    if action == Action.MANAGE_ACCOUNTS:
        return (
            role == StaffRole.FORCE_ADMIN
            and isinstance(target, Force)
            and target.pk == profile.force_id
        )
    return False


def force_for(user: AnyUser, action: Action, wanted: str = "") -> Force:
    """The force a force-wide staff page shows: the user's own (``wanted`` may only name it),
    or for the inspectorate the force ``wanted`` names (the first force when none is named).
    Raises PermissionDenied (403) unless ``can(user, action, force)``, Http404 with no forces."""
    from django.http import Http404

    profile = profile_of(user)
    if profile is None:
        raise PermissionDenied("not allowed")
    if profile.role == StaffRole.INSPECTORATE:
        force = Force.objects.filter(pk=wanted).first() if wanted else None
        force = force or Force.objects.order_by("name").first()
        if force is None:
            raise Http404("no forces yet")
    else:
        force = profile.force
        if force is None or (wanted and wanted != force.pk):
            raise PermissionDenied("not allowed")
    require(user, action, force)
    return force


def require(user: AnyUser, action: Action, target: Any = None) -> None:
    """Raise PermissionDenied (HTTP 403) unless ``can(user, action, target)``."""
    if not can(user, action, target):
        raise PermissionDenied(f"not allowed: {action}")


V = TypeVar("V", bound=Callable[..., HttpResponse])


def staff_view(view: V) -> V:
    """Staff pages: anonymous visitors are sent to sign in; signed-in non-staff get 403.

    The view itself then asks ``require`` about the thing it shows.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, Action.VIEW_DASHBOARD)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
