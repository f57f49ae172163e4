"""A force's own incident export, with exact locations: restricted, audited, snapped to map points.

``ourpatch import incidents PATH [--commit]`` calls :func:`import_incidents`. The rows go to
:class:`~ourpatch.crime.models.Incident`, which only holders of ``Action.READ_INCIDENTS``
(the force's administrator and analysts) read, each read written to the audit log. Nothing
public ever shows an incident's coordinates: what may be published is the anonymous
:class:`~ourpatch.crime.models.MapPoint` it was snapped to.

The file
--------
CSV, UTF-8 (a byte-order mark is fine), a header row, one incident a row; CRLF line ends,
quoted fields and blank lines are fine. Column names are matched without regard to case or
surrounding spaces; no other columns are accepted.

=============  =========  =====================================================================
column         required   what
=============  =========  =====================================================================
force          yes        the force's police.uk id, as ourpatch knows it (``west-yorkshire``)
incident_id    yes        the force's own incident number, unique within the force (≤ 40)
occurred_at    yes        when it happened, ISO 8601 with its UTC offset or ``Z``:
                          ``2024-03-31T01:30:00+01:00``, ``2024-03-31T00:30:00Z``
category       yes        a police.uk category, by slug (``burglary``) or by name
                          (``Violence and sexual offences``)
latitude       either     WGS84 decimal degrees, with longitude
longitude
easting        or         British National Grid metres (EPSG:27700), with northing; used
northing                  where a row gives no latitude and longitude
=============  =========  =====================================================================

Each incident is:

- in the **month** it occurred in, in Europe/London time (an incident at 23:30 UTC on
  31 March 2024 happened at 00:30 BST on 1 April, so in April);
- **snapped** to the nearest map point within :data:`SNAP_METRES` (1 km), found by a KD-tree
  (``scipy.spatial.cKDTree``) over the map points' British National Grid coordinates; with
  none that near, to none (and nothing of it can be published);
- in the **neighbourhood** whose boundary version was valid on the first day of that month,
  and the **LSOA** whose boundary holds it (both by its exact position).

Like every ourpatch import: a dry run unless ``commit``; all or nothing (a file with any bad
row is refused whole, every problem named by line and field); idempotent (an incident is
keyed by force and incident_id: importing the file again changes nothing, and a row whose
values changed updates its incident). The import reads and writes incidents as the system,
and the audit log says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.utils import timezone
from pyproj import Transformer
from scipy.spatial import cKDTree

from ourpatch.audit.models import AuditAction
from ourpatch.audit.personal import SYSTEM, SystemReader, log
from ourpatch.crime import categories
from ourpatch.crime.models import Incident, MapPoint
from ourpatch.geography.imports import MAX_FILE_BYTES, ImportReport, _Bad, check_file
from ourpatch.geography.locate import UK_BOUNDS, NeighbourhoodIndex
from ourpatch.geography.models import LSOA, Force

# How far an incident may be from the map point it is published as
SNAP_METRES = 1000.0
REQUIRED = ("force", "incident_id", "occurred_at", "category")
COORDINATES = ("latitude", "longitude", "easting", "northing")
# British National Grid, with a margin (Shetland's northings reach 1,220 km)
GRID_EAST = (0.0, 700_000.0)
GRID_NORTH = (0.0, 1_300_000.0)
MAX_INCIDENT_ID = Incident._meta.get_field("incident_id").max_length or 40
# The fields compared to tell a changed incident from an unchanged one
COMPARED = (
    "occurred_at",
    "month",
    "category",
    "latitude",
    "longitude",
    "map_point_id",
    "neighbourhood_id",
    "lsoa_code",
)
PURPOSE = "incident import: compare the file with the incidents held"

_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_FROM_GRID = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@dataclass
class IncidentImportReport(ImportReport):
    """An :class:`ImportReport` with where the incidents went."""

    unsnapped: int = 0  # no map point within SNAP_METRES
    outside_neighbourhoods: int = 0
    without_lsoa: int = 0
    forces: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        text = super().as_text()
        if not self.ok:
            return text
        return (
            f"{text}\n  no map point within {SNAP_METRES:,.0f} m (never published) "
            f"{self.unsnapped}, outside every neighbourhood {self.outside_neighbourhoods}, "
            f"in no known LSOA {self.without_lsoa}"
        )


@dataclass
class _Row:
    line: int
    force_id: str
    incident_id: str
    occurred_at: dt.datetime
    month: dt.date
    category: str
    latitude: float
    longitude: float
    easting: float
    northing: float


def import_incidents(
    path: Path,
    *,
    commit: bool,
    max_bytes: int = MAX_FILE_BYTES,
    now: dt.datetime | None = None,
    actor: AbstractBaseUser | SystemReader = SYSTEM,
) -> IncidentImportReport:
    """Import a force's incident export (the columns are in this module's docstring)."""
    now = now or timezone.now()
    name = path.name
    report = IncidentImportReport("incidents", str(path), commit)
    try:
        rows = _read(path, name, max_bytes, report, now)
    except _Bad as bad:
        report.problem(str(bad))
        report.rejected += 1
        report.refuse()
        return report
    if not report.ok:
        report.refuse()
        return report
    try:
        with transaction.atomic():
            _apply(rows, name, report, actor)
            if not commit:
                transaction.set_rollback(True)
    except DatabaseError as error:
        report.problem(f"the database refused the import ({error}); nothing was imported")
        report.refuse()
        return report
    report.committed = commit
    return report


# --------------------------------------------------------------------------------------------
# Reading


def _lines(data: bytes, name: str) -> Iterator[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _Bad(
            f"{name} line {line}: not UTF-8 (byte 0x{data[error.start]:02X}); "
            "save the file as UTF-8"
        ) from None
    return iter(text.splitlines(keepends=True))


def _read(
    path: Path, name: str, max_bytes: int, report: IncidentImportReport, now: dt.datetime
) -> list[_Row]:
    check_file(path, name, max_bytes)
    reader = csv.reader(_lines(path.read_bytes(), name))
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
    except csv.Error as error:
        raise _Bad(f"{name} line 1: not CSV ({error})") from None
    if header is None:
        raise _Bad(f"{name}: the file is empty (no header row)")
    columns = [h.strip().casefold() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    has_degrees = {"latitude", "longitude"} <= set(columns)
    has_grid = {"easting", "northing"} <= set(columns)
    if not (has_degrees or has_grid):
        missing.append("latitude and longitude (or easting and northing)")
    if missing:
        raise _Bad(f"{name} line 1: missing column(s): {', '.join(missing)}")
    unknown = [
        h for h, c in zip(header, columns, strict=True) if c not in (*REQUIRED, *COORDINATES)
    ]
    if unknown:
        raise _Bad(
            f"{name} line 1: unexpected column(s) {', '.join(repr(u) for u in unknown)}; "
            f"the columns are {', '.join(REQUIRED)}, and latitude and longitude or easting "
            "and northing"
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise _Bad(f"{name} line 1: column(s) named twice: {', '.join(repeated)}")

    forces = set(Force.objects.values_list("id", flat=True))
    london = ZoneInfo(settings.TIME_ZONE)
    rows: list[_Row] = []
    first_line: dict[tuple[str, str], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not record or not any(v.strip() for v in record):
                continue
            report.read += 1
            if len(record) != len(columns):
                _bad(
                    report,
                    name,
                    line,
                    "the row",
                    f"{len(record)} fields, the header has "
                    f"{len(columns)} (an unquoted comma in a field?)",
                )
                continue
            values = {c: v.strip() for c, v in zip(columns, record, strict=True)}
            row = _row(values, line, name, report, forces, london, now)
            if row is None:
                continue
            key = (row.force_id, row.incident_id)
            if key in first_line:
                _bad(
                    report,
                    name,
                    line,
                    "incident_id",
                    f"{row.incident_id!r} of {row.force_id} again "
                    f"(first on line {first_line[key]})",
                )
                continue
            first_line[key] = line
            rows.append(row)
    except csv.Error as error:
        raise _Bad(f"{name} line {reader.line_num}: not CSV ({error})") from None
    return rows


def _bad(report: IncidentImportReport, name: str, line: int, column: str, text: str) -> None:
    report.problem(f"{name} line {line}, {column}: {text}")


def _row(
    values: dict[str, str],
    line: int,
    name: str,
    report: IncidentImportReport,
    forces: set[str],
    london: ZoneInfo,
    now: dt.datetime,
) -> _Row | None:
    problems = len(report.problems) + report.unlisted_problems

    def bad(column: str, text: str) -> None:
        _bad(report, name, line, column, text)

    force = values["force"]
    if not force:
        bad("force", "empty: whose incident is it?")
    elif force not in forces:
        bad("force", f"{force[:40]!r} is not a force ourpatch knows (its police.uk id)")
    incident_id = values["incident_id"]
    if not incident_id:
        bad("incident_id", "empty")
    elif len(incident_id) > MAX_INCIDENT_ID:
        bad("incident_id", f"{len(incident_id)} characters, at most {MAX_INCIDENT_ID}")

    text = values["occurred_at"]
    occurred: dt.datetime | None = None
    try:
        occurred = dt.datetime.fromisoformat(text)
    except ValueError:
        bad("occurred_at", f"{text[:40]!r} is not an ISO 8601 date and time")
    if occurred is not None and timezone.is_naive(occurred):
        bad(
            "occurred_at",
            f"{text[:40]!r} has no UTC offset: write it as {text[:19]}+01:00 (BST), "
            f"{text[:19]}+00:00 or {text[:19]}Z, so that it means one moment",
        )
        occurred = None
    if occurred is not None and occurred > now:
        bad("occurred_at", f"{text[:40]} is in the future")
        occurred = None

    category = categories.category_slug(values["category"])
    if category is None or category == categories.ALL_CRIME:
        bad("category", f"{values['category'][:60]!r} is not a police.uk crime category")

    lat = lng = easting = northing = math.nan
    if values.get("latitude") or values.get("longitude"):
        try:
            lat, lng = float(values.get("latitude", "")), float(values.get("longitude", ""))
            if not (math.isfinite(lat) and math.isfinite(lng)):
                raise ValueError
        except ValueError:
            bad(
                "latitude/longitude",
                f"{values.get('latitude', '')[:20]!r}, "
                f"{values.get('longitude', '')[:20]!r} are not numbers",
            )
            lat = lng = math.nan
        else:
            west, south, east, north = UK_BOUNDS
            if not (south <= lat <= north and west <= lng <= east):
                swapped = south <= lng <= north and west <= lat <= east
                hint = " (latitude and longitude swapped?)" if swapped else ""
                bad("latitude/longitude", f"({lat:g}, {lng:g}) is outside the United Kingdom{hint}")
                lat = lng = math.nan
            else:
                easting, northing = _TO_GRID.transform(lng, lat)
    elif values.get("easting") or values.get("northing"):
        try:
            easting, northing = float(values.get("easting", "")), float(values.get("northing", ""))
            if not (math.isfinite(easting) and math.isfinite(northing)):
                raise ValueError
        except ValueError:
            bad(
                "easting/northing",
                f"{values.get('easting', '')[:20]!r}, "
                f"{values.get('northing', '')[:20]!r} are not numbers",
            )
        else:
            if not (
                GRID_EAST[0] <= easting <= GRID_EAST[1]
                and GRID_NORTH[0] <= northing <= GRID_NORTH[1]
            ):
                bad(
                    "easting/northing",
                    f"({easting:g}, {northing:g}) is not on the British National Grid",
                )
            else:
                lng, lat = _FROM_GRID.transform(easting, northing)
                lat, lng = round(lat, 7), round(lng, 7)
    else:
        bad("latitude/longitude", "empty: give latitude and longitude, or easting and northing")

    if len(report.problems) + report.unlisted_problems > problems:
        report.rejected += 1
        return None
    assert occurred is not None and category is not None
    month = occurred.astimezone(london).date().replace(day=1)
    return _Row(line, force, incident_id, occurred, month, category, lat, lng, easting, northing)


# --------------------------------------------------------------------------------------------
# Placing and writing


def snap(eastings: np.ndarray, northings: np.ndarray) -> list[int | None]:
    """Each position's nearest map point within :data:`SNAP_METRES`, or None."""
    points = list(MapPoint.objects.values_list("id", "latitude", "longitude"))
    if not points or not len(eastings):
        return [None] * len(eastings)
    ids = np.array([p[0] for p in points], dtype=np.int64)
    xs, ys = _TO_GRID.transform(
        np.array([p[2] for p in points], dtype=float), np.array([p[1] for p in points], dtype=float)
    )
    tree = cKDTree(np.column_stack([xs, ys]))
    distance, nearest = tree.query(
        np.column_stack([eastings, northings]), distance_upper_bound=SNAP_METRES
    )
    return [
        int(ids[i]) if math.isfinite(d) else None for d, i in zip(distance, nearest, strict=True)
    ]


