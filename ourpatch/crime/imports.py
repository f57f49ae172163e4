"""Importing police.uk's bulk crime files: street-level crime, outcomes, stop and search.

``import_police_uk(paths, commit=...)`` takes CSV files, month folders (``2017-01/``) and the
archive zip police.uk's download gives (``2017-01/2017-01-city-of-london-street.csv`` ...),
and returns one :class:`CrimeImportReport` per file. It follows the conventions of
:mod:`ourpatch.geography.imports` and reuses its :class:`ImportReport`:

- **Dry run unless told to commit.** The report says what would change.
- **Atomic per file.** A file with any bad row is refused whole, every problem listed by
  file, line and field; or, with ``quarantine=True``, imported without its bad rows, which
  are listed as quarantined. Nothing is dropped silently, nothing is half-imported.
- **Idempotent.** A crime is keyed by its Crime ID. Anti-social behaviour (no Crime ID),
  outcomes and stops are keyed by ``sha256(kind, force, the row's fields, n)``, where ``n``
  counts identical rows before it in the same file: importing the file again finds the
  same keys, while two genuinely identical incidents in one file stay two records.
  A crime seen again with a changed outcome or location is updated ("changed").

Every record is kept with its original fields, placed at its anonymous map point
(:class:`~ourpatch.crime.models.MapPoint`, created from the file's coordinates and location
name), in its LSOA (from the file) and in the neighbourhood whose boundary version was valid
on the first day of its month. A force not yet known is created from its name, with its
police.uk id taken from the file name (``2017-01-city-of-london-street.csv``) or made from
the name ("City of London Police" → ``city-of-london``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import math
import operator
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from pyproj import Transformer

from ourpatch.crime import categories
from ourpatch.crime.models import Crime, MapPoint, Outcome, StopAndSearch
from ourpatch.geography.imports import MAX_FILE_BYTES, ImportReport
from ourpatch.geography.locate import UK_BOUNDS, NeighbourhoodIndex
from ourpatch.geography.models import Force
from ourpatch.importing import bulk

Progress = Callable[[str, int, bool], None]  # (file, rows read so far, finished)
PROGRESS_EVERY = 10_000

STREET = "street"
OUTCOMES = "outcomes"
STOPS = "stop-and-search"
KINDS = (STREET, OUTCOMES, STOPS)

# The headers, exactly as police.uk writes them
STREET_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
# 2010–2013 files: British National Grid eastings and northings, no Crime ID or outcome
STREET_HEADER_GRID = "Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context"
OUTCOMES_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
]
STOPS_HEADER = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]

# Columns each kind needs (the rest are optional: older files lack some)
REQUIRED: dict[str, set[str]] = {
    STREET: {"Month", "Falls within", "Location", "Crime type"},
    OUTCOMES: {"Crime ID", "Month", "Falls within", "Location", "Outcome type"},
    STOPS: {"Type", "Date", "Latitude", "Longitude"},
}
KNOWN: dict[str, set[str]] = {
    STREET: {*STREET_HEADER, *STREET_HEADER_GRID.split(",")},
    OUTCOMES: set(OUTCOMES_HEADER),
    STOPS: set(STOPS_HEADER),
}

FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)"
    r"\.csv$"
)
NO_LOCATION = "no location"
MAX_BATCH = 2000

# Where the names police.uk gives forces differ from "<id> Police" / "<id> Constabulary"
FORCE_IDS: dict[str, str] = {
    "metropolitan police service": "metropolitan",
    "police service of northern ireland": "northern-ireland",
    "british transport police": "btp",
}
FORCE_SUFFIXES = (" police service", " constabulary", " police")

# Rejection reasons, as the summary counts them
REASONS = {
    "fields": "wrong number of fields",
    "month": "bad or mismatched month",
    "coordinates": "bad coordinates",
    "outside-uk": "coordinates outside the UK",
    "category": "unknown crime type",
    "duplicate": "duplicate Crime ID",
    "missing": "a required field is empty",
    "date": "bad date",
    "long": "a field is too long",
}
# The longest values the tables take
MAX_CRIME_ID = 64
MAX_LOCATION = 200
MAX_OUTCOME_TEXT = 100


def force_id_from_name(name: str) -> str:
    """police.uk's id for a force from its name: "City of London Police" → city-of-london."""
    folded = " ".join(name.casefold().split())
    if folded in FORCE_IDS:
        return FORCE_IDS[folded]
    for suffix in FORCE_SUFFIXES:
        if folded.endswith(suffix):
            folded = folded[: -len(suffix)]
            break
    folded = folded.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass
