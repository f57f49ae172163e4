"""factory_boy factories for crime data."""

from __future__ import annotations

import datetime as dt

import factory

from ourpatch.crime.models import Crime, Incident, MapPoint, Outcome, StopAndSearch
from ourpatch.geography.factories import ForceFactory


class MapPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MapPoint

    name = factory.Sequence(lambda n: f"On or near Street {n}")
    latitude = factory.Sequence(lambda n: round(53.79 + (n % 97) * 0.0001, 6))
    longitude = factory.Sequence(lambda n: round(-1.55 + (n % 89) * 0.0001, 6))


class CrimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crime

    key = factory.LazyAttribute(lambda o: o.persistent_id or f"asb:{o.serial:064x}")
    persistent_id = factory.Sequence(lambda n: f"{n:064x}")
    month = dt.date(2024, 1, 1)
    falls_within = factory.SubFactory(ForceFactory)
    reported_by = factory.LazyAttribute(lambda o: o.falls_within.name)
    map_point = factory.SubFactory(MapPointFactory)
    category = "burglary"
    crime_type = "Burglary"
    last_outcome = "no-further-action"
    last_outcome_category = "Investigation complete; no suspect identified"
    source_file = "factory"

    class Params:
        serial = factory.Sequence(lambda n: n)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    key = factory.Sequence(lambda n: f"outc:{n:064x}")
    persistent_id = factory.Sequence(lambda n: f"{n:064x}")
    month = dt.date(2024, 1, 1)
    falls_within = factory.SubFactory(ForceFactory)
    map_point = factory.SubFactory(MapPointFactory)
    outcome = "charged"
    outcome_type = "Suspect charged"


class StopAndSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StopAndSearch

    key = factory.Sequence(lambda n: f"stop:{n:064x}")
    month = dt.date(2024, 1, 1)
    datetime = dt.datetime(2024, 1, 5, 12, 0, tzinfo=dt.UTC)
    falls_within = factory.SubFactory(ForceFactory)
    map_point = factory.SubFactory(MapPointFactory)
    type = "Person search"
    gender = "Male"
    age_range = "18-24"
    legislation = "Misuse of Drugs Act 1971 (section 23)"
    object_of_search = "Controlled drugs"
    outcome = "A no further action disposal"


class IncidentFactory(factory.django.DjangoModelFactory):
    """A restricted incident with its exact location (tests only: the real ones are imported)."""

    class Meta:
        model = Incident

    force = factory.SubFactory(ForceFactory)
    incident_id = factory.Sequence(lambda n: f"INC{n:06d}")
    occurred_at = dt.datetime(2024, 1, 5, 21, 30, tzinfo=dt.UTC)
    month = dt.date(2024, 1, 1)
    category = "burglary"
    latitude = factory.Sequence(lambda n: round(53.7953 + (n % 83) * 0.00013, 7))
    longitude = factory.Sequence(lambda n: round(-1.5477 - (n % 79) * 0.00017, 7))
    map_point = factory.SubFactory(MapPointFactory)
