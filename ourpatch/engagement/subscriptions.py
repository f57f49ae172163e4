"""Email subscriptions: double opt-in, one-click unsubscribe, no address shown to anyone."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM
from ourpatch.engagement.models import Subscription
from ourpatch.geography.models import Neighbourhood
from ourpatch.worker.queue import enqueue, handler

SEND_CONFIRMATION = "engagement.send_confirmation"


def subscribe(neighbourhood: Neighbourhood, email: str, site: str) -> None:
    """Ask the address to confirm. Says nothing about whether it was already subscribed."""
    email = email.strip().lower()
    now = timezone.now()
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                neighbourhood=neighbourhood, email=email, created_at=now
            )
    except IntegrityError:
        subscription = (
            Subscription.objects.filter(neighbourhood=neighbourhood, email=email)
            .read_by(SYSTEM, "re-sending a subscription confirmation")
            .get()
        )
        if subscription.active:
            return  # nothing to confirm; no email, no sign to the requester either way
        if subscription.unsubscribed_at is not None:
            Subscription.objects.filter(pk=subscription.pk).update(
                unsubscribed_at=None, confirmed_at=None, created_at=now
            )
    enqueue(
        SEND_CONFIRMATION,
        {"subscription": subscription.pk, "site": site},
        key=f"confirm:{subscription.pk}:{now:%Y%m%d%H%M%S%f}",
    )


def confirm(token: str) -> Subscription | None:
    found = Subscription.objects.filter(token=token).read_by(SYSTEM, "confirming a subscription")
    subscription = found.select_related("neighbourhood").first()
    if subscription is None or subscription.unsubscribed_at is not None:
        return None
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe(token: str) -> Subscription | None:
    found = Subscription.objects.filter(token=token).read_by(SYSTEM, "unsubscribing")
    subscription = found.select_related("neighbourhood").first()
    if subscription is not None and subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription


def record_bounce(email: str) -> int:
    """A bounce reported by the mail system: recorded on every subscription of the address."""
    return Subscription.objects.filter(email=email.strip().lower()).update(
        bounced_at=timezone.now()
    )


def unsubscribe_url(site: str, subscription: Subscription) -> str:
    return site + reverse("engagement:unsubscribe", args=[subscription.token])


def mail_each_subscriber(
    area: Neighbourhood, kind: str, payload: dict[str, Any], key: str, sent: set[int]
) -> int:
    """Queue job ``kind`` once for each of the neighbourhood's confirmed, current subscribers
    not in ``sent``, its payload given the ``subscription`` id, keyed ``key:<id>``. One email,
    one job: a refusal or a crash part way through repeats at most one email, never the ones
    already sent. The job reads the address with :func:`still_subscribed`. Returns how many
    were queued."""
    subscriptions = (
        Subscription.objects.filter(
            neighbourhood=area, confirmed_at__isnull=False, unsubscribed_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)  # ids only: no one is read to list them
    )
    queued = 0
    for pk in subscriptions:
        if pk not in sent:
            enqueue(kind, {**payload, "subscription": pk}, key=f"{key}:{pk}")
            queued += 1
    return queued


def still_subscribed(pk: int, purpose: str) -> Subscription | None:
    """The subscription, read (audited) to send to it; None once it has ended."""
    return (
        Subscription.objects.filter(pk=pk, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .read_by(SYSTEM, purpose)
        .first()
    )


def send(subscription: Subscription, site: str, subject: str, body: str) -> None:
    """One email to one subscriber, with the one-click unsubscribe headers (RFC 8058)."""
    link = unsubscribe_url(site, subscription)
    EmailMessage(
        subject=subject,
        body=f"{body}\n\nTo stop these emails: {link}",
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


@handler(SEND_CONFIRMATION)
def send_confirmation(payload: dict[str, Any]) -> None:
    subscription = (
        Subscription.objects.select_related("neighbourhood")
        .read_by(SYSTEM, "sending a subscription confirmation")
        .get(pk=payload["subscription"])
    )
    if subscription.confirmed_at is not None:
        return
    link = payload["site"] + reverse("engagement:confirm", args=[subscription.token])
    area = subscription.neighbourhood.name
    EmailMessage(
        subject=f"Confirm your subscription to the {area} neighbourhood team",
        body=(
            f"Someone (we hope you) asked for news of meetings and monthly updates from the "
            f"{area} neighbourhood policing team to be sent to this address.\n\n"
            f"To confirm, open: {link}\n\nIf it was not you, ignore this email: nothing will "
            "be sent unless you confirm."
        ),
        to=[subscription.email],
    ).send()