def lsoas_of(lats: np.ndarray, lngs: np.ndarray) -> list[str]:
    """The code of the LSOA whose boundary holds each point ("" in none known)."""
    found = [""] * len(lats)
    rows = list(LSOA.objects.filter(boundary__isnull=False).values_list("code", "boundary"))
    if not rows or not len(lats):
        return found
    shapes = np.array([r[1] for r in rows], dtype=object)
    tree = shapely.STRtree(shapes)
    points = shapely.points(lngs, lats)
    # pairs (point, LSOA); where two hold a point (an edge), the lower code wins, always
    which, holder = tree.query(points, predicate="intersects")
    codes = [r[0] for r in rows]
    for point, lsoa in sorted(
        zip(which.tolist(), holder.tolist(), strict=True), key=lambda p: (p[0], codes[p[1]])
    ):
        if not found[point]:
            found[point] = codes[lsoa]
    return found


def _apply(
    rows: list[_Row],
    name: str,
    report: IncidentImportReport,
    actor: AbstractBaseUser | SystemReader,
) -> None:
    eastings = np.array([r.easting for r in rows], dtype=float)
    northings = np.array([r.northing for r in rows], dtype=float)
    lats = np.array([r.latitude for r in rows], dtype=float)
    lngs = np.array([r.longitude for r in rows], dtype=float)
    points = snap(eastings, northings)
    lsoas = lsoas_of(lats, lngs)
    hoods: list[int | None] = [None] * len(rows)
    for month in sorted({r.month for r in rows}):
        index = NeighbourhoodIndex.build(month)
        chosen = [i for i, r in enumerate(rows) if r.month == month]
        located = index.locate_many(lats[chosen], lngs[chosen])
        for i, area in zip(chosen, located.tolist(), strict=True):
            hoods[i] = index.areas[area].neighbourhood_id if area >= 0 else None

    existing: dict[tuple[str, str], dict[str, Any]] = {}
    for force_id in sorted({r.force_id for r in rows}):
        numbers = [r.incident_id for r in rows if r.force_id == force_id]
        for at in range(0, len(numbers), 500):
            held = (
                Incident.objects.filter(force_id=force_id, incident_id__in=numbers[at : at + 500])
                .read_by(actor, PURPOSE)
                .values("id", "incident_id", *COMPARED)
            )
            for values in held:
                existing[(force_id, values["incident_id"])] = values

    new: list[Incident] = []
    changed: list[Incident] = []
    for row, point, lsoa, hood in zip(rows, points, lsoas, hoods, strict=True):
        report.unsnapped += point is None
        report.outside_neighbourhoods += hood is None
        report.without_lsoa += not lsoa
        values = {
            "occurred_at": row.occurred_at,
            "month": row.month,
            "category": row.category,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "map_point_id": point,
            "neighbourhood_id": hood,
            "lsoa_code": lsoa,
        }
        old = existing.get((row.force_id, row.incident_id))
        if old is None:
            new.append(
                Incident(
                    force_id=row.force_id,
                    incident_id=row.incident_id,
                    source_file=name[-200:],
                    **values,
                )
            )
        elif any(old[f] != v for f, v in values.items()):
            changed.append(
                Incident(
                    pk=old["id"],
                    force_id=row.force_id,
                    incident_id=row.incident_id,
                    source_file=name[-200:],
                    **values,
                )
            )
        else:
            report.unchanged += 1
    Incident.objects.bulk_create(new, batch_size=1000)
    fields = [f.removesuffix("_id") for f in COMPARED] + ["source_file"]
    Incident.objects.bulk_update(changed, fields, batch_size=1000)
    log(actor, AuditAction.CREATE, new, f"incident import: {name}")
    log(actor, AuditAction.UPDATE, changed, f"incident import: {name}", fields)
    report.created, report.changed = len(new), len(changed)
    report.forces = sorted({r.force_id for r in rows})


__all__ = ["SNAP_METRES", "IncidentImportReport", "import_incidents", "lsoas_of", "snap"]
