"""Supervisors see the open records with the 24-hour clock, and acknowledge, agree and close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction


def _record(world, hood, **kwargs):
    return DissatisfactionFactory(force=hood.force, neighbourhood=hood, **kwargs)


def test_the_list_shows_the_clock_and_names_no_one(world, signed_in):
    now = timezone.now()
    overdue = _record(
        world, world.a, received_at=now - dt.timedelta(hours=30), complainant_name="Ann Ames"
    )
    waiting = _record(world, world.a, received_at=now - dt.timedelta(hours=2))
    acknowledged = _record(
        world,
        world.b,
        received_at=now - dt.timedelta(hours=50),
        acknowledged_at=now - dt.timedelta(hours=40),
    )
    closed = _record(
        world, world.a, received_at=now - dt.timedelta(days=9), closed_at=now, acknowledged_at=now
    )
    page = signed_in("inspector").get("/staff/dissatisfaction/").content.decode()
    assert "Waiting for acknowledgement (2, 1 overdue)" in page
    # the most urgent first
    assert page.index(overdue.reference) < page.index(waiting.reference)
    assert "Overdue</strong> by 6 h" in page
    assert acknowledged.reference in page and closed.reference not in page
    assert "Ann Ames" not in page
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_the_list_is_limited_to_the_users_neighbourhoods(world, signed_in):
    in_a = _record(world, world.a)
    in_c = _record(world, world.c)
    in_d = _record(world, world.d)
    nowhere = DissatisfactionFactory(force=world.force, neighbourhood=None)
    sergeant = signed_in("sergeant").get("/staff/dissatisfaction/").content.decode()
    assert in_a.reference in sergeant
    assert in_c.reference not in sergeant and in_d.reference not in sergeant
    assert nowhere.reference not in sergeant
    admin = signed_in("force_admin").get("/staff/dissatisfaction/").content.decode()
    assert in_a.reference in admin and in_c.reference in admin and nowhere.reference in admin
    assert in_d.reference not in admin


@pytest.mark.parametrize("role", ["constable", "pcso", "analyst", "partner", "inspectorate"])
def test_only_supervisors_handle_dissatisfaction(world, signed_in, role):
    record = _record(world, world.a)
    client = signed_in(role)
    assert client.get("/staff/dissatisfaction/").status_code == 403
    assert client.get(f"/staff/dissatisfaction/{record.reference}/").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_a_record_out_of_scope_is_refused_and_nothing_is_read(world, signed_in):
    in_c = _record(world, world.c)
    in_d = _record(world, world.d)
    nowhere = DissatisfactionFactory(force=world.force, neighbourhood=None)
    for role, record in [
        ("sergeant", in_c),
        ("commander", in_c),
        ("force_admin", in_d),
        ("sergeant", nowhere),
        ("other_sergeant", in_c),
    ]:
        response = signed_in(role).get(f"/staff/dissatisfaction/{record.reference}/")
        assert response.status_code == 403, (role, record.reference)
        response = signed_in(role).post(
            f"/staff/dissatisfaction/{record.reference}/",
            {"step": "acknowledge", "how": Channel.TELEPHONE},
        )
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()
    assert not Dissatisfaction.objects.filter(acknowledged_at__isnull=False).exists()
    assert signed_in("sergeant").get("/staff/dissatisfaction/D-AAAAAAAA/").status_code == 404


def test_reading_a_record_is_audited_then_it_is_acknowledged_resolved_and_closed(world, signed_in):
    record = _record(
        world,
        world.a,
        received_at=timezone.now() - dt.timedelta(hours=3),
        complainant_name="Bea Brown",
        complainant_contact="0113 496 0002",
    )
    client = signed_in("sergeant")
    url = f"/staff/dissatisfaction/{record.reference}/"
    page = client.get(url).content.decode()
    assert "Bea Brown" in page and "0113 496 0002" in page and "Waiting" in page
    entry = AuditEntry.objects.get(action=AuditAction.READ)
    assert entry.actor_name == "sergeant" and entry.record_id == str(record.pk)
    assert record.reference in entry.purpose

    assert client.post(url, {"step": "acknowledge", "how": "web"}).status_code == 400
    response = client.post(url, {"step": "acknowledge", "how": Channel.TELEPHONE})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.acknowledged_at is not None and record.acknowledged_how == Channel.TELEPHONE
    assert "Acknowledged in time" in client.get(url).content.decode()

    response = client.post(url, {"step": "resolution", "resolution": "Visit and apologise."})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.resolution == "Visit and apologise." and record.resolution_agreed_at is None
    client.post(url, {"step": "resolution", "resolution": "Visit and apologise.", "agreed": "on"})
    record.refresh_from_db()
    assert record.resolution_agreed_at is not None

    assert client.post(url, {"step": "close"}).status_code == 302
    record.refresh_from_db()
    assert record.closed_at is not None
    assert f'href="{url}"' not in client.get("/staff/dissatisfaction/").content.decode()
    updates = AuditEntry.objects.filter(action=AuditAction.UPDATE, record_id=str(record.pk))
    assert updates.count() == 4 and {e.actor_name for e in updates} == {"sergeant"}


def test_closing_needs_an_acknowledgement_and_a_resolution(world, signed_in):
    record = _record(world, world.a)
    response = signed_in("sergeant").post(
        f"/staff/dissatisfaction/{record.reference}/", {"step": "close"}
    )
    assert response.status_code == 400 and "acknowledge it first" in response.content.decode()
    record.refresh_from_db()
    assert record.closed_at is None


def test_staff_record_what_they_were_told(world, signed_in):
    form = {
        "neighbourhood": world.a.pk,
        "channel": Channel.IN_PERSON,
        "category": Category.INCIVILITY,
        "complainant_name": "Cal Cooper",
        "complainant_contact": "0113 496 0003",
        "complainant_email": "",
        "summary": "The officer at the front counter was rude.",
        "about_member": "",
    }
    # a constable records it; supervisors handle it
    response = signed_in("constable").post("/staff/dissatisfaction/new/", form, follow=True)
    assert response.status_code == 200
    reference = Dissatisfaction.objects.values_list("reference", flat=True).get()
    assert f"Recorded as {reference}" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, actor_name="constable").exists()
    # a sergeant goes straight to the record
    response = signed_in("sergeant").post("/staff/dissatisfaction/new/", form)
    assert response.status_code == 302 and response["Location"].startswith(
        "/staff/dissatisfaction/D-"
    )
    # out of scope: the neighbourhood is not offered
    response = signed_in("sergeant").post(
        "/staff/dissatisfaction/new/", {**form, "neighbourhood": world.c.pk}
    )
    assert response.status_code == 400
    assert Dissatisfaction.objects.count() == 2
    for role in ("analyst", "partner", "inspectorate"):
        assert signed_in(role).get("/staff/dissatisfaction/new/").status_code == 403
