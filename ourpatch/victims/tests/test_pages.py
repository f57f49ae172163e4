"""The officer's list of victims to update, the agreement page, and callbacks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.dissatisfaction.tests.conftest import signed_in, world  # noqa: F401  (fixtures)
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role
from ourpatch.victims.factories import UpdateAgreementFactory, VictimUpdateFactory
from ourpatch.victims.models import UpdateAgreement, VictimUpdate, VictimView


@pytest.fixture
def team(world):  # noqa: F811
    """The constable's own team profile in A; a PCSO in A; a PCSO in C."""
    return {
        "mine": TeamMemberFactory(
            force=world.force,
            role=Role.CONSTABLE,
            name="PC Dana Dale",
            neighbourhoods=[world.a],
            account=world.users["constable"],
        ),
        "colleague": TeamMemberFactory(
            force=world.force, role=Role.PCSO, name="PCSO Eli Evans", neighbourhoods=[world.a]
        ),
        "elsewhere": TeamMemberFactory(
            force=world.force, role=Role.PCSO, name="PCSO Fay Ford", neighbourhoods=[world.c]
        ),
    }


def days_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def _agreement(officer, hood, **kwargs):
    return UpdateAgreementFactory(
        force=officer.force, officer=officer, neighbourhood=hood, **kwargs
    )


def _reads(actor: str) -> set[str]:
    return set(
        AuditEntry.objects.filter(
            action=AuditAction.READ, actor_name=actor, record_type="victims.updateagreement"
        ).values_list("record_id", flat=True)
    )


def test_the_officers_own_list(world, team, signed_in):  # noqa: F811
    mine = team["mine"]
    overdue = _agreement(
        mine, world.a, frequency_days=7, agreed_at=days_ago(20), victim_name="Olu Over"
    )
    soon = _agreement(
        mine, world.a, frequency_days=14, agreed_at=days_ago(13), victim_name="Sue Soon"
    )
    fine = _agreement(
        mine, world.a, frequency_days=14, agreed_at=days_ago(30), victim_name="Fin Fine"
    )
    VictimUpdateFactory(agreement=fine, given_at=days_ago(1))
    quiet = _agreement(
        mine, world.a, frequency_days=None, agreed_at=days_ago(3), victim_name="Quinn Quiet"
    )
    ended = _agreement(
        mine, world.a, agreed_at=days_ago(60), ended_at=days_ago(2), victim_name="Ed Ended"
    )
    colleagues = _agreement(team["colleague"], world.a, agreed_at=days_ago(40), victim_name="Cy")
    page = signed_in("constable").get("/staff/victims/").content.decode()
    assert "1 overdue, 1 due soon, 1 not yet due, 1 who want no updates" in page
    for name in ("Olu Over", "Sue Soon", "Fin Fine", "Quinn Quiet"):
        assert name in page
    assert page.index("Olu Over") < page.index("Sue Soon") < page.index("Fin Fine")
    assert "Ed Ended" not in page
    assert "Your neighbourhoods" not in page  # a constable sees their own list only
    assert _reads("constable") == {str(a.pk) for a in (overdue, soon, fine, quiet)}
    assert str(ended.pk) not in _reads("constable") and str(colleagues.pk) not in _reads(
        "constable"
    )


def test_a_sergeant_sees_each_neighbourhoods_list_by_officer(world, team, signed_in):  # noqa: F811
    late = _agreement(team["mine"], world.a, agreed_at=days_ago(20), victim_name="Lee Late")
    fine = _agreement(team["colleague"], world.a, agreed_at=days_ago(1), victim_name="Nia Notyet")
    other = _agreement(team["elsewhere"], world.c, agreed_at=days_ago(30), victim_name="Cat C")
    page = signed_in("sergeant").get("/staff/victims/").content.decode()
    assert "Your account is not linked to a team member" in page
    assert '<h3 id="team-1">Chapeltown</h3>' in page
    assert "Lee Late" in page and "PC Dana Dale" in page and "PCSO Eli Evans" in page
    assert "Nia Notyet" not in page  # not due: counted, not named
    assert "Cat C" not in page and "Manningham" not in page
    # only the names shown were read
    assert _reads("sergeant") == {str(late.pk)}
    assert str(fine.pk) not in _reads("sergeant") and str(other.pk) not in _reads("sergeant")
    admin = signed_in("force_admin").get("/staff/victims/").content.decode()
    assert "Lee Late" in admin and "Cat C" in admin


@pytest.mark.parametrize("role", ["analyst", "partner", "inspectorate"])
def test_roles_without_victims_are_refused(world, team, signed_in, role):  # noqa: F811
    agreement = _agreement(team["mine"], world.a)
    client = signed_in(role)
    assert client.get("/staff/victims/").status_code == 403
    assert client.get("/staff/victims/new/").status_code == 403
    assert client.get(f"/staff/victims/{agreement.pk}/").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_an_agreement_out_of_scope_is_refused_before_anything_is_read(world, team, signed_in):  # noqa: F811
    in_c = _agreement(team["elsewhere"], world.c)
    for role in ("sergeant", "inspector", "constable", "pcso", "other_sergeant"):
        assert signed_in(role).get(f"/staff/victims/{in_c.pk}/").status_code == 403, role
        response = signed_in(role).post(
            f"/staff/victims/{in_c.pk}/", {"step": "end", "reason": "case_finished"}
        )
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()
    in_c.refresh_from_db()
    assert in_c.ended_at is None
    assert signed_in("force_admin").get(f"/staff/victims/{in_c.pk}/").status_code == 200
    assert signed_in("sergeant").get("/staff/victims/999999/").status_code == 404


