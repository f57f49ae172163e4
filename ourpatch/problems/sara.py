"""The SARA workflow: one function owns every transition and refuses the impossible ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ourpatch.problems.models import PriorityStatus, Problem, SaraStage
from ourpatch.problems.priorities import save

ORDER = [
    SaraStage.SCANNING,
    SaraStage.ANALYSIS,
    SaraStage.RESPONSE,
    SaraStage.ASSESSMENT,
    SaraStage.CLOSED,
]


class TransitionRefused(ValueError):
    """The problem cannot move there; the message says what is missing."""


@dataclass(frozen=True)
class ProblemState:
    """What the rules look at, so they can be checked without a database."""

    stage: SaraStage
    has_analysis: bool
    actions: int
    assessed: bool


def state_of(problem: Problem) -> ProblemState:
    return ProblemState(
        stage=SaraStage(problem.stage),
        has_analysis=bool(problem.analysis.strip()),
        actions=problem.actions.count() if problem.pk else 0,
        assessed=bool(
            problem.what_was_done.strip()
            and problem.outcome_measure.strip()
            and problem.originator_told is not None
        ),
    )


def check_transition(state: ProblemState, to: SaraStage) -> None:
    """Raise TransitionRefused unless ``state`` may move to ``to``."""
    if state.stage == SaraStage.CLOSED:
        raise TransitionRefused("the problem is closed")
    here, there = ORDER.index(state.stage), ORDER.index(to)
    if there == here:
        raise TransitionRefused(f"the problem is already at {to.label}")
    if there < here:
        return  # going back a stage, to look again, is always allowed
    if there > here + 1:
        raise TransitionRefused(
            f"a problem moves one stage at a time: from {state.stage.label} the next is "
            f"{ORDER[here + 1].label}"
        )
    if to == SaraStage.RESPONSE and not state.has_analysis:
        raise TransitionRefused("record the analysis before responding")
    if to == SaraStage.ASSESSMENT and state.actions == 0:
        raise TransitionRefused("no assessment without a response: add at least one action")
    if to == SaraStage.CLOSED and not state.assessed:
        raise TransitionRefused(
            "no closing without an assessment: say what was done, the outcome measure, and "
            "whether whoever raised it was told"
        )


@transaction.atomic
def advance(problem: Problem, to: SaraStage, now: dt.datetime | None = None) -> Problem:
    """Move the problem to ``to`` if the rules allow it."""
    check_transition(state_of(problem), to)
    problem.stage = to
    problem.closed_at = (now or timezone.now()) if to == SaraStage.CLOSED else None
    problem.save(update_fields=["stage", "closed_at"])
    priority = problem.priority
    if to == SaraStage.CLOSED and priority is not None:
        if priority.status == PriorityStatus.CLOSED:
            return problem
        # the community hears the result: the priority closes with the assessed outcome
        save(
            priority,
            expected_version=priority.version,
            status=PriorityStatus.CLOSED,
            action=priority.action or problem.what_was_done,
            outcome=problem.outcome_measure,
            action_date=problem.closed_at,
        )
    return problem
