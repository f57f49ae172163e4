"""Crime counts on police and local-authority layers: how many crimes and anti-social
behaviour incidents fell within a force over a range of months, per neighbourhood, command
unit, LSOA, ward or local authority, with the rate per 1,000 residents where the population is
known. Staff compare areas on the police's own boundaries and on the council's (seed 15.2: the
South Yorkshire mapping service's "crime counts on police or local authority-based layers").

Every crime that falls within the force in the range is counted once: a crime no area of the
layer holds (no location; outside every neighbourhood; an LSOA the loaded boundaries do not
know) is counted as unassigned, with the reason, so the rows and the unassigned add up to the
total. Counting runs in the database, grouped by neighbourhood or LSOA code (a few thousand
groups at most); the groups are then gathered into wards and local authorities here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce

from ourpatch.crime import categories
from ourpatch.crime.models import Crime
from ourpatch.geography.models import LSOA, Force, Neighbourhood


class Layer(StrEnum):
    NEIGHBOURHOOD = "neighbourhood"
    COMMAND_UNIT = "command-unit"
    LSOA = "lsoa"
    WARD = "ward"
    LOCAL_AUTHORITY = "local-authority"

    @property
    def label(self) -> str:
        return LAYER_LABELS[self]

    @property
    def police(self) -> bool:
        """A police layer (neighbourhoods and command units) rather than a council's."""
        return self in (Layer.NEIGHBOURHOOD, Layer.COMMAND_UNIT)


LAYER_LABELS = {
    Layer.NEIGHBOURHOOD: "Neighbourhood",
    Layer.COMMAND_UNIT: "Command unit",
    Layer.LSOA: "LSOA",
    Layer.WARD: "Ward",
    Layer.LOCAL_AUTHORITY: "Local authority",
}

# Why a crime has no area in a layer
NO_NEIGHBOURHOOD = "no location, or outside every neighbourhood"
NO_COMMAND_UNIT = "in a neighbourhood with no command unit"
NO_LSOA = "no LSOA given (no location)"
UNKNOWN_LSOA = "an LSOA the loaded boundaries do not hold"
NO_WARD = "an LSOA with no ward"


@dataclass(frozen=True)
class AreaCount:
    code: str
    name: str
    crimes: int  # crimes and anti-social behaviour, of the category asked for
    asb: int
    population: int | None

    @property
    def per_thousand(self) -> float | None:
        """Crimes per 1,000 residents over the range (not a yearly rate)."""
        if not self.population:
            return None
        return 1000 * self.crimes / self.population


@dataclass
class LayerCounts:
    force: Force
    layer: Layer
    start: dt.date | None
    end: dt.date | None
    category: str  # a category slug, or all-crime
    areas: list[AreaCount] = field(default_factory=list)
    unassigned: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(a.crimes for a in self.areas) + sum(self.unassigned.values())

    @property
    def unassigned_rows(self) -> list[tuple[str, int]]:
        """(reason, crimes), by reason (a template cannot iterate a Counter's items)."""
        return sorted(self.unassigned.items())

    @property
    def category_name(self) -> str:
        return categories.CATEGORY_NAMES.get(self.category, self.category)


def latest_month(force: Force) -> dt.date | None:
    return Crime.objects.filter(falls_within=force).aggregate(m=Max("month"))["m"]


def crime_by_layer(
    force: Force,
    layer: Layer,
    start: dt.date,
    end: dt.date,
    category: str = categories.ALL_CRIME,
) -> LayerCounts:
    """Crimes falling within ``force`` from month ``start`` to ``end`` (inclusive), of
    ``category`` (a slug, or all-crime), counted per area of ``layer``, busiest first."""
    if category != categories.ALL_CRIME and category not in categories.CATEGORY_NAMES:
        raise ValueError(f"unknown crime category {category!r}")
    crimes = Crime.objects.filter(falls_within=force, month__gte=start, month__lte=end)
    if category != categories.ALL_CRIME:
        crimes = crimes.filter(category=category)
    asb = Count("id", filter=Q(category=categories.ANTI_SOCIAL_BEHAVIOUR))
    counts = LayerCounts(force, layer, start, end, category)
    if layer.police:
        grouped = crimes.values("neighbourhood_id").annotate(n=Count("id"), asb=asb)
        _police_areas(counts, {r["neighbourhood_id"]: (r["n"], r["asb"]) for r in grouped})
    else:
        grouped = crimes.values("lsoa_code", "lsoa_name").annotate(n=Count("id"), asb=asb)
        groups = [(r["lsoa_code"], r["lsoa_name"], r["n"], r["asb"]) for r in grouped]
        _council_areas(counts, groups)
    counts.areas.sort(key=lambda a: (-a.crimes, a.name, a.code))
    return counts


