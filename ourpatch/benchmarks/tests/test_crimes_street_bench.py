"""``ourpatch bench crimes-street`` loads months that a national year is made of: the same map
points every month (as police.uk's), different crimes, each month a file the importer takes."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from shapely.geometry import box

from ourpatch.benchmarks import national
from ourpatch.benchmarks.crime_import import synthesise
from ourpatch.benchmarks.crimes_street import months_back
from ourpatch.crime.imports import import_police_uk
from ourpatch.crime.models import Crime, MapPoint
from ourpatch.geography.factories import ForceFactory


def test_months_end_with_the_last_and_run_oldest_first():
    assert months_back(3) == ["2025-04", "2025-05", "2025-06"]
    assert months_back(12)[0] == "2024-07" and len(set(months_back(12))) == 12


@pytest.mark.django_db
def test_each_month_has_the_same_map_points_and_its_own_crimes(tmp_path):
    shapes = np.array([box(-1.6 + i * 0.1, 53.7, -1.55 + i * 0.1, 53.75) for i in range(3)])
    ForceFactory(id=national.FORCE_ID, name=national.FORCE_NAME)
    places, ids = [], []
    for month in months_back(2):
        path = tmp_path / f"{month}-england-and-wales-street.csv"
        synthesise(path, shapes, 300, seed=1, month=month)
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert {r["Month"] for r in rows} == {month}
        places.append({(r["Latitude"], r["Longitude"], r["Location"]) for r in rows})
        ids.append({r["Crime ID"] for r in rows} - {""})
        [report] = import_police_uk([path], commit=True)
        assert report.ok and report.created == 300, report.as_text()
    assert not ids[0] & ids[1]
    # a point has the same place in both months, so the second adds only the points the
    # first happened not to use
    where: dict[str, tuple[str, str]] = {}
    for month_places in places:
        for lat, lng, name in month_places:
            if name != "No Location":
                assert where.setdefault(name, (lat, lng)) == (lat, lng)
    assert MapPoint.objects.count() == len(where)
    assert Crime.objects.count() == 600
