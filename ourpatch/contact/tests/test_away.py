"""Out-of-office cover: a message to someone away goes to the team; nothing waits on one
person (Recommendation 5)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.contact.factories import MessageFactory
from ourpatch.contact.inbox import cover_absences
from ourpatch.contact.messages import receive_message
from ourpatch.contact.models import Message
from ourpatch.teams.absences import away_until, is_away, record_absence
from ourpatch.teams.factories import AbsenceFactory
from ourpatch.teams.models import Absence, AbsenceReason
from ourpatch.worker.queue import run_pending

DAY = dt.timedelta(days=1)


def _all(reader) -> list[Message]:
    return list(Message.objects.order_by("id").read_by(reader, "test"))


def _away(member, first: dt.date, last: dt.date):
    return AbsenceFactory(member=member, starts_on=first, ends_on=last)


def test_away_on_the_days_of_an_absence_and_until_its_last_day(team):
    monday = dt.date(2026, 12, 7)
    _away(team.pcso, monday, monday + 4 * DAY)
    assert not is_away(team.pcso, monday - DAY)
    assert is_away(team.pcso, monday) and is_away(team.pcso, monday + 4 * DAY)
    assert not is_away(team.pcso, monday + 5 * DAY)
    assert away_until(team.pcso, monday + DAY) == monday + 4 * DAY
    assert away_until(team.pcso, monday + 5 * DAY) is None


def test_absences_that_follow_on_are_one_time_away(team):
    monday = dt.date(2026, 12, 7)
    _away(team.pcso, monday, monday + 4 * DAY)  # leave to Friday
    _away(team.pcso, monday + 5 * DAY, monday + 6 * DAY)  # a course at the weekend
    _away(team.pcso, monday + 14 * DAY, monday + 15 * DAY)  # later, after a week back
    assert away_until(team.pcso, monday) == monday + 6 * DAY


def _send(team, write_to, now=None) -> Message:
    return receive_message(
        team.a,
        name="Pat Resident",
        email="pat@example.org",
        telephone="",
        body="Speeding on Spencer Place",
        client_address="198.51.100.7",
        write_to=write_to,
        now=now,
    )


def test_a_message_to_a_member_who_is_in_is_theirs(team):
    message = _send(team, team.pcso)
    assert message.addressed_to == team.pcso and message.assigned_to == team.pcso
    assert message.routing_note == "Written to Aisha Khan"


def test_a_message_to_a_member_who_is_away_goes_to_the_team_and_says_why(team, mailoutbox):
    today = timezone.localdate()
    _away(team.pcso, today - DAY, today + 3 * DAY)
    message = _send(team, team.pcso)
    assert message.addressed_to == team.pcso
    assert message.assigned_to is None  # the team's
    assert "Aisha Khan, who is away until" in message.routing_note
    assert "sent to the whole team" in message.routing_note
    run_pending()
    # the resident is told too
    assert "Aisha Khan is away until" in mailoutbox[0].body
    assert "gone to the whole team" in mailoutbox[0].body
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-replied"


def test_a_message_to_someone_who_has_left_the_team_goes_to_the_team(team):
    team.pcso.end_date = timezone.localdate() - DAY
    team.pcso.save()
    message = _send(team, team.pcso)
    assert message.assigned_to is None and "not in this team now" in message.routing_note


def test_the_contact_form_offers_the_team_and_its_current_members(team):
    today = timezone.localdate()
    _away(team.constable, today, today + 2 * DAY)
    client = Client()
    page = client.get(f"/neighbourhoods/{team.force.pk}/A/contact/").content.decode()
    assert "Write to" in page and "The whole team" in page
    assert "Aisha Khan, Police community support officer (PCSO)" in page
    assert "Sam Reid, Police constable (away until" in page and "goes to the whole team" in page
    assert "Jo Patel" not in page  # another team's
    data = {"name": "Pat", "email": "pat@example.org", "telephone": "", "body": "Hello"}
    client.post(f"/neighbourhoods/{team.force.pk}/A/contact/", {**data, "write_to": team.pcso.pk})
    client.post(
        f"/neighbourhoods/{team.force.pk}/A/contact/", {**data, "write_to": team.constable.pk}
    )
    to_pcso, to_constable = _all(team.users["sergeant"])
    assert to_pcso.assigned_to == team.pcso
    assert to_constable.addressed_to == team.constable and to_constable.assigned_to is None
    # someone from another team cannot be chosen
    response = client.post(
        f"/neighbourhoods/{team.force.pk}/A/contact/", {**data, "write_to": team.member_c.pk}
    )
    assert response.status_code == 400


def test_the_public_page_says_who_is_away_and_that_messages_go_to_the_team(team):
    today = timezone.localdate()
    _away(team.pcso, today, today + 2 * DAY)
    page = Client().get(f"/neighbourhoods/{team.force.pk}/A/").content.decode()
    until = today + 2 * DAY
    assert f"Away until {until:%A} {until.day} {until:%B}" in page
    assert "messages go to the team" in page
    assert f"mailto:{team.pcso.email}" not in page  # not their own inbox while away
    assert f"mailto:{team.sergeant.email}" in page
    assert "Annual leave" not in page  # the reason is not the public's business
    # and the public page's form offers the team's names
    assert "Aisha Khan, Police community support officer (PCSO) (away until" in page


def test_recording_an_absence_gives_the_members_waiting_messages_to_the_team(team):
    waiting = MessageFactory(neighbourhood=team.a, assigned_to=team.pcso)
    answered = MessageFactory(
        neighbourhood=team.a, assigned_to=team.pcso, first_response_at=timezone.now()
    )
    someone_elses = MessageFactory(neighbourhood=team.a, assigned_to=team.constable)
    today = timezone.localdate()
    client = team.client("sergeant")
    response = client.post(
        f"/staff/team/{team.pcso.pk}/away/",
        {"starts_on": today, "ends_on": today + 4 * DAY, "reason": AbsenceReason.LEAVE},
        follow=True,
    )
    assert "1 waiting message went back to the team" in response.content.decode()
    assert is_away(team.pcso, today)
    reader = team.users["sergeant"]
    back = Message.objects.read_by(reader, "test").get(pk=waiting.pk)
    assert back.assigned_to is None
    assert back.routing_note.startswith("Aisha Khan is away until")
    assert Message.objects.read_by(reader, "t").get(pk=answered.pk).assigned_to == team.pcso
    assert Message.objects.read_by(reader, "t").get(pk=someone_elses.pk).assigned_to == (
        team.constable
    )
    # who recorded it, and who moved the message, are on the record
    absence = Absence.objects.get()
    assert AuditEntry.objects.filter(
        record_type="teams.absence", record_id=str(absence.pk), actor_name="sergeant"
    ).exists()
    assert AuditEntry.objects.filter(
        record_type="contact.message",
        record_id=str(waiting.pk),
        action=AuditAction.UPDATE,
        actor_name="sergeant",
    ).exists()


def test_an_absence_recorded_ahead_is_covered_by_the_worker_on_its_first_day(team):
    today = timezone.localdate()
    waiting = MessageFactory(neighbourhood=team.a, assigned_to=team.pcso)
    recorded = record_absence(
        team.pcso,
        starts_on=today + 2 * DAY,
        ends_on=today + 5 * DAY,
        reason=AbsenceReason.TRAINING,
        by=team.users["sergeant"],
    )
    assert recorded.returned_to_team == []  # still in for now
    assert cover_absences(today) == []
    assert cover_absences(today + 2 * DAY) == [waiting.reference]
    back = Message.objects.read_by(team.users["sergeant"], "t").get(pk=waiting.pk)
    assert back.assigned_to is None and "away until" in back.routing_note
    assert cover_absences(today + 2 * DAY) == []  # once


def test_the_absence_form_refuses_dates_that_make_no_sense(team):
    today = timezone.localdate()
    client = team.client("sergeant")
    url = f"/staff/team/{team.pcso.pk}/away/"
    backwards = {"starts_on": today, "ends_on": today - DAY, "reason": AbsenceReason.LEAVE}
    response = client.post(url, backwards)
    assert response.status_code == 400 and "cannot be before the first" in response.content.decode()
    over = {"starts_on": today - 9 * DAY, "ends_on": today - 2 * DAY, "reason": "leave"}
    response = client.post(url, over)
    assert response.status_code == 400 and "already over" in response.content.decode()
    assert Absence.objects.count() == 0


def test_only_those_who_may_edit_a_member_record_their_absence(team):
    url = f"/staff/team/{team.pcso.pk}/away/"
    page = team.client("sergeant").get(url)  # supervises team A
    assert page.status_code == 200
    # the date pickers start at today, in the ISO form browsers need
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()
    assert team.client("pcso").get(url).status_code == 200  # their own
    assert team.client("constable").get(url).status_code == 403  # a colleague's
    assert team.client("constable_c").get(url).status_code == 403  # another team
    assert team.client("analyst").get(url).status_code == 403
    today = timezone.localdate()
    response = team.client("constable").post(
        url, {"starts_on": today, "ends_on": today, "reason": "sickness"}
    )
    assert response.status_code == 403 and Absence.objects.count() == 0


def test_the_messages_of_someone_who_has_left_go_back_to_the_team(team):
    waiting = MessageFactory(neighbourhood=team.a, assigned_to=team.constable)
    today = timezone.localdate()
    team.constable.end_date = today - DAY
    team.constable.save()
    assert cover_absences(today) == [waiting.reference]
    back = Message.objects.read_by(team.users["sergeant"], "t").get(pk=waiting.pk)
    assert back.assigned_to is None
    assert back.routing_note == "Sam Reid has left the team: returned to the team"
