"""Handling an expression of dissatisfaction (Pledge item 10), one function per step:

record → acknowledge (a person, within the force's 24 hours) → agree the resolution → close.

The 24-hour clock is elapsed time: 24 real hours, whatever the wall clock does at the
summer-time changes. The emailed receipt for a web form is not the acknowledgement: the
Pledge promises that a person acknowledges.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM, SystemReader, save_personal
from ourpatch.contact.messages import address_hash, clean_text
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.models import TeamMember
from ourpatch.worker.queue import enqueue, handler

Actor = AbstractBaseUser | AnonymousUser | SystemReader

# Abuse limits on the public form: records per hour from one address, and to one email
PER_ADDRESS_PER_HOUR = 5
PER_EMAIL_PER_HOUR = 5

RECEIPT = "dissatisfaction.receipt"


class HandlingError(ValueError):
    """A step that cannot be taken now (already done, or out of order)."""


class RateLimited(Exception):
    """Too many forms from one place in the last hour."""


# --------------------------------------------------------------------------------------------
# The acknowledgement clock


def acknowledgement_hours(force_id: str) -> int:
    """The force's standard (Pledge item 10), or the Pledge's own 24 hours."""
    standards = PledgeStandards.objects.filter(force_id=force_id).first()
    if standards is not None:
        return int(standards.dissatisfaction_ack_hours)
    default = PledgeStandards._meta.get_field("dissatisfaction_ack_hours").default
    return int(default)


def acknowledgement_due(received_at: dt.datetime, hours: int) -> dt.datetime:
    """When the acknowledgement is due: ``hours`` elapsed hours after it was received.

    Arithmetic on a Europe/London datetime would move the wall clock (23 or 25 real hours
    across a change), so it is done in UTC.
    """
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be an aware datetime")
    return received_at.astimezone(dt.UTC) + dt.timedelta(hours=hours)


class ClockState(enum.StrEnum):
    WAITING = "waiting"  # not yet acknowledged, still in time
    OVERDUE = "overdue"  # not acknowledged, and the time has passed
    ON_TIME = "on_time"  # acknowledged in time
    LATE = "late"  # acknowledged, after the time


CLOCK_WORDS = {
    ClockState.WAITING: "Waiting: acknowledge in time",
    ClockState.OVERDUE: "Overdue: not acknowledged in time",
    ClockState.ON_TIME: "Acknowledged in time",
    ClockState.LATE: "Acknowledged late",
}


@dataclass(frozen=True)
class Clock:
    state: ClockState
    due_at: dt.datetime
    # time left (waiting) or time past the due time (overdue, late); zero when on time
    margin: dt.timedelta

    @property
    def words(self) -> str:
        return CLOCK_WORDS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.WAITING, ClockState.OVERDUE)


def acknowledgement_clock(
    received_at: dt.datetime,
    acknowledged_at: dt.datetime | None,
    now: dt.datetime,
    hours: int,
) -> Clock:
    """Where the 24-hour clock stands for one record at ``now``."""
    due = acknowledgement_due(received_at, hours)
    if acknowledged_at is not None:
        if acknowledged_at <= due:
            return Clock(ClockState.ON_TIME, due, dt.timedelta(0))
        return Clock(ClockState.LATE, due, acknowledged_at - due)
    if now <= due:
        return Clock(ClockState.WAITING, due, due - now)
    return Clock(ClockState.OVERDUE, due, now - due)


def describe(delta: dt.timedelta) -> str:
    """A duration in plain words: "3 h 20 min", "2 days 4 h"."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


# --------------------------------------------------------------------------------------------
# The steps


def record_dissatisfaction(
    *,
    by: Actor,
    force: Force,
    neighbourhood: Neighbourhood | None,
    channel: Channel | str,
    category: Category | str,
    complainant_name: str,
    summary: str,
    complainant_contact: str = "",
    complainant_email: str = "",
    about_member: TeamMember | None = None,
    received_at: dt.datetime | None = None,
    client_address: str = "",
) -> Dissatisfaction:
    """Record what someone is dissatisfied with; the acknowledgement clock starts now.

    From the public web form (``channel=web``, ``by=SYSTEM``) the sender is rate limited by
    network address and email, and the worker emails a receipt with the reference.
    """
    now = timezone.now()
    received = received_at or now
    if neighbourhood is not None and neighbourhood.force_id != force.pk:
        raise HandlingError("the neighbourhood belongs to another force")
    if about_member is not None and about_member.force_id != force.pk:
        raise HandlingError("the member of staff belongs to another force")
    if category not in Category.values:
        raise HandlingError(f"unknown category {category!r}")
    if channel not in Channel.values:
        raise HandlingError(f"unknown channel {channel!r}")
    hashed = ""
    if channel == Channel.WEB:
        hashed = address_hash(client_address)
        since = now - dt.timedelta(hours=1)
        # counting reveals no one: no audited read needed
        recent = Dissatisfaction.objects.filter(received_at__gte=since)
        if recent.filter(sender_address_hash=hashed).count() >= PER_ADDRESS_PER_HOUR:
            raise RateLimited("Too many forms have been sent from here in the last hour.")
        if (
            complainant_email
            and recent.filter(complainant_email__iexact=complainant_email).count()
            >= PER_EMAIL_PER_HOUR
        ):
            raise RateLimited("Too many forms have been sent from this email address.")
    record = Dissatisfaction(
        force=force,
        neighbourhood=neighbourhood,
        received_at=received,
        channel=channel,
        category=category,
        about_member=about_member,
        complainant_name=clean_text(complainant_name)[:200],
        complainant_contact=clean_text(complainant_contact)[:200],
        complainant_email=complainant_email.strip(),
        summary=clean_text(summary)[:5000],
        sender_address_hash=hashed,
    )
    with transaction.atomic():
        save_personal(by, record, f"recording dissatisfaction received by {channel}")
        if record.complainant_email and channel == Channel.WEB:
            # the worker sends it: a slow mail server never delays the person, and a failed
            # send is retried; queued in the same transaction as the record itself
            enqueue(RECEIPT, {"record": record.pk}, key=f"dissatisfaction-receipt:{record.pk}")
    return record


