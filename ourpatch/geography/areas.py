"""Importing the ONS statistical geographies: local authorities, wards, MSOAs and LSOAs.

``ourpatch import areas PATH [--commit]`` calls :func:`import_areas`. It reads one CSV lookup
file as the ONS Open Geography Portal publishes it ("Lookups"), such as

- "LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW":
  ``LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM,ObjectId``, one row per LSOA;
- "Output Area (2021) to LSOA to MSOA to LAD (2022) Best Fit Lookup in EW":
  ``OA21CD,LSOA21CD,LSOA21NM,LSOA21NMW,MSOA21CD,MSOA21NM,MSOA21NMW,LAD22CD,LAD22NM,LAD22NMW,
  ObjectId``, one row per output area, so each LSOA recurs on several rows;
- their 2011 equivalents (``OA11CD,LSOA11CD,LSOA11NM,MSOA11CD,MSOA11NM,LAD11CD,LAD11NM,FID``;
  ``LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM,FID``).

How the file is read:

- UTF-8 (a byte-order mark is fine), LF or CRLF line ends, comma-separated with ONS's quoting
  ("Bristol, City of"), a header row first. Blank lines are skipped.
- Columns are recognised by ONS's naming pattern, in any case, whatever the year ``yy``:
  ``LSOAyyCD`` and ``LSOAyyNM`` (required); ``MSOAyyCD``/``MSOAyyNM``, ``WDyyCD``/``WDyyNM``
  and ``LADyyCD``/``LADyyNM`` (each pair optional, but a code column needs its name column).
  A file with two years of one geography (``LSOA11CD`` and ``LSOA21CD``: a change lookup) is
  refused: it would not say which to load.
- ``population`` and ``households`` (optional, any case): the LSOA's census usual residents
  (Census 2021 table TS001) and households (TS041), whole numbers; an empty cell leaves the
  stored figure as it is. ONS lookups do not carry them: add the columns to a lookup, or give
  a file of ``LSOA21CD,LSOA21NM,population,households``.
- Every other column is ignored and listed in the report: Welsh names (``…NMW``), output
  areas (``OA21CD``), ``ObjectId``/``FID``, upper-tier authorities, regions.
- Codes must have their ONS shape: LSOA ``E01``/``W01``, MSOA ``E02``/``W02``, ward
  ``E05``/``W05``, local authority ``E06``–``E09``/``W06``, each followed by 6 digits.

What it does: each row names an LSOA and the areas it lies in. Local authorities, MSOAs, wards
and LSOAs not yet in the database are created; those already there are updated where the file
differs (names, an MSOA's or ward's local authority, an LSOA's MSOA and ward, population and
households); a column the file lacks leaves that field as it is. Nothing is deleted: areas the
file does not name stay as they are. A new LSOA needs its MSOA, and a new MSOA or ward its local
authority, so on an empty database import the output-area lookup (which has MSOAs) before the
ward lookup (which has wards).

The rules of every ``ourpatch import`` (see :mod:`ourpatch.geography.imports`): a dry run
unless ``commit``; a file with any bad row is refused whole, every problem listed by line and
field; one transaction; importing the same file again changes nothing. A row may repeat an
area (the output-area lookup does, for each LSOA): repeats must agree, or they are problems.
The whole file is read into memory (a national output-area lookup, ~190,000 rows and ~20 MB,
takes well under a second to parse), the stored areas are read once, and the changes are
written in bulk.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import IntegrityError, models, transaction

from ourpatch.geography.imports import (
    MAX_FILE_BYTES,
    ImportReport,
    _Bad,
    _utf8_lines,
    file_refused,
)
from ourpatch.geography.models import LSOA, MSOA, LocalAuthority, Ward
from ourpatch.importing import bulk

# The largest whole number a population or household count may be (PositiveIntegerField).
MAX_COUNT = 2_147_483_647

_ONS_COLUMN = re.compile(r"^(lsoa|msoa|wd|lad)(\d\d)(cd|nm)$")
POPULATION_COLUMN = "population"
HOUSEHOLDS_COLUMN = "households"


@dataclass(frozen=True)
class _Kind:
    prefix: str  # the ONS column prefix, lower case: "lsoa", "msoa", "wd", "lad"
    label: str  # "LSOA", "ward"
    plural: str  # "LSOAs", "wards"
    code: re.Pattern[str]
    shape: str  # what a code looks like, for messages
    name_max: int


def _name_max(model: type[models.Model]) -> int:
    return model._meta.get_field("name").max_length or 200  # type: ignore[union-attr]


LA_KIND = _Kind(
    "lad",
    "local authority",
    "local authorities",
    re.compile(r"(?:E0[6-9]|W06)\d{6}"),
    "E06, E07, E08, E09 or W06 and 6 digits, such as E08000035",
    _name_max(LocalAuthority),
)
MSOA_KIND = _Kind(
    "msoa",
    "MSOA",
    "MSOAs",
    re.compile(r"[EW]02\d{6}"),
    "E02 or W02 and 6 digits, such as E02002330",
    _name_max(MSOA),
)
WARD_KIND = _Kind(
    "wd",
    "ward",
    "wards",
    re.compile(r"[EW]05\d{6}"),
    "E05 or W05 and 6 digits, such as E05011419",
    _name_max(Ward),
)
LSOA_KIND = _Kind(
    "lsoa",
    "LSOA",
    "LSOAs",
    re.compile(r"[EW]01\d{6}"),
    "E01 or W01 and 6 digits, such as E01011365",
    _name_max(LSOA),
)
KINDS = {k.prefix: k for k in (LA_KIND, MSOA_KIND, WARD_KIND, LSOA_KIND)}


@dataclass(frozen=True)
class _Pair:
    """A geography's code and name columns in the file."""

    kind: _Kind
    year: str  # "21"
    code_at: int
    name_at: int
    code_column: str  # as the header spells it
    name_column: str