class CrimeImportReport(ImportReport):
    """An :class:`ImportReport` with what a crime file adds: rows without a location, outside
    every neighbourhood, quarantined, and rejections counted by reason."""

    without_location: int = 0
    outside_neighbourhoods: int = 0
    map_points_created: int = 0
    forces_created: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def reject(self, reason: str, text: str) -> None:
        self.rejected += 1
        self.rejected_by_reason[reason] += 1
        self.problem(text)

    def as_text(self) -> str:
        lines = [super().as_text()]
        if self.ok:
            verb = "" if self.committed else "would be "
            lines.append(
                f"  without location {self.without_location}, outside every neighbourhood "
                f"{self.outside_neighbourhoods}, map points {verb}created "
                f"{self.map_points_created}"
            )
            if self.forces_created:
                lines.append(f"  forces {verb}created: {', '.join(self.forces_created)}")
            if self.quarantined:
                lines.append(f"  quarantined {len(self.quarantined)} bad row(s), not imported:")
                lines += [f"    - {q}" for q in self.quarantined[:1000]]
        if self.rejected_by_reason:
            reasons = ", ".join(
                f"{REASONS.get(r, r)} {n}" for r, n in sorted(self.rejected_by_reason.items())
            )
            lines.append(f"  rejected by reason: {reasons}")
        if self.read and self.seconds > 0:
            lines.append(f"  {self.read / self.seconds:,.0f} rows/s")
        return "\n".join(lines)


class _Bad(ValueError):
    """A problem with the whole file."""


# --------------------------------------------------------------------------------------------
# Finding the files


@dataclass
class _Source:
    label: str  # how messages name it
    name: str  # the file's own name, for its month, force and kind
    read: Callable[[], bytes]
    size: int


def _sources(paths: Sequence[Path | str]) -> Iterator[_Source | _Bad]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.csv") if p.is_file())
            if not files:
                yield _Bad(f"{path}: no .csv files in this folder")
            for file in files:
                yield _Source(str(file), file.name, file.read_bytes, file.stat().st_size)
        elif path.suffix.lower() == ".zip":
            yield from _zip_sources(path)
        elif path.is_file():
            yield _Source(str(path), path.name, path.read_bytes, path.stat().st_size)
        else:
            yield _Bad(f"{path}: no such file or folder")


def _zip_sources(path: Path) -> Iterator[_Source | _Bad]:
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".csv")]
    except (zipfile.BadZipFile, OSError) as error:
        yield _Bad(f"{path}: not a readable zip archive ({error}); is it truncated?")
        return
    if not members:
        yield _Bad(f"{path}: the archive holds no .csv files")
    for member in sorted(members, key=lambda m: m.filename):

        def read(member: zipfile.ZipInfo = member) -> bytes:
            try:
                return archive.read(member)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise _Bad(
                    f"{path}!{member.filename}: cannot be read from the archive ({error}); "
                    "is the zip truncated?"
                ) from None

        yield _Source(
            f"{path}!{member.filename}", Path(member.filename).name, read, member.file_size
        )


# --------------------------------------------------------------------------------------------
# Reading rows


@dataclass
class _Row:
    line: int
    key: str
    month: dt.date
    reported_by: str
    falls_within: str  # the force's name
    lat: float  # nan: no location
    lng: float
    location: str
    lsoa_code: str
    lsoa_name: str
    fields: dict[str, Any]  # the kind's own fields


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise _Bad(
            f"{label} line {line}: not UTF-8 (byte 0x{data[error.start]:02X} at column "
            f"{column}); save the file as UTF-8"
        ) from None


def _kind_of(header: list[str], label: str) -> str:
    names = set(header)
    if "Crime type" in names:
        return STREET
    if "Outcome type" in names:
        return OUTCOMES
    if "Object of search" in names or "Legislation" in names:
        return STOPS
    raise _Bad(
        f"{label} line 1: not a police.uk street, outcomes or stop-and-search header "
        f"(expected {','.join(STREET_HEADER)!r} or the outcomes or stop-and-search header); "
        f"got {','.join(header)[:200]!r}"
    )


