"""Joint problem solving with a partner, and the library of what worked."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.accounts.factories import PartnerAgencyFactory, StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.problems.models import EpicKind, ProblemAction, SaraStage


@pytest.mark.django_db
def test_a_problem_is_worked_with_a_council_partner_and_closed_with_an_assessment() -> None:
    area = NeighbourhoodFactory(code="CH1")
    other_area = NeighbourhoodFactory(force=area.force, code="HH1")
    council = PartnerAgencyFactory(force=area.force, name="Leeds ASB team")
    housing = PartnerAgencyFactory(force=area.force, name="Housing")
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    partner = StaffProfileFactory(role=StaffRole.PARTNER, force=area.force, agency=council).user
    team, them = Client(), Client()
    team.force_login(sergeant)
    them.force_login(partner)

    opened = team.post(
        f"/staff/neighbourhoods/{area.force_id}/CH1/problems/",
        {"title": "Fly-tipping on Back Street"},
    )
    url = opened["Location"]
    assert them.get(url).status_code == 403  # not shared yet
    team.post(
        url,
        {
            "problem-title": "Fly-tipping on Back Street",
            "problem-scanning": "Weekly dumping",
            "problem-analysis": "After the Friday market",
            "problem-shared_with": [council.pk],
        },
    )
    assert them.get(url).status_code == 200
    team.post(url, {"advance": "analysis"})
    team.post(url, {"advance": "response"})
    # the partner adds their own action; it is theirs, not the police's
    them.post(url, {"action-kind": EpicKind.PREVENTION, "action-description": "Gate the alley"})
    action = ProblemAction.objects.get()
    assert action.agency == council
    # ... but cannot edit the record or move it on
    assert them.post(url, {"advance": "assessment"}).status_code == 403
    assert them.post(url, {"problem-title": "Renamed"}).status_code == 403
    assert them.post(f"/staff/problem-actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.done_on is not None
    # another agency's user sees nothing of it
    stranger = StaffProfileFactory(role=StaffRole.PARTNER, force=area.force, agency=housing).user
    other = Client()
    other.force_login(stranger)
    assert other.get(url).status_code == 403

    refused = team.post(url, {"advance": "closed"}, follow=True)
    assert "Not moved" in refused.content.decode()
    team.post(url, {"advance": "assessment"})
    closing = team.post(url, {"advance": "closed"}, follow=True)
    assert "no closing without an assessment" in closing.content.decode()
    team.post(
        url,
        {
            "problem-title": "Fly-tipping on Back Street",
            "problem-analysis": "After the Friday market",
            "problem-shared_with": [council.pk],
            "problem-what_was_done": "Alley gated; market traders briefed",
            "problem-what_worked": "The gate",
            "problem-outcome_measure": "Reports fell from 12 to 2 a month",
            "problem-originator_told": "true",
        },
    )
    team.post(url, {"advance": "closed"})
    from ourpatch.problems.models import Problem

    assert Problem.objects.get().stage == SaraStage.CLOSED

    # a team elsewhere in the force finds it
    elsewhere = StaffProfileFactory(
        role=StaffRole.PCSO, force=area.force, neighbourhoods=[other_area]
    ).user
    look = Client()
    look.force_login(elsewhere)
    page = look.get("/staff/good-practice/", {"q": "gated alley", "tactic": "prevention"})
    assert "Reports fell from 12 to 2 a month" in page.content.decode()
    none = look.get("/staff/good-practice/", {"q": "graffiti"})
    assert "Nothing found" in none.content.decode()


@pytest.mark.django_db
def test_closing_a_priority_s_problem_closes_the_priority_with_its_outcome(mailoutbox) -> None:
    import datetime as dt

    from ourpatch.accounts.factories import UserFactory
    from ourpatch.engagement.factories import MeetingFactory
    from ourpatch.engagement.meetings import record_held
    from ourpatch.problems.models import IssueRaiser, Priority, PriorityStatus, Problem
    from ourpatch.problems.priorities import agree, raise_online
    from ourpatch.problems.sara import advance
    from ourpatch.worker.queue import run_pending

    meeting = MeetingFactory()
    area = meeting.neighbourhood
    priority = raise_online(
        area, issue="Fly-tipping", name="Sam", email="sam@example.org", client_address="192.0.2.9"
    )
    record_held(
        meeting,
        attendance=5,
        issues_raised="",
        by=UserFactory(),
        now=meeting.starts_at + dt.timedelta(minutes=1),
    )
    agree(priority, meeting)
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    client = Client()
    client.force_login(sergeant)
    opened = client.post(f"/staff/priorities/{priority.pk}/", {"open-problem": "1"})
    problem = Problem.objects.get(priority=priority)
    assert opened["Location"] == f"/staff/problems/{problem.pk}/"
    problem.analysis = "Friday market"
    problem.save()
    advance(problem, SaraStage.ANALYSIS)
    advance(problem, SaraStage.RESPONSE)
    ProblemAction.objects.create(
        problem=problem, kind=EpicKind.ENFORCEMENT, description="Fixed penalty notices"
    )
    advance(problem, SaraStage.ASSESSMENT)
    problem.what_was_done = "Notices and a gate"
    problem.outcome_measure = "No dumping for six weeks"
    problem.originator_told = True
    problem.save()
    advance(problem, SaraStage.CLOSED)
    priority = Priority.objects.get(pk=priority.pk)
    assert priority.status == PriorityStatus.CLOSED
    assert priority.outcome == "No dumping for six weeks"
    run_pending()
    assert [m.subject.split(": ", 1)[1] for m in mailoutbox] == [
        "has been agreed as a priority for the neighbourhood",
        "has been closed",
    ]
    assert IssueRaiser.objects.count() == 1


@pytest.mark.django_db
def test_the_problem_shows_crime_before_and_after_for_its_categories() -> None:
    import datetime as dt

    from django.utils import timezone

    from ourpatch.crime.factories import CrimeFactory
    from ourpatch.crime.summary import before_and_after

    area = NeighbourhoodFactory()
    for month, category in [
        (dt.date(2026, 1, 1), "anti-social-behaviour"),
        (dt.date(2026, 2, 1), "anti-social-behaviour"),
        (dt.date(2026, 2, 1), "burglary"),
        (dt.date(2026, 6, 1), "anti-social-behaviour"),
    ]:
        CrimeFactory(neighbourhood=area, month=month, category=category)
    evidence = before_and_after(
        area.pk, ["anti-social-behaviour"], dt.date(2026, 3, 10), dt.date(2026, 5, 20)
    )
    assert (evidence.before, evidence.after) == (2, 1)
    assert before_and_after(area.pk, [], dt.date(2026, 3, 10), None).before == 3

    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    from ourpatch.problems.factories import ProblemFactory

    problem = ProblemFactory(
        neighbourhood=area,
        crime_categories=["anti-social-behaviour"],
        opened_at=timezone.make_aware(dt.datetime(2026, 3, 10, 9)),
    )
    client = Client()
    client.force_login(sergeant)
    page = client.get(f"/staff/problems/{problem.pk}/").content.decode()
    assert "Evidence" in page and "anti-social-behaviour" in page
