from __future__ import annotations

import factory
from django.utils import timezone

from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.problems.models import Priority, Problem, RaisedVia


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    issue = factory.Sequence(lambda n: f"Fly-tipping behind the shops ({n})")
    issue_date = factory.LazyFunction(timezone.now)
    raised_via = RaisedVia.ONLINE


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    title = factory.Sequence(lambda n: f"Fly-tipping on Back Street {n}")
    opened_at = factory.LazyFunction(timezone.now)