@dataclass
class _Columns:
    lsoa: _Pair
    msoa: _Pair | None
    ward: _Pair | None
    la: _Pair | None
    population: tuple[int, str] | None  # (index, header)
    households: tuple[int, str] | None
    used: list[str]
    ignored: list[str]


# What the file says of each area, as first seen: (line, name, …)
_LaSeen = tuple[int, str]  # line, name
_ParentSeen = tuple[int, str, str | None]  # line, name, local authority
_LsoaSeen = tuple[int, str, str | None, str | None, int | None, int | None]
# line, name, MSOA, ward, population, households


@dataclass
class _Tally:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class _Plan:
    """What to write for one kind of area: new rows and changed rows, as field tuples."""

    kind: _Kind
    model: type[models.Model]
    fields: tuple[str, ...]  # after the code
    create: list[tuple[Any, ...]] = field(default_factory=list)  # (code, *fields)
    update: list[tuple[Any, ...]] = field(default_factory=list)  # (code, *fields)
    unchanged: int = 0


def import_areas(
    path: Path,
    *,
    commit: bool,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
) -> ImportReport:
    """Import (upsert) LSOAs with their MSOAs, wards and local authorities from an ONS lookup
    CSV (files and columns in the module docstring). ``label`` names the file in messages (an
    uploaded file's original name)."""
    name = label or path.name
    report = ImportReport("areas", label or str(path), commit)
    if file_refused(path, name, max_bytes, report):
        report.refuse()
        return report
    reading = _AreaFile(report, name)
    with path.open("rb") as stream:
        reading.read(stream)
    if reading.columns is None:
        report.refuse()
        return report
    try:
        if commit:
            with transaction.atomic():
                plans = reading.plan()
                if report.ok:
                    _write(plans)
        else:
            plans = reading.plan()
    except IntegrityError as error:
        report.problem(f"the database refused the import ({error}); nothing was imported")
    if not report.ok:
        report.refuse()
        return report
    for plan in plans:
        report.created += len(plan.create)
        report.changed += len(plan.update)
        report.unchanged += plan.unchanged
    reading.summarise(plans)
    report.committed = commit
    return report


