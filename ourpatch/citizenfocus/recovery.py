"""Service recovery: a dissatisfied victim who agreed to be recontacted gets a call back.

A victim-survey response that is dissatisfied overall (fairly, very or completely), names
an officer and gives consent to recontact becomes a :class:`RecoveryTask` for that
officer's supervisor (or, where the officer has none on record, for the force to assign).
"""

from __future__ import annotations

from collections.abc import Iterable

from ourpatch.citizenfocus.models import RecoveryTask, SurveyKind, SurveyResponse
from ourpatch.citizenfocus.questions import DISSATISFIED
from ourpatch.teams.models import TeamMember


def needs_recovery(response: SurveyResponse) -> bool:
    return (
        response.survey == SurveyKind.VICTIM
        and response.consent_to_recontact
        and response.officer_id is not None
        and response.overall_satisfaction in DISSATISFIED
    )


def create_recovery_tasks(responses: Iterable[SurveyResponse]) -> int:
    """Create the missing recovery tasks for these (saved) responses; returns how many."""
    due = [r for r in responses if needs_recovery(r)]
    if not due:
        return 0
    # asked of the responses: reading the tasks themselves is an audited read
    existing = set(
        SurveyResponse.objects.filter(
            pk__in=[r.pk for r in due], recovery_task__isnull=False
        ).values_list("pk", flat=True)
    )
    due = [r for r in due if r.pk not in existing]
    supervisors = dict(
        TeamMember.objects.filter(pk__in={r.officer_id for r in due}).values_list(
            "pk", "supervisor_id"
        )
    )
    tasks = [
        RecoveryTask(
            response=r,
            officer_id=r.officer_id,
            assigned_to_id=supervisors.get(r.officer_id or 0),
        )
        for r in due
    ]
    RecoveryTask.objects.bulk_create(tasks)
    return len(tasks)
