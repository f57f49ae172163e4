"""Receiving a message for a team: one function for the web form and (later) inbound email."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM
from ourpatch.contact.models import Message
from ourpatch.geography.models import Neighbourhood
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


def receive_message(
    neighbourhood: Neighbourhood,
    *,
    name: str,
    email: str,
    telephone: str,
    body: str,
    client_address: str,
    now: dt.datetime | None = None,
) -> Message:
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
    message = Message.objects.create(
        neighbourhood=neighbourhood,
        sender_name=clean_text(name),
        sender_email=email.strip(),
        sender_telephone=clean_text(telephone),
        body=clean_text(body),
        received_at=now,
        sender_address_hash=hashed,
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
        Message.objects.select_for_update()
        .select_related("neighbourhood")
        .read_by(SYSTEM, "acknowledging a message to a team")
        .get(pk=payload["message"])
    )
    if message.acknowledged_at is not None or not message.sender_email:
        return  # already sent: a retried job must not email twice
    send_mail(
        subject=f"Your message to the {message.neighbourhood.name} team: {message.reference}",
        message=acknowledgement_text(message, message.neighbourhood),
        from_email=None,
        recipient_list=[message.sender_email],
    )
    message.acknowledged_at = timezone.now()
    message.save(update_fields=["acknowledged_at"])


def acknowledgement_text(message: Message, neighbourhood: Neighbourhood) -> str:
    due = timezone.localtime(message.received_at + dt.timedelta(hours=ANSWER_WITHIN_HOURS))
    return (
        f"Thank you. Your message to the {neighbourhood.name} neighbourhood policing team "
        f"has reference {message.reference}.\n\n"
        f"Under the Policing Pledge, every message to a neighbourhood team is answered within "
        f"{ANSWER_WITHIN_HOURS} hours: by {due:%H:%M on %A %d %B %Y}.\n\n"
        "This is not the way to report an emergency: if a life is in danger or a crime is "
        "happening now, call 999."
    )
