"""Subscriptions (double opt-in, one-click unsubscribe) and the monthly update."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from collections.abc import Sequence

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.test import Client
from django.utils import timezone

from ourpatch.accounts.factories import UserFactory
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.meetings import record_held
from ourpatch.engagement.subscriptions import record_bounce
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.problems.factories import PriorityFactory
from ourpatch.problems.models import PriorityStatus
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.updates.models import MonthlyUpdate
from ourpatch.updates.monthly import SEND_UPDATE, generate, previous_month
from ourpatch.worker.models import Job, JobState
from ourpatch.worker.queue import enqueue, run_pending


def _subscribe(area, email: str, mailoutbox) -> str:
    response = Client().post(
        f"/neighbourhoods/{area.force_id}/{area.code}/subscribe/", {"email": email}
    )
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    run_pending()
    link = re.search(r"http://testserver(/subscriptions/\S+/confirm/)", mailoutbox[-1].body)
    assert link is not None
    return link.group(1)


@pytest.mark.django_db
def test_double_opt_in_then_one_click_unsubscribe(mailoutbox) -> None:
    area = NeighbourhoodFactory(code="CH1")
    confirm = _subscribe(area, "Pat@Example.org", mailoutbox)
    assert mailoutbox[0].to == ["pat@example.org"]
    # subscribing again says the same, and sends a fresh confirmation, never a duplicate row
    _subscribe(area, "pat@example.org", mailoutbox)
    from ourpatch.engagement.models import Subscription

    assert Subscription.objects.count() == 1
    assert Subscription.objects.filter(confirmed_at__isnull=True).exists()  # not yet confirmed
    assert Client().get(confirm).status_code == 200
    assert not Subscription.objects.filter(confirmed_at__isnull=True).exists()
    token = confirm.split("/")[2]
    # a mail client's one-click POST, without a CSRF token, unsubscribes
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/subscriptions/{token}/unsubscribe/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and "unsubscribed" in response.content.decode()
    assert Subscription.objects.filter(unsubscribed_at__isnull=False).count() == 1
    assert Client().get("/subscriptions/not-a-token/confirm/").status_code == 404
    assert record_bounce("pat@example.org") == 1
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("record_bounce", "PAT@example.org", "nobody@example.org", stdout=out)
    assert "pat@example.org: 1 subscription(s)" in out.getvalue().lower()
    assert "nobody@example.org: 0 subscription(s)" in out.getvalue()
    assert Subscription.objects.filter(bounced_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_the_monthly_update_is_archived_printable_and_sent_once_to_each_subscriber(
    mailoutbox,
) -> None:
    area = NeighbourhoodFactory(code="CH1", name="Chapeltown")
    TeamMemberFactory(force=area.force, neighbourhoods=[area], name="Aisha Khan")
    PriorityFactory(
        neighbourhood=area,
        issue="Speeding on Harehills Lane",
        status=PriorityStatus.ACTED_ON,
        action="Speed checks every Friday",
    )
    month = previous_month(timezone.localdate())
    held_at = timezone.make_aware(
        dt.datetime.combine(month + dt.timedelta(days=9), dt.time(18, 30))
    )
    meeting = MeetingFactory(neighbourhood=area, title="Chapeltown PACT", starts_at=held_at)
    record_held(
        meeting,
        attendance=23,
        issues_raised="speeding",
        by=UserFactory(),
        now=held_at + dt.timedelta(minutes=5),
    )
    Client().get(_subscribe(area, "a@example.org", mailoutbox))
    Client().get(_subscribe(area, "b@example.org", mailoutbox))
    _subscribe(area, "never-confirmed@example.org", mailoutbox)
    mailoutbox.clear()

    enqueue(
        SEND_UPDATE,
        {"neighbourhood": area.pk, "month": month.isoformat()},
        key=f"update:{area.pk}:{month:%Y-%m}",
    )
    # the update, then one email to each confirmed subscriber, each a job of its own
    assert run_pending() == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]
    body = mailoutbox[0].body
    assert "Speed checks every Friday" in body and "Chapeltown PACT" in body and "23 came" in body
    assert "/unsubscribe/" in body and "List-Unsubscribe" in mailoutbox[0].extra_headers
    # the same month again: nothing new is sent, the archive is unchanged
    update = MonthlyUpdate.objects.get()
    enqueue(SEND_UPDATE, {"neighbourhood": area.pk, "month": month.isoformat()}, key="again")
    run_pending()
    assert len(mailoutbox) == 2
    assert generate(area, month).pk == update.pk

    from ourpatch.crime.factories import CrimeFactory

    CrimeFactory(neighbourhood=area, month=month, category="burglary")
    assert "No crime figures" in update.text  # the archive keeps what was known then
    later = generate(NeighbourhoodFactory(force=area.force), month)
    assert "No crime figures" in later.text
    page = Client().get(f"/neighbourhoods/{area.force_id}/CH1/updates/{month:%Y-%m}/")
    assert page.status_code == 200 and "Aisha Khan" in page.content.decode()
    printable = Client().get(f"/neighbourhoods/{area.force_id}/CH1/updates/{month:%Y-%m}.pdf")
    assert printable["Content-Type"] == "application/pdf"
    assert printable.content.startswith(b"%PDF")
    archive = Client().get(f"/neighbourhoods/{area.force_id}/CH1/updates/").content.decode()
    assert f"{month:%B %Y}" in archive
    assert Client().get(f"/neighbourhoods/{area.force_id}/CH1/updates/2026-13/").status_code == 404


@pytest.mark.django_db
def test_the_update_reports_the_month_s_crime_by_category() -> None:
    from ourpatch.crime.factories import CrimeFactory

    area = NeighbourhoodFactory()
    month = dt.date(2026, 9, 1)
    for category in ["burglary", "burglary", "anti-social-behaviour"]:
        CrimeFactory(neighbourhood=area, month=month, category=category)
    update = generate(area, month)
    assert "- Burglary: 2" in update.text and "- Anti-social behaviour: 1" in update.text
    assert "<td>Burglary</td>" in update.html


@pytest.mark.django_db
def test_the_update_reports_the_months_pledge_figures_with_explanations() -> None:
    """Pledge item 8: the update carries the team's performance, and says why it missed."""
    from ourpatch.contact.models import Message
    from ourpatch.pledge.factories import ExplanationFactory

    area = NeighbourhoodFactory(code="PL1", name="Pledgeton")
    london = timezone.get_current_timezone()
    received = dt.datetime(2026, 3, 10, 9, tzinfo=london)
    on_time = Message.objects.create(
        neighbourhood=area, sender_name="Alys Quarrendon", body="x", received_at=received
    )
    late = Message.objects.create(
        neighbourhood=area, sender_name="Bram Ostrowicz", body="y", received_at=received
    )
    Message.objects.filter(pk=on_time.pk).update(first_response_at=received + dt.timedelta(hours=3))
    Message.objects.filter(pk=late.pk).update(first_response_at=received + dt.timedelta(hours=30))
    ExplanationFactory(
        force=area.force,
        neighbourhood=area,
        item=4,
        record_key=f"message:{late.reference}",
        month=dt.date(2026, 3, 1),
        text="The team's shared inbox was not watched over the bank holiday.",
    )
    update = generate(area, dt.date(2026, 3, 1))
    assert "the Policing Pledge in March 2026" in update.text
    line = next(row for row in update.text.splitlines() if "50% (1 of 2 on time)" in row)
    assert "not watched over the bank holiday" in line
    # residents' names never reach the published update
    for name in ("Alys", "Quarrendon", "Bram", "Ostrowicz"):
        assert name not in update.html and name not in update.text


class RefusingBackend(locmem.EmailBackend):
    """The test mail server: refuses the addresses in ``refused``, as an SMTP server would."""

    refused: set[str] = set()

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({a: (550, b"no") for a in message.to})
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_refused_email_is_retried_alone_and_the_others_are_never_sent_twice(
    mailoutbox, settings
) -> None:
    area = NeighbourhoodFactory(code="CH1", name="Chapeltown")
    for address in ("a@example.org", "refused@example.org", "c@example.org"):
        Client().get(_subscribe(area, address, mailoutbox))
    mailoutbox.clear()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refused = {"refused@example.org"}
    month = previous_month(timezone.localdate())
    enqueue(SEND_UPDATE, {"neighbourhood": area.pk, "month": month.isoformat()}, key="m")
    run_pending()
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "c@example.org"]

    # the mail server takes it now; the retry, when due, sends that one email only
    RefusingBackend.refused = set()
    Job.objects.filter(state=JobState.QUEUED).update(run_after=timezone.now())
    assert run_pending() == 1
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@example.org",
        "c@example.org",
        "refused@example.org",
    ]
    assert MonthlyUpdate.objects.get().deliveries.count() == 3
