"""Every role against every staff view and endpoint: allowed and denied.

If a view forgets to ask accounts.permissions, a denied cell here turns into a 200.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ourpatch.accounts.factories import (
    PartnerAgencyFactory,
    StaffProfileFactory,
    UserFactory,
)
from ourpatch.accounts.models import StaffRole
from ourpatch.citizenfocus.factories import RecoveryTaskFactory, SurveyResponseFactory
from ourpatch.citizenfocus.models import SurveyResponse
from ourpatch.contact.models import Message
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.models import Meeting
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodFactory,
)
from ourpatch.problems.factories import ProblemFactory
from ourpatch.problems.models import Problem
from ourpatch.teams.factories import LocationFactory, TeamMemberFactory
from ourpatch.teams.models import Role
from ourpatch.victims.factories import UpdateAgreementFactory
from ourpatch.victims.models import UpdateAgreement


@dataclass
class World:
    force: object
    other_force: object
    a: object  # in BCU X, the sergeant's, constable's and PCSO's neighbourhood
    b: object  # in BCU X, the inspector's too
    c: object  # in BCU Y
    d: object  # another force
    member_a: object  # the constable's own team profile, in A
    member_b: object
    member_c: object
    base_a: object  # the base serving A
    users: dict


@pytest.fixture
def world(db) -> World:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    other = ForceFactory(id="north-yorkshire", name="North Yorkshire Police")
    x = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds")
    y = BasicCommandUnitFactory(force=force, code="bradford", name="Bradford")
    a = NeighbourhoodFactory(force=force, bcu=x, code="A", name="Chapeltown")
    b = NeighbourhoodFactory(force=force, bcu=x, code="B", name="Harehills")
    c = NeighbourhoodFactory(force=force, bcu=y, code="C", name="Manningham")
    d = NeighbourhoodFactory(force=other, code="D", name="Harrogate")
    agency = PartnerAgencyFactory(force=force, name="Leeds ASB team")

    def staff(role: StaffRole, **kwargs):
        hoods = kwargs.pop("neighbourhoods", None)
        profile = StaffProfileFactory(
            user=UserFactory(username=role.value), role=role, neighbourhoods=hoods, **kwargs
        )
        return profile.user

    users = {
        "force_admin": staff(StaffRole.FORCE_ADMIN, force=force),
        "commander": staff(StaffRole.COMMANDER, force=force, bcu=x),
        "inspector": staff(StaffRole.INSPECTOR, force=force, neighbourhoods=[a, b]),
        "sergeant": staff(StaffRole.SERGEANT, force=force, neighbourhoods=[a]),
        "constable": staff(StaffRole.CONSTABLE, force=force, neighbourhoods=[a]),
        "pcso": staff(StaffRole.PCSO, force=force, neighbourhoods=[a]),
        "analyst": staff(StaffRole.ANALYST, force=force),
        "partner": staff(StaffRole.PARTNER, force=force, agency=agency),
        "inspectorate": staff(StaffRole.INSPECTORATE, force=None),
        "no_profile": UserFactory(username="no_profile"),
        "operator": UserFactory(username="operator", is_superuser=True, is_staff=True),
    }
    member_a = TeamMemberFactory(
        force=force, role=Role.CONSTABLE, neighbourhoods=[a], account=users["constable"]
    )
    member_b = TeamMemberFactory(force=force, role=Role.PCSO, neighbourhoods=[b])
    member_c = TeamMemberFactory(force=force, role=Role.PCSO, neighbourhoods=[c])
    Message.objects.create(neighbourhood=a, sender_name="R. Esident", body="Speeding on Main St")
    MeetingFactory(neighbourhood=a, title="A meeting")
    ProblemFactory(neighbourhood=a, title="A problem").shared_with.set([agency])
    ProblemFactory(neighbourhood=c, title="C problem")
    base_a = LocationFactory(force=force, name="Chapeltown Police Office")
    base_a.neighbourhoods.set([a])
    RecoveryTaskFactory(
        response=SurveyResponseFactory(
            force=force, neighbourhood=a, reference="MATRIX", overall_satisfaction=6
        ),
        officer=member_a,
    )
    UpdateAgreementFactory(force=force, officer=member_a, neighbourhood=a)
    UpdateAgreementFactory(force=force, officer=member_c, neighbourhood=c)
    DissatisfactionFactory(force=force, neighbourhood=a, reference="D-MATRIXAA")
    DissatisfactionFactory(force=force, neighbourhood=c, reference="D-MATRIXCC")
    return World(force, other, a, b, c, d, member_a, member_b, member_c, base_a, users)


def endpoints(w: World) -> dict[str, tuple[str, str]]:
    """Each staff view and endpoint: key → (method, url)."""
    return {
        "dashboard": ("GET", "/staff/"),
        "scope_json": ("GET", "/staff/scope.json"),
        "neighbourhood_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/"),
        "neighbourhood_b": ("GET", f"/staff/neighbourhoods/{w.force.pk}/B/"),
        "neighbourhood_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/"),
        "neighbourhood_d": ("GET", f"/staff/neighbourhoods/{w.other_force.pk}/D/"),
        "crime_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/crime/"),
        "crime_csv_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/crime.csv"),
        "crime_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/crime/"),
        "incidents_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/incidents/"),
        "force_crime": ("GET", "/staff/crime/"),
        "force_crime_csv": ("GET", "/staff/crime.csv?layer=ward"),
        "force_crime_d": ("GET", f"/staff/crime/?force={w.other_force.pk}"),
        "edit_member_a": ("GET", f"/staff/team/{w.member_a.pk}/edit/"),
        "edit_member_b": ("GET", f"/staff/team/{w.member_b.pk}/edit/"),
        "edit_member_c": ("GET", f"/staff/team/{w.member_c.pk}/edit/"),
        "save_member_b": ("POST", f"/staff/team/{w.member_b.pk}/edit/"),
        "messages_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/messages/"),
        "messages_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/messages/"),
        "message_a": ("GET", f"/staff/messages/{_message_in(w.a)}/"),
        "appointments_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/appointments/"),
        "appointments_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/appointments/"),
        "away_a": ("GET", f"/staff/team/{w.member_a.pk}/away/"),
        "away_c": ("GET", f"/staff/team/{w.member_c.pk}/away/"),
        "edit_neighbourhood_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/edit/"),
        "edit_neighbourhood_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/edit/"),
        "edit_base_a": ("GET", f"/staff/bases/{w.base_a.pk}/edit/"),
        "meetings_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/meetings/"),
        "meetings_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/meetings/"),
        "priorities_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/priorities/"),
        "priorities_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/priorities/"),
        "problems_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/problems/"),
        "problems_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/problems/"),
        "problem_a": ("GET", f"/staff/problems/{Problem.objects.get(title='A problem').pk}/"),
        "problem_c": ("GET", f"/staff/problems/{Problem.objects.get(title='C problem').pk}/"),
        "library": ("GET", "/staff/good-practice/"),
        "key_individuals_a": ("GET", f"/staff/neighbourhoods/{w.force.pk}/A/key-individuals/"),
        "key_individuals_c": ("GET", f"/staff/neighbourhoods/{w.force.pk}/C/key-individuals/"),
        "record_meeting_a": (
            "GET",
            f"/staff/meetings/{Meeting.objects.get(title='A meeting').pk}/record/",
        ),
        "audit_log": ("GET", "/staff/audit/"),
        "accounts": ("GET", "/staff/accounts/"),
        "imports": ("GET", "/staff/imports/"),
        "admin": ("GET", "/staff/admin/"),
        "citizen_focus": ("GET", "/staff/citizen-focus/"),
        "indicator": ("GET", "/staff/citizen-focus/spi1e/"),
        "indicator_csv": ("GET", "/staff/citizen-focus/spi1e/force.csv"),
        "survey_comments_a": ("GET", f"/staff/citizen-focus/comments/{w.force.pk}/A/"),
        "survey_comments_c": ("GET", f"/staff/citizen-focus/comments/{w.force.pk}/C/"),
        "own_feedback": ("GET", "/staff/citizen-focus/feedback/"),
        "recovery_list": ("GET", "/staff/citizen-focus/recovery/"),
        "recovery_task_a": (
            "GET",
            "/staff/citizen-focus/recovery/"
            f"{SurveyResponse.objects.values_list('recovery_task__pk', flat=True).get()}/",
        ),
        "pledge": ("GET", f"/staff/pledge/?force={w.force.pk}"),
        "pledge_unit": ("GET", f"/staff/pledge/{w.force.pk}/units/{w.a.bcu_id}/"),
        "pledge_neighbourhood_a": ("GET", f"/staff/pledge/{w.force.pk}/neighbourhoods/A/"),
        "pledge_breaches_a": ("GET", f"/staff/pledge/{w.force.pk}/neighbourhoods/A/5/2026-03/"),
        "pledge_breaches_csv_a": (
            "GET",
            f"/staff/pledge/{w.force.pk}/neighbourhoods/A/5/2026-03.csv",
        ),
        "pledge_csv": ("GET", f"/staff/pledge/{w.force.pk}/pledge.csv"),
        "pledge_neighbourhood_c": ("GET", f"/staff/pledge/{w.force.pk}/neighbourhoods/C/"),
        "pledge_breaches_c": ("GET", f"/staff/pledge/{w.force.pk}/neighbourhoods/C/5/2026-03/"),
        "pledge_breaches_csv_c": (
            "GET",
            f"/staff/pledge/{w.force.pk}/neighbourhoods/C/5/2026-03.csv",
        ),
        "pledge_neighbourhood_d": ("GET", f"/staff/pledge/{w.other_force.pk}/neighbourhoods/D/"),
        "pledge_unplaced": ("GET", f"/staff/pledge/{w.force.pk}/no-neighbourhood/"),
        "pledge_unplaced_breaches": (
            "GET",
            f"/staff/pledge/{w.force.pk}/no-neighbourhood/5/2026-03/",
        ),
        "pledge_unplaced_breaches_csv": (
            "GET",
            f"/staff/pledge/{w.force.pk}/no-neighbourhood/5/2026-03.csv",
        ),
        "victims": ("GET", "/staff/victims/"),
        "victim_new": ("GET", "/staff/victims/new/"),
        "victim_agreement_a": ("GET", f"/staff/victims/{_agreement_in(w.a)}/"),
        "victim_agreement_c": ("GET", f"/staff/victims/{_agreement_in(w.c)}/"),
        "dissatisfaction_list": ("GET", "/staff/dissatisfaction/"),
        "dissatisfaction_new": ("GET", "/staff/dissatisfaction/new/"),
        "dissatisfaction_a": ("GET", "/staff/dissatisfaction/D-MATRIXAA/"),
        "dissatisfaction_c": ("GET", "/staff/dissatisfaction/D-MATRIXCC/"),
        "dissatisfaction_trends": ("GET", "/staff/dissatisfaction/trends/"),
        "dissatisfaction_trends_csv": ("GET", "/staff/dissatisfaction/trends/category.csv"),
    }


def _message_in(area) -> str:
    return Message.objects.filter(neighbourhood=area).values_list("reference", flat=True).get()


def _agreement_in(area) -> int:
    return UpdateAgreement.objects.filter(neighbourhood=area).values_list("pk", flat=True).get()


EVERY_STAFF_PAGE = {"dashboard", "scope_json", "library"}
X_PAGES = {"neighbourhood_a", "neighbourhood_b"}
# the team keeps its own page and base current
KEEP_A_CURRENT = {
    "edit_neighbourhood_a",
    "edit_base_a",
    "meetings_a",
    "record_meeting_a",
    "priorities_a",
    "problems_a",
    "problem_a",
}
# the survey indicators: supervisors, commanders, analysts, administrators, the inspectorate
INDICATORS = {"citizen_focus", "indicator", "indicator_csv"}
# calling back dissatisfied victims in A: its supervisors, commander and administrator
RECOVERY_A = {"recovery_list", "recovery_task_a"}

# role → what it may open; everything else must be refused
ALLOWED: dict[str, set[str]] = {
    "force_admin": EVERY_STAFF_PAGE
    | X_PAGES
    | {"neighbourhood_c", "edit_member_a", "edit_member_b", "edit_member_c", "save_member_b"}
    | {"messages_a", "messages_c", "audit_log", "accounts", "imports"}
    | KEEP_A_CURRENT
    | {"edit_neighbourhood_c", "meetings_c", "priorities_c", "problems_c", "problem_c"}
    | INDICATORS
    | {"survey_comments_a", "survey_comments_c"}
    | RECOVERY_A,
    "commander": EVERY_STAFF_PAGE
    | X_PAGES
    | KEEP_A_CURRENT
    | {"edit_member_a", "edit_member_b", "save_member_b", "messages_a"}
    | INDICATORS
    | {"survey_comments_a"}
    | RECOVERY_A,
    "inspector": EVERY_STAFF_PAGE
    | X_PAGES
    | KEEP_A_CURRENT
    | {"edit_member_a", "edit_member_b", "save_member_b", "messages_a"}
    | INDICATORS
    | {"survey_comments_a"}
    | RECOVERY_A,
    "sergeant": EVERY_STAFF_PAGE
    | KEEP_A_CURRENT
    | {"neighbourhood_a", "edit_member_a", "messages_a"}
    | INDICATORS
    | {"survey_comments_a"}
    | RECOVERY_A,
    "constable": EVERY_STAFF_PAGE
    | KEEP_A_CURRENT
    | {"neighbourhood_a", "edit_member_a", "messages_a"}
    | {"own_feedback"},
    "pcso": EVERY_STAFF_PAGE | KEEP_A_CURRENT | {"neighbourhood_a", "messages_a"},
    "analyst": EVERY_STAFF_PAGE
    | X_PAGES
    | {"neighbourhood_c", "problem_a", "problem_c"}
    | INDICATORS,
    "partner": EVERY_STAFF_PAGE | {"problem_a"},
    "inspectorate": EVERY_STAFF_PAGE
    | X_PAGES
    | {"neighbourhood_c", "neighbourhood_d", "audit_log", "problem_a", "problem_c"}
    | INDICATORS,
    "no_profile": set(),
    "operator": {"admin"},
}

# a neighbourhood's crime pages: whoever may see the neighbourhood's staff page
CRIME_PAGES = {"neighbourhood_a": {"crime_a", "crime_csv_a"}, "neighbourhood_c": {"crime_c"}}
for _allowed in ALLOWED.values():
    for _page, _crime in CRIME_PAGES.items():
        if _page in _allowed:
            _allowed |= _crime

# the force's crime counts are published figures: any of its staff; another force's, only
# the inspectorate, which sees every force
for _allowed in ALLOWED.values():
    if "dashboard" in _allowed:
        _allowed |= {"force_crime", "force_crime_csv"}
ALLOWED["inspectorate"].add("force_crime_d")

# one message is read by whoever works the team's inbox; an absence is recorded by whoever
# may edit that member's profile
for _allowed in ALLOWED.values():
    if "messages_a" in _allowed:
        _allowed |= {"message_a", "appointments_a"}
    if "messages_c" in _allowed:
        _allowed.add("appointments_c")
    _allowed |= {
        k.replace("edit_member", "away")
        for k in _allowed
        if k in {"edit_member_a", "edit_member_c"}
    }

# victim updates and dissatisfaction: the team in scope keeps victims informed and records
# dissatisfaction; handling it is for supervisors (it may be about the constable); the
# trends are aggregates, for whoever sees the Pledge figures
VICTIMS_A = {"victims", "victim_new", "victim_agreement_a", "dissatisfaction_new"}
DISSATISFACTION_A = {"dissatisfaction_list", "dissatisfaction_a"}
TRENDS = {"dissatisfaction_trends", "dissatisfaction_trends_csv"}
ALLOWED["force_admin"] |= (
    VICTIMS_A | DISSATISFACTION_A | TRENDS | {"victim_agreement_c", "dissatisfaction_c"}
)
for _role in ("commander", "inspector", "sergeant"):
    ALLOWED[_role] |= VICTIMS_A | DISSATISFACTION_A | TRENDS
for _role in ("constable", "pcso"):
    ALLOWED[_role] |= VICTIMS_A
for _role in ("analyst", "inspectorate"):
    ALLOWED[_role] |= TRENDS

# a force's own incidents with exact locations: its administrator and analysts only
ALLOWED["force_admin"].add("incidents_a")
ALLOWED["analyst"].add("incidents_a")

# Pledge compliance: force-wide figures and drill-down (every neighbourhood of the force, and
# the records in none), for whoever sees the survey indicators; a neighbourhood's own pages
# for its team too (constables and PCSOs explain its breaches)
PLEDGE_A = {"pledge_neighbourhood_a", "pledge_breaches_a", "pledge_breaches_csv_a"}
PLEDGE = PLEDGE_A | {
    "pledge",
    "pledge_unit",
    "pledge_csv",
    "pledge_neighbourhood_c",
    "pledge_breaches_c",
    "pledge_breaches_csv_c",
    "pledge_unplaced",
    "pledge_unplaced_breaches",
    "pledge_unplaced_breaches_csv",
}
for _role in ("force_admin", "commander", "inspector", "sergeant", "analyst", "inspectorate"):
    ALLOWED[_role] |= PLEDGE
for _role in ("constable", "pcso"):
    ALLOWED[_role] |= PLEDGE_A
ALLOWED["inspectorate"].add("pledge_neighbourhood_d")

# the key individual network is personal data, read exactly as messages to the team are
for _allowed in ALLOWED.values():
    _allowed |= {k.replace("messages", "key_individuals") for k in _allowed if "messages" in k}

ROLES = list(ALLOWED)
ENDPOINT_KEYS = [
    "dashboard",
    "scope_json",
    "neighbourhood_a",
    "neighbourhood_b",
    "neighbourhood_c",
    "neighbourhood_d",
    "crime_a",
    "crime_csv_a",
    "crime_c",
    "incidents_a",
    "force_crime",
    "force_crime_csv",
    "force_crime_d",
    "edit_member_a",
    "edit_member_b",
    "edit_member_c",
    "save_member_b",
    "messages_a",
    "messages_c",
    "message_a",
    "appointments_a",
    "appointments_c",
    "away_a",
    "away_c",
    "edit_neighbourhood_a",
    "edit_neighbourhood_c",
    "edit_base_a",
    "meetings_a",
    "meetings_c",
    "record_meeting_a",
    "priorities_a",
    "priorities_c",
    "problems_a",
    "problems_c",
    "problem_a",
    "problem_c",
    "library",
    "key_individuals_a",
    "key_individuals_c",
    "audit_log",
    "accounts",
    "imports",
    "admin",
    "citizen_focus",
    "indicator",
    "indicator_csv",
    "survey_comments_a",
    "survey_comments_c",
    "own_feedback",
    "recovery_list",
    "recovery_task_a",
    "pledge",
    "pledge_unit",
    "pledge_neighbourhood_a",
    "pledge_breaches_a",
    "pledge_breaches_csv_a",
    "pledge_csv",
    "pledge_neighbourhood_c",
    "pledge_breaches_c",
    "pledge_breaches_csv_c",
    "pledge_neighbourhood_d",
    "pledge_unplaced",
    "pledge_unplaced_breaches",
    "pledge_unplaced_breaches_csv",
    "victims",
    "victim_new",
    "victim_agreement_a",
    "victim_agreement_c",
    "dissatisfaction_list",
    "dissatisfaction_new",
    "dissatisfaction_a",
    "dissatisfaction_c",
    "dissatisfaction_trends",
    "dissatisfaction_trends_csv",
]


def _request(client: Client, method: str, url: str):
    if method == "POST":
        return client.post(
            url,
            {"name": "Changed Name", "email": "changed@police.example", "languages": "English"},
        )
    return client.get(url)


@pytest.mark.parametrize("endpoint", ENDPOINT_KEYS)
@pytest.mark.parametrize("role", ROLES)
def test_role_against_endpoint(world: World, role: str, endpoint: str) -> None:
    client = Client()
    client.force_login(world.users[role])
    method, url = endpoints(world)[endpoint]
    response = _request(client, method, url)
    if endpoint in ALLOWED[role]:
        expected = 302 if method == "POST" else 200  # a good save redirects to the dashboard
        assert response.status_code == expected, f"{role} should reach {endpoint}"
    elif endpoint == "admin":
        # Django's admin sends everyone but the operator to its own sign-in page
        assert response.status_code == 302
        assert "/staff/admin/login/" in response["Location"]
    else:
        assert response.status_code == 403, f"{role} must be refused {endpoint}"
    if endpoint == "save_member_b":
        world.member_b.refresh_from_db()
        changed = world.member_b.name == "Changed Name"
        assert changed is (endpoint in ALLOWED[role])


@pytest.mark.parametrize("endpoint", [k for k in ENDPOINT_KEYS if k != "admin"])
def test_anonymous_visitor_is_sent_to_sign_in(world: World, endpoint: str) -> None:
    method, url = endpoints(world)[endpoint]
    response = _request(Client(), method, url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=")


def test_matrix_covers_every_staff_url(world: World) -> None:
    """A new staff URL must be added to the matrix, or this fails."""
    assert set(ENDPOINT_KEYS) == set(endpoints(world))
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern).lstrip("^"))
            else:
                # a regular-expression route starts "^": it is a staff URL all the same
                yield prefix + str(p.pattern).lstrip("^"), p.name

    staff_names = {
        name
        for route, name in walk(get_resolver().url_patterns)
        if route.startswith("staff/")
        and not route.startswith("staff/admin/")
        and name not in {"login", "logout"}
    }
    covered = {
        "dashboard",
        "scope-json",
        "neighbourhood",
        "member-edit",
        "messages",
        "log",
        "account-list",
        "neighbourhood-edit",
        "base-edit",
        "meetings",
        "record",
        "priorities",
        "priority-change",
        "problems",
        "problem",
        "action-done",
        "library",
        "key-individuals",
        "import",
        "citizen-focus",
        "citizen-focus-indicator",
        "citizen-focus-csv",
        "citizen-focus-comments",
        "citizen-focus-feedback",
        "citizen-focus-recovery",
        "citizen-focus-recovery-task",
        "crime",
        "crime-csv",
        "message",
        "member-away",
        "appointments",
        "victims",
        "victim-agreement-new",
        "victim-agreement",
        "dissatisfaction-list",
        "dissatisfaction-new",
        "dissatisfaction-detail",
        "dissatisfaction-trends",
        "dissatisfaction-trends-csv",
        "unit",
        "csv",
        "breaches",
        "breaches-csv",
        "unplaced",
        "unplaced-breaches",
        "unplaced-breaches-csv",
        "incidents",
        "force-crime",
        "force-crime-csv",
    }
    assert staff_names == covered


def test_scope_json_lists_exactly_the_users_neighbourhoods(world: World) -> None:
    client = Client()
    client.force_login(world.users["inspector"])
    data = client.get("/staff/scope.json").json()
    assert data["role"] == "inspector"
    assert [n["id"] for n in data["neighbourhoods"]] == ["A", "B"]

    client.force_login(world.users["commander"])
    assert [n["id"] for n in client.get("/staff/scope.json").json()["neighbourhoods"]] == ["A", "B"]
    client.force_login(world.users["inspectorate"])
    assert {n["id"] for n in client.get("/staff/scope.json").json()["neighbourhoods"]} == {
        "A",
        "B",
        "C",
        "D",
    }
    client.force_login(world.users["partner"])
    assert client.get("/staff/scope.json").json()["neighbourhoods"] == []


def test_dashboard_shows_own_scope_only(world: World) -> None:
    client = Client()
    client.force_login(world.users["sergeant"])
    page = client.get("/staff/").content.decode()
    assert "Chapeltown" in page
    assert "Harehills" not in page
    assert "Manningham" not in page


def test_inactive_account_is_refused(world: World) -> None:
    user = world.users["force_admin"]
    user.is_active = False
    user.save()
    client = Client()
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code in (302, 403)


# The Pledge decisions themselves: who sees a neighbourhood's figures, who explains what
PLEDGE_DECISIONS = {
    # role: (VIEW_PLEDGE on A, on C, on D; EXPLAIN_BREACH on A; on the force, on the other)
    "force_admin": (True, True, False, True, True, False),
    "commander": (True, True, False, True, True, False),
    "inspector": (True, True, False, True, False, False),
    "sergeant": (True, True, False, True, False, False),
    "constable": (True, False, False, True, False, False),
    "pcso": (True, False, False, True, False, False),
    "analyst": (True, True, False, False, False, False),
    "partner": (False, False, False, False, False, False),
    "inspectorate": (True, True, True, False, False, False),
    "no_profile": (False, False, False, False, False, False),
    "operator": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_explains_the_pledge(world: World, role: str) -> None:
    from ourpatch.accounts.permissions import Action, can

    user = world.users[role]
    decided = (
        can(user, Action.VIEW_PLEDGE, world.a),
        can(user, Action.VIEW_PLEDGE, world.c),
        can(user, Action.VIEW_PLEDGE, world.d),
        can(user, Action.EXPLAIN_BREACH, world.a),
        can(user, Action.EXPLAIN_BREACH, world.force),
        can(user, Action.EXPLAIN_BREACH, world.other_force),
    )
    assert decided == PLEDGE_DECISIONS[role]
