"""Importing calls for service from a call-handling export (``ourpatch import calls PATH``).

**The CSV**, one row per call: UTF-8 (a BOM is fine), a header row, columns in any order,
names case-insensitive; CRLF line ends, quoted commas and blank lines are fine.

==========================  =====================================================================
``force``                   the force's police.uk id, e.g. ``west-yorkshire``
``call_id``                 the call-handling system's reference (at most 40 characters): the key,
                            unique within the force
``kind``                    ``999`` or ``101``
``received``                when the call reached the force (required)
``answered``                when a call-taker answered it
``graded``                  when it was graded
``dispatched``              when an officer was sent
``arrived``                 when the first officer arrived
``grade``                   ``emergency``, ``priority``, ``scheduled``, ``resolution``; or empty
``vulnerable``              ``true`` / ``false`` (empty = false): the caller was vulnerable or upset
``neighbourhood_priority``  ``true`` / ``false`` (empty = false): an agreed neighbourhood priority
``eta_given``               ``true`` / ``false``, or empty if not known: an arrival time was given
``neighbourhood``           the neighbourhood's code in the force; if empty, the call is placed by
                            its ``latitude`` and ``longitude``
``outcome``                 ``advice``, ``attended``, ``appointment``; or empty (still open)
``latitude``, ``longitude`` optional: where the call was about (WGS84 degrees, in the UK)
``address``                 optional: the address (at most 300 characters)
``appointment_at``          when the outcome is ``appointment``: when it was made for
==========================  =====================================================================

Every time is ISO 8601 **with its zone**, ``Z`` or an offset (``2026-10-25T01:30:00+01:00``,
``2026-10-25T01:30:00Z``): a local time without a zone is ambiguous once a year and
impossible once a year in Europe/London, so it is refused. Empty means it did not happen.
Latitude, longitude and address are personal data: they are kept apart in
:class:`~ourpatch.calls.models.CallLocation` and read only through an audited query.

**Rules** (see also :mod:`ourpatch.importing.rows`):

- **A dry run unless** ``commit=True``. A committed import is one transaction.
- **No good record is lost.** Good rows are imported. A bad row (a missing or unreadable time,
  a time without a zone, answered, graded or dispatched before received, arrived before
  dispatched, a call id already on an earlier line, an unknown force or neighbourhood, a value
  not among those allowed, coordinates outside the UK, the wrong number of fields) is kept in
  :class:`~ourpatch.calls.models.RejectedCall` and listed, each problem naming the file, line
  and field. The Pledge figures show such rows as "n excluded", with the reasons
  (:mod:`ourpatch.calls.exclusions`). Only a problem with the whole file (too large, not
  UTF-8, not CSV, a wrong header) refuses it.
- **Idempotent.** The same file imported again changes nothing, and quarantines no row twice.
  A call id seen again with other values updates the call (a later export fills in arrival
  times; the last import wins), and a good row for a call that an earlier import quarantined
  releases that rejection: both are counted as changed.
- An outcome ``appointment`` creates (or updates) an :class:`~ourpatch.calls.models.Appointment`
  linked to the call, requested when the call was received.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from ourpatch.calls.models import (
    Appointment,
    Call,
    CallKind,
    CallLocation,
    CallOutcome,
    Grade,
    RejectedCall,
    RejectReason,
)
from ourpatch.geography import locate
from ourpatch.geography.imports import MAX_FILE_BYTES, _Bad
from ourpatch.geography.models import Force, Neighbourhood, NeighbourhoodBoundary
from ourpatch.importing.rows import (
    NULL_TIME,
    QuarantineReport,
    RowKeys,
    RowProblem,
    from_microseconds,
    header_columns,
    parse_flag,
    parse_number_column,
    parse_time_column,
    raw_row,
    read_csv,
    shown,
)

REQUIRED = (
    "force",
    "call_id",
    "kind",
    "received",
    "answered",
    "graded",
    "dispatched",
    "arrived",
    "grade",
    "vulnerable",
    "neighbourhood_priority",
    "eta_given",
    "neighbourhood",
    "outcome",
)
OPTIONAL = ("latitude", "longitude", "address", "appointment_at")
TIMES = ("received", "answered", "graded", "dispatched", "arrived")
# What a call's fingerprint covers: every column but its key (force, call id)
FINGERPRINTED = (*REQUIRED[2:], *OPTIONAL)
FLAGS = ("vulnerable", "neighbourhood_priority", "eta_given")

KINDS = frozenset(CallKind.values)
GRADES = frozenset(Grade.values)
OUTCOMES = frozenset(CallOutcome.values)
CALL_ID_MAX = Call._meta.get_field("call_id").max_length or 40
ADDRESS_MAX = CallLocation._meta.get_field("address").max_length or 300
SOURCE_MAX = Call._meta.get_field("source_file").max_length or 200

# Rows are checked, placed, compared and written this many at a time.
CHUNK_ROWS = 20_000
# Keys per query on SQLite (PostgreSQL takes one array).
QUERY_KEYS = 900

Problem = tuple[str, str, str]  # (field, reason, text)


@dataclass
class CallImportReport(QuarantineReport):
    """A :class:`QuarantineReport` with where the calls were placed."""

    located: int = 0  # placed in a neighbourhood by their coordinates
    outside: int = 0  # coordinates in none of the force's neighbourhoods
    unplaced: int = 0  # neither a neighbourhood nor coordinates

    def as_text(self) -> str:
        text = super().as_text()
        if not self.ok:
            return text
        extra = []
        if self.located:
            extra.append(f"  {self.located} call(s) placed in a neighbourhood by their coordinates")
        if self.outside or self.unplaced:
            extra.append(
                f"  {self.outside + self.unplaced} call(s) in no neighbourhood of their force "
                f"({self.outside} with coordinates outside them all, {self.unplaced} with "
                "neither a neighbourhood nor coordinates): counted for the force only"
            )
        return "\n".join([text, *extra])


@dataclass
class _Good:
    """The good rows of a chunk, column by column (times in microseconds, or None)."""

    lines: list[int]
    force_ids: list[str]
    call_ids: list[str]
    kinds: Sequence[str]
    times: list[list[int | None]]  # received, answered, graded, dispatched, arrived
    grades: Sequence[str]
    flags: list[list[bool | None]]  # vulnerable, neighbourhood priority, eta given
    outcomes: Sequence[str]
    hoods: list[int | None]
    lats: list[float | None]
    lngs: list[float | None]
    addresses: Sequence[str]
    appointments: list[int | None]
    fingerprints: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Rejection:
    key: str
    force_id: str | None
    force_text: str
    call_id: str
    received: dt.datetime | None
    hood: int | None
    line: int
    field: str
    reason: str
    message: str
    raw: dict[str, object]


class _Rollback(Exception):
    """Undo a committed import when the file turns out to be refused."""


def import_calls(
    path: Path,
    *,
    commit: bool,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> CallImportReport:
    """Import calls from a call-handling export (columns and rules in the module docstring)."""
    started = time.perf_counter()
    name = label or path.name
    report = CallImportReport("calls", label or str(path), commit)
    report.reason_labels = dict(RejectReason.choices)
    try:
        with transaction.atomic():
            _CallImport(report, name, commit, max(1, chunk_rows)).run(path, max_bytes)
            if commit and not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError as error:
        report.problem(f"the database refused the import ({error}); nothing was imported")
    report.seconds = time.perf_counter() - started
    if not report.ok:
        report.refuse()
        return report
    report.committed = commit
    return report


class _CallImport:
    def __init__(self, report: CallImportReport, name: str, commit: bool, chunk_rows: int):
        self.report = report
        self.name = name
        self.source = name[-SOURCE_MAX:]
        self.commit = commit
        self.chunk_rows = chunk_rows
        self.now = timezone.now()
        self.keys = RowKeys()
        self.run_keys: set[str] = set()
        # force (as written, lower case) → call id → the first line it is on
        self.seen: dict[str, dict[str, int]] = defaultdict(dict)
        self.bad: list[_Rejection] = []
        self.indexes: dict[frozenset[int], locate.NeighbourhoodIndex] = {}
        self.index_of_month: dict[int, locate.NeighbourhoodIndex] = {}
        self.writer = _Writer(self.source, self.now)

    # ----------------------------------------------------------------------------------------
    # Reading

    def run(self, path: Path, max_bytes: int) -> None:
        chunks = read_csv(path, self.name, self.report, max_bytes, self.chunk_rows)
        first = next(chunks, None)
        if first is None:
            if self.report.ok:
                self.report.problem(f"{self.name}: the file is empty (no header row)")
            return
        header = first[1][0]
        try:
            self.columns, ignored = header_columns(header, self.name, REQUIRED, OPTIONAL)
        except _Bad as bad:
            self.report.problem(str(bad))
            return
        if ignored:
            self.report.note(f"ignored column(s): {', '.join(ignored)}")
        self.header = header
        self.width = len(header)
        self.prepare()
        for lines, records in chunks:
            self.report.read += len(records)
            width = self.width
            if any(len(record) != width for record in records):
                shaped = [k for k, record in enumerate(records) if len(record) == width]
                for k, record in enumerate(records):
                    if len(record) != width:
                        self.reject_misshapen(lines[k], record)
                lines = [lines[k] for k in shaped]
                records = [records[k] for k in shaped]
            if self.report.ok:  # once refused, the rest is only read, for its problems
                self.process(lines, records)
        if not self.report.ok:
            return
        self.keep_rejections()
        self.release_rejections()

    def prepare(self) -> None:
        """What the import needs from the database, loaded once."""
        self.forces = {pk.lower(): pk for pk in Force.objects.values_list("pk", flat=True)}
        self.hoods: dict[str, dict[str, int]] = defaultdict(dict)
        for pk, force_id, code in Neighbourhood.objects.values_list("pk", "force", "code"):
            self.hoods[force_id][code] = pk
        # Earlier rejections a good row may release: (force, call id) → [(pk, key)]
        self.quarantined: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for pk, key, force_text, call_id in (
            RejectedCall.objects.exclude(call_id="")
            .values_list("pk", "key", "force_text", "call_id")
            .iterator()
        ):
            self.quarantined[(force_text, call_id)].append((pk, key))
        self.release: dict[int, tuple[str, str, str]] = {}  # pk → (key, force, call id)
        self.created_keys: set[tuple[str, str]] = set()
        at = self.columns
        self.fingerprinted = itemgetter(*(at[c] for c in FINGERPRINTED if c in at))

    def process(self, lines: list[int], records: list[list[str]]) -> None:
        if records:
            good = self.check(lines, records)
            if good is not None:
                self.compare_and_write(good)
        if len(self.bad) >= self.chunk_rows:
            self.keep_rejections()

    def check(self, lines: list[int], records: list[list[str]]) -> _Good | None:
        """Check a chunk column by column; quarantine its bad rows, return its good ones."""
        n = len(records)
        columns = list(zip(*records, strict=True))
        at = self.columns

        def column(name: str) -> Sequence[str]:
            return columns[at[name]] if name in at else ("",) * n

        problems: dict[int, list[Problem]] = defaultdict(list)

        def flag(rows: Iterable[int], name: str, reason: str, text: Callable[[int], str]) -> None:
            for i in rows:
                problems[i].append((name, reason, text(i)))

        # force
        force_texts = _tidy(column("force"), lower=True)
        known = {v: self.forces.get(v) for v in set(force_texts)}
        if len(known) == 1:
            force_ids: list[str | None] = [next(iter(known.values()))] * n
        else:
            force_ids = list(map(known.__getitem__, force_texts))
        if None in known.values():
            flag(
                (i for i, v in enumerate(force_texts) if v and known[v] is None),
                "force",
                RejectReason.UNKNOWN_FORCE,
                lambda i: f"unknown force {shown(force_texts[i])}: give its police.uk id",
            )
            flag(
                (i for i, v in enumerate(force_texts) if not v),
                "force",
                RejectReason.MISSING,
                lambda i: "missing",
            )
        # call id, and repeats within the file
        call_ids = [v.strip() for v in column("call_id")]
        if not all(call_ids):
            flag(
                (i for i, v in enumerate(call_ids) if not v),
                "call_id",
                RejectReason.MISSING,
                lambda i: "missing",
            )
        if max(map(len, call_ids)) > CALL_ID_MAX:
            flag(
                (i for i, v in enumerate(call_ids) if len(v) > CALL_ID_MAX),
                "call_id",
                RejectReason.TOO_LONG,
                lambda i: f"longer than {CALL_ID_MAX} characters",
            )
        self.repeats(problems, lines, force_texts, call_ids)
        # kind, grade, outcome
        kinds = _tidy(column("kind"))
        wrong = set(kinds) - KINDS
        if wrong:
            flag(
                (i for i, v in enumerate(kinds) if v in wrong and v),
                "kind",
                RejectReason.BAD_VALUE,
                lambda i: f"{shown(kinds[i])} is not a kind: 999 or 101",
            )
            flag(
                (i for i, v in enumerate(kinds) if not v),
                "kind",
                RejectReason.MISSING,
                lambda i: "missing: 999 or 101",
            )
        grades = _tidy(column("grade"), lower=True)
        wrong = set(grades) - GRADES - {""}
        if wrong:
            flag(
                (i for i, v in enumerate(grades) if v in wrong),
                "grade",
                RejectReason.BAD_VALUE,
                lambda i: f"{shown(grades[i])} is not a grade: {', '.join(Grade.values)}",
            )
        outcomes = _tidy(column("outcome"), lower=True)
        wrong = set(outcomes) - OUTCOMES - {""}
        if wrong:
            flag(
                (i for i, v in enumerate(outcomes) if v in wrong),
                "outcome",
                RejectReason.BAD_VALUE,
                lambda i: (
                    f"{shown(outcomes[i])} is not an outcome: {', '.join(CallOutcome.values)}"
                ),
            )
        # times, and their order
        micros: dict[str, np.ndarray] = {}
        unreadable: dict[str, set[int]] = {}
        for name in (*TIMES, "appointment_at"):
            micros[name], bad = parse_time_column(column(name))
            unreadable[name] = set(bad)
            for i, problem in bad.items():
                problems[i].append((name, problem.reason, problem.text))
        received = micros["received"]
        has = {name: values != NULL_TIME for name, values in micros.items()}
        missing = set(np.flatnonzero(~has["received"]).tolist()) - unreadable["received"]
        flag(
            missing,
            "received",
            RejectReason.MISSING,
            lambda i: "missing: every call has the time it came in",
        )
        for name in ("answered", "graded", "dispatched"):
            self.out_of_order(problems, name, micros, has, "received")
        self.out_of_order(problems, "arrived", micros, has, "dispatched")
        self.out_of_order(problems, "arrived", micros, has, "received", ~has["dispatched"])
        # an appointment made has a time, and only then
        given = set(np.flatnonzero(has["appointment_at"]).tolist()) | unreadable["appointment_at"]
        made = {i for i, o in enumerate(outcomes) if o == CallOutcome.APPOINTMENT}
        flag(
            made - given,
            "appointment_at",
            RejectReason.MISSING,
            lambda i: "missing: the outcome is an appointment, so say when it is",
        )
        flag(
            (i for i in given - made if outcomes[i] in OUTCOMES or not outcomes[i]),
            "appointment_at",
            RejectReason.BAD_VALUE,
            lambda i: f"given, but the outcome is {outcomes[i] or 'empty'}, not appointment",
        )
        self.out_of_order(problems, "appointment_at", micros, has, "received")
        # flags
        flags: list[list[bool | None]] = []
        for name in FLAGS:
            values = column(name)
            meaning: dict[str, bool | None] = {}
            for text in set(values):
                try:
                    meaning[text] = parse_flag(text.strip())
                    if name != "eta_given":  # empty: false; only the ETA may be unknown
                        meaning[text] = bool(meaning[text])
                except RowProblem as problem:
                    for i, v in enumerate(values):
                        if v == text:
                            problems[i].append((name, problem.reason, problem.text))
                    meaning[text] = None
            flags.append(list(map(meaning.__getitem__, values)))
        # where
        lat_texts, lng_texts = column("latitude"), column("longitude")
        lats, bad_lats = parse_number_column(lat_texts)
        lngs, bad_lngs = parse_number_column(lng_texts)
        self.check_coordinates(problems, lats, lngs, bad_lats, bad_lngs)
        addresses = _tidy(column("address"))
        if max(map(len, addresses)) > ADDRESS_MAX:
            flag(
                (i for i, v in enumerate(addresses) if len(v) > ADDRESS_MAX),
                "address",
                RejectReason.TOO_LONG,
                lambda i: f"longer than {ADDRESS_MAX} characters",
            )
        codes = _tidy(column("neighbourhood"))
        hoods, unknown = self.neighbourhoods(force_ids, codes)
        flag(
            unknown,
            "neighbourhood",
            RejectReason.UNKNOWN_NEIGHBOURHOOD,
            lambda i: f"unknown neighbourhood {shown(codes[i])} in {force_ids[i]}",
        )

        for i in sorted(problems):
            when = int(received[i])
            self.reject(
                lines[i],
                records[i],
                sorted(problems[i], key=lambda p: self.columns.get(p[0], self.width)),
                force_ids[i],
                force_texts[i],
                call_ids[i],
                None if when == NULL_TIME else from_microseconds(when),
                hoods[i],
            )
        keep = [i for i in range(n) if i not in problems] if problems else None
        if keep is not None and not keep:
            return None

        def pick(values: Sequence[Any]) -> list[Any]:
            return list(values) if keep is None else [values[i] for i in keep]

        chosen = records if keep is None else [records[i] for i in keep]
        good = _Good(
            lines=pick(lines),
            force_ids=pick(force_ids),
            call_ids=pick(call_ids),
            kinds=pick(kinds),
            times=[pick(_nullable(micros[name])) for name in TIMES],
            grades=pick(grades),
            flags=[pick(values) for values in flags],
            outcomes=pick(outcomes),
            hoods=pick(hoods),
            lats=pick(_nullable(lats)),
            lngs=pick(_nullable(lngs)),
            addresses=pick(addresses),
            appointments=pick(_nullable(micros["appointment_at"])),
        )
        self.place(good, pick(codes))
        fingerprinted = self.fingerprinted
        good.fingerprints = [
            hashlib.blake2b(
                ("\x1f".join(fingerprinted(record)) + f"\x1f{hood}").encode(), digest_size=16
            ).hexdigest()
            for record, hood in zip(chosen, good.hoods, strict=True)
        ]
        return good

    def repeats(
        self,
        problems: dict[int, list[Problem]],
        lines: list[int],
        force_texts: Sequence[str],
        call_ids: list[str],
    ) -> None:
        """A call id on an earlier line of the file (for the same force) is a repeat."""
        forces = set(force_texts)
        if len(forces) == 1:
            seen = self.seen[next(iter(forces))]
            fresh = set(call_ids)
            if len(fresh) == len(call_ids) and not (seen.keys() & fresh):
                seen.update(zip(call_ids, lines, strict=True))  # the usual case, at C speed
                return
        for i, (force, call_id) in enumerate(zip(force_texts, call_ids, strict=True)):
            if call_id:
                first = self.seen[force].setdefault(call_id, lines[i])
                if first != lines[i]:
                    problems[i].append(
                        (
                            "call_id",
                            RejectReason.DUPLICATE,
                            f"call {shown(call_id)} is already on line {first}",
                        )
                    )

    def neighbourhoods(
        self, force_ids: list[str | None], codes: Sequence[str]
    ) -> tuple[list[int | None], list[int]]:
        """Each row's neighbourhood from its code (None when it has none), and the rows
        whose code is unknown in their force."""
        forces = set(force_ids)
        if len(forces) == 1:
            force = next(iter(forces))
            of_force = self.hoods.get(force, {}) if force is not None else {}
            hoods = list(map(of_force.get, codes))
        else:
            hoods = [
                self.hoods.get(f, {}).get(c) if f is not None else None
                for f, c in zip(force_ids, codes, strict=True)
            ]
        unknown = [
            i
            for i in np.flatnonzero(
                np.fromiter(map(bool, codes), dtype=bool, count=len(codes))
            ).tolist()
            if hoods[i] is None and force_ids[i] is not None
        ]
        return hoods, unknown

    def out_of_order(
        self,
        problems: dict[int, list[Problem]],
        name: str,
        micros: dict[str, np.ndarray],
        has: dict[str, np.ndarray],
        other: str,
        where: np.ndarray | None = None,
    ) -> None:
        both = has[name] & has[other] if where is None else where & has[name] & has[other]
        for i in np.flatnonzero(both & (micros[name] < micros[other])).tolist():
            problems[i].append(
                (
                    name,
                    RejectReason.OUT_OF_ORDER,
                    _before(name, int(micros[name][i]), other, int(micros[other][i])),
                )
            )

    def check_coordinates(
        self,
        problems: dict[int, list[Problem]],
        lats: np.ndarray,
        lngs: np.ndarray,
        bad_lats: set[int],
        bad_lngs: set[int],
    ) -> None:
        """Both or neither, numbers, in the UK. Messages never repeat them (a home, often)."""
        given_lat, given_lng = ~np.isnan(lats), ~np.isnan(lngs)
        given_lat[list(bad_lats)] = True
        given_lng[list(bad_lngs)] = True
        west, south, east, north = locate.UK_BOUNDS
        with np.errstate(invalid="ignore"):
            inside = (lats >= south) & (lats <= north) & (lngs >= west) & (lngs <= east)
            swapped = (lngs >= south) & (lngs <= north) & (lats >= west) & (lats <= east)
        for i in np.flatnonzero((given_lat | given_lng) & ~inside).tolist():
            if given_lat[i] != given_lng[i]:
                text = "give both latitude and longitude, or neither"
            elif i in bad_lats or i in bad_lngs or not np.isfinite(lats[i] + lngs[i]):
                text = "latitude and longitude are not numbers"
            else:
                text = "latitude and longitude are outside the UK"
                text += " (they look swapped)" if swapped[i] else ""
            problems[i].append(("latitude", RejectReason.BAD_LOCATION, text))
            lats[i] = lngs[i] = np.nan

    def reject_misshapen(self, line: int, record: list[str]) -> None:
        """A row with the wrong number of fields: attributed to its force where that column
        can still be read (an unquoted comma in the address shifts only what follows it)."""
        at_force, at_id = self.columns["force"], self.columns["call_id"]
        force_text = record[at_force].strip().lower() if at_force < len(record) else ""
        call_id = record[at_id].strip() if at_id < len(record) else ""
        text = f"{len(record)} fields, but the header has {self.width}"
        problems = [("(row)", RejectReason.BAD_ROW, text)]
        self.reject(line, record, problems, self.forces.get(force_text), force_text, call_id)

    def reject(
        self,
        line: int,
        record: list[str],
        problems: Sequence[Problem],
        force_id: str | None,
        force_text: str,
        call_id: str,
        received: dt.datetime | None = None,
        hood: int | None = None,
    ) -> None:
        """Quarantine a bad row: listed on the report, kept as a RejectedCall."""
        raw = raw_row(self.header, record)
        key = self.keys.key(raw)
        self.run_keys.add(key)
        field, reason, _ = problems[0]
        self.report.quarantine(
            reason, [f"{self.name} line {line}, field {f!r}: {text}" for f, _, text in problems]
        )
        message = "; ".join(f"field {f!r}: {text}" for f, _, text in problems)
        self.bad.append(
            _Rejection(
                key,
                force_id,
                force_text[:64],
                call_id[:CALL_ID_MAX],
                received,
                hood,
                line,
                field,
                reason,
                message,
                raw,
            )
        )

    # ----------------------------------------------------------------------------------------
    # Placing, comparing, writing

    def place(self, good: _Good, codes: list[str]) -> None:
        """Calls with coordinates and no neighbourhood code: placed by the boundaries valid in
        the month (in UK time) they came in."""
        todo = [i for i, code in enumerate(codes) if not code and good.lats[i] is not None]
        self.report.unplaced += sum(
            1 for i, code in enumerate(codes) if not code and good.lats[i] is None
        )
        if not todo:
            return
        received = pa.array([good.times[0][i] for i in todo], pa.int64())
        local = received.cast(pa.timestamp("us", tz=settings.TIME_ZONE))
        months = pc.add(pc.multiply(pc.year(local), 12), pc.month(local)).to_numpy()
        lats = np.array([good.lats[i] for i in todo], dtype=np.float64)
        lngs = np.array([good.lngs[i] for i in todo], dtype=np.float64)
        for month in np.unique(months).tolist():
            chosen = np.flatnonzero(months == month)
            index = self.index_for(month)
            areas = index.areas
            found = index.locate_many(lats[chosen], lngs[chosen]).tolist()
            for j, hit in zip(chosen.tolist(), found, strict=True):
                i = todo[j]
                if hit >= 0 and areas[hit].force_id == good.force_ids[i]:
                    good.hoods[i] = areas[hit].neighbourhood_id
                    self.report.located += 1
                else:
                    self.report.outside += 1

    def index_for(self, month: int) -> locate.NeighbourhoodIndex:
        """The boundaries valid on the month's first day (built once per set of versions)."""
        index = self.index_of_month.get(month)
        if index is not None:
            return index
        day = dt.date((month - 1) // 12, (month - 1) % 12 + 1, 1)
        versions = frozenset(
            NeighbourhoodBoundary.objects.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .filter(neighbourhood__valid_from__lte=day)
            .filter(Q(neighbourhood__valid_to__isnull=True) | Q(neighbourhood__valid_to__gt=day))
            .values_list("pk", flat=True)
        )
        index = self.indexes.get(versions)
        if index is None:
            index = self.indexes[versions] = locate.NeighbourhoodIndex.build(day)
        self.index_of_month[month] = index
        return index

    def compare_and_write(self, good: _Good) -> None:
        forces = set(good.force_ids)
        if len(forces) == 1:
            by_force = {next(iter(forces)): list(range(len(good.force_ids)))}
        else:
            by_force = defaultdict(list)
            for i, force_id in enumerate(good.force_ids):
                by_force[force_id].append(i)
        report = self.report
        for force_id, rows in by_force.items():
            call_ids = good.call_ids
            existing = _existing_calls(force_id, [call_ids[i] for i in rows])
            new: list[int] = rows if not existing else []
            changed: list[tuple[int, int]] = []
            if existing:
                fingerprints = good.fingerprints
                for i in rows:
                    old = existing.get(call_ids[i])
                    if old is None:
                        new.append(i)
                    elif old[1] != fingerprints[i]:
                        changed.append((old[0], i))
                    else:
                        report.unchanged += 1
            if self.quarantined:
                for i in rows:
                    earlier = self.quarantined.get((force_id.lower(), call_ids[i]))
                    if earlier:
                        for pk, key in earlier:
                            self.release[pk] = (key, force_id, call_ids[i])
                        if call_ids[i] not in existing:
                            self.created_keys.add((force_id, call_ids[i]))
            report.created += len(new)
            report.changed += len(changed)
            if self.commit:
                self.writer.write(force_id, good, new, changed)

    # ----------------------------------------------------------------------------------------
    # The quarantine

    def keep_rejections(self) -> None:
        """Keep the bad rows read so far: new ones created, known ones brought up to date."""
        bad, self.bad = self.bad, []
        if not bad:
            return
        fields = (
            "force",
            "force_text",
            "call_id",
            "received_at",
            "neighbourhood",
            "field",
            "reason",
            "message",
        )
        existing: dict[str, tuple[Any, ...]] = {}
        keys = [b.key for b in bad]
        for start in range(0, len(keys), QUERY_KEYS):
            for pk, key, *values in RejectedCall.objects.filter(
                key__in=keys[start : start + QUERY_KEYS]
            ).values_list("pk", "key", *fields):
                existing[key] = (pk, *values)
        new: list[RejectedCall] = []
        for b in bad:
            values = (
                b.force_id,
                b.force_text,
                b.call_id,
                b.received,
                b.hood,
                b.field,
                b.reason,
                b.message,
            )
            old = existing.get(b.key)
            if old is None:
                new.append(
                    RejectedCall(
                        key=b.key,
                        force_id=b.force_id,
                        force_text=b.force_text,
                        call_id=b.call_id,
                        received_at=b.received,
                        neighbourhood_id=b.hood,
                        source_file=self.source,
                        line=b.line,
                        field=b.field,
                        reason=b.reason,
                        message=b.message,
                        raw=b.raw,
                        rejected_at=self.now,
                    )
                )
                continue
            self.report.already_quarantined += 1
            if tuple(old[1:]) != values and self.commit:
                # the same row, judged differently now (a neighbourhood was added, say)
                RejectedCall.objects.filter(pk=old[0]).update(
                    **{
                        f if f not in ("force", "neighbourhood") else f"{f}_id": v
                        for f, v in zip(fields, values, strict=True)
                    }
                )
        if self.commit and new:
            RejectedCall.objects.bulk_create(new, batch_size=1000)

    def release_rejections(self) -> None:
        """Rows quarantined by an earlier import whose call this file gives good: released."""
        released = [pk for pk, (key, _, _) in self.release.items() if key not in self.run_keys]
        if not released:
            return
        calls = {(force, cid) for pk, (_, force, cid) in self.release.items() if pk in released}
        # a call that was only in quarantine, and is now imported, is changed, not new
        moved = len(calls & self.created_keys)
        self.report.created -= moved
        self.report.changed += moved
        self.report.cleared += len(released)
        if self.commit:
            for start in range(0, len(released), QUERY_KEYS):
                RejectedCall.objects.filter(pk__in=released[start : start + QUERY_KEYS]).delete()


# --------------------------------------------------------------------------------------------
# Writing in bulk


# The fields an import writes, besides the key (force, call_id), in this order.
CALL_FIELDS = (
    "kind",
    "received_at",
    "answered_at",
    "graded_at",
    "dispatched_at",
    "arrived_at",
    "grade",
    "vulnerable",
    "neighbourhood_priority",
    "eta_given",
    "outcome",
    "neighbourhood",
    "source_file",
    "source_line",
    "imported_at",
    "fingerprint",
)
TIME_FIELDS = frozenset(
    {
        "received_at",
        "answered_at",
        "graded_at",
        "dispatched_at",
        "arrived_at",
        "requested_at",
        "appointment_at",
    }
)


class _Writer:
    """INSERT and UPDATE in bulk without model instances (the ORM would cost more than all
    the rest of the import): COPY on PostgreSQL, executemany on SQLite.

    Times travel as microseconds since the epoch. SQLite is handed them as integers and
    writes the text Django stores (``YYYY-MM-DD HH:MM:SS[.ffffff]``, UTC) itself;
    PostgreSQL is handed datetimes.
    """

    def __init__(self, source: str, now: dt.datetime) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.source = source
        self.now: Any = now.astimezone(dt.UTC).replace(tzinfo=None)
        if self.sqlite:
            self.now = str(self.now)

    def time(self, values: Sequence[int | None]) -> Sequence[Any]:
        if self.sqlite:
            return values
        return [None if v is None else from_microseconds(v) for v in values]

    def write(
        self, force_id: str, good: _Good, new: list[int], changed: list[tuple[int, int]]
    ) -> None:
        rows = new + [i for _, i in changed]
        whole = not changed and len(new) == len(good.lines)  # new is every row, in order

        def take(values: Sequence[Any]) -> Sequence[Any]:
            return values if whole else [values[i] for i in rows]

        times = [self.time(take(column)) for column in good.times]
        appointments = self.time(take(good.appointments))
        position = {i: k for k, i in enumerate(rows)}
        # CALL_FIELDS' values, column by column, for ``rows``
        columns: list[Sequence[Any]] = [
            take(good.kinds),
            *times,
            take(good.grades),
            *[take(flags) for flags in good.flags],
            take(good.outcomes),
            take(good.hoods),
            [self.source] * len(rows),
            take(good.lines),
            [self.now] * len(rows),
            take(good.fingerprints),
        ]
        count = len(new)
        inserted = zip(
            [force_id] * count,
            [good.call_ids[i] for i in new],
            *[column[:count] for column in columns],
            strict=True,
        )

        with connection.cursor() as cursor:
            if self.sqlite and new:
                # The import holds SQLite's write lock: the new rows are those after this id
                cursor.execute(f"SELECT max({_column(Call, 'id')}) FROM {_table(Call)}")  # noqa: S608
                before = cursor.fetchone()[0] or 0
            self.insert(
                cursor,
                Call,
                ["force", "call_id", *CALL_FIELDS],
                list(inserted),
            )
            if changed:
                updated = zip(*[column[count:] for column in columns], strict=True)
                self.update(
                    cursor,
                    Call,
                    CALL_FIELDS,
                    [(*values, pk) for values, (pk, _) in zip(updated, changed, strict=True)],
                )
                _delete_where_in(cursor, CallLocation, "call", [pk for pk, _ in changed])
            if not new:
                found: dict[str, int] = {}
            elif self.sqlite:
                cursor.execute(
                    f"SELECT {_column(Call, 'call_id')}, {_column(Call, 'id')} "  # noqa: S608
                    f"FROM {_table(Call)} WHERE {_column(Call, 'id')} > %s",
                    [before],
                )
                found = dict(cursor.fetchall())
            else:
                found = {
                    cid: pk
                    for cid, (pk, _) in _existing_calls(
                        force_id, [good.call_ids[i] for i in new]
                    ).items()
                }
            pks = [(found[good.call_ids[i]], i) for i in new] + changed
            self.insert(
                cursor,
                CallLocation,
                ["call", "latitude", "longitude", "address"],
                [
                    (pk, good.lats[i], good.lngs[i], good.addresses[i])
                    for pk, i in pks
                    if good.lats[i] is not None or good.addresses[i]
                ],
            )
            self.appointments(
                cursor, force_id, good, pks, changed, times[0], appointments, position
            )

    def appointments(
        self,
        cursor: Any,
        force_id: str,
        good: _Good,
        pks: list[tuple[int, int]],
        changed: list[tuple[int, int]],
        received: Sequence[Any],
        appointments: Sequence[Any],
        position: dict[int, int],
    ) -> None:
        """One appointment per call that made one; a changed call's is updated (keeping what
        staff recorded on it: officer, kept) or removed when the outcome is no longer one."""
        current: dict[int, int] = {}
        if changed:
            for call_pk, pk in _select_where_in(
                cursor, Appointment, ["call", "id"], "call", [pk for pk, _ in changed]
            ):
                current.setdefault(call_pk, pk)
        fresh, updates, gone = [], [], []
        for call_pk, i in pks:
            k = position[i]
            appointment = current.get(call_pk)
            if appointments[k] is None:
                if appointment is not None:
                    gone.append(call_pk)
            elif appointment is None:
                fresh.append(
                    (force_id, good.hoods[i], call_pk, received[k], appointments[k], False)
                )
            else:
                updates.append((received[k], appointments[k], good.hoods[i], appointment))
        self.update(
            cursor, Appointment, ("requested_at", "appointment_at", "neighbourhood"), updates
        )
        _delete_where_in(cursor, Appointment, "call", gone)
        self.insert(
            cursor,
            Appointment,
            [
                "force",
                "neighbourhood",
                "call",
                "requested_at",
                "appointment_at",
                "caller_chose_later",
            ],
            fresh,
        )

    def placeholders(self, fields: Sequence[str], first: int = 1) -> list[str]:
        """One placeholder per field; on SQLite a time's turns microseconds into Django's text."""
        if not self.sqlite:
            return ["%s"] * len(fields)
        marks = []
        for n, name in enumerate(fields, first):
            if name in TIME_FIELDS:
                # floor division and remainder that stay right before 1970 too
                micro = f"((?{n} % 1000000 + 1000000) % 1000000)"
                marks.append(
                    f"(datetime((?{n} - {micro}) / 1000000, 'unixepoch') || "
                    f"CASE {micro} WHEN 0 THEN '' ELSE printf('.%06d', {micro}) END)"
                )
            else:
                marks.append(f"?{n}")
        return marks

    def insert(
        self,
        cursor: Any,
        model: type[models.Model],
        fields: Sequence[str],
        rows: list[tuple[Any, ...]],
    ) -> None:
        if not rows:
            return
        table = _table(model)
        columns = ", ".join(_column(model, f) for f in fields)
        if not self.sqlite:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(self.placeholders(fields))
        # the sqlite3 cursor itself: its numbered placeholders are not Django's %s
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        cursor.cursor.executemany(sql, rows)

    def update(
        self,
        cursor: Any,
        model: type[models.Model],
        fields: Sequence[str],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """UPDATE by primary key: each row is (*values of fields, pk)."""
        if not rows:
            return
        marks = self.placeholders(fields)
        sets = ", ".join(f"{_column(model, f)} = {m}" for f, m in zip(fields, marks, strict=True))
        key = f"?{len(fields) + 1}" if self.sqlite else "%s"
        sql = f"UPDATE {_table(model)} SET {sets} WHERE {_column(model, 'id')} = {key}"  # noqa: S608
        (cursor.cursor if self.sqlite else cursor).executemany(sql, rows)


# --------------------------------------------------------------------------------------------
# Helpers


def _tidy(values: Sequence[str], lower: bool = False) -> Sequence[str]:
    """A column without surrounding spaces (and in lower case): worked out once per distinct
    value, and copied only when some value changes."""
    tidy = {v: v.strip().lower() if lower else v.strip() for v in set(values)}
    if all(k == v for k, v in tidy.items()):
        return values
    return list(map(tidy.__getitem__, values))


def _nullable(values: np.ndarray) -> list[Any]:
    """A column as Python values, None where it is empty (NULL_TIME, NaN)."""
    if values.dtype.kind == "f":
        return pa.array(values, mask=np.isnan(values)).to_pylist()
    return pa.array(values, mask=values == NULL_TIME).to_pylist()


def _before(column: str, value: int, other: str, other_value: int) -> str:
    def local(t: int) -> str:
        return timezone.localtime(from_microseconds(t)).strftime("%Y-%m-%d %H:%M:%S %Z")

    return f"{column} {local(value)} is before {other} {local(other_value)}"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)


def _existing_calls(force_id: str, call_ids: list[str]) -> dict[str, tuple[int, str]]:
    """call id → (pk, fingerprint) for those of ``call_ids`` already stored for the force."""
    select = (
        f"SELECT {_column(Call, 'call_id')}, {_column(Call, 'id')}, "  # noqa: S608
        f"{_column(Call, 'fingerprint')} FROM {_table(Call)} "
        f"WHERE {_column(Call, 'force')} = %s AND {_column(Call, 'call_id')}"
    )
    found: dict[str, tuple[int, str]] = {}
    if not call_ids:
        return found
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{select} = ANY(%s)", [force_id, call_ids])
            return {cid: (pk, fp) for cid, pk, fp in cursor.fetchall()}
        # A first import finds nothing: one range probe of the unique index says so at once
        cursor.execute(
            f"SELECT 1 FROM {_table(Call)} WHERE {_column(Call, 'force')} = %s "  # noqa: S608
            f"AND {_column(Call, 'call_id')} BETWEEN %s AND %s LIMIT 1",
            [force_id, min(call_ids), max(call_ids)],
        )
        if cursor.fetchone() is None:
            return found
        for start in range(0, len(call_ids), QUERY_KEYS):
            batch = call_ids[start : start + QUERY_KEYS]
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(batch))})", [force_id, *batch])
            found.update((cid, (pk, fp)) for cid, pk, fp in cursor.fetchall())
    return found


def _select_where_in(
    cursor: Any, model: type[models.Model], fields: Sequence[str], key: str, values: list[Any]
) -> list[tuple[Any, ...]]:
    columns = ", ".join(_column(model, f) for f in fields)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), QUERY_KEYS):
        batch = values[start : start + QUERY_KEYS]
        cursor.execute(
            f"SELECT {columns} FROM {_table(model)} "  # noqa: S608
            f"WHERE {_column(model, key)} IN ({', '.join(['%s'] * len(batch))})",
            batch,
        )
        found += cursor.fetchall()
    return found


def _delete_where_in(cursor: Any, model: type[models.Model], key: str, values: list[Any]) -> None:
    for start in range(0, len(values), QUERY_KEYS):
        batch = values[start : start + QUERY_KEYS]
        cursor.execute(
            f"DELETE FROM {_table(model)} "  # noqa: S608
            f"WHERE {_column(model, key)} IN ({', '.join(['%s'] * len(batch))})",
            batch,
        )


__all__ = ["CallImportReport", "import_calls"]
