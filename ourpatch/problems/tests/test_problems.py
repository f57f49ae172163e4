from __future__ import annotations

import datetime as dt

import pytest

from ourpatch.accounts.factories import UserFactory
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.meetings import record_held
from ourpatch.problems.factories import PriorityFactory, ProblemFactory
from ourpatch.problems.models import EpicKind, PriorityStatus, ProblemAction, SaraStage
from ourpatch.problems.priorities import EditedElsewhere, PriorityRefused, agree, save
from ourpatch.problems.sara import ProblemState, TransitionRefused, advance, check_transition


@pytest.mark.parametrize(
    ("state", "to", "refusal"),
    [
        (ProblemState(SaraStage.SCANNING, False, 0, False), SaraStage.ANALYSIS, None),
        (ProblemState(SaraStage.SCANNING, False, 0, False), SaraStage.RESPONSE, "one stage"),
        (ProblemState(SaraStage.ANALYSIS, False, 0, False), SaraStage.RESPONSE, "analysis"),
        (ProblemState(SaraStage.ANALYSIS, True, 0, False), SaraStage.RESPONSE, None),
        (
            ProblemState(SaraStage.RESPONSE, True, 0, False),
            SaraStage.ASSESSMENT,
            "no assessment without a response",
        ),
        (ProblemState(SaraStage.RESPONSE, True, 2, False), SaraStage.ASSESSMENT, None),
        (
            ProblemState(SaraStage.ASSESSMENT, True, 2, False),
            SaraStage.CLOSED,
            "no closing without an assessment",
        ),
        (ProblemState(SaraStage.ASSESSMENT, True, 2, True), SaraStage.CLOSED, None),
        (ProblemState(SaraStage.RESPONSE, True, 2, False), SaraStage.ANALYSIS, None),
        (ProblemState(SaraStage.CLOSED, True, 2, True), SaraStage.ASSESSMENT, "closed"),
    ],
)
def test_sara_transitions(state, to, refusal) -> None:
    if refusal is None:
        check_transition(state, to)
    else:
        with pytest.raises(TransitionRefused, match=refusal):
            check_transition(state, to)


@pytest.mark.django_db
def test_a_problem_is_worked_through_sara_to_a_close() -> None:
    problem = ProblemFactory()
    advance(problem, SaraStage.ANALYSIS)
    problem.analysis = "Dumping after the Friday market; two addresses"
    problem.save()
    advance(problem, SaraStage.RESPONSE)
    ProblemAction.objects.create(
        problem=problem, kind=EpicKind.PREVENTION, description="Gate the alley"
    )
    advance(problem, SaraStage.ASSESSMENT)
    with pytest.raises(TransitionRefused):
        advance(problem, SaraStage.CLOSED)
    problem.what_was_done = "Alley gated, CCTV"
    problem.outcome_measure = "Reports fell from 12 to 2 a month"
    problem.originator_told = True
    problem.save()
    advance(problem, SaraStage.CLOSED)
    problem.refresh_from_db()
    assert problem.stage == SaraStage.CLOSED and problem.closed_at is not None


@pytest.mark.django_db
def test_a_priority_is_agreed_only_at_a_held_meeting_within_the_limit() -> None:
    meeting = MeetingFactory()
    priority = PriorityFactory(neighbourhood=meeting.neighbourhood)
    with pytest.raises(PriorityRefused, match="held"):
        agree(priority, meeting)
    record_held(
        meeting,
        attendance=12,
        issues_raised="",
        by=UserFactory(),
        now=meeting.starts_at + dt.timedelta(minutes=5),
    )
    agree(priority, meeting, limit=2)
    assert priority.status == PriorityStatus.AGREED and priority.version == 2
    second = PriorityFactory(neighbourhood=meeting.neighbourhood)
    agree(second, meeting, limit=2)
    third = PriorityFactory(neighbourhood=meeting.neighbourhood)
    with pytest.raises(PriorityRefused, match="already has 2 current priorities"):
        agree(third, meeting, limit=2)


@pytest.mark.django_db
def test_the_second_of_two_simultaneous_edits_is_refused() -> None:
    priority = PriorityFactory()
    first_editor_saw = priority.version
    second_editor_saw = priority.version
    save(priority, expected_version=first_editor_saw, action="Patrols on Fridays")
    with pytest.raises(EditedElsewhere, match="someone else changed this priority"):
        save(priority, expected_version=second_editor_saw, action="Letters to residents")
    priority.refresh_from_db()
    assert priority.action == "Patrols on Fridays"


@pytest.mark.django_db
def test_agreed_priorities_and_upcoming_meetings_reach_the_page_and_the_police_uk_api() -> None:
    from django.test import Client

    meeting = MeetingFactory(title="Chapeltown PACT", neighbourhood__code="CH1")
    area = meeting.neighbourhood
    raised = PriorityFactory(neighbourhood=area, issue="Speeding on Harehills Lane")
    agreed = PriorityFactory(
        neighbourhood=area,
        issue="Fly-tipping behind the shops",
        status=PriorityStatus.AGREED,
        action="Alley gated",
    )
    page = Client().get(f"/neighbourhoods/{area.force_id}/CH1/").content.decode()
    assert "Chapeltown PACT" in page and "Fly-tipping behind the shops" in page
    assert "Alley gated" in page
    assert raised.issue not in page  # raised, not yet agreed: not published
    events = Client().get(f"/api/{area.force_id}/CH1/events").json()
    assert [e["title"] for e in events] == ["Chapeltown PACT"]
    assert set(events[0]) == {
        "contact_details",
        "description",
        "title",
        "address",
        "type",
        "start_date",
        "end_date",
    }
    priorities = Client().get(f"/api/{area.force_id}/CH1/priorities").json()
    assert [p["issue"] for p in priorities] == [agreed.issue]
    assert {"issue-date", "action-date"} <= set(priorities[0])


