"""Loading survey responses and peer figures from the database into indicator frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ourpatch.citizenfocus.indicators import (
    BY_CODE,
    CRIME_GROUPS,
    ETHNICITIES,
    Frame,
    Period,
    Units,
    month_index,
    month_of,
)
from ourpatch.citizenfocus.models import (
    STATUTORY_QUESTIONS,
    PeerFigure,
    PeerGroup,
    Question,
    SurveyResponse,
)
from ourpatch.geography.models import BasicCommandUnit, Force, Neighbourhood


def force_units(force: Force) -> Units:
    bcus = list(BasicCommandUnit.objects.filter(force=force).order_by("name"))
    bcu_index = {b.pk: i for i, b in enumerate(bcus)}
    hoods = list(
        Neighbourhood.objects.filter(force=force)
        .order_by("name")
        .values_list("code", "name", "bcu_id")
    )
    return Units(
        force_id=force.pk,
        force_name=force.name,
        bcu_keys=[b.code for b in bcus],
        bcu_names=[b.name for b in bcus],
        nb_keys=[h[0] for h in hoods],
        nb_names=[h[1] for h in hoods],
        nb_bcu=np.array([bcu_index.get(h[2], -1) for h in hoods], dtype=np.int64),
    )


def load_frame(force: Force, survey: str, units: Units | None = None) -> Frame:
    """All the force's responses to one survey, as columns."""
    units = units or force_units(force)
    code_index = {code: i for i, code in enumerate(units.nb_keys)}
    rows = list(
        SurveyResponse.objects.filter(force=force, survey=survey).values_list(
            "month",
            "neighbourhood__code",
            "crime_group",
            "ethnicity",
            "weight",
            *STATUTORY_QUESTIONS,
        )
    )
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (5 + len(STATUTORY_QUESTIONS))
    groups = {g: i for i, g in enumerate(CRIME_GROUPS)}
    ethnic = {e: i for i, e in enumerate(ETHNICITIES)}
    answers = {
        q: np.fromiter((a or 0 for a in columns[5 + k]), dtype=np.int64, count=n)
        for k, q in enumerate(STATUTORY_QUESTIONS)
    }
    return Frame(
        survey=survey,
        units=units,
        month=np.fromiter((month_index(m) for m in columns[0]), dtype=np.int64, count=n),
        neighbourhood=np.fromiter(
            (code_index.get(c, -1) if c else -1 for c in columns[1]), dtype=np.int64, count=n
        ),
        crime_group=np.fromiter((groups.get(g, -1) for g in columns[2]), dtype=np.int64, count=n),
        ethnicity=np.fromiter((ethnic.get(e, -1) for e in columns[3]), dtype=np.int64, count=n),
        weight=np.fromiter(columns[4], dtype=np.float64, count=n),
        answers=answers,
    )


def positives() -> dict[str, Sequence[int]]:
    """The configured counted answers per question (statutory defaults seeded)."""
    return {q.code: [int(v) for v in q.positive] for q in Question.objects.all()}


def latest_month(force: Force) -> int | None:
    last = (
        SurveyResponse.objects.filter(force=force)
        .order_by("-month")
        .values_list("month", flat=True)
    ).first()
    return month_index(last) if last else None


def peer_figures(force: Force, indicator: str, period: Period) -> list[tuple[str, str, float, int]]:
    """The most similar forces' published figures for the 12 months to the period's end."""
    if period.kind != "12m" or indicator not in BY_CODE:
        return []
    group = PeerGroup.objects.filter(force=force).first()
    if group is None or not group.members:
        return []
    return [
        (f.peer_force, f.peer_force_name or f.peer_force, f.value, f.respondents)
        for f in PeerFigure.objects.filter(
            peer_force__in=group.members, indicator=indicator, period_end=month_of(period.end)
        ).order_by("peer_force")
    ]
