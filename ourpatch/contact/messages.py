"""Receiving a message for a team: one function for the web form and inbound email."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM
from ourpatch.contact.models import Message
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.absences import away_until
from ourpatch.teams.models import TeamMember
from ourpatch.worker.queue import enqueue, handler

# Pledge item 4: every message to the team answered within 24 hours.
ANSWER_WITHIN_HOURS = 24
# Abuse limits: messages per hour from one address, and to one sender email
PER_ADDRESS_PER_HOUR = 5
PER_EMAIL_PER_HOUR = 5

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RateLimited(Exception):
    """Too many messages from one place in the last hour."""


def address_hash(client_address: str) -> str:
    """A keyed hash of the sender's network address: comparable, not reversible."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, client_address.encode(), hashlib.sha256).hexdigest()


def clean_text(text: str) -> str:
    """Plain text as typed, less control characters. It is escaped wherever it is shown."""
    return _CONTROL.sub("", text).replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class Routing:
    """Where a new message goes: who it was written to, who answers it, and why."""

    addressed_to: TeamMember | None
    assigned_to: TeamMember | None
    note: str


def route_message(
    neighbourhood: Neighbourhood, write_to: TeamMember | None, on: dt.date
) -> Routing:
    """To the named member, unless they are away or not (now) in this team: then the team.

    Recommendation 5: nothing waits on one person.
    """
    if write_to is None:
        return Routing(None, None, "")
    in_team = (
        write_to.is_current(on) and write_to.neighbourhoods.filter(pk=neighbourhood.pk).exists()
    )
    if not in_team:
        return Routing(
            None, None, f"Written to {write_to.name}, who is not in this team now: sent to the team"
        )
    until = away_until(write_to, on)
    if until is not None:
        return Routing(
            write_to,
            None,
            f"Written to {write_to.name}, who is away until {until:%a %-d %b %Y}: "
            "sent to the whole team",
        )
    return Routing(write_to, write_to, f"Written to {write_to.name}")


def receive_message(
    neighbourhood: Neighbourhood,
    *,
    name: str,
    email: str,
    telephone: str,
    body: str,
    client_address: str,
    write_to: TeamMember | None = None,
    channel: str = "web",
    email_message_id: str = "",
    routing_context: str = "",
    now: dt.datetime | None = None,
) -> Message:
    """Store a resident's message for a team (web form or email), routed and acknowledged."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=1)
    hashed = address_hash(client_address)
    # Counting reveals no one, so it needs no audited read.
    if Message.objects.filter(sender_address_hash=hashed, received_at__gte=since).count() >= (
        PER_ADDRESS_PER_HOUR
    ):
        raise RateLimited("Too many messages have been sent from here in the last hour.")
    if (
        email
        and Message.objects.filter(sender_email__iexact=email, received_at__gte=since).count()
        >= PER_EMAIL_PER_HOUR
    ):
        raise RateLimited("Too many messages have been sent from this email address.")
    routing = route_message(neighbourhood, write_to, timezone.localdate(now))
    message = Message.objects.create(
        neighbourhood=neighbourhood,
        sender_name=clean_text(name)[:200],
        sender_email=email.strip(),
        sender_telephone=clean_text(telephone)[:40],
        body=clean_text(body),
        received_at=now,
        sender_address_hash=hashed,
        channel=channel,
        addressed_to=routing.addressed_to,
        assigned_to=routing.assigned_to,
        routing_note=" ".join(filter(None, [routing_context, routing.note]))[:200],
        email_message_id=email_message_id[:250],
    )
    if message.sender_email:
        # Sent by the worker, not in the request: a slow mail server never delays the resident,
        # and a failed send is retried. Queued in the same database, so it stands or falls
        # with the message itself.
        enqueue(ACKNOWLEDGE, {"message": message.pk}, key=f"ack:{message.reference}")
    return message


ACKNOWLEDGE = "contact.acknowledge"


@handler(ACKNOWLEDGE)
def send_acknowledgement(payload: dict[str, Any]) -> None:
    """Email the sender their reference and the 24-hour Pledge, once."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("neighbourhood", "addressed_to")
        .read_by(SYSTEM, "acknowledging a message to a team")
        .get(pk=payload["message"])
    )
    if message.acknowledged_at is not None or not message.sender_email:
        return  # already sent: a retried job must not email twice
    team_address = message.neighbourhood.email
    EmailMessage(
        subject=f"Your message to the {message.neighbourhood.name} team: {message.reference}",
        body=acknowledgement_text(message, message.neighbourhood),
        to=[message.sender_email],
        reply_to=[team_address] if team_address else None,
        # RFC 3834: an automatic reply, so that a resident's own auto-responder stays quiet
        # and our inbound address ignores any that answer it (no mail loops)
        headers={"Auto-Submitted": "auto-replied"},
    ).send()
    message.acknowledged_at = timezone.now()
    message.save(update_fields=["acknowledged_at"])


def acknowledgement_text(message: Message, neighbourhood: Neighbourhood) -> str:
    # the inbox builds on this module (replies, clocks): imported when needed, not in a cycle
    from ourpatch.contact.inbox import answer_due, answer_within_hours

    hours = answer_within_hours(neighbourhood.force_id)
    due = timezone.localtime(answer_due(message, hours).due_at)
    routed = ""
    named = message.addressed_to
    if named is not None and message.assigned_to_id is None:
        # the resident wrote to someone who cannot answer now: say so, and who has it
        until = away_until(named, timezone.localdate(message.received_at))
        why = (
            f"{named.name} is away until {until:%A %-d %B}"
            if until
            else f"{named.name} is not available"
        )
        routed = f"{why}, so your message has gone to the whole team: anyone in it can answer.\n\n"
    return (
        f"Thank you. Your message to the {neighbourhood.name} neighbourhood policing team "
        f"has reference {message.reference}.\n\n"
        f"{routed}"
        f"Under the Policing Pledge, every message to a neighbourhood team is answered within "
        f"{hours} hours: by {due:%H:%M on %A %d %B %Y}.\n\n"
        "This is not the way to report an emergency: if a life is in danger or a crime is "
        "happening now, call 999."
    )