def _check_header(header: list[str], kind: str, label: str) -> None:
    missing = sorted(REQUIRED[kind] - set(header))
    if kind in (STREET, OUTCOMES) and not (
        {"Longitude", "Latitude"} <= set(header) or {"Easting", "Northing"} <= set(header)
    ):
        missing.append("Longitude and Latitude (or Easting and Northing)")
    if missing:
        raise _Bad(f"{label} line 1: missing column(s): {', '.join(missing)}")
    extra = [h for h in header if h not in KNOWN[kind]]
    if extra:
        raise _Bad(
            f"{label} line 1: unexpected column(s) {', '.join(repr(e) for e in extra)}; "
            f"a police.uk {kind} file has {', '.join(h for h in header if h in KNOWN[kind])}"
        )
    repeated = sorted(h for h, n in Counter(header).items() if n > 1)
    if repeated:
        raise _Bad(f"{label} line 1: column(s) named twice: {', '.join(repeated)}")


@lru_cache(maxsize=256)
def _month(text: str) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def _flag(text: str) -> bool | None:
    folded = text.strip().casefold()
    if folded in ("true", "yes", "1"):
        return True
    if folded in ("false", "no", "0"):
        return False
    return None


class _FileReader:
    """One file's rows, checked. Bad rows are reported (refused or quarantined)."""

    def __init__(
        self, source: _Source, report: CrimeImportReport, quarantine: bool, today: dt.date
    ):
        self.source = source
        self.label = source.label
        self.report = report
        self.quarantine = quarantine
        self.this_month = today.replace(day=1)
        match = FILE_NAME.match(source.name)
        self.file_month = _month(match["month"]) if match else None
        self.file_force = match["force"] if match else None
        self.file_kind = match["kind"] if match else None
        self.grid: Transformer | None = None
        self.progress: Progress | None = None

    def bad(self, reason: str, line: int, column: str, text: str) -> None:
        message = f"{self.label} line {line}, {column}: {text}"
        if self.quarantine:
            self.report.rejected += 1
            self.report.rejected_by_reason[reason] += 1
            self.report.quarantined.append(message)
        else:
            self.report.reject(reason, message)

    def header(self, reader: Any) -> tuple[list[str], str]:
        """The header row (blank lines before it skipped), checked; and the file's kind."""
        try:
            header = next(reader, None)
            while header is not None and not any(h.strip() for h in header):
                header = next(reader, None)
        except csv.Error as error:
            raise _Bad(f"{self.label} line 1: not CSV ({error})") from None
        if header is None:
            raise _Bad(f"{self.label}: the file is empty (no header row)")
        header = [h.strip() for h in header]
        kind = _kind_of(header, self.label)
        if self.file_kind is not None and self.file_kind != kind:
            raise _Bad(
                f"{self.label}: the file name says {self.file_kind} but its header is "
                f"a {kind} file's"
            )
        _check_header(header, kind, self.label)
        if kind == STOPS and self.file_force is None:
            raise _Bad(
                f"{self.label}: a stop-and-search file names its force only in its file name, "
                "YYYY-MM-<force>-stop-and-search.csv; rename the file so"
            )
        return header, kind

    def rows(self, text: str) -> tuple[str, list[_Row]]:
        reader = csv.reader(io.StringIO(text, newline=""))
        header, kind = self.header(reader)
        at = {name: i for i, name in enumerate(header)}
        if "Easting" in at:
            self.grid = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        width = len(header)
        rows: list[_Row] = []
        seen: Counter[str] = Counter()
        ids: dict[str, int] = {}
        try:
            for record in reader:
                line = reader.line_num
                if not record or not any(v.strip() for v in record):
                    continue  # a blank line
                self.report.read += 1
                if self.progress is not None and self.report.read % PROGRESS_EVERY == 0:
                    self.progress(self.label, self.report.read, False)
                if len(record) != width:
                    self.bad(
                        "fields",
                        line,
                        "the row",
                        f"{len(record)} fields, but the header has {width} "
                        "(an unquoted comma in a field?)",
                    )
                    continue
                row = self.row(kind, record, at, line, seen, ids)
                if row is not None:
                    rows.append(row)
        except csv.Error as error:
            raise _Bad(f"{self.label} line {reader.line_num}: not CSV ({error})") from None
        return kind, rows

    def value(self, record: list[str], at: dict[str, int], name: str) -> str:
        index = at.get(name)
        return record[index].strip() if index is not None else ""

    def row(
        self,
        kind: str,
        record: list[str],
        at: dict[str, int],
        line: int,
        seen: Counter[str],
        ids: dict[str, int],
    ) -> _Row | None:
        get = self.value
        ok = True
        fields: dict[str, Any] = {}
        if kind == STOPS:
            text = get(record, at, "Date")
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                self.bad("date", line, "Date", f"{text[:40]!r} is not a date and time")
                return None
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=dt.UTC)
            month: dt.date | None = moment.date().replace(day=1)
            fields["datetime"] = moment
            month_column = "Date"
        else:
            text = get(record, at, "Month")
            month = _month(text)
            month_column = "Month"
            if month is None:
                self.bad("month", line, "Month", f"{text[:20]!r} is not a month (YYYY-MM)")
                return None
        assert month is not None
        if self.file_month is not None and month != self.file_month:
            self.bad(
                "month",
                line,
                month_column,
                f"{month:%Y-%m} does not match the file name's month {self.file_month:%Y-%m}",
            )
            ok = False
        elif month > self.this_month:
            self.bad("month", line, month_column, f"{month:%Y-%m} is in the future")
            ok = False

        location = get(record, at, "Location")
        lat = lng = math.nan
        if kind == STOPS or "Longitude" in at:
            text_lat, text_lng = get(record, at, "Latitude"), get(record, at, "Longitude")
            if text_lat or text_lng:
                try:
                    lat, lng = float(text_lat), float(text_lng)
                    if not (math.isfinite(lat) and math.isfinite(lng)):
                        raise ValueError
                except ValueError:
                    self.bad(
                        "coordinates",
                        line,
                        "Latitude/Longitude",
                        f"{text_lat[:20]!r}, {text_lng[:20]!r} are not numbers",
                    )
                    return None
        else:
            text_e, text_n = get(record, at, "Easting"), get(record, at, "Northing")
            if text_e or text_n:
                try:
                    easting, northing = float(text_e), float(text_n)
                except ValueError:
                    self.bad(
                        "coordinates",
                        line,
                        "Easting/Northing",
                        f"{text_e[:20]!r}, {text_n[:20]!r} are not numbers",
                    )
                    return None
                assert self.grid is not None
                lng, lat = self.grid.transform(easting, northing)
        if not math.isnan(lat):
            west, south, east, north = UK_BOUNDS
            if not (south <= lat <= north and west <= lng <= east):
                swapped = (
                    " (latitude and longitude swapped?)"
                    if south <= lng <= north and west <= lat <= east
                    else ""
                )
                self.bad(
                    "outside-uk",
                    line,
                    "Latitude/Longitude",
                    f"({lat:g}, {lng:g}) is outside the United Kingdom{swapped}",
                )
                ok = False
            lat, lng = round(lat, 6), round(lng, 6)
            if location.casefold() == NO_LOCATION:
                location = ""
        elif location.casefold() == NO_LOCATION:
            location = ""

        if len(location) > MAX_LOCATION:
            self.bad(
                "long", line, "Location", f"{len(location)} characters, at most {MAX_LOCATION}"
            )
            ok = False

        force_name = get(record, at, "Falls within")
        if kind != STOPS and not force_name:
            self.bad("missing", line, "Falls within", "empty: which force's file is this?")
            ok = False

        crime_id = get(record, at, "Crime ID")
        if len(crime_id) > MAX_CRIME_ID:
            self.bad(
                "long", line, "Crime ID", f"{len(crime_id)} characters, at most {MAX_CRIME_ID}"
            )
            ok = False
        if kind == STREET:
            crime_type = get(record, at, "Crime type")
            slug = categories.category_slug(crime_type)
            if slug is None:
                self.bad("category", line, "Crime type", f"{crime_type[:60]!r} is not a category")
                ok = False
            outcome_text = get(record, at, "Last outcome category")
            if len(outcome_text) > MAX_OUTCOME_TEXT:
                self.bad(
                    "long",
                    line,
                    "Last outcome category",
                    f"{len(outcome_text)} characters, at most {MAX_OUTCOME_TEXT}",
                )
                ok = False
            fields.update(
                persistent_id=crime_id,
                category=slug or "",
                crime_type=crime_type,
                last_outcome=categories.outcome_code(outcome_text) or "",
                last_outcome_category=outcome_text,
                context=get(record, at, "Context"),
            )
            if crime_id:
                first = ids.setdefault(crime_id, line)
                if first != line:
                    self.bad(
                        "duplicate",
                        line,
                        "Crime ID",
                        f"{crime_id[:16]}… appears again (first on line {first})",
                    )
                    ok = False
        elif kind == OUTCOMES:
            outcome_text = get(record, at, "Outcome type")
            if len(outcome_text) > MAX_OUTCOME_TEXT:
                self.bad(
                    "long",
                    line,
                    "Outcome type",
                    f"{len(outcome_text)} characters, at most {MAX_OUTCOME_TEXT}",
                )
                ok = False
            if not crime_id:
                self.bad("missing", line, "Crime ID", "empty: an outcome needs its crime")
                ok = False
            fields.update(
                persistent_id=crime_id,
                outcome=categories.outcome_code(outcome_text) or "",
                outcome_type=outcome_text,
            )
        else:
            fields.update(
                type=get(record, at, "Type"),
                part_of_operation=_flag(get(record, at, "Part of a policing operation")),
                operation_name=get(record, at, "Policing operation"),
                gender=get(record, at, "Gender"),
                age_range=get(record, at, "Age range"),
                self_defined_ethnicity=get(record, at, "Self-defined ethnicity"),
                officer_defined_ethnicity=get(record, at, "Officer-defined ethnicity"),
                legislation=get(record, at, "Legislation"),
                object_of_search=get(record, at, "Object of search"),
                outcome=get(record, at, "Outcome"),
                outcome_linked_to_object_of_search=_flag(
                    get(record, at, "Outcome linked to object of search")
                ),
                removal_of_more_than_outer_clothing=_flag(
                    get(record, at, "Removal of more than just outer clothing")
                ),
            )
        if not ok:
            return None

        if kind == STREET and crime_id:
            key = crime_id
        else:
            content = "\x1f".join([kind, self.file_force or force_name, *record])
            seen[content] += 1
            digest = hashlib.sha256(f"{content}\x1e{seen[content]}".encode()).hexdigest()
            key = f"{'asb' if kind == STREET else kind[:4]}:{digest}"
        return _Row(
            line=line,
            key=key,
            month=month,
            reported_by=get(record, at, "Reported by") or force_name,
            falls_within=force_name,
            lat=lat,
            lng=lng,
            location=location,
            lsoa_code=get(record, at, "LSOA code"),
            lsoa_name=get(record, at, "LSOA name"),
            fields=fields,
        )


