"""Explaining a Pledge breach: "if we fail … we will always explain why".

An explanation is attached to one breaching record and published beside the figure. The
team of the record's neighbourhood explains it; a record placed in no neighbourhood (a call
from outside every boundary) is explained by the force's administrator or a commander.
Explanations are public, so they must not identify anyone: text with an email address, a
telephone number, a postcode, a house number and street, or a titled name ("Mrs Patel")
is refused, saying what was found.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from ourpatch.accounts.permissions import Action, can
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.pledge.clocks import month_start
from ourpatch.pledge.models import Explanation
from ourpatch.pledge.rules import BY_ITEM, Breach, Rule, Scope, Tally, make_scope

MAX_LENGTH = 1000

_STREET_WORDS = (
    "street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|crescent|terrace|place|court|"
    "grove|gardens|walk|row|mews|square|hill|view|rise|park|green|parade|mount"
)
# What would identify someone in a public explanation, and how it is named back to the writer
IDENTIFYING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    (
        "a telephone number",
        re.compile(r"(?<![\w/])(?:\+44\s?|\(?0)(?:[\s()-]*\d){9,10}(?!\d)"),
    ),
    (
        "a postcode",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    ),
    (
        "a house number and street",
        # street names are capitalised; "2 units at the park" is not an address
        re.compile(rf"\b\d+[a-zA-Z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,3}}(?i:{_STREET_WORDS})\b"),
    ),
    (
        "a person's name",
        re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'-]+"),
    ),
)


class ExplanationRefused(ValueError):
    """The explanation cannot be published; the message says why."""


def identifying_details(text: str) -> list[str]:
    """What in ``text`` could identify someone: kinds, in words ("a postcode")."""
    return [name for name, pattern in IDENTIFYING if pattern.search(text)]


def check_text(text: str) -> str:
    """The explanation as it will be published, or ExplanationRefused."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ExplanationRefused("write the explanation: it is published with the figure")
    if len(cleaned) > MAX_LENGTH:
        raise ExplanationRefused(f"keep the explanation to {MAX_LENGTH} characters")
    found = identifying_details(cleaned)
    if found:
        raise ExplanationRefused(
            "explanations are public and must not identify anyone; remove " + " and ".join(found)
        )
    return cleaned


def _place_scope(place: Neighbourhood | Force, month: dt.date, now: dt.datetime | None) -> Scope:
    if isinstance(place, Neighbourhood):
        return make_scope(place.force, [month_start(month)], neighbourhood_ids=[place.pk], now=now)
    return make_scope(place, [month_start(month)], now=now)


def breaches_in(
    place: Neighbourhood | Force, rule: Rule, month: dt.date, now: dt.datetime | None = None
) -> list[Breach]:
    """The rule's breaches in the month: in the neighbourhood, or, for a force, those placed
    in no neighbourhood of it (which its administrator and commanders explain)."""
    found = rule.breaches(_place_scope(place, month, now))
    if isinstance(place, Neighbourhood):
        return found
    return [b for b in found if b.neighbourhood_id is None]


def tally_in(
    place: Neighbourhood | Force, rule: Rule, month: dt.date, now: dt.datetime | None = None
) -> Tally:
    """The rule's figure for the month over the same records as :func:`breaches_in`."""
    total = Tally()
    for (hood_id, _), tally in rule.tallies(_place_scope(place, month, now)).items():
        if isinstance(place, Neighbourhood) or hood_id is None:
            total.add(tally)
    return total


def find_breach(
    place: Neighbourhood | Force, item: int, month: dt.date, record_key: str, now: dt.datetime
) -> Breach | None:
    """The breach named by ``record_key``, if the record still misses its standard."""
    rule = BY_ITEM.get(item)
    if rule is None:
        return None
    return next(
        (b for b in breaches_in(place, rule, month, now) if b.record_key == record_key), None
    )


def place_name(place: Neighbourhood | Force) -> str:
    return place.name if isinstance(place, Neighbourhood) else f"no neighbourhood of {place.name}"


@transaction.atomic
def explain_breach(
    user: AbstractBaseUser | AnonymousUser,
    place: Neighbourhood | Force,
    item: int,
    month: dt.date,
    record_key: str,
    text: str,
    now: dt.datetime | None = None,
) -> Explanation:
    """Attach (or replace) the public explanation of one breach in a neighbourhood, or of
    one placed in no neighbourhood of a force (``place`` the force)."""
    if not can(user, Action.EXPLAIN_BREACH, place):
        raise ExplanationRefused(
            "you may not explain breaches in this neighbourhood"
            if isinstance(place, Neighbourhood)
            else "you may not explain this force's breaches placed in no neighbourhood"
        )
    now = now or timezone.now()
    published = check_text(text)
    breach = find_breach(place, item, month, record_key, now)
    if breach is None:
        raise ExplanationRefused(
            f"{record_key} is not a breach of Pledge item {item} in {place_name(place)} "
            f"in {month:%B %Y}"
        )
    neighbourhood = place if isinstance(place, Neighbourhood) else None
    explanation, _ = Explanation.objects.update_or_create(
        force=place if isinstance(place, Force) else place.force,
        item=item,
        record_key=record_key,
        defaults={
            "neighbourhood": neighbourhood,
            "month": breach.month,
            "text": published,
            "written_by": user if user.is_authenticated else None,
            "written_at": now,
        },
    )
    return explanation