def _police_areas(counts: LayerCounts, by_hood: dict[int | None, tuple[int, int]]) -> None:
    missing = by_hood.pop(None, None)
    if missing:
        counts.unassigned[NO_NEIGHBOURHOOD] += missing[0]
    hoods = Neighbourhood.objects.filter(pk__in=list(by_hood)).select_related("bcu")
    if counts.layer == Layer.NEIGHBOURHOOD:
        for hood in hoods:
            n, asb = by_hood[hood.pk]
            counts.areas.append(AreaCount(hood.code, hood.name, n, asb, hood.population))
        return
    units: dict[int, list[int]] = {}
    names: dict[int, tuple[str, str]] = {}
    for hood in hoods:
        n, asb = by_hood[hood.pk]
        unit = hood.bcu
        if unit is None:
            counts.unassigned[NO_COMMAND_UNIT] += n
            continue
        tally = units.setdefault(unit.pk, [0, 0])
        tally[0] += n
        tally[1] += asb
        names[unit.pk] = (unit.code, unit.name)
    # a command unit's residents: those of all its current neighbourhoods
    people = dict(
        Neighbourhood.objects.current()
        .filter(bcu_id__in=list(units))
        .values_list("bcu_id")
        .annotate(p=Sum("population"))
    )
    for pk, (n, asb) in units.items():
        code, name = names[pk]
        counts.areas.append(AreaCount(code, name, n, asb, people.get(pk)))


def _council_areas(counts: LayerCounts, groups: list[tuple[str, str, int, int]]) -> None:
    codes = {code for code, _, _, _ in groups if code}
    lsoas = {
        lsoa.code: lsoa
        for lsoa in LSOA.objects.filter(code__in=codes)
        .select_related("ward__local_authority", "msoa__local_authority")
        .only(
            "code",
            "name",
            "population",
            "ward__code",
            "ward__name",
            "ward__local_authority__code",
            "ward__local_authority__name",
            "msoa__local_authority__code",
            "msoa__local_authority__name",
        )
    }
    areas: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for code, given_name, n, asb in groups:
        lsoa = lsoas.get(code)
        if not code:
            counts.unassigned[NO_LSOA] += n
            continue
        if counts.layer == Layer.LSOA:
            # an LSOA not loaded is still an LSOA: police.uk named it
            key, name = code, (lsoa.name if lsoa else given_name)
        elif lsoa is None:
            counts.unassigned[UNKNOWN_LSOA] += n
            continue
        elif counts.layer == Layer.WARD:
            if lsoa.ward is None:
                counts.unassigned[NO_WARD] += n
                continue
            key, name = lsoa.ward.code, lsoa.ward.name
        else:
            # the ward's local authority, else the MSOA's (every MSOA has one)
            authority = lsoa.ward.local_authority if lsoa.ward else lsoa.msoa.local_authority
            key, name = authority.code, authority.name
        tally = areas.setdefault(key, [0, 0])
        tally[0] += n
        tally[1] += asb
        names[key] = name
    people = _populations(counts.layer, list(areas))
    for key, (n, asb) in areas.items():
        counts.areas.append(AreaCount(key, names[key], n, asb, people.get(key)))


def _populations(layer: Layer, codes: list[str]) -> dict[str, int]:
    """Residents of each LSOA, ward or local authority: the sum of its LSOAs'. An area any of
    whose LSOAs has no population is left out: a partial sum would overstate the rate."""
    group: F | Coalesce
    if layer == Layer.LSOA:
        group = F("code")
        lsoas = LSOA.objects.filter(code__in=codes)
    elif layer == Layer.WARD:
        group = F("ward_id")
        lsoas = LSOA.objects.filter(ward_id__in=codes)
    else:
        group = Coalesce("ward__local_authority_id", "msoa__local_authority_id")
        lsoas = LSOA.objects.filter(
            Q(ward__local_authority_id__in=codes)
            | Q(ward__isnull=True, msoa__local_authority_id__in=codes)
        )
    rows = (
        lsoas.annotate(area=group)
        .values("area")
        .annotate(p=Sum("population"), n=Count("code"), known=Count("population"))
    )
    return {r["area"]: int(r["p"]) for r in rows if r["n"] and r["known"] == r["n"]}
