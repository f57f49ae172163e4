"""Composing, archiving and sending the monthly neighbourhood update (Pledge item 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from fpdf import FPDF

from ourpatch.crime.summary import neighbourhood_crime
from ourpatch.engagement.meetings import upcoming
from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.engagement.subscriptions import mail_each_subscriber, send, still_subscribed
from ourpatch.geography.models import Neighbourhood
from ourpatch.pledge.measures import neighbourhood_scorecard
from ourpatch.problems.priorities import published
from ourpatch.teams.models import ROLE_ORDER
from ourpatch.updates.models import MonthlyUpdate, UpdateDelivery
from ourpatch.worker.queue import enqueue, handler, schedule


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(today: dt.date) -> dt.date:
    return month_start(month_start(today) - dt.timedelta(days=1))


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time(), tzinfo=tz)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return start, dt.datetime.combine(following, dt.time(), tzinfo=tz)


def pledge_lines(area: Neighbourhood, month: dt.date) -> list[dict[str, Any]]:
    """The month's Pledge figures in words (item 8 is this update itself, so not listed)."""
    lines = []
    for row in neighbourhood_scorecard(area, month).rows:
        if row.item == 8:
            continue
        tally = row.this_month
        rate = tally.rate
        lines.append(
            {
                "item": row.item,
                "title": row.title,
                "standard": row.standard,
                "figure": "nothing to measure"
                if rate is None
                else f"{rate:.0%} ({tally.met} of {tally.counted} on time)"
                if row.item != 3
                else f"{rate:.0%} of team time in the neighbourhood",
                "excluded": tally.excluded_total,
                "explanations": [e.text for e in row.explanations if e.month == month],
            }
        )
    return lines


def compose(area: Neighbourhood, month: dt.date) -> dict[str, Any]:
    """What the update says: the team, priorities and progress, meetings held and coming."""
    start, end = _month_bounds(month)
    team = sorted(
        area.team_members.current(end.date() - dt.timedelta(days=1)),
        key=lambda m: (ROLE_ORDER.index(m.role), m.name),
    )
    return {
        "area": area,
        "month": month,
        "team": team,
        "priorities": list(published(area)[:10]),
        "held": list(
            Meeting.objects.filter(
                neighbourhood=area,
                status=MeetingStatus.HELD,
                starts_at__gte=start,
                starts_at__lt=end,
            ).order_by("starts_at")
        ),
        "next_meetings": list(upcoming(area, end)[:5]),
        # police.uk publishes a month's crime about six weeks later: absent data says so
        "crime": neighbourhood_crime(area, month),
        "pledge": pledge_lines(area, month),
    }


def generate(area: Neighbourhood, month: dt.date, now: dt.datetime | None = None) -> MonthlyUpdate:
    """The month's update, made once and then kept as published (an archive)."""
    month = month_start(month)
    existing = MonthlyUpdate.objects.filter(neighbourhood=area, month=month).first()
    if existing is not None:
        return existing
    context = compose(area, month)
    try:
        with transaction.atomic():
            return MonthlyUpdate.objects.create(
                neighbourhood=area,
                month=month,
                html=render_to_string("updates/body.html", context),
                text=render_to_string("updates/body.txt", context),
                generated_at=now or timezone.now(),
            )
    except IntegrityError:  # made by another worker a moment ago
        return MonthlyUpdate.objects.get(neighbourhood=area, month=month)


def pdf(update: MonthlyUpdate) -> bytes:
    """A printable copy of the update (the HTML page is the accessible one)."""
    document = FPDF(format="A4")
    document.set_title(f"{update.neighbourhood.name}: {update.month:%B %Y}")
    document.set_lang("en-GB")
    document.set_creator("ourpatch")
    document.add_page()
    document.set_font("helvetica", size=11)
    for line in update.text.splitlines():
        heading = line.startswith("# ")
        document.set_font("helvetica", style="B" if heading else "", size=14 if heading else 11)
        safe = line.removeprefix("# ").encode("latin-1", "replace").decode("latin-1")
        document.multi_cell(0, 6, safe, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


PUBLISH_DUE = "updates.publish_due"
SEND_UPDATE = "updates.generate_and_send"
SEND_UPDATE_TO = "updates.send_to_subscriber"


@handler(PUBLISH_DUE)
def publish_due(payload: dict[str, Any]) -> None:
    """Once the month is over: one job per neighbourhood, each queued only once."""
    month = previous_month(timezone.localdate())
    for area_id in Neighbourhood.objects.current().values_list("pk", flat=True):
        enqueue(
            SEND_UPDATE,
            {"neighbourhood": area_id, "month": month.isoformat()},
            key=f"update:{area_id}:{month:%Y-%m}",
        )


@handler(SEND_UPDATE)
def generate_and_send(payload: dict[str, Any]) -> None:
    """Compose and archive the month's update, then queue one email to each subscriber not
    yet sent it, each its own job (see :func:`send_update_to`)."""
    area = Neighbourhood.objects.get(pk=payload["neighbourhood"])
    update = generate(area, dt.date.fromisoformat(payload["month"]))
    site = payload.get("site") or settings.OURPATCH_SITE_URL
    sent = set(update.deliveries.values_list("subscription_id", flat=True))
    mailing = {"update": update.pk, "site": site}
    mail_each_subscriber(area, SEND_UPDATE_TO, mailing, f"update-mail:{update.pk}", sent)


@handler(SEND_UPDATE_TO)
def send_update_to(payload: dict[str, Any]) -> None:
    """One subscriber, one email, one job: the delivery is recorded as the job is done, so a
    mail server's refusal or a crash repeats this email at most, never the others."""
    update = MonthlyUpdate.objects.select_related("neighbourhood").get(pk=payload["update"])
    if update.deliveries.filter(subscription_id=payload["subscription"]).exists():
        return
    subscription = still_subscribed(
        payload["subscription"], "sending the monthly neighbourhood update"
    )
    if subscription is None:
        return  # unsubscribed since the mailing was queued
    send(
        subscription,
        payload["site"],
        f"{update.neighbourhood.name}: your neighbourhood update for {update.month:%B %Y}",
        update.text,
    )
    UpdateDelivery.objects.create(
        update=update, subscription_id=subscription.pk, sent_at=timezone.now()
    )


schedule(PUBLISH_DUE, dt.timedelta(days=1))