def acknowledge(
    record: Dissatisfaction,
    *,
    by: Actor,
    how: Channel | str,
    at: dt.datetime | None = None,
) -> Dissatisfaction:
    """A person acknowledged it to the complainant (Pledge item 10), by ``how``."""
    if record.acknowledged_at is not None:
        raise HandlingError("already acknowledged")
    if how not in Channel.values or how == Channel.WEB:
        raise HandlingError("say how it was acknowledged: telephone, email, letter, in person")
    when = at or timezone.now()
    if when < record.received_at:
        raise HandlingError("it cannot be acknowledged before it was received")
    record.acknowledged_at = when
    record.acknowledged_how = how
    record.acknowledged_by = by if isinstance(by, AbstractBaseUser) else None  # type: ignore[assignment]
    return save_personal(
        by,
        record,
        "acknowledging dissatisfaction",
        ["acknowledged_at", "acknowledged_how", "acknowledged_by"],
    )


def agree_resolution(
    record: Dissatisfaction,
    *,
    by: Actor,
    resolution: str,
    agreed: bool,
    at: dt.datetime | None = None,
) -> Dissatisfaction:
    """Write down the resolution; ``agreed`` when the complainant has agreed it."""
    if record.closed_at is not None:
        raise HandlingError("it is closed")
    if record.acknowledged_at is None:
        raise HandlingError("acknowledge it first: the Pledge asks for that within 24 hours")
    text = clean_text(resolution)
    if not text:
        raise HandlingError("write the resolution")
    record.resolution = text[:5000]
    if agreed and record.resolution_agreed_at is None:
        record.resolution_agreed_at = at or timezone.now()
    elif not agreed:
        record.resolution_agreed_at = None
    return save_personal(
        by,
        record,
        "agreeing the resolution of dissatisfaction",
        ["resolution", "resolution_agreed_at"],
    )


def close(record: Dissatisfaction, *, by: Actor, at: dt.datetime | None = None) -> Dissatisfaction:
    """Close the record. It must have been acknowledged and a resolution written."""
    if record.closed_at is not None:
        raise HandlingError("already closed")
    if record.acknowledged_at is None:
        raise HandlingError("acknowledge it first")
    if not record.resolution:
        raise HandlingError("write down the resolution (agreed or not) before closing")
    record.closed_at = at or timezone.now()
    return save_personal(by, record, "closing dissatisfaction", ["closed_at"])


# --------------------------------------------------------------------------------------------
# The receipt (worker)


@handler(RECEIPT)
def send_receipt(payload: dict[str, Any]) -> None:
    """Email the reference once. It tells the person that someone will be in touch."""
    record = (
        Dissatisfaction.objects.select_for_update(of=("self",))
        .select_related("neighbourhood", "force")
        .read_by(SYSTEM, "emailing a receipt for dissatisfaction")
        .get(pk=payload["record"])
    )
    if record.receipt_sent_at is not None or not record.complainant_email:
        return  # already sent: a retried job must not email twice
    send_mail(
        subject=f"We have received what you told us: {record.reference}",
        message=receipt_text(record),
        from_email=None,
        recipient_list=[record.complainant_email],
    )
    record.receipt_sent_at = timezone.now()
    record.save(update_fields=["receipt_sent_at"])


def receipt_text(record: Dissatisfaction) -> str:
    hours = acknowledgement_hours(record.force_id)
    due = timezone.localtime(acknowledgement_due(record.received_at, hours))
    team = (
        f"the {record.neighbourhood.name} neighbourhood policing team"
        if record.neighbourhood is not None
        else record.force.name
    )
    return (
        f"Thank you for telling {team} that you are not happy with our service. "
        f"Your reference is {record.reference}.\n\n"
        "This email is an automatic receipt. Under the Policing Pledge a member of staff will "
        f"contact you to acknowledge it within {hours} hours (by "
        f"{due:%H:%M on %A %d %B %Y}), and agree with you how it will be put right.\n\n"
        "If a life is in danger or a crime is happening now, call 999."
    )
