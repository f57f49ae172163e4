"""factory_boy factories for geography, used by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from shapely.geometry import box

from ourpatch.geography.models import (
    LSOA,
    MSOA,
    BasicCommandUnit,
    Force,
    LocalAuthority,
    Neighbourhood,
    NeighbourhoodBoundary,
    Postcode,
    Ward,
)


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"test-force-{n}")
    name = factory.Sequence(lambda n: f"Test Force {n} Police")
    telephone = "101"


class BasicCommandUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasicCommandUnit

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"District {n}")


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    code = factory.Sequence(lambda n: f"E08{n:06d}")
    name = factory.Sequence(lambda n: f"Borough {n}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    code = factory.Sequence(lambda n: f"E05{n:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class MSOAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MSOA

    code = factory.Sequence(lambda n: f"E02{n:06d}")
    name = factory.Sequence(lambda n: f"Borough {n:03d}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class LSOAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LSOA

    code = factory.Sequence(lambda n: f"E01{n:06d}")
    name = factory.Sequence(lambda n: f"Borough {n:03d}A")
    msoa = factory.SubFactory(MSOAFactory)
    population = 1500
    households = 650


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"NH{n:04d}")
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    bcu = factory.SubFactory(BasicCommandUnitFactory, force=factory.SelfAttribute("..force"))
    population = 8000


class NeighbourhoodBoundaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeighbourhoodBoundary

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    boundary = factory.LazyFunction(lambda: box(-1.56, 53.79, -1.54, 53.81))
    centre_latitude = 53.8
    centre_longitude = -1.55
    valid_from = dt.date(2020, 1, 1)


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = factory.Sequence(lambda n: f"LS{n % 30 + 1} {n % 10}AB")
    compact = factory.LazyAttribute(lambda o: o.postcode.replace(" ", ""))
    latitude = 53.8
    longitude = -1.55
