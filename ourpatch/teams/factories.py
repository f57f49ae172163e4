from __future__ import annotations

import datetime as dt

import factory

from ourpatch.geography.factories import ForceFactory
from ourpatch.teams.models import (
    Absence,
    AbsenceReason,
    Duty,
    DutyActivity,
    Location,
    Role,
    TeamMember,
)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember
        skip_postgeneration_save = True

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Alex Example {n}")
    role = Role.PCSO
    email = factory.Sequence(lambda n: f"officer{n}@police.example")
    languages = factory.LazyFunction(lambda: ["English"])

    @factory.post_generation
    def neighbourhoods(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.neighbourhoods.set(extracted)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Station {n}")
    address = "1 High Street, Leeds"
    postcode = "LS1 4AP"
    latitude = 53.8
    longitude = -1.55


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    member = factory.SubFactory(TeamMemberFactory)
    starts_on = factory.LazyFunction(lambda: dt.date.today())
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=7))
    reason = AbsenceReason.LEAVE


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    member = factory.SubFactory(TeamMemberFactory)
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC) + dt.timedelta(days=n)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=8))
    activity = DutyActivity.PATROL
    neighbourhood = None
