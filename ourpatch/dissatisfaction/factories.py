from __future__ import annotations

import datetime as dt

import factory

from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.factories import ForceFactory


class DissatisfactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dissatisfaction

    force = factory.SubFactory(ForceFactory)
    received_at = factory.Sequence(
        lambda n: dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC) + dt.timedelta(hours=7 * n)
    )
    channel = Channel.TELEPHONE
    category = Category.NOT_KEPT_INFORMED
    complainant_name = factory.Sequence(lambda n: f"Complainant {n}")
    summary = "Nobody told me what happened after I reported the burglary."
