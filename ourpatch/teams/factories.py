from __future__ import annotations

import factory

from ourpatch.geography.factories import ForceFactory
from ourpatch.teams.models import Location, Role, TeamMember


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
