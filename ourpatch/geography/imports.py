"""Importing neighbourhood boundaries (police.uk KML, GeoJSON) and the ONS Postcode Directory.

One function per import, called alike by ``ourpatch import`` and by any staff screen:

- :func:`import_boundaries` reads a folder of police.uk ``<neighbourhood id>.kml`` files, one
  ``.kml`` file, or a GeoJSON FeatureCollection, for one force;
- :func:`import_postcodes` streams an ONS Postcode Directory CSV.

Both return an :class:`ImportReport`. The rules they share:

- **Dry run unless told to commit.** Without ``commit=True`` nothing is written; the report
  says what would change.
- **All or nothing.** A file with any bad row, feature or file is refused whole, with every
  problem listed (up to :data:`MAX_LISTED`), so nothing is ever dropped silently. A committed
  import runs in one transaction.
- **Idempotent.** Importing the same file again changes nothing: unchanged rows and boundaries
  are left untouched, and the report shows 0 created and 0 changed.
- **Bad input is a report, never a traceback**: oversized files are refused before they are
  read, XML is parsed by defusedxml (no entity expansion, no external entities), and every
  message names the file and the row, line, feature or field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
import numpy as np
import shapely
from defusedxml import DefusedXmlException
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ourpatch.geography import locate
from ourpatch.geography.models import (
    LSOA,
    Force,
    Neighbourhood,
    NeighbourhoodBoundary,
    Postcode,
)
from ourpatch.geography.postcodes import normalise

MB = 1024 * 1024
# Files larger than this are refused before a byte is read (the national ONSPD CSV is ~1.4 GB,
# so import it per postcode area, as ONS also publishes it, or raise the limit).
MAX_FILE_BYTES = 200 * MB
# A report lists this many problems and counts the rest.
MAX_LISTED = 1000

# The United Kingdom with a margin, and the Channel Islands (ONSPD covers them too).
WEST, SOUTH, EAST, NORTH = -8.75, 49.0, 1.95, 60.95

# ONSPD's latitude and longitude for a postcode with no grid reference.
NO_GRID_LATITUDE = 99.999999

NEIGHBOURHOOD_CODE_MAX = Neighbourhood._meta.get_field("code").max_length or 64
NEIGHBOURHOOD_NAME_MAX = Neighbourhood._meta.get_field("name").max_length or 200
SOURCE_MAX = NeighbourhoodBoundary._meta.get_field("source").max_length or 200

WHOLE_FILE_RULE = (
    "A file with any bad row, feature or file is refused whole: nothing was imported. "
    "Fix the problems below and import it again."
)


# --------------------------------------------------------------------------------------------
# The report


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), and why it refused a file if it did.

    ``read``: rows, features or files read. ``created``, ``changed``, ``unchanged``: what
    happened to them (for boundaries: a neighbourhood's boundary). ``repaired``: invalid
    boundaries made valid. ``rejected``: rows, features or files with a problem; one problem
    rejects the whole file, so when ``rejected`` (or any problem) is non-zero nothing was
    imported and ``created`` and ``changed`` are 0.
    """

    kind: str  # "boundaries" or "postcodes"
    source: str  # the file or folder, as its user knows it
    commit: bool  # asked to commit (otherwise a dry run)
    committed: bool = False  # the changes are in the database
    read: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    repaired: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)  # what happened, row by row or summed up
    problems: list[str] = field(default_factory=list)  # why the file was refused
    unlisted_problems: int = 0  # problems beyond MAX_LISTED, counted only

    @property
    def ok(self) -> bool:
        """True unless the file was refused."""
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(text)
        else:
            self.unlisted_problems += 1

    def note(self, text: str) -> None:
        self.messages.append(text)

    def refuse(self) -> None:
        """The file is refused: nothing was or would be created or changed."""
        self.created = self.changed = self.unchanged = 0
        self.committed = False

    def as_text(self) -> str:
        mode = "commit" if self.commit else "dry run"
        lines = [f"Import {self.kind} from {self.source} ({mode})"]
        if not self.ok:
            total = len(self.problems) + self.unlisted_problems
            lines.append(f"REJECTED: {total} problem{'s' if total != 1 else ''}. {WHOLE_FILE_RULE}")
            lines.append(f"read {self.read}, rejected {self.rejected}, repaired {self.repaired}")
            lines += [f"  - {p}" for p in self.problems]
            if self.unlisted_problems:
                lines.append(f"  … and {self.unlisted_problems} more problems, not listed")
            if self.messages:
                lines.append("Notes:")
                lines += [f"  {m}" for m in self.messages]
            return "\n".join(lines)
        if self.committed:
            lines.append("Imported.")
            verb_created, verb_changed = "created", "changed"
        else:
            lines.append(
                "Nothing was changed: this is what the import would do. Add --commit to import."
            )
            verb_created, verb_changed = "would create", "would change"
        lines.append(
            f"read {self.read}, {verb_created} {self.created}, {verb_changed} {self.changed}, "
            f"unchanged {self.unchanged}, repaired {self.repaired}, rejected {self.rejected}"
        )
        lines += [f"  {m}" for m in self.messages]
        return "\n".join(lines)


class _Bad(ValueError):
    """A problem with the input, worded for the person who supplied it."""


def _size_text(size: int) -> str:
    if size < MB // 10:
        # small sizes in bytes: "0.1 MB; the limit is 0.1 MB" would tell no one anything
        return f"{size:,} bytes"
    megabytes = size / MB
    if megabytes >= 10:
        return f"{math.ceil(megabytes)} MB"
    return f"{math.ceil(megabytes * 10) / 10:g} MB"


