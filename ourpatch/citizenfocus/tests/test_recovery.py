"""Service recovery and feedback to the officer named in a response."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AuditAction, AuditEntry
from ourpatch.citizenfocus.factories import ResponseCommentFactory, SurveyResponseFactory
from ourpatch.citizenfocus.models import RecoveryStatus, RecoveryTask, SurveyResponse
from ourpatch.citizenfocus.recovery import create_recovery_tasks
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory


@pytest.fixture
def world(db: None) -> dict[str, object]:
    force = ForceFactory(id="west-yorkshire")
    hood = NeighbourhoodFactory(force=force, code="A")
    sergeant_user = StaffProfileFactory(
        user=UserFactory(username="sergeant"),
        role=StaffRole.SERGEANT,
        force=force,
        neighbourhoods=[hood],
    ).user
    constable_user = StaffProfileFactory(
        user=UserFactory(username="constable"),
        role=StaffRole.CONSTABLE,
        force=force,
        neighbourhoods=[hood],
    ).user
    sergeant = TeamMemberFactory(force=force, account=sergeant_user, neighbourhoods=[hood])
    officer = TeamMemberFactory(
        force=force, account=constable_user, supervisor=sergeant, neighbourhoods=[hood]
    )
    return {
        "force": force,
        "hood": hood,
        "sergeant": sergeant,
        "officer": officer,
        "sergeant_user": sergeant_user,
        "constable_user": constable_user,
    }


def _response(world, **kwargs: object):
    defaults = {
        "force": world["force"],
        "neighbourhood": world["hood"],
        "officer": world["officer"],
        "consent_to_recontact": True,
        "overall_satisfaction": 6,
    }
    return SurveyResponseFactory(**{**defaults, **kwargs})


def test_only_dissatisfied_consenting_responses_naming_an_officer_get_a_task(world) -> None:
    due = _response(world)
    satisfied = _response(world, overall_satisfaction=3)
    neutral = _response(world, overall_satisfaction=4)
    no_consent = _response(world, consent_to_recontact=False)
    no_officer = _response(world, officer=None)
    created = create_recovery_tasks([due, satisfied, neutral, no_consent, no_officer])
    assert created == 1
    assert RecoveryTask.objects.filter(response=due, assigned_to=world["sergeant"]).exists()
    assert create_recovery_tasks([due]) == 0  # idempotent


def test_supervisor_calls_back_and_records_the_outcome(world) -> None:
    response = _response(world)
    ResponseCommentFactory(response=response, text="Nobody came", recontact_telephone="0113 000")
    create_recovery_tasks([response])
    client = Client()
    client.force_login(world["sergeant_user"])
    listing = client.get("/staff/citizen-focus/recovery/")
    assert response.reference in listing.content.decode()
    pk = SurveyResponse.objects.values_list("recovery_task__pk", flat=True).get(pk=response.pk)
    page = client.get(f"/staff/citizen-focus/recovery/{pk}/")
    assert "0113 000" in page.content.decode()
    saved = client.post(
        f"/staff/citizen-focus/recovery/{pk}/",
        {"status": RecoveryStatus.DONE, "outcome": "Apologised; arranged a visit."},
    )
    assert saved.status_code == 302
    task = RecoveryTask.objects.filter(pk=pk).read_by(world["sergeant_user"], "test").get()
    assert task.status == RecoveryStatus.DONE and task.closed_at is not None
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, record_type="citizenfocus.recoverytask"
    ).exists()
    # the officer named cannot work their own complaint
    officer = Client()
    officer.force_login(world["constable_user"])
    assert officer.get(f"/staff/citizen-focus/recovery/{pk}/").status_code == 403


def test_feedback_reaches_the_officer_named(world) -> None:
    good = _response(world, overall_satisfaction=1)
    ResponseCommentFactory(response=good, text="PC was brilliant")
    _response(world, overall_satisfaction=7)
    _response(world, officer=world["sergeant"], overall_satisfaction=2)  # someone else
    client = Client()
    client.force_login(world["constable_user"])
    page = client.get("/staff/citizen-focus/feedback/").content.decode()
    assert "1 satisfied and 1 not satisfied" in page
    assert "PC was brilliant" in page
    assert "Completely dissatisfied" in page
    assert AuditEntry.objects.filter(
        record_type="citizenfocus.responsecomment", actor_name="constable"
    ).exists()