class _AreaFile:
    """One lookup file: read, checked row by row, then compared with the database."""

    def __init__(self, report: ImportReport, name: str) -> None:
        self.report = report
        self.name = name
        self.columns: _Columns | None = None
        self.las: dict[str, _LaSeen] = {}
        self.msoas: dict[str, _ParentSeen] = {}
        self.wards: dict[str, _ParentSeen] = {}
        self.lsoas: dict[str, _LsoaSeen] = {}
        self.good_codes: set[str] = set()  # codes already checked (each recurs on many rows)

    def bad(self, line: int, column: str, text: str) -> None:
        self.report.problem(f"{self.name} line {line}, field {column!r}: {text}")

    # -- reading -------------------------------------------------------------------------

    def read(self, stream: BinaryIO) -> None:
        report = self.report
        reader = csv.reader(_utf8_lines(stream, self.name, report))
        try:
            header = next(reader, None)
            if header is None:
                raise _Bad(f"{self.name}: the file is empty (no header row)")
            self.columns = _find_columns(header, self.name)
        except _Bad as bad:
            report.problem(str(bad))
            report.rejected += 1
            return
        except csv.Error as error:
            report.problem(f"{self.name} line 1: not CSV ({error})")
            report.rejected += 1
            return
        width = len(header)
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                report.read += 1
                line = reader.line_num
                if len(record) != width:
                    report.problem(
                        f"{self.name} line {line}: {len(record)} fields, but the header has {width}"
                    )
                    report.rejected += 1
                elif not self.take(record, line):
                    report.rejected += 1
        except csv.Error as error:
            report.problem(f"{self.name} line {reader.line_num}: not CSV ({error})")
            report.rejected += 1

    def code(self, record: list[str], pair: _Pair, line: int) -> str | None:
        """The row's code of ``pair``'s geography, upper case; None (reported) if bad."""
        code = record[pair.code_at].strip().upper()
        if code in self.good_codes:
            return code
        kind = pair.kind
        if not code:
            self.bad(line, pair.code_column, f"no {kind.label} code (the cell is empty)")
            return None
        if kind.code.fullmatch(code) is None:
            self.bad(
                line,
                pair.code_column,
                f"{_shown(code)} is not an ONS {kind.label} code ({kind.shape})",
            )
            return None
        self.good_codes.add(code)
        return code

    def area_name(self, record: list[str], pair: _Pair, line: int) -> str | None:
        text = record[pair.name_at].strip()
        if not text:
            self.bad(line, pair.name_column, f"no {pair.kind.label} name (the cell is empty)")
            return None
        if len(text) > pair.kind.name_max:
            self.bad(line, pair.name_column, f"longer than {pair.kind.name_max} characters")
            return None
        return text

    def count(self, record: list[str], column: tuple[int, str] | None, line: int) -> Any:
        """A population or household count: an int, None when empty, False when bad."""
        if column is None:
            return None
        text = record[column[0]].strip()
        if not text:
            return None
        if text.isdigit() and int(text) <= MAX_COUNT:
            return int(text)
        self.bad(line, column[1], f"{_shown(text)} is not a whole number of people or households")
        return False

    def take(self, record: list[str], line: int) -> bool:
        """Check one row and remember what it says of each area; False if it is bad."""
        c = self.columns
        assert c is not None
        problems = len(self.report.problems) + self.report.unlisted_problems
        lsoa = self.code(record, c.lsoa, line)
        lsoa_name = self.area_name(record, c.lsoa, line)
        la = la_name = msoa = msoa_name = ward = ward_name = None
        if c.la is not None:
            la = self.code(record, c.la, line)
            la_name = self.area_name(record, c.la, line)
        if c.msoa is not None:
            msoa = self.code(record, c.msoa, line)
            msoa_name = self.area_name(record, c.msoa, line)
        if c.ward is not None:
            ward = self.code(record, c.ward, line)
            ward_name = self.area_name(record, c.ward, line)
        population = self.count(record, c.population, line)
        households = self.count(record, c.households, line)
        if len(self.report.problems) + self.report.unlisted_problems > problems:
            return False

        ok = True
        if c.la is not None and la is not None and la_name is not None:
            ok &= self.remember(self.las, la, (line, la_name), LA_KIND, [c.la.name_column])
        la_column = c.la.code_column if c.la is not None else ""
        if c.msoa is not None and msoa is not None and msoa_name is not None:
            seen_msoa: _ParentSeen = (line, msoa_name, la)
            columns = [c.msoa.name_column, la_column]
            ok &= self.remember(self.msoas, msoa, seen_msoa, MSOA_KIND, columns)
        if c.ward is not None and ward is not None and ward_name is not None:
            seen_ward: _ParentSeen = (line, ward_name, la)
            columns = [c.ward.name_column, la_column]
            ok &= self.remember(self.wards, ward, seen_ward, WARD_KIND, columns)
        assert lsoa is not None and lsoa_name is not None
        seen_lsoa: _LsoaSeen = (line, lsoa_name, msoa, ward, population, households)
        columns = [
            c.lsoa.name_column,
            c.msoa.code_column if c.msoa else "",
            c.ward.code_column if c.ward else "",
            c.population[1] if c.population else "",
            c.households[1] if c.households else "",
        ]
        ok &= self.remember(self.lsoas, lsoa, seen_lsoa, LSOA_KIND, columns)
        return ok

    def remember(
        self,
        seen: dict[str, Any],
        code: str,
        values: tuple[Any, ...],
        kind: _Kind,
        columns: Sequence[str],
    ) -> bool:
        """Keep an area's first sighting; a later row must say the same of it."""
        first = seen.setdefault(code, values)
        if first is values or first[1:] == values[1:]:
            return True
        line = values[0]
        for column, was, now in zip(columns, first[1:], values[1:], strict=True):
            if was != now:
                what = _what(column, kind)
                self.bad(
                    line,
                    column,
                    f"{kind.label} {code} {what} {_shown(now)} here but {_shown(was)} on "
                    f"line {first[0]}: repeats of an area must agree",
                )
        return False

    # -- comparing with the database -----------------------------------------------------

    def plan(self) -> list[_Plan]:
        """What to create and change, kind by kind; problems for areas the file cannot make.

        Reads every stored area of each kind once: a national table is at most some 35,000
        LSOAs, quicker to read whole than to ask for by code.
        """
        c = self.columns
        assert c is not None
        stored_las = {
            code: (name,) for code, name in LocalAuthority.objects.values_list("code", "name")
        }
        stored_msoas = {
            code: (name, la)
            for code, name, la in MSOA.objects.values_list("code", "name", "local_authority_id")
        }
        stored_wards = {
            code: (name, la)
            for code, name, la in Ward.objects.values_list("code", "name", "local_authority_id")
        }
        stored_lsoas = {
            row[0]: row[1:]
            for row in LSOA.objects.values_list(
                "code", "name", "msoa_id", "ward_id", "population", "households"
            )
        }

        las = _Plan(LA_KIND, LocalAuthority, ("name",))
        for code, (_, name) in self.las.items():
            _compare(las, code, (name,), stored_las.get(code))

        msoas = self.plan_parents(MSOA_KIND, MSOA, self.msoas, stored_msoas, c.msoa)
        wards = self.plan_parents(WARD_KIND, Ward, self.wards, stored_wards, c.ward)

        lsoas = _Plan(LSOA_KIND, LSOA, ("name", "msoa_id", "ward_id", "population", "households"))
        year = c.lsoa.year
        for code, (line, name, msoa, ward, population, households) in self.lsoas.items():
            stored = stored_lsoas.get(code)
            if stored is None and msoa is None:
                self.bad(
                    line,
                    c.lsoa.code_column,
                    f"LSOA {code} is not in the database and this file has no MSOA columns "
                    f"to create it with: add MSOA{year}CD and MSOA{year}NM, or first import "
                    f"ONS's 'Output Area to LSOA to MSOA to Local Authority District' lookup "
                    f"(OA{year}CD, LSOA{year}CD, MSOA{year}CD, …)",
                )
                self.report.rejected += 1
                continue
            was = stored or (None, None, None, None, None)
            wanted = (
                name,
                msoa if msoa is not None else was[1],
                ward if c.ward is not None else was[2],
                population if population is not None else was[3],
                households if households is not None else was[4],
            )
            _compare(lsoas, code, wanted, stored)
        return [las, msoas, wards, lsoas]

    def plan_parents(
        self,
        kind: _Kind,
        model: type[models.Model],
        seen: dict[str, _ParentSeen],
        stored: dict[str, tuple[str, str]],
        pair: _Pair | None,
    ) -> _Plan:
        """MSOAs or wards: each needs its local authority, from the file or the database."""
        plan = _Plan(kind, model, ("name", "local_authority_id"))
        for code, (line, name, la) in seen.items():
            was = stored.get(code)
            if la is None and was is None:
                assert pair is not None
                self.bad(
                    line,
                    pair.code_column,
                    f"{kind.label} {code} is not in the database and this file has no local "
                    f"authority columns to create it with: add LAD{pair.year}CD and "
                    f"LAD{pair.year}NM (ONS's lookups have them)",
                )
                self.report.rejected += 1
                continue
            wanted = (name, la if la is not None else was[1] if was else None)
            _compare(plan, code, wanted, was)
        return plan

    def summarise(self, plans: list[_Plan]) -> None:
        c, note = self.columns, self.report.note
        assert c is not None
        note(f"columns used: {', '.join(c.used)}")
        if c.ignored:
            note(f"columns ignored: {', '.join(c.ignored)}")
        committed = self.report.commit
        created, changed = ("created", "changed") if committed else ("would create", "would change")
        note("counts are of areas, not rows:")
        for plan in plans:
            note(
                f"  {plan.kind.plural}: {created} {len(plan.create)}, {changed} "
                f"{len(plan.update)}, unchanged {plan.unchanged}"
            )
        if c.ward is None:
            note("the file has no ward columns: LSOAs' wards left as they are")
        if c.msoa is None:
            note("the file has no MSOA columns: LSOAs' MSOAs left as they are")
        note("areas the file does not name are left as they are")


