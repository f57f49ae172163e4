"""Inbound email to a team's address: stored as a message through the same door as the web
form; unknown recipients refused with EX_NOUSER; text only, never HTML; size limits."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ourpatch.contact.factories import MessageFactory
from ourpatch.contact.inbound import EX_DATAERR, EX_NOUSER, EX_TEMPFAIL, MAX_EMAIL_BYTES
from ourpatch.contact.messages import PER_EMAIL_PER_HOUR
from ourpatch.contact.models import Message
from ourpatch.worker.queue import run_pending


def _email(
    to: str = "chapeltown@police.example",
    text: str | None = "Cars speed on Spencer Place every evening.",
    html: str | None = None,
    **headers: str,
) -> bytes:
    email = EmailMessage()
    email["From"] = headers.pop("From", "Pat Resident <pat@example.org>")
    email["To"] = to
    email["Subject"] = headers.pop("Subject", "Speeding")
    email["Message-ID"] = headers.pop("Message_ID", "<abc123@example.org>")
    for name, value in headers.items():
        email[name.replace("_", "-")] = value
    if text is not None:
        email.set_content(text)
        if html is not None:
            email.add_alternative(html, subtype="html")
    elif html is not None:
        email.set_content(html, subtype="html")
    return email.as_bytes()


def _receive(raw: bytes, *args: str) -> str:
    out = io.StringIO()
    call_command("receive_email", *args, stdin=io.BytesIO(raw), stdout=out)
    return out.getvalue()


def _stored(team) -> list[Message]:
    return list(Message.objects.order_by("id").read_by(team.users["sergeant"], "test"))


def test_an_email_to_the_teams_address_is_stored_and_acknowledged(team, mailoutbox):
    # the team's address matches whatever its case (it is stored as Chapeltown@…)
    said = _receive(_email(to="CHAPELTOWN@police.example"))
    (message,) = _stored(team)
    assert said.strip() == f"Stored as {message.reference} for the Chapeltown team."
    assert message.neighbourhood == team.a and message.channel == "email"
    assert message.sender_name == "Pat Resident" and message.sender_email == "pat@example.org"
    assert message.body == "Subject: Speeding\n\nCars speed on Spencer Place every evening."
    assert message.assigned_to is None
    run_pending()
    assert mailoutbox[0].to == ["pat@example.org"] and message.reference in mailoutbox[0].body


def test_plus_addressing_names_the_team_and_the_envelope_recipient_comes_first(team):
    envelope = "teams+west-yorkshire.c@force.example"
    _receive(_email(to="someone@example.net"), "--recipient", envelope)
    (message,) = _stored(team)
    assert message.neighbourhood == team.c
    raw = _email(to="a-list@example.net", Delivered_To="inbox+West-Yorkshire.A@force.example")
    _receive(raw.replace(b"abc123", b"def456"))
    assert _stored(team)[1].neighbourhood == team.a


def test_an_unknown_recipient_is_refused_with_ex_nouser_and_nothing_is_stored(team):
    with pytest.raises(CommandError) as refused:
        _receive(_email(to="nobody@police.example"))
    assert refused.value.returncode == EX_NOUSER == 67
    assert "No neighbourhood team has this address (nobody@police.example)" in str(refused.value)
    with pytest.raises(CommandError) as refused:
        _receive(_email(to="inbox+west-yorkshire.ZZZ@force.example"))
    assert refused.value.returncode == EX_NOUSER
    assert Message.objects.count() == 0


def test_an_html_only_email_is_stored_as_text_never_as_html(team):
    html = (
        "<html><head><style>p{color:red}</style><title>x</title></head><body>"
        "<p>Fly-tipping on <b>Back Lane</b> &amp; the alley.</p>"
        "<script>alert(1)</script><ul><li>mattress</li><li>fridge</li></ul>"
        '<p>Photos: <a href="https://example.org/p/1">here</a></p></body></html>'
    )
    _receive(_email(text=None, html=html))
    (message,) = _stored(team)
    assert "<" not in message.body.replace("<https://example.org/p/1>", "")
    assert "Fly-tipping on Back Lane & the alley." in message.body
    assert "- mattress\n- fridge" in message.body
    assert "here <https://example.org/p/1>" in message.body
    assert "alert" not in message.body and "color" not in message.body


def test_the_plain_text_part_is_preferred_to_the_html(team):
    _receive(_email(text="Plain words", html="<p>Fancy <i>words</i></p>"))
    (message,) = _stored(team)
    assert message.body.endswith("Plain words") and "Fancy" not in message.body


def test_an_oversize_email_is_refused_and_a_long_text_is_shortened_and_says_so(team):
    huge = b"X-Padding: " + b"x" * MAX_EMAIL_BYTES + b"\n" + _email()
    with pytest.raises(CommandError) as refused:
        _receive(huge)
    assert refused.value.returncode == EX_DATAERR and "too large" in str(refused.value)
    assert Message.objects.count() == 0
    _receive(_email(text="word " * 3000))
    (message,) = _stored(team)
    assert len(message.body) <= 5000
    assert "[Shortened: the email's text was 15,0" in message.body


def test_attachments_are_not_stored_but_noted(team):
    email = EmailMessage()
    email["From"] = "pat@example.org"
    email["To"] = "chapeltown@police.example"
    email["Subject"] = "Photo"
    email.set_content("See the photo.")
    email.add_attachment(b"\xff\xd8fakejpeg", maintype="image", subtype="jpeg", filename="van.jpg")
    _receive(email.as_bytes())
    (message,) = _stored(team)
    assert "See the photo." in message.body
    assert "[1 attachment(s) not stored: van.jpg]" in message.body
    assert message.sender_name == "pat@example.org"  # no display name: the address


def test_the_same_email_delivered_twice_is_stored_once(team):
    _receive(_email())
    said = _receive(_email())
    assert "Already stored" in said
    assert Message.objects.count() == 1


def test_automatic_replies_are_not_stored_so_no_mail_loop_starts(team, mailoutbox):
    said = _receive(_email(Auto_Submitted="auto-replied"))
    assert "Not stored: an automatic email" in said
    _receive(_email(Message_ID="<bounce@x>", Return_Path="<>"))
    assert Message.objects.count() == 0 and run_pending() == 0


def test_a_reply_to_the_teams_email_follows_up_the_earlier_message(team):
    earlier = MessageFactory(neighbourhood=team.a, assigned_to=team.pcso)
    _receive(_email(Subject=f"Re: Reply from the Chapeltown team: {earlier.reference}"))
    new = _stored(team)[-1]
    assert new.routing_note.startswith(f"Follows up {earlier.reference}.")
    assert new.assigned_to == team.pcso  # the same officer carries on


def test_too_many_emails_from_one_sender_are_deferred_for_the_mail_system_to_retry(team):
    for n in range(PER_EMAIL_PER_HOUR):
        _receive(_email(Message_ID=f"<m{n}@example.org>"))
    with pytest.raises(CommandError) as deferred:
        _receive(_email(Message_ID="<one-more@example.org>"))
    assert deferred.value.returncode == EX_TEMPFAIL
    assert Message.objects.count() == PER_EMAIL_PER_HOUR
