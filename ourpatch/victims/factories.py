from __future__ import annotations

import datetime as dt

import factory

from ourpatch.geography.factories import ForceFactory
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.victims.models import UpdateAgreement, UpdateMethod, VictimUpdate


class UpdateAgreementFactory(factory.django.DjangoModelFactory):
    """A victim who asked for a telephone update every 14 days."""

    class Meta:
        model = UpdateAgreement

    force = factory.SubFactory(ForceFactory)
    officer = factory.SubFactory(TeamMemberFactory, force=factory.SelfAttribute("..force"))
    crime_reference = factory.Sequence(lambda n: f"13/{n:06d}/26")
    victim_name = factory.Sequence(lambda n: f"Victim {n}")
    victim_contact = "0113 496 0000"
    method = UpdateMethod.TELEPHONE
    frequency_days = 14
    agreed_at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


class VictimUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VictimUpdate

    agreement = factory.SubFactory(UpdateAgreementFactory)
    given_at = factory.LazyAttribute(lambda o: o.agreement.agreed_at + dt.timedelta(days=10))
    method = UpdateMethod.TELEPHONE