def _compare(
    plan: _Plan, code: str, wanted: tuple[Any, ...], stored: tuple[Any, ...] | None
) -> None:
    """Count the area as new, changed or the same as stored (None: not stored)."""
    if stored is None:
        plan.create.append((code, *wanted))
    elif tuple(stored) != wanted:
        plan.update.append((code, *wanted))
    else:
        plan.unchanged += 1


def _what(column: str, kind: _Kind) -> str:
    """How a message names the field a repeat disagrees on."""
    lowered = column.lower()
    if lowered.endswith("nm"):
        return "is named"
    if lowered == POPULATION_COLUMN:
        return "has population"
    if lowered == HOUSEHOLDS_COLUMN:
        return "has households"
    if lowered.startswith("lad"):
        return "is in local authority"
    if lowered.startswith("msoa"):
        return "is in MSOA"
    return "is in ward"


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    return str(value)


def _find_columns(header: list[str], name: str) -> _Columns:
    """The ONS columns of the header, by pattern; a clear refusal when they will not do."""
    found: dict[str, dict[str, list[tuple[str, int, str]]]] = {}  # prefix → cd/nm → …
    population = households = None
    used: list[str] = []
    ignored: list[str] = []
    problems: list[str] = []
    for index, raw in enumerate(header):
        column = raw.strip()
        lowered = column.lower()
        match = _ONS_COLUMN.match(lowered)
        if match is not None:
            prefix, year, part = match.groups()
            found.setdefault(prefix, {}).setdefault(part, []).append((year, index, column))
            used.append(column)
        elif lowered == POPULATION_COLUMN:
            if population is not None:
                problems.append(f"the column {column!r} appears twice")
            population = (index, column)
            used.append(column)
        elif lowered == HOUSEHOLDS_COLUMN:
            if households is not None:
                problems.append(f"the column {column!r} appears twice")
            households = (index, column)
            used.append(column)
        elif column:
            ignored.append(column)

    pairs: dict[str, _Pair] = {}
    for prefix, kind in KINDS.items():
        parts = found.get(prefix, {})
        codes, names = parts.get("cd", []), parts.get("nm", [])
        if not codes and not names:
            continue
        upper = prefix.upper()
        if len(codes) > 1 or len(names) > 1:
            given = ", ".join(c for _, _, c in codes + names)
            problems.append(
                f"more than one {kind.label} column of a kind ({given}): this import reads one "
                f"year of each geography; remove the others (a lookup between two years, such "
                f"as LSOA11 to LSOA21, is not one it reads)"
            )
            continue
        if not names:
            year = codes[0][0]
            problems.append(f"{codes[0][2]} needs its name column {upper}{year}NM")
            continue
        if not codes:
            year = names[0][0]
            problems.append(f"{names[0][2]} needs its code column {upper}{year}CD")
            continue
        (code_year, code_at, code_column), (name_year, name_at, name_column) = codes[0], names[0]
        if code_year != name_year:
            problems.append(f"{code_column} and {name_column} are of different years")
            continue
        pairs[prefix] = _Pair(kind, code_year, code_at, name_at, code_column, name_column)

    if "lsoa" not in pairs and "lsoa" not in found:
        shown = ", ".join(c.strip() for c in header[:12]) + (", …" if len(header) > 12 else "")
        problems.insert(
            0,
            "missing required column(s): an LSOA code and name, such as LSOA21CD and "
            f"LSOA21NM (or LSOA11CD and LSOA11NM); the header has: {shown or 'nothing'}",
        )
    if problems:
        raise _Bad(f"{name} line 1: {'; '.join(problems)}")
    return _Columns(
        lsoa=pairs["lsoa"],
        msoa=pairs.get("msoa"),
        ward=pairs.get("wd"),
        la=pairs.get("lad"),
        population=population,
        households=households,
        used=used,
        ignored=ignored,
    )


# --------------------------------------------------------------------------------------------
# Writing


def _write(plans: list[_Plan]) -> None:
    """New areas, then changed ones, local authorities first, in bulk without model
    instances (:mod:`ourpatch.importing.bulk`: COPY on PostgreSQL, several times faster than
    the ORM's bulk_create for a national file; executemany on SQLite)."""
    for plan in plans:
        fields = list(plan.fields)
        # an area another import added meanwhile fails the import whole, and says so
        bulk.insert(
            plan.model, ["code", *fields], plan.create, count=len(plan.create), unique=("code",)
        )
        bulk.update(plan.model, fields, [(*row[1:], row[0]) for row in plan.update])


__all__ = ["import_areas"]
