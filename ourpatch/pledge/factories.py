from __future__ import annotations

import datetime as dt

import factory

from ourpatch.geography.factories import ForceFactory
from ourpatch.pledge.models import Explanation, PledgeStandards


class PledgeStandardsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeStandards
        django_get_or_create = ("force",)

    force = factory.SubFactory(ForceFactory)


class ExplanationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Explanation

    force = factory.SubFactory(ForceFactory)
    item = 5
    record_key = factory.Sequence(lambda n: f"call:C{n:07d}")
    month = dt.date(2026, 3, 1)
    text = "Both cars were already committed to a serious collision on the ring road."
