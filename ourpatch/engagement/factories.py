from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from ourpatch.engagement.models import EngagementKind, Meeting
from ourpatch.geography.factories import NeighbourhoodFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    kind = EngagementKind.PACT
    title = factory.Sequence(lambda n: f"PACT meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    venue = "Reginald Centre"