# --------------------------------------------------------------------------------------------
# Writing


MODELS: dict[str, Any] = {STREET: Crime, OUTCOMES: Outcome, STOPS: StopAndSearch}
# The fields compared to tell a changed record from an unchanged one
COMPARED: dict[str, tuple[str, ...]] = {
    STREET: ("category", "last_outcome", "last_outcome_category", "context", "map_point_id"),
    OUTCOMES: ("outcome", "outcome_type", "map_point_id"),
    STOPS: ("map_point_id",),
}


@dataclass
class Columns:
    """A file's good rows, in file order, one list per column: what :class:`_Importer`
    writes, whether the rows were read one by one or a column at a time."""

    read: int  # rows read (blank lines aside), good or bad
    key: list[str]
    month: list[dt.date]
    reported_by: list[str]
    falls_within: list[str]  # the force's name ("" in stop-and-search files)
    lat: npt.NDArray[np.float64]  # NaN: no location
    lng: npt.NDArray[np.float64]
    location: list[str]
    lsoa_code: list[str]
    lsoa_name: list[str]
    fields: dict[str, list[Any]]  # the kind's own fields

    def __len__(self) -> int:
        return len(self.key)

    @classmethod
    def of_rows(cls, rows: list[_Row], read: int) -> Columns:
        names = list(rows[0].fields) if rows else []
        return cls(
            read=read,
            key=[r.key for r in rows],
            month=[r.month for r in rows],
            reported_by=[r.reported_by[:100] for r in rows],
            falls_within=[r.falls_within for r in rows],
            lat=np.array([r.lat for r in rows], dtype=np.float64),
            lng=np.array([r.lng for r in rows], dtype=np.float64),
            location=[r.location for r in rows],
            lsoa_code=[r.lsoa_code[:9] for r in rows],
            lsoa_name=[r.lsoa_name[:100] for r in rows],
            fields={name: [r.fields[name] for r in rows] for name in names},
        )


