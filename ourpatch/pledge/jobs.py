"""The Pledge's background work: unexplained breaches flagged to whoever explains them.

Daily, every breach older than the force's ``explanation_due_days`` that has no explanation
is flagged once (a :class:`BreachFlag`) and its neighbourhood's sergeants are emailed, one
email each listing their newly flagged breaches; a breach placed in no neighbourhood (a call
from outside every one) goes to the force's administrators, who explain those. The email
names records by their keys and says what was missed in operational words: nobody's name or
contact details.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ourpatch.accounts.models import StaffProfile, StaffRole
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.pledge.clocks import local_month, months_ending
from ourpatch.pledge.models import BreachFlag, Explanation
from ourpatch.pledge.rules import BY_ITEM, RULES, make_scope, standards_for
from ourpatch.worker.queue import enqueue, handler, schedule

FLAG_UNEXPLAINED = "pledge.flag_unexplained"
SEND_FLAGS = "pledge.send_flags"
# Breaches that were already this old when first seen are not flagged: a new deployment
# (or an import of last year's calls) would otherwise send sergeants a year of them at once.
LOOKBACK = dt.timedelta(days=62)


def _sergeants(hood_ids: set[int]) -> dict[int, list[int]]:
    """Neighbourhood id → the user ids of the sergeants whose profile names it."""
    through = StaffProfile.neighbourhoods.through
    out: dict[int, list[int]] = defaultdict(list)
    for hood_id, user_id in (
        through.objects.filter(
            neighbourhood_id__in=sorted(hood_ids), staffprofile__role=StaffRole.SERGEANT
        )
        .order_by("staffprofile__user_id")
        .values_list("neighbourhood_id", "staffprofile__user_id")
    ):
        out[hood_id].append(user_id)
    return out


def _force_administrators(force: Force) -> list[int]:
    """The user ids of the force's administrators: they explain breaches in no neighbourhood."""
    return list(
        StaffProfile.objects.filter(force=force, role=StaffRole.FORCE_ADMIN)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def flag_force(force: Force, now: dt.datetime | None = None) -> list[BreachFlag]:
    """Flag the force's unexplained breaches now due an explanation; each only once."""
    now = now or timezone.now()
    standards = standards_for(force)
    due_before = now - dt.timedelta(days=standards.explanation_due_days)
    seen_from = due_before - LOOKBACK
    first, last = local_month(seen_from), local_month(due_before)
    months = months_ending(last, (last.year - first.year) * 12 + last.month - first.month + 1)
    scope = make_scope(force, months, now=now, standards=standards)
    explained = set(
        Explanation.objects.filter(force=force, month__gte=months[0]).values_list(
            "item", "record_key"
        )
    )
    flagged = set(
        BreachFlag.objects.filter(force=force, month__gte=months[0]).values_list(
            "item", "record_key"
        )
    )
    new = []
    for rule in RULES:
        for breach in rule.breaches(scope):
            key = (breach.item, breach.record_key)
            if (
                not seen_from <= breach.occurred_at < due_before
                or key in explained
                or key in flagged
            ):
                continue
            flagged.add(key)
            new.append(
                BreachFlag(
                    force=force,
                    neighbourhood_id=breach.neighbourhood_id,
                    item=breach.item,
                    record_key=breach.record_key,
                    month=breach.month,
                    detail=breach.detail[:300],
                    flagged_at=now,
                )
            )
    # ignore_conflicts: a second worker flagging the same breach a moment ago wins
    BreachFlag.objects.bulk_create(new, ignore_conflicts=True)
    return new


def flag_unexplained(now: dt.datetime | None = None) -> int:
    """Every force: flag what is due, and queue one email to each sergeant concerned."""
    now = now or timezone.now()
    total = 0
    for force in Force.objects.order_by("pk"):
        with transaction.atomic():
            new = flag_force(force, now)
            if not new:
                continue
            total += len(new)
            flags = BreachFlag.objects.filter(force=force, flagged_at=now)
            by_hood: dict[int | None, list[int]] = defaultdict(list)
            for pk, hood_id in flags.values_list("pk", "neighbourhood_id"):
                by_hood[hood_id].append(pk)
            per_user: dict[int, list[int]] = defaultdict(list)
            unplaced = by_hood.pop(None, [])
            placed = {hood_id for hood_id in by_hood if hood_id is not None}
            for hood_id, users in _sergeants(placed).items():
                for user_id in users:
                    per_user[user_id].extend(by_hood[hood_id])
            if unplaced:
                for user_id in _force_administrators(force):
                    per_user[user_id].extend(unplaced)
            for user_id, ids in per_user.items():
                enqueue(
                    SEND_FLAGS,
                    {"user": user_id, "flags": sorted(ids)},
                    key=f"{SEND_FLAGS}:{user_id}:{min(ids)}:{max(ids)}",
                )
    return total


def flag_email(flags: list[BreachFlag], site: str) -> str:
    lines = [
        "These Policing Pledge breaches have no explanation yet.",
        "The Pledge promises the public that we will always explain why. Each explanation",
        "is published with the figures: write it so that it identifies no one.",
        "",
    ]
    for flag in flags:
        hood = flag.neighbourhood
        lines.append(
            f"- {hood.name if hood else 'No neighbourhood'}, item {flag.item} "
            f"({BY_ITEM[flag.item].title}), {flag.month:%B %Y}: {flag.record_key}: {flag.detail}"
        )
        where = {"force": flag.force_id, "item": flag.item, "month": f"{flag.month:%Y-%m}"}
        if hood is None:
            path = reverse("pledge:unplaced-breaches", kwargs=where)
        else:
            path = reverse("pledge:breaches", kwargs={**where, "code": hood.code})
        lines.append(f"  Explain it: {site.rstrip('/')}{path}")
    return "\n".join(lines) + "\n"


@handler(FLAG_UNEXPLAINED)
def _flag_unexplained(payload: dict[str, Any]) -> None:
    flag_unexplained()


@handler(SEND_FLAGS)
def send_flags(payload: dict[str, Any]) -> None:
    """Email one sergeant their newly flagged breaches; never twice to the same person."""
    user = get_user_model().objects.filter(pk=payload["user"], is_active=True).first()
    if user is None or not user.email:
        return
    flags = list(
        BreachFlag.objects.select_for_update(of=("self",))
        .filter(pk__in=payload["flags"])
        .select_related("neighbourhood")
        .order_by("neighbourhood__name", "item", "record_key")
    )
    name = user.get_username()
    unsent = [flag for flag in flags if name not in flag.sent_to]
    if not unsent:
        return
    send_mail(
        subject=f"Pledge: {len(unsent)} breach{'es' if len(unsent) != 1 else ''} to explain",
        message=flag_email(unsent, settings.OURPATCH_SITE_URL),
        from_email=None,
        recipient_list=[user.email],
    )
    now = timezone.now()
    for flag in unsent:
        flag.sent_to = [*flag.sent_to, name]
        flag.emailed_at = now
        flag.save(update_fields=["sent_to", "emailed_at"])


def unexplained_flags(hoods: list[Neighbourhood]) -> list[BreachFlag]:
    """What a sergeant is shown: flagged breaches in their neighbourhoods still unexplained."""
    flags = list(
        BreachFlag.objects.filter(neighbourhood__in=hoods)
        .select_related("neighbourhood")
        .order_by("-month", "item", "record_key")[:500]
    )
    explained = set(
        Explanation.objects.filter(
            record_key__in=[f.record_key for f in flags], neighbourhood__in=hoods
        ).values_list("item", "record_key")
    )
    return [f for f in flags if (f.item, f.record_key) not in explained]


schedule(FLAG_UNEXPLAINED, dt.timedelta(days=1))