def test_the_officer_in_the_case_may_read_it_wherever_it_is(world, team, signed_in):  # noqa: F811
    mine_in_c = _agreement(team["mine"], world.c, victim_name="Far Away")
    page = signed_in("constable").get(f"/staff/victims/{mine_in_c.pk}/")
    assert page.status_code == 200 and "Far Away" in page.content.decode()
    # no neighbourhood recorded: the officer's own neighbourhoods decide
    loose = _agreement(team["colleague"], None)
    assert signed_in("sergeant").get(f"/staff/victims/{loose.pk}/").status_code == 200
    assert signed_in("commander").get(f"/staff/victims/{loose.pk}/").status_code == 200
    loose_c = _agreement(team["elsewhere"], None)
    assert signed_in("sergeant").get(f"/staff/victims/{loose_c.pk}/").status_code == 403


def _new(world, team, **change):  # noqa: F811
    return {
        "crime_reference": "13/123456/26",
        "victim_name": "Gus Green",
        "victim_contact": "0113 496 0004",
        "method": "telephone",
        "frequency": "monthly",
        "every_days": "",
        "officer": team["mine"].pk,
        "neighbourhood": world.a.pk,
        **change,
    }


def test_recording_an_agreement(world, team, signed_in):  # noqa: F811
    client = signed_in("constable")
    form = client.get("/staff/victims/new/").content.decode()
    assert "Every month" in form and "The victim does not want updates" in form
    response = client.post("/staff/victims/new/", _new(world, team))
    assert response.status_code == 302
    agreement = UpdateAgreement.objects.read_by(world.users["constable"], "test").get()
    assert response["Location"] == f"/staff/victims/{agreement.pk}/"
    assert agreement.frequency_days == 31 and agreement.officer == team["mine"]
    assert agreement.force == world.force and agreement.neighbourhood == world.a
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, actor_name="constable", record_id=str(agreement.pk)
    ).exists()
    # the force's own "monthly"; every so many days; no updates wanted
    PledgeStandards.objects.create(force=world.force, monthly_update_days=28)
    client.post("/staff/victims/new/", _new(world, team, crime_reference="B"))
    client.post(
        "/staff/victims/new/",
        _new(world, team, crime_reference="C", frequency="every", every_days="10"),
    )
    client.post("/staff/victims/new/", _new(world, team, crime_reference="D", frequency="none"))
    stored = dict(
        UpdateAgreement.objects.read_by(world.users["constable"], "test").values_list(
            "crime_reference", "frequency_days"
        )
    )
    assert stored == {"13/123456/26": 31, "B": 28, "C": 10, "D": None}


@pytest.mark.parametrize(
    "change",
    [
        {"frequency": "every", "every_days": ""},
        {"neighbourhood": "C"},  # replaced below: out of the constable's scope
        {"victim_name": ""},
    ],
)
def test_a_bad_agreement_is_refused(world, team, signed_in, change):  # noqa: F811
    if change.get("neighbourhood") == "C":
        change = {"neighbourhood": world.c.pk}
    response = signed_in("constable").post("/staff/victims/new/", _new(world, team, **change))
    assert response.status_code == 400
    assert UpdateAgreement.objects.count() == 0


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _update(**change) -> dict[str, str]:
    return {
        "step": "update",
        "kind": "update",
        "given_at": _local(timezone.now() - dt.timedelta(hours=1)),
        "method": "telephone",
        "note": "Told them the suspect was interviewed.",
        "victim_view": VictimView.NOT_ASKED,
        "category": Category.NOT_KEPT_INFORMED,
        **change,
    }


def test_an_update_restarts_the_clock(world, team, signed_in):  # noqa: F811
    agreement = _agreement(team["mine"], world.a, frequency_days=7, agreed_at=days_ago(10))
    client = signed_in("constable")
    url = f"/staff/victims/{agreement.pk}/"
    assert "Overdue" in client.get(url).content.decode()
    assert client.post(url, _update()).status_code == 302
    update = VictimUpdate.objects.read_by(world.users["constable"], "test").get()
    assert update.given_by == team["mine"] and not update.is_callback
    assert update.dissatisfaction is None
    page = client.get(url).content.decode()
    assert "Not yet due" in page and "Told them the suspect was interviewed." in page
    assert Dissatisfaction.objects.count() == 0


