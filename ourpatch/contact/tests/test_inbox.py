"""The team inbox: the clock on every message, assign, answer (the reply reaches the
resident), close; every read and change audited; staff outside the team refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.contact import inbox
from ourpatch.contact.factories import MessageFactory
from ourpatch.contact.inbox import InboxError
from ourpatch.contact.models import Message, MessageReply
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.factories import AbsenceFactory
from ourpatch.worker.models import Job
from ourpatch.worker.queue import run_pending


def _inbox(team) -> str:
    return f"/staff/neighbourhoods/{team.force.pk}/A/messages/"


def _page(message) -> str:
    return f"/staff/messages/{message.reference}/"


def _fresh(message) -> Message:
    return Message.objects.filter(pk=message.pk).read_by(_reader(), "test").get()


def _reader():
    from ourpatch.accounts.factories import UserFactory

    return UserFactory(username="test-reader")


def _entries(record, action) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            record_type=record._meta.label_lower, record_id=str(record.pk), action=action
        )
    )


def _ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


# --- the inbox --------------------------------------------------------------------------


def test_the_inbox_shows_each_message_with_its_clock_status_and_who_has_it(team):
    overdue = MessageFactory(neighbourhood=team.a, sender_name="Pat", received_at=_ago(hours=30))
    fresh = MessageFactory(
        neighbourhood=team.a, sender_name="Lee", received_at=_ago(hours=2), assigned_to=team.pcso
    )
    MessageFactory(neighbourhood=team.c, sender_name="Not ours", received_at=_ago(hours=1))
    page = team.client("sergeant").get(_inbox(team)).content.decode()
    assert "Not ours" not in page
    assert page.index(overdue.reference) < page.index(fresh.reference)  # nearest deadline first
    assert "Overdue by 6 h" in page
    assert "21 h" in page and "left" in page
    assert "New: for the team" in page and "Assigned" in page and "Aisha Khan" in page
    # each message shown is an audited read by the sergeant
    for m in (overdue, fresh):
        (entry,) = _entries(m, AuditAction.READ)
        assert entry.actor_name == "sergeant"


def test_the_inbox_filters_by_status_by_who_has_it_and_overdue(team):
    new = MessageFactory(neighbourhood=team.a, received_at=_ago(hours=30))
    mine = MessageFactory(
        neighbourhood=team.a, received_at=_ago(hours=1), assigned_to=team.sergeant
    )
    answered = MessageFactory(
        neighbourhood=team.a, received_at=_ago(hours=5), first_response_at=_ago(hours=4)
    )
    closed = MessageFactory(
        neighbourhood=team.a,
        received_at=_ago(hours=50),
        first_response_at=_ago(hours=49),
        closed_at=_ago(hours=48),
    )
    client = team.client("sergeant")

    def shown(query: str) -> set[str]:
        page = client.get(_inbox(team) + query).content.decode()
        return {m.reference for m in (new, mine, answered, closed) if m.reference in page}

    assert shown("") == {new.reference, mine.reference, answered.reference}  # open
    assert shown("?status=new") == {new.reference}
    assert shown("?status=assigned") == {mine.reference}
    assert shown("?status=answered") == {answered.reference}
    assert shown("?status=closed") == {closed.reference}
    assert shown("?status=all") == {m.reference for m in (new, mine, answered, closed)}
    assert shown("?assigned=me") == {mine.reference}
    assert shown("?assigned=team") == {new.reference, answered.reference}
    assert shown(f"?assigned={team.sergeant.pk}") == {mine.reference}
    assert shown("?overdue=on") == {new.reference}


def test_the_inbox_uses_the_forces_own_standard(team):
    PledgeStandards.objects.create(force=team.force, message_answer_hours=12)
    MessageFactory(neighbourhood=team.a, received_at=_ago(hours=13))
    page = team.client("sergeant").get(_inbox(team)).content.decode()
    assert "within 12 hours" in page and "Overdue by 1 h" in page


# --- one message ----------------------------------------------------------------------


def test_opening_a_message_is_an_audited_read(team):
    message = MessageFactory(neighbourhood=team.a, body="Noise from the park at night")
    response = team.client("pcso").get(_page(message))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Noise from the park at night" in page and message.sender_email in page
    (entry,) = _entries(message, AuditAction.READ)
    assert entry.actor_name == "pcso" and message.reference in entry.purpose
    assert entry.force_id == "west-yorkshire"


def test_assign_to_a_member_and_back_to_the_team(team):
    message = MessageFactory(neighbourhood=team.a, received_at=_ago(hours=1))
    client = team.client("sergeant")
    response = client.post(_page(message), {"do": "assign", "member": team.pcso.pk}, follow=True)
    assert "Given to Aisha Khan" in response.content.decode()
    assert _fresh(message).assigned_to == team.pcso
    (entry,) = _entries(message, AuditAction.UPDATE)
    assert entry.actor_name == "sergeant" and "assigned_to" in entry.fields
    client.post(_page(message), {"do": "assign", "member": ""})
    back = _fresh(message)
    assert back.assigned_to is None and back.routing_note.startswith("Returned to the team")


def test_a_message_cannot_be_given_to_someone_outside_the_team_or_away(team):
    message = MessageFactory(neighbourhood=team.a)
    client = team.client("sergeant")
    response = client.post(_page(message), {"do": "assign", "member": team.member_c.pk})
    assert response.status_code == 400  # not one of the choices
    today = timezone.localdate()
    AbsenceFactory(member=team.constable, starts_on=today, ends_on=today + dt.timedelta(days=3))
    response = client.post(_page(message), {"do": "assign", "member": team.constable.pk})
    assert response.status_code == 400
    assert "Sam Reid is away until" in response.content.decode()
    assert _fresh(message).assigned_to is None
    with pytest.raises(InboxError, match="not a current member"):
        inbox.assign(message, team.member_c, by=team.users["sergeant"])


def test_an_email_reply_reaches_the_resident_through_the_worker(team, mailoutbox):
    message = MessageFactory(
        neighbourhood=team.a,
        sender_email="pat@example.org",
        body="Cars speed on Spencer Place.",
        received_at=_ago(hours=3),
    )
    response = team.client("pcso").post(
        _page(message),
        {"do": "reply", "method": "email", "body": "We will be there on Friday evening."},
        follow=True,
    )
    assert "Reply queued" in response.content.decode()
    reply = MessageReply.objects.read_by(_reader(), "test").get()
    assert reply.sent_at is None and reply.author_member == team.pcso
    assert _fresh(message).first_response_at is None  # not answered until it has gone
    assert mailoutbox == []

    assert run_pending() == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["pat@example.org"]
    assert email.reply_to == ["Chapeltown@police.example"]  # the team, not one officer
    assert message.reference in email.subject
    assert "We will be there on Friday evening." in email.body
    assert "Aisha Khan" in email.body and "> Cars speed on Spencer Place." in email.body
    reply.refresh_from_db()
    assert reply.sent_at is not None
    assert _fresh(message).first_response_at == reply.sent_at
    assert run_pending() == 0 and len(mailoutbox) == 1  # once
    # the reply written and the send are both on the record
    assert _entries(reply, AuditAction.CREATE)[0].actor_name == "pcso"
    sent = [e for e in _entries(reply, AuditAction.UPDATE) if "sent_at" in e.fields]
    assert sent and sent[0].actor_name == "ourpatch (system)"
    stopped = [e for e in _entries(message, AuditAction.UPDATE) if "first_response_at" in e.fields]
    assert len(stopped) == 1


def test_first_response_is_set_once_by_the_first_reply_that_reached_the_resident(team, mailoutbox):
    message = MessageFactory(neighbourhood=team.a, received_at=_ago(hours=5))
    sergeant = team.users["sergeant"]
    inbox.reply(message, body="First answer", method="email", by=sergeant)
    run_pending()
    first = _fresh(message).first_response_at
    assert first is not None
    inbox.reply(message, body="A second answer", method="email", by=sergeant)
    inbox.reply(message, body="And a call", method="telephone", by=sergeant)
    run_pending()
    assert len(mailoutbox) == 2
    assert _fresh(message).first_response_at == first


def test_a_call_recorded_counts_as_the_answer_when_it_is_recorded(team, mailoutbox):
    message = MessageFactory(neighbourhood=team.a, received_at=_ago(hours=3))
    team.client("constable").post(
        _page(message),
        {"do": "reply", "method": "telephone", "body": "Rang Pat: agreed a visit on Friday."},
    )
    reply = MessageReply.objects.read_by(_reader(), "test").get()
    assert reply.method == "telephone" and reply.sent_at is None
    assert _fresh(message).first_response_at == reply.written_at
    assert Job.objects.filter(kind=inbox.SEND_REPLY).count() == 0
    assert run_pending() == 0 and mailoutbox == []


def test_a_resident_with_no_email_can_only_be_answered_by_telephone_or_in_person(team):
    message = MessageFactory(
        neighbourhood=team.a, sender_email="", sender_telephone="0113 496 0000"
    )
    client = team.client("sergeant")
    page = client.get(_page(message)).content.decode()
    assert "gave no email address" in page and "0113 496 0000" in page
    assert 'value="email"' not in page
    response = client.post(_page(message), {"do": "reply", "method": "email", "body": "Hello"})
    assert response.status_code == 400
    assert MessageReply.objects.count() == 0
    with pytest.raises(InboxError, match="no email address"):
        inbox.reply(message, body="Hello", method="email", by=team.users["sergeant"])
    client.post(_page(message), {"do": "reply", "method": "in_person", "body": "Visited Pat."})
    assert _fresh(message).first_response_at is not None


def test_closing_an_unanswered_message_needs_a_reason(team):
    message = MessageFactory(neighbourhood=team.a)
    client = team.client("sergeant")
    response = client.post(_page(message), {"do": "close", "note": ""})
    assert response.status_code == 400
    assert "has not been answered" in response.content.decode()
    assert _fresh(message).closed_at is None
    client.post(_page(message), {"do": "close", "note": "Duplicate of M-ABCD2345"})
    closed = _fresh(message)
    assert closed.closed_at is not None and closed.closed_note == "Duplicate of M-ABCD2345"
    assert closed.first_response_at is None  # the Pledge still counts it as unanswered
    assert inbox.status_of(closed) == inbox.Status.CLOSED
    with pytest.raises(InboxError, match="closed"):
        inbox.reply(closed, body="Late", method="telephone", by=team.users["sergeant"])


def test_an_answered_message_closes_without_a_reason(team):
    message = MessageFactory(neighbourhood=team.a, first_response_at=_ago(hours=1))
    team.client("pcso").post(_page(message), {"do": "close"})
    assert _fresh(message).closed_at is not None


# --- who may --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["constable_c", "analyst", "partner", "inspectorate"])
def test_staff_outside_the_team_cannot_read_or_answer_its_messages(team, who):
    message = MessageFactory(neighbourhood=team.a)
    client = team.client(who)
    assert client.get(_inbox(team)).status_code == 403
    assert client.get(_page(message)).status_code == 403
    response = client.post(_page(message), {"do": "reply", "method": "telephone", "body": "x"})
    assert response.status_code == 403
    response = client.post(_page(message), {"do": "assign", "member": team.pcso.pk})
    assert response.status_code == 403
    assert MessageReply.objects.count() == 0
    assert _fresh(message).assigned_to is None
    assert not AuditEntry.objects.filter(actor_name=who).exists()  # nothing was read


def test_the_command_unit_commander_works_the_inbox_of_their_unit(team):
    message = MessageFactory(neighbourhood=team.a)
    assert team.client("commander").get(_page(message)).status_code == 200
    other = MessageFactory(neighbourhood=team.c)
    assert team.client("commander").get(_page(other)).status_code == 403


def test_an_unknown_reference_is_a_404_and_visitors_must_sign_in(team):
    assert team.client("sergeant").get("/staff/messages/M-ABCD2345/").status_code == 404
    message = MessageFactory(neighbourhood=team.a)
    from django.test import Client

    response = Client().get(_page(message))
    assert response.status_code == 302 and "login" in response["Location"]
