"""A resident messages their team: stored with a reference, acknowledged, never as HTML."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.audit.models import AuditEntry
from ourpatch.contact.messages import PER_ADDRESS_PER_HOUR
from ourpatch.contact.models import Message
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role
from ourpatch.worker.queue import run_pending

GOOD = {
    "name": "Pat Resident",
    "email": "pat@example.org",
    "telephone": "",
    "body": "Cars speed on Spencer Place every evening.",
    "website": "",
}


@pytest.fixture
def area(db):
    return NeighbourhoodFactory(code="E02002330", name="Chapeltown", force__id="west-yorkshire")


def _url(area) -> str:
    return f"/neighbourhoods/{area.force_id}/{area.code}/contact/"


def test_a_message_is_stored_with_a_reference_and_acknowledged(area, mailoutbox):
    client = Client()
    response = client.post(_url(area), GOOD, follow=True)
    assert response.status_code == 200
    message = Message.objects.read_by(_staff(), "test").get()
    page = response.content.decode()
    assert message.reference in page and "within 24 hours" in page
    assert message.neighbourhood == area and message.channel == "web"
    assert mailoutbox == []  # the worker sends it, not the request
    assert run_pending() == 1
    assert run_pending() == 0  # and only once
    assert len(mailoutbox) == 1
    assert message.reference in mailoutbox[0].body
    assert "within 24 hours" in mailoutbox[0].body
    assert mailoutbox[0].to == ["pat@example.org"]


def _staff():
    from ourpatch.accounts.factories import UserFactory

    return UserFactory(username="auditor")


def test_html_is_stored_as_text_and_shown_escaped(area):
    Client().post(_url(area), {**GOOD, "body": "<b>bold</b><script>x()</script>\x07"})
    message = Message.objects.read_by(_staff(), "test").get()
    assert message.body == "<b>bold</b><script>x()</script>"  # as typed, less control chars
    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole

    sergeant = StaffProfileFactory(role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area])
    client = Client()
    client.force_login(sergeant.user)
    page = client.get(f"/staff/neighbourhoods/{area.force_id}/{area.code}/messages/")
    body = page.content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in body and "<script>x()" not in body


def test_the_honeypot_stores_nothing_but_looks_like_success(area):
    response = Client().post(_url(area), {**GOOD, "website": "http://spam.example"}, follow=True)
    assert response.status_code == 200 and "Message sent" in response.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": ""}, "Your name: This field is required"),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        ({"email": "not an address"}, "Enter a valid email address"),
        ({"email": "", "telephone": ""}, "Give an email address or a telephone number"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(area, change, says):
    response = Client().post(_url(area), {**GOOD, **change})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Message.objects.count() == 0


def test_messages_from_one_address_are_rate_limited(area):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(PER_ADDRESS_PER_HOUR):
        assert client.post(_url(area), {**GOOD, "email": f"p{i}@example.org"}).status_code == 302
    response = client.post(_url(area), {**GOOD, "email": "another@example.org"})
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert Message.objects.count() == PER_ADDRESS_PER_HOUR
    # someone else is not affected
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(_url(area), {**GOOD, "email": "x@example.org"}).status_code == 302


def test_the_neighbourhood_page_shows_the_named_team(area):
    TeamMemberFactory(
        force=area.force,
        neighbourhoods=[area],
        name="Aisha Khan",
        role=Role.PCSO,
        email="aisha.khan@police.example",
        languages=["English", "Urdu"],
    )
    TeamMemberFactory(force=area.force, neighbourhoods=[area], name="Tom Walsh", role=Role.SERGEANT)
    page = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert page.index("Tom Walsh") < page.index("Aisha Khan")  # the sergeant leads the list
    assert "Police community support officer (PCSO)" in page
    assert "mailto:aisha.khan@police.example" in page
    assert "Speaks English, Urdu" in page
    assert "What is the difference between a PCSO and a police constable?" in page
    assert "last confirmed on" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_public_page_never_shows_messages_or_an_audit_entry(area):
    Client().post(_url(area), GOOD)
    page = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert "Pat Resident" not in page and "pat@example.org" not in page
    assert "Spencer Place" not in page
    assert AuditEntry.objects.count() == 0


def test_unknown_neighbourhood_is_a_404(db):
    assert Client().get("/neighbourhoods/nowhere/X/").status_code == 404
    assert Client().post("/neighbourhoods/nowhere/X/contact/", GOOD).status_code == 404