def test_a_dissatisfied_callback_opens_dissatisfaction(world, team, signed_in):  # noqa: F811
    agreement = _agreement(
        team["mine"],
        world.a,
        agreed_at=days_ago(10),
        victim_name="Hal Hughes",
        victim_contact="0113 496 0005",
        crime_reference="13/555555/26",
    )
    client = signed_in("constable")
    url = f"/staff/victims/{agreement.pk}/"
    given = timezone.now() - dt.timedelta(hours=2)
    response = client.post(
        url,
        _update(
            kind="callback",
            given_at=_local(given),
            victim_view=VictimView.VERY_DISSATISFIED,
            note="Nobody told them the court date.",
        ),
        follow=True,
    )
    record = Dissatisfaction.objects.read_by(world.users["sergeant"], "test").get()
    assert record.reference in response.content.decode()
    assert record.category == Category.NOT_KEPT_INFORMED and record.channel == Channel.TELEPHONE
    assert record.neighbourhood == world.a and record.force == world.force
    assert record.complainant_name == "Hal Hughes" and record.complainant_contact == "0113 496 0005"
    assert "13/555555/26" in record.summary and "Nobody told them the court date." in record.summary
    assert record.received_at == given.replace(second=0, microsecond=0)
    assert record.acknowledged_at is None  # a supervisor acknowledges it, in 24 hours
    update = VictimUpdate.objects.read_by(world.users["sergeant"], "test").get()
    assert update.is_callback and update.dissatisfaction == record
    # the sergeant finds it on the dissatisfaction list
    assert record.reference in signed_in("sergeant").get("/staff/dissatisfaction/").content.decode()
    # a callback must say what the victim thought
    response = client.post(url, _update(kind="callback"))
    assert response.status_code == 400
    assert "A callback records what the victim said" in response.content.decode()
    # a fairly satisfied victim opens nothing; an update where the victim, asked, was fairly
    # dissatisfied about attendance, acknowledged on the call, does
    client.post(url, _update(victim_view=VictimView.FAIRLY_SATISFIED))
    assert Dissatisfaction.objects.count() == 1
    client.post(
        url,
        _update(
            given_at=_local(given),
            victim_view=VictimView.FAIRLY_DISSATISFIED,
            category=Category.ATTENDANCE,
            acknowledged_on_call="on",
        ),
    )
    second = Dissatisfaction.objects.filter(category=Category.ATTENDANCE).values(
        "received_at", "acknowledged_at", "acknowledged_how"
    )[0]
    assert second["acknowledged_at"] == second["received_at"]
    assert second["acknowledged_how"] == Channel.TELEPHONE
    kinds = sorted(VictimUpdate.objects.values_list("is_callback", "victim_view"))
    assert kinds == [
        (False, VictimView.FAIRLY_DISSATISFIED),
        (False, VictimView.FAIRLY_SATISFIED),
        (True, VictimView.VERY_DISSATISFIED),
    ]


def test_updates_out_of_order_are_refused(world, team, signed_in):  # noqa: F811
    agreement = _agreement(team["mine"], world.a, agreed_at=days_ago(2))
    client = signed_in("constable")
    url = f"/staff/victims/{agreement.pk}/"
    future = _local(timezone.now() + dt.timedelta(days=1))
    assert client.post(url, _update(given_at=future)).status_code == 400
    before = _local(days_ago(3))
    assert client.post(url, _update(given_at=before)).status_code == 400
    assert VictimUpdate.objects.count() == 0


def test_ending_the_agreement(world, team, signed_in):  # noqa: F811
    agreement = _agreement(team["mine"], world.a, agreed_at=days_ago(20), victim_name="Ivy Ended")
    client = signed_in("constable")
    url = f"/staff/victims/{agreement.pk}/"
    assert client.post(url, {"step": "end", "reason": "case_finished"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.ended_at is not None and agreement.ended_reason == "case_finished"
    assert "Ivy Ended" not in client.get("/staff/victims/").content.decode()
    # an update given before the end may still be recorded; none given after it
    UpdateAgreement.objects.filter(pk=agreement.pk).update(ended_at=days_ago(1))
    assert client.post(url, _update()).status_code == 400
    assert client.post(url, _update(given_at=_local(days_ago(2)))).status_code == 302
    assert client.post(url, {"step": "end", "reason": "case_finished"}).status_code == 400
    assert VictimUpdate.objects.count() == 1


def test_the_agreement_page_read_is_audited_and_no_victim_reaches_a_public_page(
    world,  # noqa: F811
    team,
    signed_in,  # noqa: F811
):
    agreement = _agreement(team["mine"], world.a, victim_name="Jo Private")
    update = VictimUpdateFactory(agreement=agreement, note="Suspect charged.")
    assert signed_in("pcso").get(f"/staff/victims/{agreement.pk}/").status_code == 200
    read = set(
        AuditEntry.objects.filter(action=AuditAction.READ, actor_name="pcso").values_list(
            "record_type", "record_id"
        )
    )
    assert read == {
        ("victims.updateagreement", str(agreement.pk)),
        ("victims.victimupdate", str(update.pk)),
    }
    for url in (f"/neighbourhoods/{world.force.pk}/A/", f"/forces/{world.force.pk}/"):
        page = Client().get(url).content.decode()
        assert "Jo Private" not in page and "Suspect charged." not in page
