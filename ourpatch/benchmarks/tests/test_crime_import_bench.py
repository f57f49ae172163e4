"""``ourpatch bench import``'s synthesised month is a file the real importer accepts whole."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from ourpatch.benchmarks import national
from ourpatch.benchmarks.crime_import import MONTH, synthesise
from ourpatch.crime.imports import import_police_uk
from ourpatch.geography.factories import ForceFactory


@pytest.mark.django_db
def test_synthesised_month_imports_cleanly(tmp_path):
    shapes = np.array([box(-1.6 + i * 0.1, 53.7, -1.55 + i * 0.1, 53.75) for i in range(3)])
    path = tmp_path / f"{MONTH}-england-and-wales-street.csv"
    points = synthesise(path, shapes, 600, seed=1)
    assert points > 0
    # as in the benchmark, whose national areas belong to this force (national.load_database)
    ForceFactory(id=national.FORCE_ID, name=national.FORCE_NAME)
    [report] = import_police_uk([path], commit=True)
    assert report.ok, report.as_text()
    assert report.read == report.created == 600
    assert report.forces_created == []
    assert report.outside_neighbourhoods == report.read - report.without_location  # no areas
    assert 0 < report.without_location < 60
    assert import_police_uk([path], commit=True)[0].unchanged == 600
