"""The good-practice library: closed, assessed problems, searchable across the force (15.18).

Search is words matched in any text of the problem or its actions, all words required:
plain ``icontains``, so it behaves the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ourpatch.problems.models import Problem, SaraStage

SEARCHED = [
    "title",
    "scanning",
    "analysis",
    "what_was_done",
    "what_worked",
    "outcome_measure",
    "actions__description",
]


def search_library(
    force_id: str | None,
    *,
    text: str = "",
    category: str = "",
    tactic: str = "",
    partner: int | None = None,
) -> QuerySet[Problem]:
    found = Problem.objects.filter(stage=SaraStage.CLOSED).exclude(what_was_done="")
    if force_id is not None:
        found = found.filter(neighbourhood__force_id=force_id)
    for word in text.split()[:10]:
        any_field = Q()
        for name in SEARCHED:
            any_field |= Q(**{f"{name}__icontains": word})
        found = found.filter(any_field)
    if category:
        found = found.filter(crime_categories__icontains=f'"{category}"')
    if tactic:
        found = found.filter(actions__kind=tactic)
    if partner is not None:
        found = found.filter(actions__agency_id=partner)
    return found.distinct().select_related("neighbourhood").order_by("-closed_at")
