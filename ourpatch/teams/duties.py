"""Importing duty records (``ourpatch import duties PATH``): who was on duty when, doing what,
where. Pledge item 3 (visible time) and the force's abstraction policy are measured on them.

**The CSV**, one row per stretch of duty: UTF-8 (a BOM is fine), a header row, columns in any
order, names case-insensitive; CRLF line ends, quoted commas and blank lines are fine.

==================  =============================================================================
``force``           the force's police.uk id, e.g. ``west-yorkshire``
``officer``         the collar (shoulder or staff) number, matched to a team member of the force
``start``           when the stretch began, ISO 8601 with its zone: ``2026-10-25T07:00:00+01:00``
``end``             when it ended, likewise; after the start
``activity``        ``patrol``, ``engagement``, ``problem_solving``, ``investigation``, ``admin``,
                    ``response``, ``public_order``, ``custody``, ``court``, ``training``, ``other``
                    (the last five but ``other`` are abstraction, whatever the place)
``neighbourhood``   the code of the neighbourhood the time was spent in; empty when it was spent
                    outside every neighbourhood (at court, at headquarters, in another force)
``place``           optional: the duty system's own words for the place (200 characters at most)
==================  =============================================================================

**Rules**, as for the call import (:mod:`ourpatch.calls.imports`):

- **A dry run unless** ``commit=True``; a committed import is one transaction.
- **No good record is lost.** Good rows are imported; a bad row (an unknown force, officer,
  activity or neighbourhood; a missing or unreadable time, one without its zone; an end not
  after the start; a stretch overlapping another of the same officer, earlier in the file or
  already recorded) is kept in :class:`~ourpatch.teams.models.RejectedDuty` and listed, each
  problem naming the file, line and field. The visible-time figure shows them as excluded
  (:func:`duty_exclusions`). Only a problem with the whole file refuses it.
- **Idempotent.** A duty's key is (officer, start). Importing the same file again changes
  nothing; a key seen again with another end, activity or place updates the duty ("changed"),
  and releases any rejection of the same officer and start.
- **A moved start is a choice** (``supersede=True``, ``ourpatch import duties PATH
  --supersede``). A duty system's re-export may move a stretch's start (07:00–15:00 becomes
  07:30–15:00): a new key, overlapping the duty already recorded. By default the file's
  stretch is quarantined as an overlap and the recorded duty stays. With ``supersede``, the
  file's version wins: each recorded duty of the same officer that overlaps a stretch the file
  imports, and whose (officer, start) is not one of those stretches, is deleted, counted and
  listed ("superseded: the duty … (from X), by duties.csv line N"). Two rows of the same file
  that overlap are still quarantined, either way; the file's rows are settled among themselves
  first, and only the stretches kept supersede. Importing the same file again supersedes
  nothing more.
- **No import leaves two overlapping duties of one officer recorded**, whatever the file and
  the flags. A recorded duty counts as replaced only if the file's row with its key is kept,
  and a row is kept only if it overlaps no other row kept and no recorded duty that stays
  (with ``supersede``, those it overlaps are deleted instead): rows are set aside until that
  holds, the later of two overlapping lines first, and a row set aside that in the end
  overlaps nothing that stays is taken back.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ourpatch.geography.imports import MAX_FILE_BYTES, _Bad
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.importing.exclusions import Exclusions
from ourpatch.importing.rows import (
    MAX_QUARANTINE_LISTED,
    QuarantineReport,
    RowKeys,
    RowProblem,
    header_columns,
    parse_time,
    raw_row,
    read_csv,
    shown,
)
from ourpatch.teams.models import Duty, DutyActivity, DutyRejectReason, RejectedDuty, TeamMember

REQUIRED = ("force", "officer", "start", "end", "activity", "neighbourhood")
OPTIONAL = ("place",)
PLACE_MAX = Duty._meta.get_field("place").max_length or 200
SOURCE_MAX = Duty._meta.get_field("source_file").max_length or 200
ACTIVITIES = frozenset(DutyActivity.values)
CHUNK_ROWS = 20_000

Problem = tuple[str, str, str]  # (field, reason, text)


@dataclass
class DutyImportReport(QuarantineReport):
    """A :class:`QuarantineReport` with the time imported outside every neighbourhood, and
    the recorded duties the file's stretches superseded (``supersede=True`` only)."""

    outside: int = 0  # stretches spent outside every neighbourhood
    superseded: int = 0  # recorded duties deleted (or, in a dry run, to be deleted)
    superseded_listed: list[str] = field(default_factory=list)

    def supersedes(self, text: str) -> None:
        self.superseded += 1
        if len(self.superseded_listed) < MAX_QUARANTINE_LISTED:
            self.superseded_listed.append(text)

    def refuse(self) -> None:
        super().refuse()
        self.superseded = 0
        self.superseded_listed = []

    def as_text(self) -> str:
        text = super().as_text()
        if self.ok and self.outside:
            text += f"\n  {self.outside} stretch(es) of duty outside every neighbourhood"
        if self.ok and self.superseded:
            would = "" if self.committed else "would be "
            text += (
                f"\n  {self.superseded} recorded duty(ies) {would}superseded (deleted): a "
                "stretch of this file overlaps each and replaces it"
            )
            text += "".join(f"\n    - superseded: {s}" for s in self.superseded_listed)
            unlisted = self.superseded - len(self.superseded_listed)
            if unlisted:
                text += f"\n    … and {unlisted} more, not listed"
        return text


