from __future__ import annotations

import datetime as dt

import factory

from ourpatch.calls.models import Appointment, Call, CallKind, CallOutcome, Grade
from ourpatch.geography.factories import ForceFactory

_START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


class CallFactory(factory.django.DjangoModelFactory):
    """A 999 emergency call answered in 5 s and attended 12 minutes after dispatch."""

    class Meta:
        model = Call

    force = factory.SubFactory(ForceFactory)
    call_id = factory.Sequence(lambda n: f"C{n:07d}")
    kind = CallKind.EMERGENCY
    received_at = factory.Sequence(lambda n: _START + dt.timedelta(minutes=37 * n))
    answered_at = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(seconds=5))
    graded_at = factory.LazyAttribute(lambda o: o.answered_at + dt.timedelta(minutes=2))
    dispatched_at = factory.LazyAttribute(lambda o: o.graded_at + dt.timedelta(minutes=1))
    arrived_at = factory.LazyAttribute(lambda o: o.dispatched_at + dt.timedelta(minutes=12))
    grade = Grade.EMERGENCY
    outcome = CallOutcome.ATTENDED
    eta_given = True
    neighbourhood = None


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    force = factory.SubFactory(ForceFactory)
    requested_at = factory.Sequence(lambda n: _START + dt.timedelta(hours=5 * n))
    appointment_at = factory.LazyAttribute(lambda o: o.requested_at + dt.timedelta(hours=24))