def _check_size(path: Path, label: str, max_bytes: int) -> None:
    """Refuse a file over the limit before reading any of it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise _Bad(f"{label}: file is {_size_text(size)}; the limit is {_size_text(max_bytes)}")


def check_file(path: Path, label: str, max_bytes: int) -> None:
    """Refuse a path that is not a file, or a file over the limit, before reading any of it."""
    if not path.is_file():
        raise _Bad(f"{label}: no such file")
    _check_size(path, label, max_bytes)


def file_refused(path: Path, label: str, max_bytes: int, report: ImportReport) -> bool:
    """:func:`check_file`, its problem put on ``report`` as one rejected file: is it refused?"""
    try:
        check_file(path, label, max_bytes)
    except _Bad as bad:
        report.problem(str(bad))
        report.rejected += 1
        return True
    return False


def _in_britain(lng: float, lat: float) -> bool:
    return WEST <= lng <= EAST and SOUTH <= lat <= NORTH


# --------------------------------------------------------------------------------------------
# Boundaries


@dataclass
class _Shape:
    """One neighbourhood's boundary, as read from a file, checked and repaired."""

    code: str
    name: str | None  # None: the file does not name it
    geometry: BaseGeometry
    source: str
    where: str  # how messages name it: "NH1.kml", "feature 3 (id 'NH1')"


@dataclass
class _Plan:
    shape: _Shape
    neighbourhood: Neighbourhood | None  # None: to be created
    open_version: NeighbourhoodBoundary | None
    action: str  # "new neighbourhood", "first boundary", "new version", "replace", "name", ""
    rename: bool = False


def import_boundaries(
    path: Path,
    force_id: str,
    *,
    commit: bool,
    today: dt.date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
) -> ImportReport:
    """Import a force's neighbourhood boundaries from police.uk KML or GeoJSON.

    ``path`` is a folder of ``<neighbourhood id>.kml`` files (police.uk's download, one
    force's folder), one ``.kml`` file, or a ``.geojson``/``.json`` FeatureCollection whose
    features have ``id`` and ``name`` properties. Invalid polygons are repaired with
    ``shapely.make_valid``, keeping the polygonal parts, and reported. A neighbourhood not yet
    known is created, valid from ``today``; a changed boundary becomes a new version from
    ``today`` (the previous one closes ``today``); an identical one is left alone.
    ``label`` names the file in messages (an uploaded file's original name).
    """
    today = today or timezone.localdate()
    report = ImportReport("boundaries", label or str(path), commit)
    force = Force.objects.filter(pk=force_id).first()
    if force is None:
        known = sorted(Force.objects.values_list("id", flat=True))
        report.problem(
            f"unknown force {force_id!r}; known: {', '.join(known) if known else 'none yet'}"
        )
        report.refuse()
        return report
    report.source = f"{report.source} for force {force.pk}"

    shapes = _read_boundaries(path, label or path.name, report, max_bytes)
    if report.ok:
        plans = _plan_boundaries(force, shapes, today, report)
    if not report.ok:
        report.refuse()
        return report
    if commit:
        try:
            with transaction.atomic():
                _apply_boundaries(force, plans, today)
        except IntegrityError as error:
            report.problem(f"the database refused the import ({error}); nothing was imported")
            report.refuse()
            return report
        report.committed = True
        locate.invalidate()
    return report


def _read_boundaries(path: Path, label: str, report: ImportReport, max_bytes: int) -> list[_Shape]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() == ".kml" and not p.name.startswith(".")
        )
        if not files:
            folders = sorted(p.name for p in path.iterdir() if p.is_dir())
            hint = (
                f" (it holds folders: {', '.join(folders[:5])}; give one force's folder)"
                if folders
                else ""
            )
            report.problem(f"{label}: no .kml files in this folder{hint}")
            report.rejected += 1
            return []
        others = [p for p in path.iterdir() if p not in files and not p.name.startswith(".")]
        if others:
            report.note(f"ignored {len(others)} item(s) in the folder that are not .kml files")
        shapes = []
        for file in files:
            shape = _read_one_kml(file, file.name, report, max_bytes)
            if shape is not None:
                shapes.append(shape)
        return shapes
    if not path.exists():
        report.problem(f"{label}: no such file or folder")
        report.rejected += 1
        return []
    suffix = path.suffix.lower()
    if suffix == ".kml":
        shape = _read_one_kml(path, label, report, max_bytes)
        return [shape] if shape is not None else []
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, label, report, max_bytes)
    hint = "; unzip it and give one force's folder" if suffix == ".zip" else ""
    report.problem(f"{label}: not a folder of .kml files, a .kml file or a .geojson file{hint}")
    report.rejected += 1
    return []


