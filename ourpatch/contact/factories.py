from __future__ import annotations

import datetime as dt

import factory

from ourpatch.contact.models import Message, MessageReply
from ourpatch.geography.factories import NeighbourhoodFactory


class MessageFactory(factory.django.DjangoModelFactory):
    """A resident's message to a team, by the web form, with an email address to reply to."""

    class Meta:
        model = Message

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    sender_name = factory.Sequence(lambda n: f"Resident {n}")
    sender_email = factory.Sequence(lambda n: f"resident{n}@example.org")
    body = "Cars speed on Spencer Place every evening."
    received_at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


class MessageReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageReply

    message = factory.SubFactory(MessageFactory)
    body = "Thank you: we will patrol there this week."
    written_at = factory.LazyAttribute(lambda o: o.message.received_at + dt.timedelta(hours=2))
    method = "telephone"
