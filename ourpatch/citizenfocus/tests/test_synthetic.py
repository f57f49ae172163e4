"""The demo's synthetic responses: marked, deterministic, idempotent, and plausible."""

from __future__ import annotations

import numpy as np
import pytest

from ourpatch.citizenfocus import indicators as ind
from ourpatch.citizenfocus.data import load_frame
from ourpatch.citizenfocus.models import PeerFigure, PeerGroup, SurveyResponse
from ourpatch.citizenfocus.synthetic import DEMO_LAST_MONTH, generate_demo_responses, simulate
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory


@pytest.mark.django_db
def test_demo_responses_are_synthetic_deterministic_and_idempotent() -> None:
    force = ForceFactory(id="west-yorkshire")
    for i in range(3):
        NeighbourhoodFactory(force=force, code=f"N{i}")
    created = generate_demo_responses(force, 2008, victims_per_year=300, perception_per_year=200)
    assert created == 1000  # two years
    assert not SurveyResponse.objects.filter(synthetic=False).exists()
    first = list(SurveyResponse.objects.order_by("reference").values_list("overall_satisfaction"))
    assert generate_demo_responses(force, 2008) == 0
    assert SurveyResponse.objects.count() == 1000
    assert PeerGroup.objects.get(force=force).members[0] == "similar-force-a"
    assert PeerFigure.objects.filter(peer_force_name__endswith="(synthetic)").count() == 7 * 8 * 12
    SurveyResponse.objects.all().delete()
    generate_demo_responses(force, 2008, victims_per_year=300, perception_per_year=200)
    again = list(SurveyResponse.objects.order_by("reference").values_list("overall_satisfaction"))
    assert again == first
    frame = load_frame(force, "victim")
    result = ind.compute(
        frame, ind.BY_CODE["spi1e"], ind.Period("12m", ind.month_index(DEMO_LAST_MONTH))
    )
    assert result.levels["force"].current.n[0] > 250


def test_simulated_levels_are_plausible() -> None:
    sim = simulate(np.random.default_rng(1), "victim", 20000, 50, 24300, 12)
    answered = sim.answers["overall_satisfaction"] > 0
    satisfied = np.isin(sim.answers["overall_satisfaction"], [1, 2, 3])
    rate = satisfied[answered].mean()
    assert 0.7 < rate < 0.9
    white = satisfied[answered & (sim.ethnicity == 0)].mean()
    bme = satisfied[answered & (sim.ethnicity == 1)].mean()
    assert 0.02 < white - bme < 0.1
