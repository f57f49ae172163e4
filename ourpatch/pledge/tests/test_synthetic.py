"""The synthetic force-year: plausible figures, some breaches, some exclusions, repeatable."""

from __future__ import annotations

import datetime as dt

import pytest

from ourpatch.calls.models import Call
from ourpatch.geography.factories import BasicCommandUnitFactory, ForceFactory, NeighbourhoodFactory
from ourpatch.geography.models import AreaClass
from ourpatch.pledge.clocks import months_ending
from ourpatch.pledge.measures import measure
from ourpatch.pledge.rules import make_scope
from ourpatch.pledge.synthetic import Volumes, synthesise

pytestmark = pytest.mark.django_db

SMALL = Volumes(calls=3000, messages=600, agreements=120, dissatisfaction=60, duty_days=2)
MONTHS = months_ending(dt.date(2026, 6, 1), 3)


def _force(slug: str):
    force = ForceFactory(id=slug)
    unit = BasicCommandUnitFactory(force=force)
    for k in range(4):
        NeighbourhoodFactory(
            force=force,
            bcu=unit,
            code=f"{slug[:3]}{k}",
            area_class=AreaClass.RURAL if k == 3 else AreaClass.URBAN,
        )
    return force


def test_a_synthetic_force_year_gives_plausible_figures():
    force = _force("synthetic-one")
    made = synthesise(force, MONTHS, volumes=SMALL, seed=7, members_per_hood=6)
    assert made.calls == 3000 and made.messages == 600 and made.members == 24
    assert made.duties > 0 and made.updates > 0 and made.appointments > 0 and made.replies > 500
    measures = measure(make_scope(force, MONTHS, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)))
    year = {item: f.total(measures.force_unit) for item, f in measures.items.items()}
    for item in (3, 4, 5, 6, 9, 10):
        assert year[item].counted > 0, item
        assert 0.5 < year[item].rate < 1.0, (item, year[item].rate)  # mostly kept, not always
    # malformed records are excluded with their reasons, never counted silently
    assert year[5].excluded_total > 0
    assert year[6].excluded_total > 0


def test_the_same_seed_gives_the_same_records():
    first = _force("synthetic-two")
    second = _force("synthetic-three")
    volumes = Volumes(calls=200, messages=20, agreements=10, dissatisfaction=5)
    synthesise(first, MONTHS, volumes=volumes, seed=11, members_per_hood=2)
    synthesise(second, MONTHS, volumes=volumes, seed=11, members_per_hood=2)

    def calls(force):
        return list(
            Call.objects.filter(force=force)
            .order_by("call_id")
            .values_list("call_id", "received_at", "answered_at", "grade", "outcome")
        )

    assert calls(first) == calls(second)