class _Importer:
    """State shared by the files of one import: forces, map points, neighbourhood indexes."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.forces: dict[str, str] = {}  # name or id → id
        for force_id, force_name in Force.objects.values_list("id", "name"):
            self.forces[force_id] = force_id
            self.forces[force_name.casefold()] = force_id
        # Loaded when a file first has a location
        self.points: dict[tuple[float, float, str], int] | None = None
        self.named_at: dict[tuple[float, float], int] = {}
        self.indexes: dict[dt.date, NeighbourhoodIndex] = {}

    def index(self, month: dt.date) -> NeighbourhoodIndex:
        if month not in self.indexes:
            self.indexes[month] = NeighbourhoodIndex.build(month)
        return self.indexes[month]

    def run(
        self,
        source: _Source,
        *,
        commit: bool,
        quarantine: bool,
        progress: Progress | None,
    ) -> CrimeImportReport:
        # A national month makes millions of objects, none in a reference cycle: Python's
        # cycle collector would walk them all again and again (seconds of a ten-second load)
        with _collector_paused():
            return self._run(source, commit=commit, quarantine=quarantine, progress=progress)

    def _run(
        self,
        source: _Source,
        *,
        commit: bool,
        quarantine: bool,
        progress: Progress | None,
    ) -> CrimeImportReport:
        started = time.perf_counter()
        report = CrimeImportReport("police.uk crime", source.label, commit)
        if progress is not None:
            progress(source.label, 0, False)
        try:
            if source.size > MAX_FILE_BYTES:
                raise _Bad(f"{source.label}: the file is larger than {MAX_FILE_BYTES} bytes")
            data = source.read()
            text = _decode(data, source.label)
            reader = _FileReader(source, report, quarantine, self.today)
            reader.progress = progress
            columns = self.columnar(data, text, reader)
            if columns is not None:
                kind = STREET
                report.read = columns.read
            else:
                kind, rows = reader.rows(text)
                columns = Columns.of_rows(rows, report.read)
            del data, text
            report.kind = f"police.uk {kind}"
        except _Bad as bad:
            report.problem(str(bad))
            report.rejected += 1
            report.refuse()
            return report
        if progress is not None:
            progress(source.label, report.read, False)
        if not report.ok:
            report.refuse()
            report.seconds = time.perf_counter() - started
            return report
        points = dict(self.points) if self.points is not None else None
        saved = (dict(self.forces), points, dict(self.named_at))
        try:
            with bulk.atomic():
                self.apply(kind, columns, reader, report)
                if not commit:
                    transaction.set_rollback(True)
        except DatabaseError as error:
            # a constraint, or another import of the same rows at the same time
            report.problem(f"the database refused the import ({error}); nothing was imported")
            report.refuse()
        if not (commit and report.ok):
            # forget what the rolled-back transaction created
            self.forces, self.points, self.named_at = saved
        report.committed = commit and report.ok
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(source.label, report.read, True)
        return report

    def columnar(self, data: bytes, text: str, reader: _FileReader) -> Columns | None:
        """A street-level file read a column at a time; None: read it row by row."""
        if reader.file_kind not in (None, STREET):
            return None
        end = text.find("\n")
        first_line = text if end < 0 else text[: end + 1]
        try:
            header, kind = reader.header(csv.reader(io.StringIO(first_line, newline="")))
        except _Bad:
            return None  # the row reader says what is wrong
        if kind != STREET:
            return None
        # imported here: it imports this module
        from ourpatch.crime import columnar

        try:
            return columnar.read_street(data, text, header, reader)
        except columnar.NotColumnar:
            return None

    def force_named(self, name: str, reader: _FileReader, report: CrimeImportReport) -> str:
        """The force rows fall within, by its name ("Falls within"), else (stop-and-search
        files) the file name's; created when not yet known. A British Transport Police file
        names territorial forces in "Falls within": each is its own force, not BTP."""
        given = name or reader.file_force or ""
        found = self.forces.get(given.casefold())
        if found is None:
            pk = force_id_from_name(given) if name else given
            found = self.forces.get(pk)
            if found is None:
                Force.objects.create(id=pk, name=given)
                report.forces_created.append(f"{pk} ({given})")
                found = pk
            self.forces[given.casefold()] = self.forces[pk] = found
        return found

    def apply(
        self, kind: str, columns: Columns, reader: _FileReader, report: CrimeImportReport
    ) -> None:
        model = MODELS[kind]
        compared = COMPARED[kind]
        forces = {
            name: self.force_named(name, reader, report)
            for name in dict.fromkeys(columns.falls_within)
        }
        point_ids = self.points_for(columns, report)
        hood_ids = self.neighbourhoods(columns, point_ids)
        located = point_ids >= 0
        report.without_location += int((~located).sum())
        report.outside_neighbourhoods += int((located & (hood_ids < 0)).sum())
        points, hoods = _nullable(point_ids), _nullable(hood_ids)

        existing = bulk.existing(model, columns.key, compared)
        source = source_name(reader.source)
        fresh: list[int] | None = None  # None: every row
        changes: list[tuple[Any, ...]] = []
        if existing:
            fresh = []
            values = [points if f == "map_point_id" else columns.fields[f] for f in compared]
            for i, key in enumerate(columns.key):
                old = existing.get(key)
                if old is None:
                    fresh.append(i)
                    continue
                now = tuple(v[i] for v in values)
                if now != old[1:]:
                    changes.append((*now, hoods[i], source, old[0]))
                else:
                    report.unchanged += 1
        report.created += len(columns) if fresh is None else len(fresh)
        report.changed += len(changes)

        months = {m: bulk.db_value(model, "month", m) for m in set(columns.month)}
        written: dict[str, list[Any]] = {
            "key": columns.key,
            "month": [months[m] for m in columns.month],
            "reported_by": columns.reported_by,
            "falls_within_id": [forces[name] for name in columns.falls_within],
            "map_point_id": points,
            "lsoa_code": columns.lsoa_code,
            "lsoa_name": columns.lsoa_name,
            "neighbourhood_id": hoods,
            **{name: _db_column(model, name, v) for name, v in columns.fields.items()},
        }
        # Values every row shares go once into the statement, not into every row
        constants: dict[str, Any] = {
            "source_file": source,
            "imported_at": bulk.db_value(model, "imported_at", timezone.now()),
        }
        for name in ("month", "reported_by", "falls_within_id"):
            if len(set(written[name])) == 1:
                constants[name] = written.pop(name)[0]
        # Stored in map point order: a street's crimes in a month then lie together, and the
        # points' ids follow a space-filling curve (points_for), so a square mile's crimes
        # are a few runs of pages, not a page per crime
        chosen = np.arange(len(columns)) if fresh is None else np.array(fresh, dtype=np.int64)
        order = chosen[np.argsort(point_ids[chosen], kind="stable")].tolist()
        every = list(zip(*written.values(), strict=True))
        rows = [every[i] for i in order]
        del every
        with bulk.loading(model, len(rows)) as rebuilt:
            bulk.insert(
                model,
                list(written),
                rows,
                count=len(rows),
                unique=None if rebuilt else ("key",),
                constants=constants,
            )
        bulk.update(model, [*compared, "neighbourhood_id", "source_file"], changes)

    def load_points(self) -> dict[tuple[float, float, str], int]:
        if self.points is None:
            self.points = {}
            for pk, name, lat, lng in MapPoint.objects.values_list(
                "id", "name", "latitude", "longitude"
            ):
                self.points[(lat, lng, name)] = pk
                if name:
                    self.named_at.setdefault((lat, lng), pk)
        return self.points

    def points_for(self, columns: Columns, report: CrimeImportReport) -> npt.NDArray[np.int64]:
        """Each row's map point (-1: no location), new points created in bulk. A row with
        coordinates but no location name takes the named point at those coordinates."""
        found = np.full(len(columns), -1, dtype=np.int64)
        located = np.flatnonzero(np.isfinite(columns.lat))
        if not len(located):
            return found
        known = self.load_points()
        # The distinct (latitude, longitude, name) of the file, found by sorting numbers
        # (a name by its number), not by hashing half a million tuples
        names = _taken(columns.location, located.tolist())
        texts = list(dict.fromkeys(names))
        numbers = {text: i for i, text in enumerate(texts)}
        codes = np.array([numbers[name] for name in names], dtype=np.int64)
        lats, lngs = columns.lat[located], columns.lng[located]
        order = np.lexsort((codes, lngs, lats))
        step = np.ones(len(order), dtype=bool)
        step[1:] = (
            (np.diff(lats[order]) != 0) | (np.diff(lngs[order]) != 0) | (np.diff(codes[order]) != 0)
        )
        group = np.cumsum(step) - 1
        firsts = order[step]
        distinct = list(
            zip(
                lats[firsts].tolist(),
                lngs[firsts].tolist(),
                [texts[c] for c in codes[firsts].tolist()],
                strict=True,
            )
        )
        unnamed = any(not name for _, _, name in distinct)
        named_here = {(lat, lng) for lat, lng, name in distinct if name} if unnamed else set()
        new = [
            key
            for key in distinct
            if key not in known
            and (key[2] or ((key[0], key[1]) not in self.named_at and key[:2] not in named_here))
        ]
        if new:
            # new points numbered along a Z-order curve: points near each other on the map
            # get ids near each other
            curve = _z_order(np.array([k[0] for k in new]), np.array([k[1] for k in new]))
            new = [new[i] for i in np.argsort(curve, kind="stable").tolist()]
            before = bulk.rows_estimate(MapPoint)
            with bulk.loading(MapPoint, len(new)):
                # the unique constraint on (latitude, longitude, name) is never dropped
                bulk.insert(
                    MapPoint,
                    ["name", "latitude", "longitude"],
                    [(name, lat, lng) for lat, lng, name in new],
                    count=len(new),
                    unique=("latitude", "longitude", "name"),
                )
            for pk, name, lat, lng in bulk.rows_after(
                MapPoint, before, ["id", "name", "latitude", "longitude"]
            ):
                known[(lat, lng, name)] = pk
                if name:
                    self.named_at.setdefault((lat, lng), pk)
            report.map_points_created += len(new)
        ids = np.array(
            [
                (self.named_at.get(key[:2]) if not key[2] else None) or known[key]
                for key in distinct
            ],
            dtype=np.int64,
        )
        at = np.empty(len(order), dtype=np.int64)
        at[order] = group
        found[located] = ids[at]
        return found

    def neighbourhoods(
        self, columns: Columns, point_ids: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Each row's neighbourhood (-1: none), by the boundaries valid in its month: each
        map point located once."""
        found = np.full(len(columns), -1, dtype=np.int64)
        months = list(dict.fromkeys(columns.month))
        code = {month: i for i, month in enumerate(months)}
        codes = np.array([code[m] for m in columns.month], dtype=np.int64)
        for i, month in enumerate(months):
            chosen = np.flatnonzero((codes == i) & (point_ids >= 0))
            if not len(chosen):
                continue
            _, first, inverse = np.unique(point_ids[chosen], return_index=True, return_inverse=True)
            index = self.index(month)
            at = index.locate_many(columns.lat[chosen][first], columns.lng[chosen][first])
            # position -1 (outside every area) picks the -1 at the end
            ids = np.array([a.neighbourhood_id for a in index.areas] + [-1], dtype=np.int64)
            found[chosen] = ids[at][inverse.reshape(-1)]
        return found


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _taken(values: Sequence[Any], order: list[int]) -> list[Any]:
    if not order:
        return []
    taken = operator.itemgetter(*order)(values)
    return list(taken) if len(order) > 1 else [taken]