@dataclass
class _Duty:
    line: int
    member: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    activity: str
    neighbourhood: int | None
    place: str
    raw: dict[str, object]
    force_id: str
    force_text: str
    officer_text: str


@dataclass
class _Rejection:
    key: str
    values: dict[str, Any]


class _Rollback(Exception):
    pass


class _Span(NamedTuple):
    """A stretch on one officer's timeline: a line of the file, or a recorded duty."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    ident: tuple[str, int]  # ("line", line) or ("duty", pk)
    said: str  # how a row that overlaps it names it


def _span(duty: _Duty) -> _Span:
    return _Span(duty.starts_at, duty.ends_at, ("line", duty.line), f"line {duty.line}")


def _rank(span: _Span, line: int) -> int:
    kind, number = span.ident
    return 1 if kind == "duty" else 0 if number < line else 2


class _Timeline:
    """One officer's stretches by start, to find what a stretch overlaps.

    The rows kept never overlap anything here, but recorded duties may overlap one another
    where an older import left them so; a search therefore looks back as far as the longest
    stretch reaches, not only at the one before."""

    def __init__(self, spans: Iterable[_Span] = ()) -> None:
        self.spans = sorted(spans)
        self.longest = max((s.ends_at - s.starts_at for s in self.spans), default=dt.timedelta())

    def add(self, span: _Span) -> None:
        bisect.insort(self.spans, span)
        self.longest = max(self.longest, span.ends_at - span.starts_at)

    def discard(self, ident: tuple[str, int] | None) -> None:
        if ident is not None:
            self.spans = [s for s in self.spans if s.ident != ident]

    def clashes(
        self, start: dt.datetime, end: dt.datetime, ignore: tuple[str, int] | None = None
    ) -> list[_Span]:
        """The stretches overlapping [start, end), but ``ignore``, by start."""
        at = bisect.bisect_left(self.spans, (start,))
        back = at
        while back > 0 and self.spans[back - 1].starts_at > start - self.longest:
            back -= 1
        found = [s for s in self.spans[back:at] if s.ends_at > start and s.ident != ignore]
        while at < len(self.spans) and self.spans[at].starts_at < end:
            if self.spans[at].ident != ignore:
                found.append(self.spans[at])
            at += 1
        return found


def import_duties(
    path: Path,
    *,
    commit: bool,
    supersede: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
) -> DutyImportReport:
    """Import stretches of duty (columns and rules in the module docstring).

    ``supersede``: a recorded duty that a stretch of the file overlaps (a moved start) is
    replaced by it, rather than the stretch being quarantined as an overlap."""
    started = time.perf_counter()
    name = label or path.name
    report = DutyImportReport("duties", label or str(path), commit)
    report.reason_labels = dict(DutyRejectReason.choices)
    try:
        with transaction.atomic():
            _DutyImport(report, name, commit, supersede).run(path, max_bytes)
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


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


class _DutyImport:
    def __init__(self, report: DutyImportReport, name: str, commit: bool, supersede: bool) -> None:
        self.report = report
        self.name = name
        self.source = name[-SOURCE_MAX:]
        self.commit = commit
        self.supersede = supersede
        self.superseded: list[int] = []  # recorded duties the file's stretches replace
        self.now = timezone.now()
        self.keys = RowKeys()
        self.run_keys: set[str] = set()
        self.rejections: list[_Rejection] = []

    def run(self, path: Path, max_bytes: int) -> None:
        chunks = read_csv(path, self.name, self.report, max_bytes, CHUNK_ROWS)
        first = next(chunks, None)
        if first is None:
            if self.report.ok:
                self.report.problem(f"{self.name}: the file is empty (no header row)")
            return
        self.header = first[1][0]
        try:
            self.columns, ignored = header_columns(self.header, self.name, REQUIRED, OPTIONAL)
        except _Bad as bad:
            self.report.problem(str(bad))
            return
        if ignored:
            self.report.note(f"ignored column(s): {', '.join(ignored)}")
        self.prepare()
        duties: list[_Duty] = []
        for lines, records in chunks:
            for line, record in zip(lines, records, strict=True):
                self.report.read += 1
                duty = self.parse(line, record)
                if duty is not None:
                    duties.append(duty)
        if not self.report.ok:
            return
        duties = self.without_overlaps(duties)
        self.write(duties)
        self.keep_rejections()

    def prepare(self) -> None:
        self.forces = {pk.lower(): pk for pk in Force.objects.values_list("pk", flat=True)}
        self.hoods = {
            (force, code): pk
            for pk, force, code in Neighbourhood.objects.values_list("pk", "force", "code")
        }
        # collar numbers are unique in a force at any one time, but reissued over the years
        self.officers: dict[tuple[str, str], list[tuple[int, dt.date, dt.date | None]]] = (
            defaultdict(list)
        )
        for pk, force, collar, start, end in TeamMember.objects.exclude(
            collar_number=""
        ).values_list("pk", "force", "collar_number", "start_date", "end_date"):
            self.officers[(force, collar.strip().upper())].append((pk, start, end))

    def parse(self, line: int, record: list[str]) -> _Duty | None:
        """One row, checked: the duty, or None when it is quarantined."""
        raw = raw_row(self.header, record)
        c = self.columns
        problems: list[Problem] = []
        if len(record) != len(self.header):
            text = f"{len(record)} fields, but the header has {len(self.header)}"
            problems.append(("(row)", DutyRejectReason.BAD_ROW, text))
            record = [*record, *[""] * len(self.header)][: len(self.header)]
        value = {name: record[at].strip() for name, at in c.items() if at < len(record)}
        force_text = value["force"].lower()
        force_id = self.forces.get(force_text)
        if force_id is None:
            problems.append(
                ("force", DutyRejectReason.UNKNOWN_FORCE, f"unknown force {shown(force_text)}")
                if force_text
                else ("force", DutyRejectReason.MISSING, "missing")
            )
        times: dict[str, dt.datetime | None] = {}
        for name in ("start", "end"):
            times[name] = None
            if not value[name]:
                problems.append((name, DutyRejectReason.MISSING, "missing"))
                continue
            try:
                times[name] = parse_time(value[name])
            except RowProblem as problem:
                problems.append((name, problem.reason, problem.text))
        start, end = times["start"], times["end"]
        if start is not None and end is not None and end <= start:
            problems.append(
                (
                    "end",
                    DutyRejectReason.OUT_OF_ORDER,
                    f"end {_local(end)} is not after start {_local(start)}",
                )
            )
        officer_text = value["officer"].upper()
        member = None
        if not officer_text:
            problems.append(("officer", DutyRejectReason.MISSING, "missing: the collar number"))
        elif force_id is not None:
            member, why = self.member(force_id, officer_text, start)
            if member is None:
                problems.append(("officer", DutyRejectReason.UNKNOWN_OFFICER, why))
        activity = value["activity"].lower()
        if activity not in ACTIVITIES:
            problems.append(
                (
                    "activity",
                    DutyRejectReason.BAD_VALUE,
                    f"{shown(activity)} is not an activity: {', '.join(DutyActivity.values)}",
                )
                if activity
                else ("activity", DutyRejectReason.MISSING, "missing")
            )
        code = value["neighbourhood"]
        hood = None
        if code and force_id is not None:
            hood = self.hoods.get((force_id, code))
            if hood is None:
                problems.append(
                    (
                        "neighbourhood",
                        DutyRejectReason.UNKNOWN_NEIGHBOURHOOD,
                        f"unknown neighbourhood {shown(code)} in {force_id}",
                    )
                )
        place = value.get("place", "")
        if len(place) > PLACE_MAX:
            problems.append(
                ("place", DutyRejectReason.TOO_LONG, f"longer than {PLACE_MAX} characters")
            )
        facts = {
            "force_id": force_id,
            "force_text": force_text[:64],
            "officer_text": officer_text[:20],
            "member_id": member,
            "starts_at": start,
            "ends_at": end if end is None or start is None or end > start else None,
            "neighbourhood_id": hood,
        }
        if problems:
            self.reject(line, raw, problems, facts)
            return None
        assert force_id is not None and member is not None
        assert start is not None and end is not None
        return _Duty(
            line, member, start, end, activity, hood, place, raw, force_id, force_text, officer_text
        )

    def member(
        self, force_id: str, collar: str, start: dt.datetime | None
    ) -> tuple[int | None, str]:
        """The team member with this collar number in the force (on the duty's day, when the
        number was worn by more than one), or None and why."""
        found = self.officers.get((force_id, collar), [])
        if len(found) > 1 and start is not None:
            day = timezone.localdate(start)
            found = [f for f in found if f[1] <= day and (f[2] is None or f[2] >= day)]
        if len(found) == 1:
            return found[0][0], ""
        if not found:
            return None, f"no team member of {force_id} has collar number {shown(collar)}"
        return None, f"collar number {shown(collar)} was worn by {len(found)} team members then"

    def reject(
        self, line: int, raw: dict[str, object], problems: list[Problem], facts: dict[str, Any]
    ) -> None:
        key = self.keys.key(raw)
        self.run_keys.add(key)
        field, reason, _ = problems[0]
        self.report.quarantine(
            reason, [f"{self.name} line {line}, field {f!r}: {text}" for f, _, text in problems]
        )
        values = {
            **facts,
            "source_file": self.source,
            "line": line,
            "field": field,
            "reason": reason,
            "message": "; ".join(f"field {f!r}: {text}" for f, _, text in problems),
            "raw": raw,
        }
        self.rejections.append(_Rejection(key, values))

    def without_overlaps(self, duties: list[_Duty]) -> list[_Duty]:
        """The stretches kept: no two of one officer overlap, nor does one overlap a recorded
        duty that stays (rules in the module docstring). The others are quarantined as
        overlaps; when superseding, the recorded duties that the stretches kept overlap are
        marked for deletion."""
        if not duties:
            return duties
        rows: dict[int, list[_Duty]] = defaultdict(list)
        for duty in duties:  # in file order
            rows[duty.member].append(duty)
        start = min(d.starts_at for d in duties)
        end = max(d.ends_at for d in duties)
        recorded = list(
            Duty.objects.filter(member__in=rows, starts_at__lt=end, ends_at__gt=start)
            .order_by("member", "starts_at")
            .values_list("pk", "member", "starts_at", "ends_at", "source_file")
        )
        spans: dict[int, list[_Span]] = defaultdict(list)
        for pk, member, starts_at, ends_at, source in recorded:
            where = f" (from {source})" if source else ""
            said = (
                f"the duty {_local(starts_at)} to {_local(ends_at)} already recorded{where}; "
                "import with --supersede to replace it with this file's version"
            )
            spans[member].append(_Span(starts_at, ends_at, ("duty", pk), said))
        kept: list[_Duty] = []
        aside: list[tuple[_Duty, str]] = []
        for member, theirs in rows.items():
            kept_here, aside_here = self.settle(theirs, spans[member])
            kept += kept_here
            aside += aside_here
        for duty, text in sorted(aside, key=lambda item: item[0].line):
            self.reject(
                duty.line,
                duty.raw,
                [("start", DutyRejectReason.OVERLAP, text)],
                {
                    "force_id": duty.force_id,
                    "force_text": duty.force_text,
                    "officer_text": duty.officer_text,
                    "member_id": duty.member,
                    "starts_at": duty.starts_at,
                    "ends_at": duty.ends_at,
                    "neighbourhood_id": duty.neighbourhood,
                },
            )
        kept.sort(key=lambda d: d.line)
        if self.supersede:
            self.mark_superseded(kept, recorded)
        return kept

    def settle(
        self, rows: list[_Duty], recorded: list[_Span]
    ) -> tuple[list[_Duty], list[tuple[_Duty, str]]]:
        """One officer's rows (in file order) against the officer's recorded duties: the rows
        kept, and those set aside with what each overlaps.

        A recorded duty is replaced only by a row with its start that is kept, so setting a
        row aside can bring back the duty it would have replaced, which may overlap rows kept
        so far: the rows are settled again until nothing more is set aside. Then a row set
        aside that overlaps nothing that stays (a line repeating a recorded duty, set aside
        for a line that the duty then set aside) is taken back."""
        # superseding, a recorded duty never stands in a kept row's way: it is deleted
        standing = [] if self.supersede else recorded
        replaces = {span.starts_at: span.ident for span in standing}  # the key's duty
        aside: set[int] = set()  # lines
        while True:
            trial = [d for d in rows if d.line not in aside]
            starts = {d.starts_at for d in trial}
            timeline = _Timeline(s for s in standing if s.starts_at not in starts)
            kept: list[_Duty] = []
            for duty in trial:  # in file order: the later line is the one set aside
                if not timeline.clashes(duty.starts_at, duty.ends_at):
                    timeline.add(_span(duty))
                    kept.append(duty)
            if len(kept) == len(trial):
                break
            aside |= {d.line for d in trial} - {d.line for d in kept}
        # ``timeline`` is what stays: the rows kept and the recorded duties not replaced
        waiting = [d for d in rows if d.line in aside]
        taken_back = True
        while taken_back:
            taken_back = False
            for duty in list(waiting):
                own = replaces.get(duty.starts_at)
                if not timeline.clashes(duty.starts_at, duty.ends_at, ignore=own):
                    timeline.discard(own)
                    timeline.add(_span(duty))
                    kept.append(duty)
                    waiting.remove(duty)
                    taken_back = True
        set_aside = []
        for duty in waiting:
            clashes = timeline.clashes(duty.starts_at, duty.ends_at, replaces.get(duty.starts_at))
            assert clashes  # else it was taken back
            # named: an earlier line (the later line is the one set aside), else a recorded
            # duty, else a later line
            clash = min(clashes, key=lambda c: (_rank(c, duty.line), c.starts_at))
            set_aside.append((duty, f"overlaps {clash.said}"))
        return kept, set_aside

    def mark_superseded(
        self, kept: list[_Duty], recorded: list[tuple[int, int, dt.datetime, dt.datetime, str]]
    ) -> None:
        """Each recorded duty that a kept stretch of the same officer overlaps, and that no
        kept stretch updates (same officer and start), is to be deleted: listed by the
        lines that replace it."""
        by_member: dict[int, list[_Duty]] = defaultdict(list)
        for duty in sorted(kept, key=lambda d: d.starts_at):
            by_member[duty.member].append(duty)
        # kept stretches of one officer do not overlap: their starts and ends rise together
        starts = {m: [d.starts_at for d in ds] for m, ds in by_member.items()}
        ends = {m: [d.ends_at for d in ds] for m, ds in by_member.items()}
        keys = {(d.member, d.starts_at) for d in kept}
        for pk, member, starts_at, ends_at, source in recorded:
            if (member, starts_at) in keys or member not in by_member:
                continue  # the file's row of the same key updates it; or none kept
            first = bisect.bisect_right(ends[member], starts_at)
            last = bisect.bisect_left(starts[member], ends_at)
            stretches = by_member[member]
            over = sorted(d.line for d in stretches[first:last])
            if not over:
                continue
            self.superseded.append(pk)
            where = f" (from {source})" if source else ""
            lines = f"line {over[0]}" if len(over) == 1 else f"lines {', '.join(map(str, over))}"
            self.report.supersedes(
                f"the duty of {stretches[first].officer_text} {_local(starts_at)} to "
                f"{_local(ends_at)}{where}, by {self.name} {lines}"
            )

    def write(self, duties: list[_Duty]) -> None:
        """Create the new stretches, update the changed, release their old rejections."""
        report = self.report
        existing: dict[tuple[int, dt.datetime], tuple[Any, ...]] = {}
        members = {d.member for d in duties}
        if duties:
            starts = [d.starts_at for d in duties]
            for pk, member, starts_at, *values in Duty.objects.filter(
                member__in=members, starts_at__gte=min(starts), starts_at__lte=max(starts)
            ).values_list(
                "pk", "member", "starts_at", "ends_at", "activity", "neighbourhood", "place"
            ):
                existing[(member, starts_at)] = (pk, *values)
        new: list[Duty] = []
        changed: list[Duty] = []
        for d in duties:
            old = existing.get((d.member, d.starts_at))
            duty = Duty(
                member_id=d.member,
                starts_at=d.starts_at,
                ends_at=d.ends_at,
                activity=d.activity,
                neighbourhood_id=d.neighbourhood,
                place=d.place,
                source_file=self.source,
            )
            if d.neighbourhood is None:
                report.outside += 1
            if old is None:
                new.append(duty)
            elif tuple(old[1:]) != (d.ends_at, d.activity, d.neighbourhood, d.place):
                duty.pk = old[0]
                changed.append(duty)
            else:
                report.unchanged += 1
        # earlier rejections of a stretch this file now gives good
        keys = {(d.member, d.starts_at) for d in duties}
        released = [
            pk
            for pk, key, member, starts_at in RejectedDuty.objects.filter(
                member__in=members
            ).values_list("pk", "key", "member", "starts_at")
            if (member, starts_at) in keys and key not in self.run_keys
        ]
        report.cleared = len(released)
        report.created = len(new)
        report.changed = len(changed)
        fresh_keys = {(d.member_id, d.starts_at) for d in new}
        released_keys = set(
            RejectedDuty.objects.filter(pk__in=released).values_list("member", "starts_at")
        )
        moved = len(fresh_keys & released_keys)  # was only in quarantine: changed, not new
        report.created -= moved
        report.changed += moved
        if not self.commit:
            return
        Duty.objects.filter(pk__in=self.superseded).delete()
        Duty.objects.bulk_create(new, batch_size=1000)
        Duty.objects.bulk_update(
            changed,
            ["ends_at", "activity", "neighbourhood", "place", "source_file"],
            batch_size=1000,
        )
        RejectedDuty.objects.filter(pk__in=released).delete()

    def keep_rejections(self) -> None:
        if not self.rejections:
            return
        keys = [r.key for r in self.rejections]
        fields = (
            "force_id",
            "force_text",
            "officer_text",
            "member_id",
            "starts_at",
            "ends_at",
            "neighbourhood_id",
            "field",
            "reason",
            "message",
        )
        existing = {
            key: (pk, *values)
            for pk, key, *values in RejectedDuty.objects.filter(key__in=keys).values_list(
                "pk", "key", *fields
            )
        }
        new = []
        for r in self.rejections:
            old = existing.get(r.key)
            if old is None:
                new.append(RejectedDuty(key=r.key, rejected_at=self.now, **r.values))
                continue
            self.report.already_quarantined += 1
            wanted = tuple(r.values[f] for f in fields)
            if tuple(old[1:]) != wanted and self.commit:
                # the same row, judged differently now (an officer was added, say)
                RejectedDuty.objects.filter(pk=old[0]).update(
                    **dict(zip(fields, wanted, strict=True))
                )
        if self.commit:
            RejectedDuty.objects.bulk_create(new, batch_size=1000)


def duty_exclusions(
    force: Force | str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    neighbourhood: Neighbourhood | int | None = None,
) -> Exclusions:
    """Quarantined duty rows of the force (or neighbourhood) starting in [start, end), by
    reason, with the hours they cover where both times were readable; ``undated`` counts
    those with no readable start."""
    force_id = force.pk if isinstance(force, Force) else force
    scope = Q(force_id=force_id)
    if neighbourhood is not None:
        hood = neighbourhood.pk if isinstance(neighbourhood, Neighbourhood) else neighbourhood
        scope &= Q(neighbourhood_id=hood)
    reasons: Counter[str] = Counter()
    seconds = 0.0
    for reason, starts_at, ends_at in RejectedDuty.objects.filter(
        scope, starts_at__gte=start, starts_at__lt=end
    ).values_list("reason", "starts_at", "ends_at"):
        reasons[reason] += 1
        if ends_at is not None and starts_at is not None:
            seconds += (ends_at - starts_at).total_seconds()
    undated = RejectedDuty.objects.filter(scope, starts_at__isnull=True).count()
    return Exclusions(dict(reasons), undated, dict(DutyRejectReason.choices), seconds / 3600)


__all__ = ["DutyImportReport", "duty_exclusions", "import_duties"]
