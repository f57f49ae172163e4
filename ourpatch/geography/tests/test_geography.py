from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from shapely.geometry import MultiPolygon, Point, box

from ourpatch.geography.factories import NeighbourhoodBoundaryFactory, NeighbourhoodFactory
from ourpatch.geography.models import Neighbourhood, NeighbourhoodBoundary
from ourpatch.geography.postcodes import compact, normalise


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ls1 4ap", "LS1 4AP"),
        ("LS14AP", "LS1 4AP"),
        (" Ls1  4Ap ", "LS1 4AP"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
        ("BD1", None),
        ("LS1 4A", None),
        ("abc", None),
        ("LS1 4CI", None),  # C and I never appear in an inward code
        ("", None),
    ],
)
def test_postcodes_are_normalised_to_the_ons_form(typed: str, expected: str | None) -> None:
    assert normalise(typed) == expected


def test_compact_removes_every_space() -> None:
    assert compact(" Ls1  4Ap ") == "LS14AP"


@pytest.mark.django_db
def test_geometry_round_trips_exactly() -> None:
    shape = MultiPolygon([box(-1.6, 53.7, -1.5, 53.8), box(-1.4, 53.7, -1.3, 53.8)])
    version = NeighbourhoodBoundaryFactory(boundary=shape)
    fetched = NeighbourhoodBoundary.objects.get(pk=version.pk)
    assert fetched.boundary.equals(shape)
    assert fetched.boundary.contains(Point(-1.55, 53.75))


@pytest.mark.django_db
def test_a_point_is_not_a_boundary() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        NeighbourhoodBoundaryFactory(boundary=Point(-1.5, 53.8))


@pytest.mark.django_db
def test_boundary_versions_keep_history() -> None:
    area = NeighbourhoodFactory()
    old = NeighbourhoodBoundaryFactory(
        neighbourhood=area,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2024, 4, 1),
        boundary=box(0, 0, 1, 1),
    )
    new = NeighbourhoodBoundaryFactory(
        neighbourhood=area, valid_from=dt.date(2024, 4, 1), boundary=box(0, 0, 2, 2)
    )
    assert area.boundary_on(dt.date(2023, 6, 1)) == old
    assert area.boundary_on(dt.date(2024, 4, 1)) == new
    assert area.boundary_on(dt.date(2019, 12, 31)) is None
    # only one version may be open-ended
    with pytest.raises(IntegrityError), transaction.atomic():
        NeighbourhoodBoundaryFactory(neighbourhood=area, valid_from=dt.date(2025, 1, 1))


@pytest.mark.django_db
def test_neighbourhood_codes_are_unique_within_a_force_not_across() -> None:
    a = NeighbourhoodFactory(code="CENTRAL")
    NeighbourhoodFactory(code="CENTRAL")  # another force may use the same id
    with pytest.raises(IntegrityError), transaction.atomic():
        NeighbourhoodFactory(code="CENTRAL", force=a.force)


@pytest.mark.django_db
def test_current_neighbourhoods_follow_their_validity() -> None:
    live = NeighbourhoodFactory(valid_from=dt.date(2010, 1, 1))
    NeighbourhoodFactory(valid_from=dt.date(2010, 1, 1), valid_to=dt.date(2015, 1, 1))
    assert list(Neighbourhood.objects.current(dt.date(2020, 1, 1))) == [live]