def _local(tag: Any) -> str:
    """An element's name without its namespace: KML 2.0, 2.1, 2.2 and none all occur."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _read_one_kml(file: Path, label: str, report: ImportReport, max_bytes: int) -> _Shape | None:
    report.read += 1
    try:
        _check_size(file, label, max_bytes)
        code = file.stem.strip()
        if not code:
            raise _Bad(f"{label}: the file name must be the neighbourhood's id")
        if len(code) > NEIGHBOURHOOD_CODE_MAX:
            raise _Bad(
                f"{label}: the id {code!r} is longer than {NEIGHBOURHOOD_CODE_MAX} characters"
            )
        root = _parse_kml(file.read_bytes(), label)
        geometry, ignored = _kml_geometry(root, label)
        name = _kml_name(root)
        if name is not None and name.casefold() == code.casefold():
            name = None  # a placemark named by its id names nothing: keep the stored name
        if name is not None and len(name) > NEIGHBOURHOOD_NAME_MAX:
            raise _Bad(f"{label}: the name is longer than {NEIGHBOURHOOD_NAME_MAX} characters")
        geometry = _checked_polygonal(geometry, label, code, report)
    except _Bad as bad:
        report.problem(str(bad))
        report.rejected += 1
        return None
    if ignored:
        report.note(f"{code} ({label}): ignored {', '.join(ignored)} beside its polygons")
    return _Shape(code, name, geometry, file.name, label)


def _parse_kml(data: bytes, label: str) -> Element:
    try:
        # defusedxml refuses entity declarations (billion laughs, quadratic blow-up) and
        # external entities and DTDs (reading local files, reaching the network).
        root: Element = safe_xml.fromstring(data)
        return root
    except DefusedXmlException as refused:
        raise _Bad(
            f"{label}: refused: the XML declares entities or fetches external resources "
            f"({type(refused).__name__}), which KML never needs (an entity-expansion "
            "'billion laughs' or external-entity attack looks like this)"
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        raise _Bad(
            f"{label} line {line}, column {column}: not well-formed XML ({reason})"
        ) from None


def _kml_name(root: Element) -> str | None:
    """The first Placemark's name, else the Document's; police.uk's files often have none."""
    for container in ("Placemark", "Document", "Folder"):
        for element in root.iter():
            if _local(element.tag) != container:
                continue
            for child in element:
                if _local(child.tag) == "name" and child.text and child.text.strip():
                    return " ".join(child.text.split())
            break
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _kml_geometry(root: Element, label: str) -> tuple[BaseGeometry, list[str]]:
    """Every <Polygon> in the file, as one Polygon or MultiPolygon."""
    polygons: list[Polygon] = []
    others: dict[str, int] = {}
    for number, element in enumerate((e for e in root.iter() if _local(e.tag) == "Polygon"), 1):
        where = f"{label} polygon {number}"
        outers = [
            r for b in _children(element, "outerBoundaryIs") for r in _children(b, "LinearRing")
        ]
        if len(outers) != 1:
            raise _Bad(
                f"{where}: needs exactly one <outerBoundaryIs><LinearRing>, found {len(outers)}"
            )
        inners = [
            r for b in _children(element, "innerBoundaryIs") for r in _children(b, "LinearRing")
        ]
        shell = _kml_ring(outers[0], f"{where} outer ring")
        holes = [_kml_ring(r, f"{where} inner ring {i}") for i, r in enumerate(inners, 1)]
        polygons.append(_polygon(shell, holes, where))
    for element in root.iter():
        kind = _local(element.tag)
        if kind in ("Point", "LineString", "Model", "Track"):
            others[kind] = others.get(kind, 0) + 1
    if not polygons:
        found = f" (found {', '.join(sorted(others))})" if others else ""
        raise _Bad(f"{label}: no Polygon or MultiGeometry of Polygons{found}")
    ignored = [f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(others.items())]
    geometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return geometry, ignored


def _kml_ring(ring: Element, where: str) -> list[tuple[float, float]]:
    coordinates = _children(ring, "coordinates")
    text = coordinates[0].text if coordinates else None
    if not text or not text.strip():
        raise _Bad(f"{where}: no <coordinates>")
    points = []
    for number, item in enumerate(text.split(), 1):
        parts = item.split(",")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            points.append((float(parts[0]), float(parts[1])))
        except ValueError:
            raise _Bad(
                f"{where}: coordinate {number} {item[:40]!r} is not longitude,latitude[,altitude]"
            ) from None
    return points


def _polygon(
    shell: list[tuple[float, float]], holes: list[list[tuple[float, float]]], where: str
) -> Polygon:
    for ring_number, ring in enumerate([shell, *holes]):
        name = "outer ring" if ring_number == 0 else f"inner ring {ring_number}"
        for lng, lat in ring:
            if not (math.isfinite(lng) and math.isfinite(lat)):
                raise _Bad(f"{where}: {name} has a coordinate that is not a finite number")
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                raise _Bad(
                    f"{where}: coordinate ({lng:g}, {lat:g}) is out of range: expected WGS84 "
                    "longitude,latitude in degrees (not eastings and northings)"
                )
            if not _in_britain(lng, lat):
                swapped = " (latitude and longitude swapped?)" if _in_britain(lat, lng) else ""
                raise _Bad(
                    f"{where}: coordinate ({lng:g}, {lat:g}) is outside the United Kingdom{swapped}"
                )
        closed = ring if ring[0] == ring[-1] else [*ring, ring[0]]
        if len(closed) < 4:
            raise _Bad(
                f"{where}: the {name} has {len(ring)} points; a ring needs at least 3 corners"
            )
    try:
        return Polygon(shell, holes)
    except (ValueError, shapely.errors.GEOSException) as error:
        raise _Bad(f"{where}: not a polygon ({error})") from None


def _polygonal_parts(geometry: BaseGeometry) -> list[Polygon]:
    if geometry.geom_type == "Polygon":
        return [geometry] if not geometry.is_empty else []
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in shapely.get_parts(geometry) for p in _polygonal_parts(part)]
    return []


def _checked_polygonal(
    geometry: BaseGeometry, where: str, code: str, report: ImportReport
) -> BaseGeometry:
    """The geometry, repaired when invalid (keeping only its polygonal parts), with a note."""
    if shapely.is_valid(geometry):
        if geometry.is_empty or geometry.area == 0:
            raise _Bad(f"{where}: the boundary encloses no area")
        return geometry
    reason = shapely.is_valid_reason(geometry)
    parts = _polygonal_parts(shapely.make_valid(geometry))
    if not parts:
        raise _Bad(f"{where}: the boundary is invalid ({reason}) and encloses no area")
    repaired = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not shapely.is_valid(repaired):
        repaired = shapely.union_all(parts)
    report.repaired += 1
    report.note(
        f"{code} ({where}): repaired an invalid boundary ({reason}); kept its polygonal "
        f"parts, {len(parts)} polygon{'s' if len(parts) > 1 else ''}"
    )
    return repaired


def _read_geojson(file: Path, label: str, report: ImportReport, max_bytes: int) -> list[_Shape]:
    try:
        _check_size(file, label, max_bytes)
        data = file.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise _Bad(f"{label} line {line}: not UTF-8 (byte 0x{data[error.start]:02X})") from None
        try:
            document = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise _Bad(
                f"{label} line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"
            ) from None
        except ValueError as error:
            raise _Bad(f"{label}: invalid JSON ({error})") from None
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise _Bad(f"{label}: not a GeoJSON FeatureCollection")
        crs = document.get("crs")
        if crs is not None and not _is_wgs84(crs):
            raise _Bad(
                f"{label}: uses the coordinate system {json.dumps(crs)[:80]}; only WGS84 "
                "longitude/latitude (RFC 7946) is accepted"
            )
        features = document.get("features")
        if not isinstance(features, list):
            raise _Bad(f"{label}: 'features' is missing or not a list")
    except _Bad as bad:
        report.problem(str(bad))
        report.rejected += 1
        return []

    shapes: list[_Shape] = []
    first_seen: dict[str, int] = {}
    for number, feature in enumerate(features, 1):
        report.read += 1
        try:
            shapes.append(_geojson_feature(feature, number, label, first_seen, report))
        except _Bad as bad:
            report.problem(str(bad))
            report.rejected += 1
    return shapes


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _is_wgs84(crs: Any) -> bool:
    name = crs.get("properties", {}).get("name", "") if isinstance(crs, dict) else ""
    return isinstance(name, str) and name.upper().replace("::", ":").endswith(
        ("CRS84", "EPSG:4326")
    )


