"""factory_boy factories for survey responses, peer figures and recovery tasks."""

from __future__ import annotations

import datetime as dt

import factory

from ourpatch.citizenfocus.models import (
    CrimeGroup,
    EthnicityGroup,
    PeerFigure,
    PeerGroup,
    RecoveryTask,
    ResponseComment,
    SurveyKind,
    SurveyResponse,
)
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    force = factory.SubFactory(ForceFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory, force=factory.SelfAttribute("..force"))
    survey = SurveyKind.VICTIM
    reference = factory.Sequence(lambda n: f"R{n:06d}")
    month = dt.date(2026, 10, 1)
    crime_group = CrimeGroup.BURGLARY
    overall_satisfaction = 2
    ethnicity = EthnicityGroup.WHITE
    weight = 1.0


class ResponseCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseComment

    response = factory.SubFactory(SurveyResponseFactory)
    text = "The officer was very helpful."


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup

    force = factory.SubFactory(ForceFactory)
    members = factory.LazyFunction(lambda: ["greater-manchester", "merseyside"])


class PeerFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerFigure

    peer_force = "greater-manchester"
    peer_force_name = "Greater Manchester Police"
    indicator = "spi1e"
    period_end = dt.date(2026, 10, 1)
    value = 0.78
    respondents = 1200


class RecoveryTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryTask

    response = factory.SubFactory(SurveyResponseFactory, overall_satisfaction=6)