@pytest.mark.django_db
def test_a_resident_raises_an_issue_and_hears_of_each_step_once(mailoutbox) -> None:
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole
    from ourpatch.problems.models import IssueRaiser, Priority
    from ourpatch.worker.queue import run_pending

    meeting = MeetingFactory(neighbourhood__code="CH1")
    area = meeting.neighbourhood
    raised = Client().post(
        f"/neighbourhoods/{area.force_id}/CH1/raise/",
        {"issue": "Fly-tipping behind the shops", "name": "Sam", "email": "sam@example.org"},
    )
    assert raised.status_code == 200 and "your issue has been raised" in raised.content.decode()
    priority = Priority.objects.get()
    assert priority.status == PriorityStatus.RAISED and priority.raised_via == "online"
    assert IssueRaiser.objects.count() == 1
    record_held(
        meeting,
        attendance=15,
        issues_raised="fly-tipping",
        by=UserFactory(),
        now=meeting.starts_at + dt.timedelta(minutes=1),
    )
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    staff = Client()
    staff.force_login(sergeant)
    url = f"/staff/priorities/{priority.pk}/"
    staff.post(url, {f"agree-{priority.pk}-meeting": meeting.pk})
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.AGREED
    staff.post(
        url,
        {
            f"update-{priority.pk}-status": "acted_on",
            f"update-{priority.pk}-action": "Alley gated with the council",
            f"update-{priority.pk}-outcome": "",
            f"update-{priority.pk}-version": priority.version,
        },
    )
    stale = staff.post(
        url,
        {
            f"update-{priority.pk}-status": "closed",
            f"update-{priority.pk}-action": "Overwrite",
            f"update-{priority.pk}-outcome": "",
            f"update-{priority.pk}-version": priority.version,
        },
        follow=True,
    )
    assert "someone else changed this priority" in stale.content.decode()
    # two steps, each a job that queues one email to the resident as a job of its own
    assert run_pending() == 4 and run_pending() == 0
    assert [m.to for m in mailoutbox] == [["sam@example.org"], ["sam@example.org"]]
    assert "has been agreed" in mailoutbox[0].subject
    assert "Alley gated with the council" in mailoutbox[1].body
    page = Client().get(f"/neighbourhoods/{area.force_id}/CH1/").content.decode()
    assert "We did:" in page and "Alley gated with the council" in page
    assert "sam@example.org" not in page and "Sam" not in page


@pytest.mark.django_db
def test_subscribers_hear_when_a_priority_is_agreed_and_closed_once_each(mailoutbox) -> None:
    from django.utils import timezone

    from ourpatch.engagement.models import Subscription
    from ourpatch.worker.queue import run_pending

    meeting = MeetingFactory()
    area = meeting.neighbourhood
    Subscription.objects.create(
        neighbourhood=area,
        email="sub@example.org",
        created_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    Subscription.objects.create(
        neighbourhood=area, email="pending@example.org", created_at=timezone.now()
    )
    record_held(
        meeting,
        attendance=3,
        issues_raised="",
        by=UserFactory(),
        now=meeting.starts_at + dt.timedelta(minutes=1),
    )
    priority = PriorityFactory(neighbourhood=area, issue="Parking on the green")
    agree(priority, meeting)
    save(
        priority,
        expected_version=priority.version,
        status=PriorityStatus.CLOSED,
        outcome="Bollards fitted",
    )
    run_pending()
    run_pending()
    sent = [(m.to, m.subject) for m in mailoutbox]
    assert all(to == ["sub@example.org"] for to, _ in sent)
    assert [s.split(": a priority ")[1] for _, s in sent] == [
        "has been agreed as a priority for the neighbourhood",
        "has been closed",
    ]
    assert "Bollards fitted" in mailoutbox[1].body and "/unsubscribe/" in mailoutbox[1].body


@pytest.mark.django_db
def test_staff_record_an_issue_raised_at_a_meeting() -> None:
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole
    from ourpatch.geography.factories import NeighbourhoodFactory
    from ourpatch.problems.models import Priority

    area = NeighbourhoodFactory()
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    client = Client()
    client.force_login(sergeant)
    url = f"/staff/neighbourhoods/{area.force_id}/{area.code}/priorities/"
    assert client.post(url, {"record-issue": "", "record-raised_via": "meeting"}).status_code == 400
    done = client.post(
        url, {"record-issue": "Drug dealing in the park", "record-raised_via": "meeting"}
    )
    assert done.status_code == 302
    priority = Priority.objects.get()
    assert (priority.raised_via, priority.status) == ("meeting", PriorityStatus.RAISED)
