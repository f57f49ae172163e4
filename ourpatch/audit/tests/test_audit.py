"""The audit log: personal data cannot be read around it, and it cannot be rewritten."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AppendOnlyError, AuditAction, AuditEntry
from ourpatch.audit.personal import UnauditedRead, save_personal
from ourpatch.contact.models import Message
from ourpatch.geography.factories import NeighbourhoodFactory


@pytest.fixture
def messages(db):
    area = NeighbourhoodFactory()
    return [
        Message.objects.create(neighbourhood=area, sender_name=f"Resident {i}", body="Noise")
        for i in range(3)
    ]


@pytest.fixture
def officer(db):
    return UserFactory(username="pc-reader")


@pytest.mark.parametrize(
    "read",
    [
        lambda: list(Message.objects.all()),
        lambda: Message.objects.first(),
        lambda: Message.objects.get(sender_name="Resident 1"),
        lambda: list(Message.objects.values("sender_name", "sender_email")),
        lambda: list(Message.objects.values_list("body", flat=True)),
        lambda: list(Message.objects.filter(body="Noise").iterator()),
        lambda: [m for m in Message.objects.order_by("id")[:2]],
        lambda: Message.objects.in_bulk(),
    ],
    ids=["list", "first", "get", "values", "values_list", "iterator", "slice", "in_bulk"],
)
def test_a_read_without_saying_who_is_refused(messages, read) -> None:
    with pytest.raises(UnauditedRead):
        read()
    assert AuditEntry.objects.count() == 0


def test_reverse_relation_is_guarded_too(messages) -> None:
    area = messages[0].neighbourhood
    with pytest.raises(UnauditedRead):
        list(area.messages.all())


def test_every_record_read_is_logged_with_who_and_why(messages, officer) -> None:
    rows = list(Message.objects.read_by(officer, "answering the team inbox").order_by("id"))
    assert [m.sender_name for m in rows] == ["Resident 0", "Resident 1", "Resident 2"]
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.actor, e.action, e.record_type, e.record_id) for e in entries] == [
        (officer, AuditAction.READ, "contact.message", str(m.pk)) for m in rows
    ]
    assert {e.purpose for e in entries} == {"answering the team inbox"}
    assert {e.force_id for e in entries} == {str(messages[0].neighbourhood.force_id)}


def test_counting_reveals_no_one_and_needs_no_reader(messages) -> None:
    assert Message.objects.count() == 3
    assert Message.objects.filter(sender_name="Resident 1").exists()
    assert AuditEntry.objects.count() == 0


def test_operational_fields_are_counted_without_a_reader_but_names_are_not(messages) -> None:
    """Compliance is computed over when and where, never who: that needs no audited read."""
    from django.db.models import Count, Max

    grouped = list(
        Message.objects.values("neighbourhood").annotate(n=Count("id"), last=Max("received_at"))
    )
    assert grouped[0]["n"] == 3
    assert list(Message.objects.values_list("reference", "received_at"))
    assert AuditEntry.objects.count() == 0
    for read in (
        lambda: list(Message.objects.values()),
        lambda: list(Message.objects.values("neighbourhood").annotate(m=Max("sender_name"))),
        lambda: list(Message.objects.values_list("reference", "sender_email")),
    ):
        with pytest.raises(UnauditedRead):
            read()


def test_reading_needs_a_signed_in_user_and_a_purpose(messages, officer) -> None:
    with pytest.raises(UnauditedRead):
        Message.objects.read_by(AnonymousUser(), "curiosity")
    with pytest.raises(UnauditedRead):
        Message.objects.read_by(officer, "  ")


def test_a_change_is_logged_with_the_fields_changed(messages, officer) -> None:
    message = Message.objects.read_by(officer, "correcting a typo").get(pk=messages[0].pk)
    message.sender_telephone = "0113 000 0000"
    save_personal(officer, message, "resident asked for a call back", ["sender_telephone"])
    change = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert change.fields == ["sender_telephone"]
    assert change.record_id == str(message.pk)


def test_entries_cannot_be_changed_or_deleted_through_the_orm(messages, officer) -> None:
    list(Message.objects.read_by(officer, "inbox"))
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.purpose = "nothing to see here"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="edited")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.purpose == "inbox"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL's")
def test_postgresql_refuses_raw_changes_to_the_log(messages, officer) -> None:
    list(Message.objects.read_by(officer, "inbox"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET purpose = 'edited'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(purpose="inbox").count() == 3


def test_the_staff_messages_page_writes_the_log(messages) -> None:
    area = messages[0].neighbourhood
    profile = StaffProfileFactory(role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area])
    client = Client()
    client.force_login(profile.user)
    response = client.get(f"/staff/neighbourhoods/{area.force_id}/{area.code}/messages/")
    assert response.status_code == 200
    assert "Resident 2" in response.content.decode()
    assert AuditEntry.objects.filter(actor=profile.user, action="read").count() == 3


def test_no_staff_screen_can_change_the_log(db) -> None:
    operator = UserFactory(username="op", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(operator)
    assert client.get("/staff/admin/audit/auditentry/").status_code == 200
    assert client.get("/staff/admin/audit/auditentry/add/").status_code == 403
