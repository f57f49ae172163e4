from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from ourpatch.accounts.factories import StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AuditEntry
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role, TeamMember
from ourpatch.teams.supervision import is_stale, spans_of_control


def _member(pk: int, role: Role, supervisor: int | None = None, **kw) -> TeamMember:
    return TeamMember(
        pk=pk,
        name=f"M{pk}",
        role=role,
        supervisor_id=supervisor,
        start_date=dt.date(2020, 1, 1),
        **kw,
    )


def test_spans_count_only_current_supervised_staff() -> None:
    sergeant = _member(1, Role.SERGEANT)
    stretched = _member(2, Role.SERGEANT)
    staff = [_member(10 + i, Role.PCSO, supervisor=1) for i in range(9)]
    staff += [_member(30 + i, Role.CONSTABLE, supervisor=2) for i in range(14)]
    staff.append(_member(99, Role.PCSO, supervisor=1, end_date=dt.date(2021, 1, 1)))  # left
    inspector = _member(100, Role.INSPECTOR)
    spans = spans_of_control([sergeant, stretched, inspector, *staff], on=dt.date(2024, 1, 1))
    assert [(s.sergeant.pk, s.staff, s.stretched) for s in spans] == [
        (2, 14, True),
        (1, 9, False),
    ]


def test_staleness_is_measured_against_the_configured_age() -> None:
    now = timezone.now()
    assert is_stale(now - dt.timedelta(days=91), 90, now)
    assert not is_stale(now - dt.timedelta(days=89), 90, now)


@pytest.mark.django_db
def test_sergeant_edits_a_profile_and_the_change_is_recorded() -> None:
    area = NeighbourhoodFactory()
    member = TeamMemberFactory(
        force=area.force,
        neighbourhoods=[area],
        last_confirmed=timezone.now() - dt.timedelta(days=400),
    )
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    client = Client()
    client.force_login(sergeant)
    page = client.get(f"/staff/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "out of date" in page
    response = client.post(
        f"/staff/team/{member.pk}/edit/",
        {
            "name": member.name,
            "email": "new.address@police.example",
            "languages": "English,  Urdu , Polish,",
            "bio": "Grew up here.",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "new.address@police.example"
    assert member.languages == ["English", "Urdu", "Polish"]
    assert not is_stale(member.last_confirmed, 90)
    entry = AuditEntry.objects.get(record_type="teams.teammember", record_id=str(member.pk))
    assert entry.actor == sergeant and entry.action == "update"
    assert set(entry.fields) >= {"email", "languages", "bio"}


@pytest.mark.django_db
def test_a_bad_email_is_refused_with_a_message_and_nothing_changes() -> None:
    area = NeighbourhoodFactory()
    member = TeamMemberFactory(force=area.force, neighbourhoods=[area])
    admin = StaffProfileFactory(role=StaffRole.FORCE_ADMIN, force=area.force).user
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/staff/team/{member.pk}/edit/", {"name": "", "email": "not-an-address", "languages": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body and "This field is required" in body
    member.refresh_from_db()
    assert member.name and member.email != "not-an-address"


@pytest.mark.django_db
def test_a_pcso_updates_the_team_page_and_base_and_both_are_recorded() -> None:
    from ourpatch.geography.factories import PostcodeFactory
    from ourpatch.teams.factories import LocationFactory

    area = NeighbourhoodFactory(description="Old words")
    base = LocationFactory(force=area.force, postcode="LS7 3AA")
    base.neighbourhoods.set([area])
    PostcodeFactory(postcode="LS7 4BZ", latitude=53.82, longitude=-1.53)
    pcso = StaffProfileFactory(role=StaffRole.PCSO, force=area.force, neighbourhoods=[area]).user
    client = Client()
    client.force_login(pcso)
    response = client.post(
        f"/staff/neighbourhoods/{area.force_id}/{area.code}/edit/",
        {
            "description": "Chapeltown and Potternewton",
            "email": "chapeltown@police.example",
            "telephone": "101",
        },
    )
    assert response.status_code == 302
    page = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "Chapeltown and Potternewton" in page and "mailto:chapeltown@police.example" in page

    bad = client.post(
        f"/staff/bases/{base.pk}/edit/",
        {"name": base.name, "address": "1 Road", "postcode": "LS7 4B@"},
    )
    assert bad.status_code == 200 and "is not a full postcode" in bad.content.decode()
    good = client.post(
        f"/staff/bases/{base.pk}/edit/",
        {
            "name": base.name,
            "address": "1 Road",
            "postcode": "ls74bz",
            "description": "Open Mon–Fri 9–5",
        },
    )
    assert good.status_code == 302
    base.refresh_from_db()
    assert (base.postcode, base.latitude, base.longitude) == ("LS7 4BZ", 53.82, -1.53)
    kinds = set(AuditEntry.objects.filter(actor=pcso).values_list("record_type", flat=True))
    assert kinds == {"geography.neighbourhood", "teams.location"}


@pytest.mark.django_db
def test_the_dashboard_lists_what_needs_confirming_in_scope_only(settings) -> None:
    settings.OURPATCH_STALE_AFTER_DAYS = 30
    old = timezone.now() - dt.timedelta(days=31)
    mine = NeighbourhoodFactory(name="Chapeltown", last_confirmed=old)
    theirs = NeighbourhoodFactory(force=mine.force, name="Harehills", last_confirmed=old)
    TeamMemberFactory(
        force=mine.force, neighbourhoods=[mine], name="Old Profile", last_confirmed=old
    )
    TeamMemberFactory(force=mine.force, neighbourhoods=[mine], name="Fresh Profile")
    TeamMemberFactory(
        force=mine.force, neighbourhoods=[theirs], name="Not Mine", last_confirmed=old
    )
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=mine.force, neighbourhoods=[mine]
    ).user
    client = Client()
    client.force_login(sergeant)
    page = client.get("/staff/").content.decode()
    section = page[page.index("Needs confirming") : page.index("Your neighbourhoods")]
    assert "Chapeltown" in section and "Old Profile" in section
    assert "Harehills" not in section and "Not Mine" not in section
    assert "Fresh Profile" not in section
