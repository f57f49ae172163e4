"""Synthetic survey responses: for the demonstration force and for the benchmark.

Plausible, not real: overall victim satisfaction around 80% (burglary highest, violent crime
lowest), a BME gap of about six points, good-or-excellent job around 50%, dealing with the
things that matter around 55%, high perceived ASB around 15%, with neighbourhoods that
genuinely differ. Every row is marked ``synthetic``. Fixed seeds give the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.utils import timezone

from ourpatch.citizenfocus.indicators import (
    CRIME_GROUPS,
    ETHNICITIES,
    Frame,
    Units,
    month_index,
    month_of,
)
from ourpatch.citizenfocus.models import (
    STATUTORY_QUESTIONS,
    PeerFigure,
    PeerGroup,
    ResponseComment,
    SurveyResponse,
)
from ourpatch.citizenfocus.recovery import create_recovery_tasks
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember

IntArray = npt.NDArray[np.int64]

# Demo fieldwork: two years to October 2026, so each month has its year-earlier baseline
DEMO_LAST_MONTH = dt.date(2026, 10, 1)
DEMO_MONTHS = 24
VICTIMS_PER_YEAR = 4000
PERCEPTION_PER_YEAR = 5000

_BASE = {
    # logit of the chance of a counted answer
    "overall_satisfaction": 1.35,
    "ease_of_contact": 2.0,
    "actions_taken": 1.1,
    "kept_informed": 0.6,
    "treatment": 2.2,
    "good_job": 0.0,
    "things_that_matter": 0.2,
    "asb_perception": -1.75,
}
_GROUP_EFFECT = np.array([0.35, -0.35, 0.0, 0.15])  # burglary, violent, vehicle, RTC
_SCALES = {  # (positive positions, other positions) on each question's scale
    "victim": ((1, 2, 3), (4, 5, 6, 7)),
    "good_job": ((1, 2), (3, 4, 5)),
    "things_that_matter": ((1, 2), (3, 4, 5)),
    "asb_perception": ((1, 2), (3, 4)),
}
_COMMENTS = (
    "The officer who came out was kind and explained everything.",
    "Nobody told me what was happening with my case.",
    "It took three calls to get through to anyone.",
    "Very quick response, thank you.",
    "I felt I was not taken seriously.",
    "The PCSO came back the next week to check on us, which I appreciated.",
)


_COLUMNS = (
    "force_id",
    "survey",
    "reference",
    "month",
    "neighbourhood_id",
    "lsoa_code",
    "crime_group",
    *STATUTORY_QUESTIONS,
    "extra_answers",
    "ethnicity",
    "age_band",
    "weight",
    "officer_id",
    "consent_to_recontact",
    "synthetic",
    "imported_at",
)


@dataclass
class Simulated:
    survey: str
    month: IntArray
    neighbourhood: IntArray
    crime_group: IntArray
    ethnicity: IntArray
    weight: npt.NDArray[np.float64]
    answers: dict[str, IntArray]


def simulate(
    rng: np.random.Generator,
    survey: str,
    n: int,
    n_neighbourhoods: int,
    first_month: int,
    months: int,
) -> Simulated:
    """``n`` respondents to one survey, spread over neighbourhoods and months."""
    hood_size = rng.gamma(4.0, 1.0, n_neighbourhoods)
    neighbourhood = rng.choice(n_neighbourhoods, size=n, p=hood_size / hood_size.sum())
    hood_effect = rng.normal(0.0, 0.3, n_neighbourhoods)
    month = first_month + rng.integers(0, months, size=n)
    drift = (month - first_month) / max(months, 1) * 0.15  # slowly improving
    ethnicity = np.where(rng.random(n) < 0.18, 1, 0)
    ethnicity = np.where(rng.random(n) < 0.04, -1, ethnicity)
    if survey == "victim":
        crime_group = rng.choice(4, size=n, p=[0.25, 0.35, 0.3, 0.1])
        weight = np.ones(n)
        questions: tuple[str, ...] = STATUTORY_QUESTIONS[:5]
    else:
        crime_group = np.full(n, -1)
        # design weights for unequal selection and non-response
        weight = np.clip(rng.lognormal(0.0, 0.45, n), 0.2, 5.0)
        questions = STATUTORY_QUESTIONS[5:]
    answers: dict[str, IntArray] = {q: np.zeros(n, dtype=np.int64) for q in STATUTORY_QUESTIONS}
    for q in questions:
        logit = _BASE[q] + hood_effect[neighbourhood] + drift
        if survey == "victim":
            logit = logit + _GROUP_EFFECT[crime_group] - 0.3 * (ethnicity == 1)
        if q == "asb_perception":
            logit = _BASE[q] - 1.5 * hood_effect[neighbourhood]
        yes = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
        good, bad = _SCALES["victim" if survey == "victim" else q]
        position = np.where(
            yes, rng.choice(np.array(good), size=n), rng.choice(np.array(bad), size=n)
        )
        answered = rng.random(n) > 0.02  # "don't know" or left blank
        answers[q] = np.where(answered, position, 0).astype(np.int64)
    return Simulated(
        survey,
        month.astype(np.int64),
        neighbourhood.astype(np.int64),
        crime_group.astype(np.int64),
        ethnicity.astype(np.int64),
        weight.astype(np.float64),
        answers,
    )


def simulated_frame(sim: Simulated, units: Units) -> Frame:
    return Frame(
        survey=sim.survey,
        units=units,
        month=sim.month,
        neighbourhood=sim.neighbourhood,
        crime_group=sim.crime_group,
        ethnicity=sim.ethnicity,
        weight=sim.weight,
        answers=sim.answers,
    )


def generate_demo_responses(
    force: Force,
    seed: int,
    *,
    victims_per_year: int = VICTIMS_PER_YEAR,
    perception_per_year: int = PERCEPTION_PER_YEAR,
) -> int:
    """A plausible two force-years of synthetic responses; returns how many were created.

    Idempotent: a force that already has synthetic responses gets nothing more.
    """
    if SurveyResponse.objects.filter(force=force, synthetic=True).exists():
        return 0
    hoods = list(Neighbourhood.objects.filter(force=force).order_by("code"))
    if not hoods:
        return 0
    members: dict[int, list[int]] = {}
    for member_id, hood_id in TeamMember.neighbourhoods.through.objects.filter(
        teammember__force=force
    ).values_list("teammember_id", "neighbourhood_id"):
        members.setdefault(hood_id, []).append(member_id)
    rng = np.random.default_rng(seed)
    first = month_index(DEMO_LAST_MONTH) - DEMO_MONTHS + 1
    years = DEMO_MONTHS // 12
    created = 0
    ops = connection.ops
    no_extra = ops.adapt_json_value({}, None)
    now = ops.adapt_datetimefield_value(timezone.now())
    qn = ops.quote_name
    # only quoted constant identifiers in the text; every value is a parameter
    insert = (
        f"INSERT INTO {qn(SurveyResponse._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(c) for c in _COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    )
    with transaction.atomic():
        for survey, per_year in (("victim", victims_per_year), ("perception", perception_per_year)):
            sim = simulate(rng, survey, per_year * years, len(hoods), first, DEMO_MONTHS)
            rows: list[tuple[Any, ...]] = []
            comments: list[tuple[int, str]] = []
            for i in range(len(sim.month)):
                hood = hoods[int(sim.neighbourhood[i])]
                officer_id = None
                consent = False
                if survey == "victim":
                    team = members.get(hood.pk, [])
                    if team and rng.random() < 0.4:
                        officer_id = team[int(rng.integers(0, len(team)))]
                    consent = bool(rng.random() < 0.6)
                    if rng.random() < 0.1:
                        comments.append((i, _COMMENTS[int(rng.integers(0, len(_COMMENTS)))]))
                group = int(sim.crime_group[i])
                ethnic = int(sim.ethnicity[i])
                rows.append(
                    (
                        force.pk,
                        survey,
                        f"DEMO-{survey[0].upper()}-{i + 1:06d}",
                        ops.adapt_datefield_value(month_of(int(sim.month[i]))),
                        hood.pk,
                        "",
                        CRIME_GROUPS[group] if group >= 0 else "",
                        *[(int(sim.answers[q][i]) or None) for q in STATUTORY_QUESTIONS],
                        no_extra,
                        ETHNICITIES[ethnic] if ethnic >= 0 else "not_stated",
                        "not_stated",
                        round(float(sim.weight[i]), 4),
                        officer_id,
                        consent,
                        True,
                        now,
                    )
                )
            # Straight to the table: bulk_create's per-field preparation took seconds here
            with connection.cursor() as cursor:
                cursor.executemany(insert, rows)
            ids = dict(
                SurveyResponse.objects.filter(force=force, survey=survey).values_list(
                    "reference", "pk"
                )
            )
            if comments:
                ResponseComment.objects.bulk_create(
                    [
                        ResponseComment(
                            response_id=ids[f"DEMO-{survey[0].upper()}-{i + 1:06d}"], text=text
                        )
                        for i, text in comments
                    ]
                )
            saved = rows
            created += len(saved)
            if survey == "victim":
                recent = SurveyResponse.objects.filter(
                    force=force,
                    survey=survey,
                    month__gte=month_of(month_index(DEMO_LAST_MONTH) - 2),
                    officer__isnull=False,
                )
                create_recovery_tasks(list(recent))
        _demo_peers(force, rng)
    return created


# Invented "most similar forces", named as such: real forces' figures are never made up
_PEER_LEVELS = {
    "spi1e": (0.80, 3000),
    "spi1e-burglary": (0.85, 750),
    "spi1e-violent": (0.76, 1050),
    "spi1e-vehicle": (0.81, 900),
    "spi1e-rtc": (0.80, 300),
    "spi2a": (0.51, 4000),
    "matters": (0.56, 4000),
    "spi10b": (0.17, 4000),
}


def _demo_peers(force: Force, rng: np.random.Generator) -> None:
    peers = [(f"similar-force-{c}", f"Similar force {c.upper()} (synthetic)") for c in "abcdefg"]
    last = month_index(DEMO_LAST_MONTH)
    figures = []
    for peer_id, name in peers:
        shift = rng.normal(0.0, 0.03)
        size = rng.uniform(0.6, 1.6)
        for code, (level, n) in _PEER_LEVELS.items():
            for end in range(last - 11, last + 1):
                figures.append(
                    PeerFigure(
                        peer_force=peer_id,
                        peer_force_name=name,
                        indicator=code,
                        period_end=month_of(end),
                        value=round(float(np.clip(level + shift + rng.normal(0, 0.005), 0, 1)), 4),
                        respondents=int(n * size),
                    )
                )
    PeerFigure.objects.bulk_create(figures, ignore_conflicts=True)
    PeerGroup.objects.get_or_create(force=force, defaults={"members": [p[0] for p in peers]})
