"""Find a neighbourhood from whatever a resident types: a postcode, part of one, a place
name, or coordinates. One function, used by the search page and the API alike."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, Q

from ourpatch.geography.locate import (
    Area,
    BadCoordinates,
    in_uk,
    locate_point,
    locate_postcode,
    parse_lat_lng,
)
from ourpatch.geography.models import Neighbourhood, Postcode
from ourpatch.geography.postcodes import normalise

# An outward code ("LS1", "EC1A") or a sector ("LS1 4", "LS14")
_PARTIAL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s+([0-9]))?$")
_LAT_LNG = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
# Letters, digits, spaces and the punctuation of place names ("St. John's", "Heckmondwike-")
_PLACE = re.compile(r"^[\w\s.'’&,-]+$")

MAX_QUERY = 100
MAX_CHOICES = 20


@dataclass(frozen=True)
class Choice:
    area: Area
    detail: str = ""


@dataclass
class SearchOutcome:
    """Either one neighbourhood (go there), several to choose from, or a message."""

    query: str
    kind: Literal["empty", "match", "choices", "none", "invalid", "outside"]
    message: str = ""
    choices: list[Choice] = field(default_factory=list)
    note: str = ""

    @property
    def match(self) -> Area | None:
        return self.choices[0].area if self.kind == "match" else None


def _area_of(n: Neighbourhood) -> Area:
    return Area(n.pk, n.force_id, n.code, n.name)


def search(query: str, today: dt.date | None = None) -> SearchOutcome:
    text = " ".join(query.split())
    if not text:
        return SearchOutcome(query, "empty")
    if len(text) > MAX_QUERY:
        return SearchOutcome(
            query,
            "invalid",
            f"That is too long to be a postcode or place: {MAX_QUERY} characters at most.",
        )

    coordinates = _LAT_LNG.match(text)
    if coordinates:
        return search_point(coordinates.group(1), coordinates.group(2), query)

    full = normalise(text)
    if full is not None:
        return _full_postcode(query, full)

    partial = _PARTIAL.match(text.upper())
    if partial:
        return _partial_postcode(query, partial.group(1), partial.group(2))

    if not _PLACE.match(text):
        return SearchOutcome(
            query,
            "invalid",
            f"“{text}” is not a postcode or a place name. Enter a postcode such as LS1 4AP, "
            "or the name of a street, place or neighbourhood.",
        )
    return _place(query, text)


def search_point(latitude: str | float, longitude: str | float, query: str = "") -> SearchOutcome:
    try:
        lat, lng = parse_lat_lng(latitude, longitude)
    except BadCoordinates as error:
        return SearchOutcome(query, "invalid", f"Those coordinates cannot be used: {error}.")
    area = locate_point(lat, lng)
    if area is not None:
        return SearchOutcome(query, "match", choices=[Choice(area)])
    where = "in the United Kingdom" if in_uk(lat, lng) else "outside the United Kingdom"
    return SearchOutcome(
        query,
        "outside",
        f"That point ({lat:.5f}, {lng:.5f}) is {where}, but outside every neighbourhood "
        "ourpatch holds. Your local force's own website will list your team.",
    )


def _full_postcode(query: str, postcode: str) -> SearchOutcome:
    found = locate_postcode(postcode)
    if found is None:
        return SearchOutcome(
            query,
            "none",
            f"We could not find the postcode {postcode}. Check it, or try the first part "
            f"only ({postcode.split()[0]}) or the name of your street or area.",
        )
    if found.area is None:
        return SearchOutcome(
            query,
            "outside",
            f"{postcode} is outside every neighbourhood ourpatch holds. "
            "Your local force's own website will list your team.",
        )
    note = ""
    if found.terminated is not None:
        note = (
            f"{postcode} stopped being used in {found.terminated:%B %Y}; "
            "this is the neighbourhood where it was."
        )
    return SearchOutcome(query, "match", choices=[Choice(found.area)], note=note)


def _partial_postcode(query: str, outward: str, sector: str | None) -> SearchOutcome:
    prefix = outward + (" " + sector if sector else " ")
    rows = (
        Postcode.objects.filter(postcode__startswith=prefix, neighbourhood__isnull=False)
        .values(
            "neighbourhood_id",
            "neighbourhood__force_id",
            "neighbourhood__code",
            "neighbourhood__name",
        )
        .annotate(postcodes=Count("postcode"))
        .order_by("-postcodes", "neighbourhood__name")
    )
    shown = prefix.strip()
    choices = [
        Choice(
            Area(
                r["neighbourhood_id"],
                r["neighbourhood__force_id"],
                r["neighbourhood__code"],
                r["neighbourhood__name"],
            ),
            f"{r['postcodes']} postcode{'s' if r['postcodes'] != 1 else ''} in {shown}",
        )
        for r in rows[:MAX_CHOICES]
    ]
    if not choices:
        return SearchOutcome(
            query,
            "none",
            f"We found no postcodes starting {shown}. Check it, or enter your full postcode.",
        )
    more = f" (the first {MAX_CHOICES} are shown)" if len(choices) == MAX_CHOICES else ""
    plural = "s" if len(choices) != 1 else ""
    return SearchOutcome(
        query,
        "choices",
        f"{shown} covers {len(choices)} neighbourhood{plural}{more}."
        " Choose yours, or enter your full postcode.",
        choices,
    )


def _place(query: str, text: str) -> SearchOutcome:
    # Neighbourhood names first, then the areas they sit in (district, local authority).
    current = Neighbourhood.objects.current()
    named = current.filter(name__icontains=text)
    wider = current.filter(
        Q(bcu__name__icontains=text)
        | Q(lsoas__msoa__local_authority__name__icontains=text)
        | Q(lsoas__ward__name__icontains=text)
        | Q(bases__name__icontains=text)
    ).exclude(pk__in=named.values("pk"))
    found: list[Choice] = [Choice(_area_of(n)) for n in named.order_by("name")[:MAX_CHOICES]]
    if len(found) < MAX_CHOICES:
        found += [
            Choice(_area_of(n), "in " + text)
            for n in wider.distinct().order_by("name")[: MAX_CHOICES - len(found)]
        ]
    if not found:
        return SearchOutcome(
            query,
            "none",
            f"We found nothing called “{text}”. Try your postcode, such as LS1 4AP.",
        )
    exact = [c for c in found if c.area.name.lower() == text.lower()]
    if len(exact) == 1:
        return SearchOutcome(query, "match", choices=exact)
    if len(found) == 1:
        return SearchOutcome(query, "match", choices=found)
    return SearchOutcome(
        query, "choices", f"{len(found)} neighbourhoods match “{text}”. Choose yours.", found
    )
