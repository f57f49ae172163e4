"""Priorities: raised by residents, agreed with the community, acted on, closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM
from ourpatch.contact.messages import address_hash, clean_text
from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.engagement.subscriptions import mail_each_subscriber, send, still_subscribed
from ourpatch.geography.models import Neighbourhood
from ourpatch.problems.models import (
    CURRENT_PRIORITY_STATUSES,
    IssueRaiser,
    Priority,
    PriorityNotice,
    PriorityStatus,
    RaisedVia,
)
from ourpatch.worker.queue import enqueue, handler

# How many current priorities a neighbourhood works at once (configurable per deployment)
DEFAULT_LIMIT = 3


class PriorityRefused(ValueError):
    """A change the rules do not allow; the message says why."""


class EditedElsewhere(PriorityRefused):
    """Someone else saved the priority since this editor opened it."""


# Raised issues are the team's to weigh up; residents see what was agreed and what became of it.
PUBLISHED_STATUSES = (PriorityStatus.AGREED, PriorityStatus.ACTED_ON, PriorityStatus.CLOSED)


def published(neighbourhood: Neighbourhood) -> QuerySet[Priority]:
    return Priority.objects.filter(
        neighbourhood=neighbourhood, status__in=PUBLISHED_STATUSES
    ).order_by("-issue_date")


@transaction.atomic
def agree(
    priority: Priority, meeting: Meeting, limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None
) -> Priority:
    """Agree a raised issue as a priority at a meeting that was held."""
    if priority.status != PriorityStatus.RAISED:
        raise PriorityRefused(f"only a raised issue can be agreed; this is {priority.status}")
    if meeting.status != MeetingStatus.HELD:
        raise PriorityRefused("priorities are agreed at a meeting recorded as held")
    if meeting.neighbourhood_id != priority.neighbourhood_id:
        raise PriorityRefused("the meeting was for another neighbourhood")
    current = Priority.objects.filter(
        neighbourhood_id=priority.neighbourhood_id, status__in=CURRENT_PRIORITY_STATUSES
    ).count()
    if current >= limit:
        raise PriorityRefused(
            f"the neighbourhood already has {current} current priorities (the limit is {limit}): "
            "close one first"
        )
    return save(
        priority,
        expected_version=priority.version,
        status=PriorityStatus.AGREED,
        agreed_at=meeting,
        action_date=priority.action_date or (now or timezone.now()),
    )


def save(priority: Priority, *, expected_version: int, **changes: Any) -> Priority:
    """Save changes only if nobody else saved since ``expected_version`` (no lost update)."""
    fields = {**changes, "version": F("version") + 1}
    before = priority.status
    updated = Priority.objects.filter(pk=priority.pk, version=expected_version).update(**fields)
    if updated == 0:
        raise EditedElsewhere(
            "someone else changed this priority while you were editing it; "
            "your changes were not saved. Reload it to see theirs, then make yours again."
        )
    priority.refresh_from_db()
    if priority.status != before:
        # whoever raised it hears of each step (answers: seed 15.22)
        tell_raisers_later(priority)
    return priority


# Abuse limit: issues raised online per hour from one address
RAISED_PER_ADDRESS_PER_HOUR = 5


def raise_online(
    neighbourhood: Neighbourhood,
    *,
    issue: str,
    name: str,
    email: str,
    client_address: str,
    now: dt.datetime | None = None,
) -> Priority:
    """A resident raises an issue for the team to weigh up; they will hear what becomes of it."""
    now = now or timezone.now()
    hashed = address_hash(client_address)
    recent = IssueRaiser.objects.filter(
        address_hash=hashed, raised_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= RAISED_PER_ADDRESS_PER_HOUR:
        raise PriorityRefused("Too many issues have been raised from here in the last hour.")
    with transaction.atomic():
        priority = Priority.objects.create(
            neighbourhood=neighbourhood,
            issue=clean_text(issue),
            issue_date=now,
            raised_via=RaisedVia.ONLINE,
        )
        IssueRaiser.objects.create(
            priority=priority,
            name=clean_text(name),
            email=email.strip(),
            raised_at=now,
            address_hash=hashed,
        )
    return priority


# What a raiser is told at each step of their issue
UPDATES = {
    PriorityStatus.AGREED: "has been agreed as a priority for the neighbourhood",
    PriorityStatus.ACTED_ON: "is being acted on",
    PriorityStatus.CLOSED: "has been closed",
    PriorityStatus.DECLINED: "was considered but not taken up as a priority",
}
TELL_RAISERS = "problems.tell_raisers"
TELL_RAISER = "problems.tell_raiser"
TELL_SUBSCRIBER = "problems.tell_subscriber"


def tell_raisers_later(priority: Priority) -> None:
    """Queue the update for this step (once per priority and status)."""
    if priority.status in UPDATES:
        enqueue(
            TELL_RAISERS,
            {"priority": priority.pk, "status": priority.status},
            key=f"tell:{priority.pk}:{priority.status}",
        )


@handler(TELL_RAISERS)
def tell_raisers(payload: dict[str, Any]) -> None:
    """Queue this step's email to everyone who raised the issue and to the neighbourhood's
    subscribers: one job each, so a failure part way repeats at most one email."""
    priority = Priority.objects.select_related("neighbourhood").get(pk=payload["priority"])
    status = payload["status"]
    for pk, told in IssueRaiser.objects.filter(priority=priority).values_list("pk", "told"):
        if status not in told:
            enqueue(TELL_RAISER, {"raiser": pk, "status": status}, key=f"tell-raiser:{pk}:{status}")
    if PriorityStatus(status) == PriorityStatus.DECLINED:
        return  # a raised issue not taken up was never published
    told_subscribers = set(
        PriorityNotice.objects.filter(priority=priority, status=status).values_list(
            "subscription_id", flat=True
        )
    )
    mail_each_subscriber(
        priority.neighbourhood,
        TELL_SUBSCRIBER,
        {"priority": priority.pk, "status": status},
        f"tell-subscriber:{priority.pk}:{status}",
        told_subscribers,
    )


@handler(TELL_RAISER)
def tell_raiser(payload: dict[str, Any]) -> None:
    """Email one resident what became of the issue they raised, once."""
    raiser = (
        IssueRaiser.objects.select_related("priority__neighbourhood")
        .read_by(SYSTEM, "telling residents what became of the issue they raised")
        .get(pk=payload["raiser"])
    )
    status = payload["status"]
    if status in raiser.told:
        return
    priority = raiser.priority
    step = UPDATES[PriorityStatus(status)]
    page = f"/neighbourhoods/{priority.neighbourhood.force_id}/{priority.neighbourhood.code}/"
    lines = [
        f"Dear {raiser.name},",
        "",
        f"The issue you raised with the {priority.neighbourhood.name} team, "
        f"“{priority.issue}”, {step}.",
    ]
    if priority.action:
        lines += ["", f"What is being done: {priority.action}"]
    if priority.outcome:
        lines += ["", f"Outcome: {priority.outcome}"]
    lines += ["", f"You can follow it under “You said, we did” on {page}"]
    send_mail(
        subject=f"Your issue in {priority.neighbourhood.name}: {step}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[raiser.email],
    )
    raiser.told = [*raiser.told, status]
    raiser.save(update_fields=["told"])


@handler(TELL_SUBSCRIBER)
def tell_subscriber(payload: dict[str, Any]) -> None:
    """Tell one subscriber that a priority was agreed, acted on or closed, once."""
    priority = Priority.objects.select_related("neighbourhood").get(pk=payload["priority"])
    status = PriorityStatus(payload["status"])
    done = PriorityNotice.objects.filter(
        priority=priority, status=status, subscription_id=payload["subscription"]
    )
    if done.exists():
        return
    subscription = still_subscribed(
        payload["subscription"], "telling subscribers of a priority's progress"
    )
    if subscription is None:
        return  # unsubscribed since
    body = f"“{priority.issue}” {UPDATES[status]}."
    if priority.action:
        body += f"\n\nWe did: {priority.action}"
    if priority.outcome:
        body += f"\n\nOutcome: {priority.outcome}"
    send(
        subscription,
        settings.OURPATCH_SITE_URL,
        f"{priority.neighbourhood.name}: a priority {UPDATES[status]}",
        body,
    )
    PriorityNotice.objects.create(
        priority=priority,
        status=status,
        subscription_id=subscription.pk,
        sent_at=timezone.now(),
    )