def _geojson_feature(
    feature: Any, number: int, label: str, first_seen: dict[str, int], report: ImportReport
) -> _Shape:
    where = f"{label} feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _Bad(f"{where}: not a GeoJSON Feature")
    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    raw_id = properties.get("id", feature.get("id"))
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        raise _Bad(f"{where}: no id (an 'id' property naming the neighbourhood)")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise _Bad(f"{where}: the id must be text or a whole number, got {json.dumps(raw_id)[:40]}")
    code = str(raw_id).strip()
    where = f"{label} feature {number} (id {code!r})"
    if len(code) > NEIGHBOURHOOD_CODE_MAX:
        raise _Bad(f"{where}: the id is longer than {NEIGHBOURHOOD_CODE_MAX} characters")
    if code in first_seen:
        raise _Bad(f"{where}: the id is used again (first by feature {first_seen[code]})")
    first_seen[code] = number
    name = properties.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Bad(f"{where}: no name (a 'name' property)")
    name = " ".join(name.split())
    if len(name) > NEIGHBOURHOOD_NAME_MAX:
        raise _Bad(f"{where}: the name is longer than {NEIGHBOURHOOD_NAME_MAX} characters")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise _Bad(f"{where}: no geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        shape: BaseGeometry = _geojson_polygon(coordinates, where)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise _Bad(f"{where}: a MultiPolygon needs a list of polygons")
        shape = MultiPolygon(
            [_geojson_polygon(p, f"{where} polygon {i}") for i, p in enumerate(coordinates, 1)]
        )
    else:
        raise _Bad(f"{where}: a {kind or 'geometry without a type'}, not a Polygon or MultiPolygon")
    shape = _checked_polygonal(shape, where, code, report)
    return _Shape(code, name, shape, f"{label}#{code}"[:SOURCE_MAX], where)


def _geojson_polygon(coordinates: Any, where: str) -> Polygon:
    if not isinstance(coordinates, list) or not coordinates:
        raise _Bad(f"{where}: a Polygon needs a list of rings")
    rings = []
    for number, ring in enumerate(coordinates):
        name = "outer ring" if number == 0 else f"inner ring {number}"
        if not isinstance(ring, list) or not all(_is_position(p) for p in ring):
            raise _Bad(f"{where}: the {name} must be a list of [longitude, latitude] positions")
        rings.append([(float(p[0]), float(p[1])) for p in ring])
    return _polygon(rings[0], rings[1:], where)


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def _same_shape(old: BaseGeometry, new: BaseGeometry) -> bool:
    """Equal up to 1e-9 degrees, whatever the ring orientation, start point or part order."""
    if old.geom_type != new.geom_type:
        return False
    return bool(
        shapely.equals_exact(shapely.normalize(old), shapely.normalize(new), tolerance=1e-9)
    )


def _plan_boundaries(
    force: Force, shapes: list[_Shape], today: dt.date, report: ImportReport
) -> list[_Plan]:
    """Decide what each shape does, without writing; report it."""
    known = {n.code: n for n in Neighbourhood.objects.filter(force=force)}
    open_versions = {
        v.neighbourhood_id: v
        for v in NeighbourhoodBoundary.objects.filter(
            neighbourhood__force=force, valid_to__isnull=True
        )
    }
    plans: list[_Plan] = []
    for shape in shapes:
        hood = known.get(shape.code)
        if hood is None:
            named = shape.name or shape.code
            unnamed = "" if shape.name else " (the file gives no name: named after its id)"
            report.created += 1
            report.note(
                f"{shape.code} {named!r}: new neighbourhood, boundary from {today}{unnamed}"
            )
            plans.append(_Plan(shape, None, None, "new neighbourhood"))
            continue
        rename = shape.name is not None and shape.name != hood.name
        version = open_versions.get(hood.pk)
        if version is not None and version.valid_from > today:
            report.problem(
                f"{shape.where}: neighbourhood {shape.code}'s current boundary starts on "
                f"{version.valid_from}, after the import date {today}"
            )
            report.rejected += 1
            continue
        if version is None:
            action = "first boundary"
            report.created += 1
            report.note(f"{shape.code} {hood.name!r}: boundary from {today} (it had none open)")
        elif not _same_shape(version.boundary, shape.geometry):
            action = "replace" if version.valid_from == today else "new version"
            report.changed += 1
            if action == "replace":
                report.note(
                    f"{shape.code} {hood.name!r}: boundary changed; today's version is replaced"
                )
            else:
                report.note(
                    f"{shape.code} {hood.name!r}: boundary changed; new version from {today}, "
                    f"the one from {version.valid_from} ends {today}"
                )
        elif rename:
            action = "name"
            report.changed += 1
        else:
            action = ""
            report.unchanged += 1
        if rename:
            report.note(f"{shape.code}: renamed {hood.name!r} → {shape.name!r}")
        plans.append(_Plan(shape, hood, version, action, rename))

    absent = sorted(set(known) - {s.code for s in shapes})
    if absent and report.ok:
        listed = ", ".join(absent[:20]) + (
            f" and {len(absent) - 20} more" if len(absent) > 20 else ""
        )
        report.note(
            f"{len(absent)} of {force.pk}'s neighbourhoods are not in this import and are "
            f"left as they are: {listed}"
        )
    return plans


def _apply_boundaries(force: Force, plans: list[_Plan], today: dt.date) -> None:
    now = timezone.now()
    for plan in plans:
        shape = plan.shape
        if not plan.action:
            continue
        hood = plan.neighbourhood
        if hood is None:
            hood = Neighbourhood.objects.create(
                force=force, code=shape.code, name=shape.name or shape.code, valid_from=today
            )
        elif plan.rename and shape.name is not None:
            hood.name = shape.name
            hood.save(update_fields=["name"])
        if plan.action == "name":
            continue
        centre = shape.geometry.representative_point()
        fields = {
            "boundary": shape.geometry,
            "centre_latitude": round(centre.y, 6),
            "centre_longitude": round(centre.x, 6),
            "source": shape.source[:SOURCE_MAX],
            "imported_at": now,
        }
        version = plan.open_version
        if plan.action == "replace" and version is not None:
            for name, value in fields.items():
                setattr(version, name, value)
            version.save(update_fields=list(fields))
            continue
        if plan.action == "new version" and version is not None:
            version.valid_to = today
            version.save(update_fields=["valid_to"])
        NeighbourhoodBoundary.objects.create(neighbourhood=hood, valid_from=today, **fields)


# --------------------------------------------------------------------------------------------
# Postcodes

# Column names, matched case-insensitively; the first present wins.
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2")
LSOA_COLUMNS = ("lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd")
LOCAL_AUTHORITY_COLUMNS = ("laua", "lad25cd", "lad24cd", "lad23cd", "lad22cd", "lad21cd", "oslaua")
_LAD = re.compile(r"^lad\d{2}cd$")
_DOTERM = re.compile(r"^(\d{4})(\d{2})$")
_CODE = re.compile(r"^[A-Z0-9]{1,9}$")
# A postcode already in the ONS form: normalise() would return it unchanged.
_PCDS = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")

# Rows are checked, located and compared a chunk at a time, so memory stays flat.
CHUNK_ROWS = 10_000
# Keys per query (SQLite's oldest builds allow 999 parameters).
QUERY_KEYS = 900


@dataclass
class _Columns:
    postcode: list[int]
    postcode_names: list[str]
    lat: int | None
    lng: int | None
    easting: int | None
    northing: int | None
    lsoa: list[int]
    local_authority: int | None
    doterm: int | None
    used: list[str]


@dataclass
class _Row:
    line: int
    postcode: str
    lat: float  # nan when missing
    lng: float
    easting: int | None
    northing: int | None
    lsoa_codes: list[str]
    local_authority: str
    terminated: dt.date | None


@dataclass
class _PostcodeTally:
    terminated: int = 0
    no_coordinates: int = 0
    converted: int = 0
    by_lsoa: int = 0
    no_neighbourhood: int = 0
    unknown_lsoa: int = 0
    unknown_lsoa_examples: list[str] = field(default_factory=list)


class _Rollback(Exception):
    """Undo a committed import's chunks once a later chunk turns up a problem."""


def import_postcodes(
    path: Path,
    *,
    commit: bool,
    today: dt.date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import (upsert) postcodes from an ONS Postcode Directory CSV, streamed.

    Columns are found case-insensitively: the postcode from ``pcds`` (else ``pcd``,
    ``pcd2``), coordinates from ``lat``/``long`` (ONSPD's 99.999999/0 means none) else from
    ``oseast1m``/``osnrth1m``, the LSOA from ``lsoa21``/``lsoa11`` when that LSOA is in the
    database, the local authority from ``laua``/``ladNNcd``, termination from ``doterm``.
    Each postcode is placed in the neighbourhood whose boundary (valid ``today``) contains it,
    else in the neighbourhood made of its LSOA. A column the file lacks leaves that field of
    existing postcodes as it is.
    """
    today = today or timezone.localdate()
    name = label or path.name
    report = ImportReport("postcodes", label or str(path), commit)
    if file_refused(path, name, max_bytes, report):
        report.refuse()
        return report

    try:
        with transaction.atomic(), path.open("rb") as stream:
            _PostcodeImport(report, name, commit, today, chunk_rows).run(stream)
            if commit and not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError as error:
        report.problem(f"the database refused the import ({error}); nothing was imported")
    if not report.ok:
        report.refuse()
        return report
    report.committed = commit
    return report


class _PostcodeImport:
    def __init__(
        self, report: ImportReport, name: str, commit: bool, today: dt.date, chunk_rows: int
    ) -> None:
        self.report = report
        self.name = name
        self.commit = commit
        self.today = today
        self.chunk_rows = max(1, chunk_rows)
        self.tally = _PostcodeTally()
        self.seen: dict[str, int] = {}

    def bad(self, line: int, text: str) -> None:
        self.report.problem(f"{self.name} row {line}: {text}")

    def run(self, stream: BinaryIO) -> None:
        reader = csv.reader(_utf8_lines(stream, self.name, self.report))
        try:
            header = next(reader, None)
            if header is None:
                raise _Bad(f"{self.name}: the file is empty (no header row)")
            columns = _find_columns(header, self.name)
        except _Bad as bad:
            self.report.problem(str(bad))
            self.report.rejected += 1
            return
        except csv.Error as error:
            self.report.problem(f"{self.name} line 1: not CSV ({error})")
            self.report.rejected += 1
            return
        self.columns = columns
        self.prepare()
        chunk: list[_Row] = []
        width = len(header)
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                self.report.read += 1
                row = self.parse(record, reader.line_num, width)
                if row is None:
                    self.report.rejected += 1
                    continue
                chunk.append(row)
                if len(chunk) >= self.chunk_rows:
                    self.process(chunk)
                    chunk = []
        except csv.Error as error:
            self.report.problem(f"{self.name} row {reader.line_num}: not CSV ({error})")
            self.report.rejected += 1
            return
        if chunk:
            self.process(chunk)
        self.summarise()

    def prepare(self) -> None:
        """What the import needs from the database, loaded once."""
        self.index = locate.NeighbourhoodIndex.build(self.today)
        self.area_ids = np.array([a.neighbourhood_id for a in self.index.areas], dtype=np.int64)
        self.lsoa_codes = set(LSOA.objects.values_list("code", flat=True))
        hoods_of: dict[str, set[int]] = {}
        through = Neighbourhood.lsoas.through
        current = Neighbourhood.objects.current(self.today).values("pk")
        for lsoa_id, hood_id in through.objects.filter(neighbourhood__in=current).values_list(
            "lsoa_id", "neighbourhood_id"
        ):
            hoods_of.setdefault(lsoa_id, set()).add(hood_id)
        # Only where the LSOA lies in one neighbourhood: a split LSOA says nothing.
        self.hood_of_lsoa = {c: next(iter(h)) for c, h in hoods_of.items() if len(h) == 1}
        c = self.columns
        self.fields = list(POSTCODE_FIELDS)
        self.fields += ["easting", "northing"] if c.easting is not None else []
        self.fields += ["lsoa_id"] if c.lsoa else []
        self.fields += ["local_authority_code"] if c.local_authority is not None else []
        self.fields += ["terminated"] if c.doterm is not None else []
        self.codes_seen: set[str] = set()
        self.gb_grid = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        # ONSPD gives Northern Ireland's grid references on the Irish Grid.
        self.irish_grid = Transformer.from_crs("EPSG:29903", "EPSG:4326", always_xy=True)

    def parse(self, record: list[str], line: int, width: int) -> _Row | None:
        """One CSV row, checked; None (with its problems reported) if it is bad."""
        c = self.columns
        if len(record) != width:
            self.bad(line, f"{len(record)} fields, but the header has {width}")
            return None
        raw = record[c.postcode[0]].strip()
        if not raw and len(c.postcode) > 1:
            raw = next((record[i].strip() for i in c.postcode if record[i].strip()), "")
        if not raw:
            self.bad(line, f"no postcode ({' or '.join(c.postcode_names)} is empty)")
            return None
        # ONSPD's pcds is already in the ONS form: skip normalising it (the hot path).
        postcode = raw if _PCDS.match(raw) else normalise(raw)
        if postcode is None:
            self.bad(line, f"{raw[:20]!r} is not a postcode")
            return None
        where = f"({postcode})"
        ok = True
        first = self.seen.setdefault(postcode, line)
        if first != line:
            self.bad(line, f"{where} appears again (first on row {first})")
            ok = False

        lat = lng = math.nan
        if c.lat is not None and c.lng is not None:
            text_lat, text_lng = record[c.lat].strip(), record[c.lng].strip()
            if text_lat or text_lng:
                try:
                    lat, lng = float(text_lat), float(text_lng)
                except ValueError:
                    self.bad(
                        line,
                        f"{where} lat/long {text_lat[:20]!r}, {text_lng[:20]!r} are not numbers",
                    )
                    return None
                if SOUTH <= lat <= NORTH and WEST <= lng <= EAST:
                    pass
                elif abs(lat - NO_GRID_LATITUDE) < 1e-9:
                    lat = lng = math.nan  # ONSPD: no grid reference
                else:
                    self.bad(line, f"{where} {_outside(lat, lng)}")
                    ok = False

        easting = northing = None
        if c.easting is not None and c.northing is not None:
            text_e, text_n = record[c.easting].strip(), record[c.northing].strip()
            if text_e or text_n:
                try:
                    e, n = float(text_e), float(text_n)
                except ValueError:
                    self.bad(
                        line,
                        f"{where} oseast1m/osnrth1m {text_e[:20]!r}, {text_n[:20]!r} "
                        "are not numbers",
                    )
                    return None
                if 0 <= e <= 800_000 and 0 <= n <= 1_400_000:
                    easting, northing = round(e), round(n)
                else:
                    self.bad(line, f"{where} oseast1m/osnrth1m {text_e}, {text_n} are out of range")
                    ok = False

        terminated = None
        if c.doterm is not None:
            text = record[c.doterm].strip()
            if text:
                terminated = _year_month(text)
                if terminated is None:
                    self.bad(line, f"{where} doterm {text[:20]!r} is not a year and month (YYYYMM)")
                    ok = False

        local_authority = ""
        if c.local_authority is not None:
            local_authority = record[c.local_authority].strip().upper()
            if local_authority and not self.is_code(local_authority):
                self.bad(
                    line,
                    f"{where} local authority code {local_authority[:20]!r} is not an ONS code",
                )
                ok = False
        lsoa_codes = [record[i].strip().upper() for i in c.lsoa]
        lsoa_codes = [code for code in lsoa_codes if code]
        for code in lsoa_codes:
            if not self.is_code(code):
                self.bad(line, f"{where} LSOA code {code[:20]!r} is not an ONS code")
                ok = False
        if not ok:
            return None
        return _Row(
            line, postcode, lat, lng, easting, northing, lsoa_codes, local_authority, terminated
        )

    def is_code(self, code: str) -> bool:
        """An ONS code's shape (remembered: each code recurs on many rows)."""
        if code in self.codes_seen:
            return True
        if _CODE.match(code):
            self.codes_seen.add(code)
            return True
        return False

    def process(self, rows: list[_Row]) -> None:
        """Place a chunk of good rows, compare with the database, write if committing."""
        if not self.report.ok:
            return  # the file is refused already: just keep checking the rows
        count = len(rows)
        lats = np.fromiter((r.lat for r in rows), dtype=np.float64, count=count)
        lngs = np.fromiter((r.lng for r in rows), dtype=np.float64, count=count)
        self.convert_grid(rows, lats, lngs)
        if not self.report.ok:
            return
        located = np.isfinite(lats) & np.isfinite(lngs)
        self.tally.no_coordinates += int((~located).sum())
        hood = np.full(count, -1, dtype=np.int64)
        if len(self.index) and located.any():
            found = self.index.locate_many(lats[located], lngs[located])
            hood[located] = np.where(found >= 0, self.area_ids[np.maximum(found, 0)], -1)
        lat_list = np.round(lats, 6).tolist()
        lng_list = np.round(lngs, 6).tolist()
        hood_list = hood.tolist()
        is_located = located.tolist()

        c, tally, known_lsoas = self.columns, self.tally, self.lsoa_codes
        wanted: dict[str, tuple[Any, ...]] = {}
        for i, row in enumerate(rows):
            lsoa = next((code for code in row.lsoa_codes if code in known_lsoas), None)
            if row.lsoa_codes and lsoa is None:
                tally.unknown_lsoa += 1
                examples = tally.unknown_lsoa_examples
                if len(examples) < 5 and row.lsoa_codes[0] not in examples:
                    examples.append(row.lsoa_codes[0])
            neighbourhood = hood_list[i] if hood_list[i] >= 0 else None
            if neighbourhood is None and lsoa is not None:
                neighbourhood = self.hood_of_lsoa.get(lsoa)
                if neighbourhood is not None:
                    tally.by_lsoa += 1
            if neighbourhood is None:
                tally.no_neighbourhood += 1
            if row.terminated is not None:
                tally.terminated += 1
            values: tuple[Any, ...] = (
                lat_list[i] if is_located[i] else None,
                lng_list[i] if is_located[i] else None,
                neighbourhood,
            )
            if c.easting is not None:
                values += (row.easting, row.northing)
            if c.lsoa:
                values += (lsoa,)
            if c.local_authority is not None:
                values += (row.local_authority,)
            if c.doterm is not None:
                values += (row.terminated,)
            wanted[row.postcode] = values
        self.compare_and_write(wanted)

    def convert_grid(self, rows: list[_Row], lats: np.ndarray, lngs: np.ndarray) -> None:
        """Latitude and longitude from the grid reference where the file gives none."""
        missing = ~(np.isfinite(lats) & np.isfinite(lngs))
        if not missing.any():
            return
        todo = np.array([i for i in np.flatnonzero(missing) if rows[i].easting is not None])
        if len(todo) == 0:
            return
        irish = np.array([rows[i].postcode.startswith("BT") for i in todo], dtype=bool)
        for transformer, selected in ((self.gb_grid, todo[~irish]), (self.irish_grid, todo[irish])):
            if len(selected) == 0:
                continue
            eastings = np.array([rows[i].easting for i in selected], dtype=np.float64)
            northings = np.array([rows[i].northing for i in selected], dtype=np.float64)
            x, y = transformer.transform(eastings, northings)
            lngs[selected] = np.asarray(x, dtype=np.float64)
            lats[selected] = np.asarray(y, dtype=np.float64)
        for i in todo:
            if not (math.isfinite(lats[i]) and _in_britain(float(lngs[i]), float(lats[i]))):
                row = rows[i]
                self.bad(
                    row.line,
                    f"({row.postcode}) oseast1m/osnrth1m {row.easting}, {row.northing} are "
                    "outside the United Kingdom",
                )
                self.report.rejected += 1
        self.tally.converted += len(todo)

    def compare_and_write(self, wanted: dict[str, tuple[Any, ...]]) -> None:
        """Count what is new, changed or the same; write the new and changed rows in bulk."""
        fields = self.fields
        existing = _existing_postcodes(list(wanted), fields)
        to_create: list[tuple[Any, ...]] = []
        to_update: list[tuple[Any, ...]] = []
        for postcode, values in wanted.items():
            current = existing.get(postcode)
            if current is None:
                to_create.append((postcode, postcode.replace(" ", ""), *values))
            elif current != values:
                to_update.append((*values, postcode))
            else:
                self.report.unchanged += 1
        self.report.created += len(to_create)
        self.report.changed += len(to_update)
        if self.commit and (to_create or to_update):
            _write_postcodes(fields, to_create, to_update)

    def summarise(self) -> None:
        t, note = self.tally, self.report.note
        note(f"columns used: {', '.join(self.columns.used)}")
        if not self.report.ok:
            return  # the tallies stop at the first problem: they would mislead
        if t.terminated:
            note(f"{_count(t.terminated)} terminated: kept, marked with the termination date")
        if t.converted:
            note(f"{_count(t.converted)} located from the grid reference (oseast1m/osnrth1m)")
        if t.no_coordinates:
            note(f"{_count(t.no_coordinates)} with no grid reference: kept without coordinates")
        if t.by_lsoa:
            note(f"{_count(t.by_lsoa)} placed in a neighbourhood by LSOA")
        if t.no_neighbourhood:
            note(f"{_count(t.no_neighbourhood)} in no known neighbourhood")
        if t.unknown_lsoa:
            note(
                f"{_count(t.unknown_lsoa)} with an LSOA that is not in the database "
                f"(e.g. {', '.join(t.unknown_lsoa_examples)}): left without one; this import "
                "does not create LSOAs (load them with ourpatch import areas)"
            )


def _count(n: int) -> str:
    return f"{n} postcode{'' if n == 1 else 's'}"


def _outside(lat: float, lng: float) -> str:
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return "lat/long must be finite numbers"
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return f"lat/long {lat:g}, {lng:g} are out of range"
    return f"lat/long {lat:g}, {lng:g} are outside the United Kingdom"


def _year_month(text: str) -> dt.date | None:
    """ONSPD's YYYYMM as the first day of that month, or None if it is not one."""
    match = _DOTERM.match(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        return None
    return dt.date(year, month, 1)


# The fields an import sets, in the order the rows carry them.
POSTCODE_FIELDS = ("latitude", "longitude", "neighbourhood_id")
# The fields a postcode gets when a file says nothing about them.
POSTCODE_DEFAULTS: dict[str, Any] = {
    "easting": None,
    "northing": None,
    "lsoa_id": None,
    "local_authority_code": "",
    "terminated": None,
}


def _column(name: str) -> str:
    """The quoted column of a Postcode field (``lsoa_id`` is the ``lsoa`` foreign key's)."""
    field = Postcode._meta.get_field(name.removesuffix("_id"))
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)


def _existing_postcodes(keys: list[str], fields: list[str]) -> dict[str, tuple[Any, ...]]:
    """The stored values of ``fields`` for those of ``keys`` already in the database."""
    # Raw SQL: the ORM's per-value preparation and conversion would double the import's time.
    # Both drivers return the Python types the ORM would (SQLite's through the converters
    # Django registers for its date columns).
    table = connection.ops.quote_name(Postcode._meta.db_table)
    columns = ", ".join(_column(f) for f in ["postcode", *fields])
    select = f"SELECT {columns} FROM {table} WHERE {_column('postcode')}"  # noqa: S608
    existing: dict[str, tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one array parameter instead of thousands of placeholders
            cursor.execute(f"{select} = ANY(%s)", [keys])
            return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        for start in range(0, len(keys), QUERY_KEYS):
            batch = keys[start : start + QUERY_KEYS]
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(batch))})", batch)
            existing.update((row[0], tuple(row[1:])) for row in cursor.fetchall())
    return existing


def _write_postcodes(
    fields: list[str], to_create: list[tuple[Any, ...]], to_update: list[tuple[Any, ...]]
) -> None:
    """INSERT and UPDATE in bulk without building model instances: COPY on PostgreSQL,
    executemany on SQLite (in-process, so already fast). Several times faster than the ORM's
    bulk_create and bulk_update.

    ``to_create`` rows are (postcode, compact, *fields); ``to_update`` rows (*fields, postcode).
    """
    table = connection.ops.quote_name(Postcode._meta.db_table)
    key = _column("postcode")
    defaults = {f: v for f, v in POSTCODE_DEFAULTS.items() if f not in fields}
    new_rows = [(*row, *defaults.values()) for row in to_create]
    new_columns = ", ".join(_column(n) for n in ["postcode", "compact", *fields, *defaults])
    changed_rows = [(row[-1], *row[:-1]) for row in to_update]  # postcode first
    changed_columns = ", ".join(_column(n) for n in ["postcode", *fields])
    sets = ", ".join(f"{_column(f)} = c.{_column(f)}" for f in fields)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if new_rows:
                with cursor.copy(f"COPY {table} ({new_columns}) FROM STDIN") as copy:
                    for row in new_rows:
                        copy.write_row(row)
            if changed_rows:
                create = (
                    f"CREATE TEMPORARY TABLE ourpatch_postcode_changes AS SELECT {changed_columns}"
                )
                cursor.execute(f"{create} FROM {table} WITH NO DATA")
                with cursor.copy(
                    f"COPY ourpatch_postcode_changes ({changed_columns}) FROM STDIN"
                ) as copy:
                    for row in changed_rows:
                        copy.write_row(row)
                cursor.execute(
                    f"UPDATE {table} SET {sets} "  # noqa: S608
                    f"FROM ourpatch_postcode_changes c WHERE {table}.{key} = c.{key}"
                )
                cursor.execute("DROP TABLE ourpatch_postcode_changes")
            return
        # SQLite is given dates as text, as Django's own queries give them
        adapt = connection.ops.adapt_datefield_value
        dated = fields.index("terminated") if "terminated" in fields else -1

        def adapted(row: tuple[Any, ...], at: int) -> tuple[Any, ...]:
            return row if at < 0 else (*row[:at], adapt(row[at]), *row[at + 1 :])

        if new_rows:
            marks = ", ".join(["%s"] * len(new_rows[0]))
            cursor.executemany(
                f"INSERT INTO {table} ({new_columns}) VALUES ({marks})",  # noqa: S608
                [adapted(row, dated + 2 if dated >= 0 else -1) for row in new_rows],
            )
        if to_update:
            assignments = ", ".join(f"{_column(f)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {key} = %s",  # noqa: S608
                [adapted(row, dated) for row in to_update],
            )


def _utf8_lines(stream: BinaryIO, name: str, report: ImportReport) -> Iterator[str]:
    """The file's lines as text, reporting every line that is not UTF-8 (by its number)."""
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            report.problem(
                f"{name} line {number}: not UTF-8 (byte 0x{raw[error.start]:02X} at column "
                f"{error.start + 1}); save the file as UTF-8"
            )
            report.rejected += 1
            yield raw.decode("utf-8", errors="replace")


def _first(names: dict[str, int], candidates: Iterable[str]) -> str | None:
    return next((c for c in candidates if c in names), None)


def _find_columns(header: list[str], name: str) -> _Columns:
    names: dict[str, int] = {}
    for index, column in enumerate(header):
        names.setdefault(column.strip().lower(), index)
    postcode_names = [c for c in POSTCODE_COLUMNS if c in names]
    missing = []
    if not postcode_names:
        missing.append("pcds (or pcd, pcd2)")
    has_latlng = "lat" in names and "long" in names
    has_grid = "oseast1m" in names and "osnrth1m" in names
    if not (has_latlng or has_grid):
        missing.append("lat and long, or oseast1m and osnrth1m")
    if missing:
        raise _Bad(f"{name}: missing required column(s): {'; '.join(missing)}")
    lads = sorted((c for c in names if _LAD.match(c)), reverse=True)
    local_authority = _first(names, LOCAL_AUTHORITY_COLUMNS) or (lads[0] if lads else None)
    lsoa = [c for c in LSOA_COLUMNS if c in names]
    used = [*postcode_names]
    used += ["lat", "long"] if has_latlng else []
    used += ["oseast1m", "osnrth1m"] if has_grid else []
    used += lsoa
    used += [local_authority] if local_authority else []
    used += ["doterm"] if "doterm" in names else []

    def at(column: str | None) -> int | None:
        return names[column] if column is not None and column in names else None

    return _Columns(
        postcode=[names[c] for c in postcode_names],
        postcode_names=postcode_names,
        lat=at("lat") if has_latlng else None,
        lng=at("long") if has_latlng else None,
        easting=at("oseast1m") if has_grid else None,
        northing=at("osnrth1m") if has_grid else None,
        lsoa=[names[c] for c in lsoa],
        local_authority=at(local_authority),
        doterm=at("doterm"),
        used=used,
    )


__all__: list[str] = ["MAX_FILE_BYTES", "ImportReport", "import_boundaries", "import_postcodes"]