def _z_order(lats: npt.NDArray[np.float64], lngs: npt.NDArray[np.float64]) -> np.ndarray:
    """Points' places along a Z-order (Morton) curve over the United Kingdom: the bits of
    each latitude and longitude, as 16 bits of the UK's extent, interleaved."""
    west, south, east, north = UK_BOUNDS

    def spread(values: np.ndarray, low: float, high: float) -> np.ndarray:
        v = np.clip((values - low) / (high - low) * 65535, 0, 65535).astype(np.uint64)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
        return (v | (v << np.uint64(1))) & np.uint64(0x55555555)

    return spread(lngs, west, east) | (spread(lats, south, north) << np.uint64(1))


def _nullable(ids: npt.NDArray[np.int64]) -> list[int | None]:
    return [None if v < 0 else v for v in ids.tolist()]


def _db_column(model: Any, name: str, values: list[Any]) -> list[Any]:
    """A column's values as the database takes them (dates and times as text on SQLite)."""
    field = model._meta.get_field(name)
    if isinstance(field, models.DateField):  # and DateTimeField
        return [bulk.db_value(model, name, v) for v in values]
    return values


def source_name(source: _Source) -> str:
    return source.name[-200:]


def import_police_uk(
    paths: Iterable[Path | str],
    *,
    commit: bool,
    quarantine: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> list[CrimeImportReport]:
    """Import police.uk CSV files, month folders or archive zips: one report per file."""
    importer = _Importer(today or timezone.localdate())
    reports: list[CrimeImportReport] = []
    for source in _sources(list(paths)):
        if isinstance(source, _Bad):
            report = CrimeImportReport("police.uk crime", str(source).split(":")[0], commit)
            report.problem(str(source))
            report.rejected += 1
            reports.append(report)
            continue
        reports.append(
            importer.run(source, commit=commit, quarantine=quarantine, progress=progress)
        )
    return reports


__all__ = ["CrimeImportReport", "force_id_from_name", "import_police_uk"]
