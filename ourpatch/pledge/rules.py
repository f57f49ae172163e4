"""The measurable Policing Pledge items (2 to 10), one typed rule each.

Every rule answers three questions over a :class:`Scope` (a force, some consecutive
Europe/London months, optionally some of its neighbourhoods):

- ``tallies``: per neighbourhood (``None`` for records placed in none) and month, how many
  records were counted, how many met the standard, and how many were excluded and why;
- ``breaches``: the records that missed it, each named by a key that identifies no one
  ("call:C0001234", "message:M-ABCD2345");
- ``changes_at``: when time alone next changes those figures (a reply's clock running out,
  a day ending), so that figures kept for reuse are never shown once they no longer hold.

Both are computed in the database from one set of conditions per rule, so the list of
breaches always agrees with the figure. Grouped aggregates select only the records'
operational fields (audit.personal): no name, address or message text is ever read.

A record is *excluded*, never silently dropped, when it cannot be judged: a required time
missing, or its clock still running. Excluded reasons are mutually exclusive (each is
counted only if no earlier reason applies); every condition below is written so that a
missing value makes it false, never unknown, which keeps their negations exact in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, Lag
from django.utils import timezone

from ourpatch.audit.personal import UnauditedRead
from ourpatch.calls.models import Appointment, Call, CallKind, CallOutcome, Grade
from ourpatch.contact.models import Message
from ourpatch.dissatisfaction.models import Dissatisfaction
from ourpatch.engagement.models import EngagementKind, Meeting, MeetingStatus
from ourpatch.geography.models import AreaClass, Force, Neighbourhood
from ourpatch.pledge.clocks import (
    LONDON,
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    MS_PER_SECOND,
    EpochMillis,
    Millis,
    boundaries,
    epoch_ms,
    month_bounds,
    month_index,
)
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.models import (
    ABSTRACTED_ACTIVITIES,
    Duty,
    DutyRejectReason,
    RejectedDuty,
    TeamMember,
)
from ourpatch.updates.models import MonthlyUpdate
from ourpatch.victims.models import UpdateAgreement, VictimUpdate

# Item 7: the kinds of engagement that are public meetings "to meet your local team with
# other members of your community" (Appendix 2: including surgeries, street briefings and
# mobile police station visits). Surveys and key-individual contacts are not meetings.
PUBLIC_MEETING_KINDS = (
    EngagementKind.PACT,
    EngagementKind.SURGERY,
    EngagementKind.STREET_BRIEFING,
    EngagementKind.MOBILE_STATION,
)
# Item 8: a month's update is made once the month is over; it is due this many days later.
UPDATE_DUE_DAYS = 7
# Item 9: a victim who asked for updates about monthly (every 28 days or more) is kept to
# the force's "monthly" (PledgeStandards.monthly_update_days), never to fewer days.
MONTHLY_FROM_DAYS = 28

NOT_OVER = "the month is not over yet"

HoodId = int | None
Key = tuple[HoodId, int]  # (neighbourhood id or None, month index)


# --------------------------------------------------------------------------------------------
# What a rule returns


@dataclass
class Tally:
    """One unit's figure for one month (or a sum of them).

    ``rate`` is ``share_num / share_den``: the share of counted records that met the
    standard, except for item 3, where it is the share of duty time visible in the
    neighbourhood (milliseconds over milliseconds).
    """

    counted: int = 0
    met: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    share_num: float = 0.0
    share_den: float = 0.0

    @property
    def breached(self) -> int:
        return self.counted - self.met

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    @property
    def rate(self) -> float | None:
        return self.share_num / self.share_den if self.share_den else None

    def add(self, other: Tally) -> None:
        self.counted += other.counted
        self.met += other.met
        if other.excluded:
            self.excluded.update(other.excluded)
        self.share_num += other.share_num
        self.share_den += other.share_den

    @classmethod
    def of_counts(cls, counted: int, met: int, excluded: Counter[str] | None = None) -> Tally:
        return cls(counted, met, excluded or Counter(), float(met), float(counted))


@dataclass(frozen=True)
class Breach:
    """One record that missed its standard, in operational words only."""

    item: int
    record_key: str
    neighbourhood_id: int | None
    month: dt.date
    # when the record began (a call's receipt, a month's end): "older than N days" from here
    occurred_at: dt.datetime
    detail: str
    # where permitted staff read the record itself ("" when the record is not personal data
    # or has no page): a model label and primary key, for the views to link
    record_type: str = ""
    record_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """What to measure: one force, consecutive months, all or some of its neighbourhoods."""

    force: Force
    months: tuple[dt.date, ...]
    standards: PledgeStandards
    now: dt.datetime
    # None: the whole force, including records placed in no neighbourhood
    neighbourhood_ids: frozenset[int] | None = None

    @property
    def start(self) -> dt.datetime:
        return month_bounds(self.months[0])[0]

    @property
    def end(self) -> dt.datetime:
        return month_bounds(self.months[-1])[1]

    def month_of(self, index: int) -> dt.date:
        return self.months[index]


# One integer per (month, neighbourhood): a grouped query then sorts one small key, not two,
# and SQLite walks the (force, time) index in the table's own order rather than the
# (neighbourhood, time) index, which would fetch the rows out of order.
KEY_BASE = 2**31


def group_key(month: Expression, hood_field: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        month * Value(KEY_BASE) + Coalesce(F(f"{hood_field}_id"), Value(0)),
        output_field=BigIntegerField(),
    )


def split_key(key: int | None) -> tuple[int | None, int | None]:
    """(month index, neighbourhood id or None) from :func:`group_key`."""
    if key is None:
        return None, None
    month, hood = divmod(key, KEY_BASE)
    return month, hood or None


def standards_for(force: Force) -> PledgeStandards:
    """The force's standards, or the Pledge's own (unsaved defaults) if it has set none."""
    found = PledgeStandards.objects.filter(force=force).first()
    return found or PledgeStandards(force=force)


def make_scope(
    force: Force,
    months: Sequence[dt.date],
    *,
    neighbourhood_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
    standards: PledgeStandards | None = None,
) -> Scope:
    if not months:
        raise ValueError("a scope needs at least one month")
    return Scope(
        force=force,
        months=tuple(months),
        standards=standards or standards_for(force),
        now=now or timezone.now(),
        neighbourhood_ids=None if neighbourhood_ids is None else frozenset(neighbourhood_ids),
    )


class Rule(Protocol):
    """One measurable Pledge item."""

    @property
    def item(self) -> int: ...

    @property
    def title(self) -> str:
        """Short, for tables: "Messages to the team answered in time"."""
        ...

    @property
    def counts(self) -> str:
        """What one counted record is, in the plural: "messages"."""
        ...

    def standard(self, standards: PledgeStandards) -> str:
        """The standard in plain words, with the force's own numbers."""
        ...

    def tallies(self, scope: Scope) -> dict[Key, Tally]: ...

    def breaches(self, scope: Scope) -> list[Breach]: ...

    def changes_at(self, scope: Scope) -> dt.datetime | None:
        """The first instant after ``scope.now`` at which this rule's figures over ``scope``
        may change though no record has: a clock running out, a day or a month ending.
        None: not until a record changes."""
        ...


# --------------------------------------------------------------------------------------------
# Record rules: one row per call, message, appointment or expression of dissatisfaction


@dataclass(frozen=True)
class Conditions:
    excluded: list[tuple[str, Q]]  # checked in order: a record takes the first that applies
    breach: Q  # among the records not excluded: which missed the standard
    # something missing beside a record still counted (an appointment the call says was
    # made but which was never recorded): shown among the exclusions, n unchanged
    missing: list[tuple[str, Q]] = field(default_factory=list)


@dataclass(frozen=True)
class Clock:
    """A record waiting for something (a reply, an acknowledgement) within the standard's
    time: not yet judged, so excluded while it runs; it runs out ``limit`` after the
    record's time, and the record then counts as a breach until ``done_field`` is set."""

    done_field: str
    limit: Callable[[PledgeStandards], dt.timedelta]

    def running(self, scope: Scope, time_field: str) -> Q:
        return Q(
            **{
                f"{self.done_field}__isnull": True,
                f"{time_field}__gt": scope.now - self.limit(scope.standards),
            }
        )


@dataclass(frozen=True)
class Source:
    """One kind of record a rule counts, and how to find its unit, month and key."""

    model: type[models.Model]
    time_field: str  # the month is the Europe/London month of this instant
    hood_field: str  # "neighbourhood" or a path to it
    key_field: str  # makes the record key with ``key_prefix``
    key_prefix: str
    force_filter: Callable[[Force], Q]
    base: Q  # which records of the model this rule counts
    annotate: Callable[[Scope], dict[str, Any]]
    conditions: Callable[[Scope], Conditions]
    detail_fields: tuple[str, ...]  # operational values (and annotations) the detail needs
    detail: Callable[[Scope, dict[str, Any]], str]
    record_type: str = ""  # set where the record holds personal data and has a staff page
    clock: Clock | None = None  # where a record's clock may still be running

    def records(self, scope: Scope) -> models.QuerySet[Any]:
        time = self.time_field
        hood = f"{self.hood_field}_id"
        qs = self.model._default_manager.filter(
            self.force_filter(scope.force),
            self.base,
            **{f"{time}__gte": scope.start, f"{time}__lt": scope.end},
        )
        if scope.neighbourhood_ids is not None:
            qs = qs.filter(**{f"{hood}__in": sorted(scope.neighbourhood_ids)})
        return qs

    def queryset(self, scope: Scope) -> models.QuerySet[Any]:
        return self.records(scope).annotate(**self.annotate(scope))

    def clock_runs_out(self, scope: Scope) -> dt.datetime | None:
        """When the first clock still running in ``scope`` runs out (None: none is)."""
        if self.clock is None:
            return None
        first = (
            self.records(scope)
            .filter(self.clock.running(scope, self.time_field))
            .aggregate(first=Min(self.time_field))["first"]
        )
        return None if first is None else first + self.clock.limit(scope.standards)

    def tallies(self, scope: Scope) -> dict[Key, Tally]:
        return tally_together([(0, self)], scope)[0]

    def breach_rows(self, scope: Scope) -> models.QuerySet[Any]:
        conditions = self.conditions(scope)
        earlier = Q()
        for _, condition in conditions.excluded:
            earlier = earlier | condition
        complete = ~earlier if conditions.excluded else Q()
        fields = ["pk", self.key_field, self.time_field, *self.detail_fields]
        return (
            self.queryset(scope)
            .filter(complete & conditions.breach)
            .values(*dict.fromkeys(fields), _hood=F(f"{self.hood_field}_id"))
            .order_by(self.time_field, "pk")
        )

    def breaches(self, scope: Scope, item: int) -> list[Breach]:
        out = []
        for row in self.breach_rows(scope):
            at: dt.datetime = row[self.time_field]
            out.append(
                Breach(
                    item=item,
                    record_key=f"{self.key_prefix}:{row[self.key_field]}",
                    neighbourhood_id=row["_hood"],
                    month=at.astimezone(LONDON).date().replace(day=1),
                    occurred_at=at,
                    detail=self.detail(scope, row),
                    record_type=self.record_type,
                    record_id=row["pk"] if self.record_type else None,
                )
            )
        return out


MET, BREACHED, NOT_COUNTED = 0, -1, -2


def _grouped_counts(qs: models.QuerySet[Any], groups: dict[str, Any]) -> list[dict[str, Any]]:
    """``qs`` counted by the values of ``groups``: [{group: value, …, "_n": count}]."""
    inner = qs.values(**groups).order_by()
    if connection.vendor != "sqlite":
        return list(inner.annotate(_n=Count("pk")))
    # SQLite sorts the rows to group them, then evaluates the grouped expressions again;
    # read from a subquery it may not flatten (LIMIT -1), each is evaluated once: a fifth
    # less work over a million calls. The query is still the ORM's, over operational
    # fields only, checked as the audited queryset itself checks them.
    operational = getattr(inner, "operational_only", None)
    if operational is not None and not operational():
        raise UnauditedRead(
            f"{qs.model._meta.label}: a grouped count must read operational fields only"
        )
    sql, params = inner.query.sql_with_params()
    names = list(groups)
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, COUNT(*) FROM ({sql} LIMIT -1) GROUP BY {columns}",  # noqa: S608
            params,
        )
        return [dict(zip([*names, "_n"], row, strict=True)) for row in cursor.fetchall()]


def _status(source: Source, conditions: Conditions, alone: bool) -> Case:
    """What became of each row, as a small number: the first excluded reason that applies
    (1, 2, …), else breached, else met; ``NOT_COUNTED`` for rows of another source."""
    base = Q() if alone else source.base
    whens = [
        When(base & condition, then=Value(k + 1))
        for k, (_, condition) in enumerate(conditions.excluded)
    ]
    whens.append(When(base & conditions.breach, then=Value(BREACHED)))
    if not alone:
        whens.append(When(base, then=Value(MET)))
    return Case(
        *whens, default=Value(MET if alone else NOT_COUNTED), output_field=BigIntegerField()
    )


def _missing(source: Source, conditions: Conditions, alone: bool) -> Case:
    base = Q() if alone else source.base
    whens = [
        When(base & condition, then=Value(k + 1))
        for k, (_, condition) in enumerate(conditions.missing)
    ]
    return Case(*whens, default=Value(0), output_field=BigIntegerField())


def tally_together(
    sources: Sequence[tuple[int, Source]], scope: Scope
) -> dict[int, dict[Key, Tally]]:
    """Tallies for sources that read the same rows (same model, time, place and force
    filter; annotations of one name meaning one thing), in one grouped query.

    Each row is grouped by its month and neighbourhood *and* by what became of it under
    each source (met, breached, or excluded and why), then counted: the database sorts or
    hashes a few small numbers per row, never the rows' times.

    (Reading items 5 and 6 in one pass over the calls was tried: on SQLite it is slower
    than two passes, each evaluating only its own conditions.)
    """
    first = sources[0][1]
    time = first.time_field
    alone = len(sources) == 1
    qs = first.model._default_manager.filter(
        first.force_filter(scope.force),
        **{f"{time}__gte": scope.start, f"{time}__lt": scope.end},
    )
    if scope.neighbourhood_ids is not None:
        qs = qs.filter(**{f"{first.hood_field}_id__in": sorted(scope.neighbourhood_ids)})
    annotations: dict[str, Any] = {}
    wanted = Q()
    for _, source in sources:
        annotations.update(source.annotate(scope))
        wanted |= source.base
    qs = qs.filter(wanted).annotate(**annotations)
    groups: dict[str, Any] = {"_key": group_key(month_index(time, scope.months), first.hood_field)}
    plans = []
    for j, (_, source) in enumerate(sources):
        conditions = source.conditions(scope)
        plans.append(conditions)
        groups[f"_s{j}"] = _status(source, conditions, alone)
        if conditions.missing:
            groups[f"_m{j}"] = _missing(source, conditions, alone)
    rows = _grouped_counts(qs, groups)
    out: dict[int, dict[Key, Tally]] = {tag: {} for tag, _ in sources}
    for row in rows:
        month, hood = split_key(row["_key"])
        n = row["_n"]
        for j, (tag, _) in enumerate(sources):
            status = row[f"_s{j}"]
            if status == NOT_COUNTED:
                continue
            conditions = plans[j]
            tally = out[tag].setdefault((hood, month), Tally())  # type: ignore[arg-type]
            if status > 0:
                tally.excluded[conditions.excluded[status - 1][0]] += n
            else:
                met = n if status == MET else 0
                tally.add(Tally.of_counts(n, met))
            missing = row.get(f"_m{j}", 0)
            if missing:
                tally.excluded[conditions.missing[missing - 1][0]] += n
    return out


class RecordRule:
    """A rule over records: the sum of its sources."""

    item: ClassVar[int]
    title: ClassVar[str]
    counts: ClassVar[str]

    def sources(self) -> list[Source]:
        raise NotImplementedError

    def standard(self, standards: PledgeStandards) -> str:
        raise NotImplementedError

    def tallies(self, scope: Scope) -> dict[Key, Tally]:
        out: dict[Key, Tally] = {}
        for source in self.sources():
            for key, tally in source.tallies(scope).items():
                out.setdefault(key, Tally()).add(tally)
        return out

    def breaches(self, scope: Scope) -> list[Breach]:
        found: list[Breach] = []
        for source in self.sources():
            found.extend(source.breaches(scope, self.item))
        return sorted(found, key=lambda b: (b.occurred_at, b.record_key))

    def changes_at(self, scope: Scope) -> dt.datetime | None:
        # only a running clock makes a record's figure change with time
        ends = [t for source in self.sources() if (t := source.clock_runs_out(scope)) is not None]
        return min(ends, default=None)


def _seconds(ms: int | None) -> str:
    if ms is None:
        return "an unknown time"
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:.1f} seconds".replace(".0 ", " ")
    minutes = seconds / 60
    if minutes < 120:
        return f"{minutes:.1f} minutes".replace(".0 ", " ")
    hours = minutes / 60
    if hours < 72:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def _by_force(field_name: str) -> Callable[[Force], Q]:
    return lambda force: Q(**{field_name: force.pk})


# Item 4 ----------------------------------------------------------------------------------------


class MessagesAnswered(RecordRule):
    item = 4
    title = "Messages to the team answered in time"
    counts = "messages"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            f"Every message to your neighbourhood team answered within "
            f"{standards.message_answer_hours} hours."
        )

    def sources(self) -> list[Source]:
        def limit(scope: Scope) -> int:
            return scope.standards.message_answer_hours * MS_PER_HOUR

        clock = Clock(
            "first_response_at",
            lambda standards: dt.timedelta(hours=standards.message_answer_hours),
        )

        def conditions(scope: Scope) -> Conditions:
            return Conditions(
                excluded=[
                    (
                        "a reply recorded before the message arrived",
                        Q(first_response_at__isnull=False, first_response_at__lt=F("received_at")),
                    ),
                    (
                        f"awaiting a reply, still within {scope.standards.message_answer_hours} "
                        "hours",
                        clock.running(scope, "received_at"),
                    ),
                ],
                breach=Q(first_response_at__isnull=True) | Q(_wait__gt=limit(scope)),
            )

        def detail(scope: Scope, row: dict[str, Any]) -> str:
            if row["first_response_at"] is None:
                return "no reply yet"
            return f"answered after {_seconds(row['_wait'])}"

        return [
            Source(
                model=Message,
                time_field="received_at",
                hood_field="neighbourhood",
                key_field="reference",
                key_prefix="message",
                force_filter=_by_force("neighbourhood__force_id"),
                base=Q(),
                annotate=lambda scope: {"_wait": Millis("first_response_at", "received_at")},
                conditions=conditions,
                detail_fields=("first_response_at", "_wait"),
                detail=detail,
                record_type="contact.message",
                clock=clock,
            )
        ]


# Item 5 ----------------------------------------------------------------------------------------


class EmergencyCalls(RecordRule):
    """999 calls answered in time; emergencies attended in time, urban or rural, with an ETA.

    A 999 call is counted for its answer time; a call graded emergency (whatever number it
    came in on) for its attendance and its ETA. One call, one record: it met the standard
    only if every part that applies to it did.
    """

    item = 5
    title = "999 calls answered, emergencies attended in time"
    counts = "calls"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            f"999 calls answered within {standards.emergency_answer_seconds} seconds; "
            "emergencies given an estimated time of arrival and reached within "
            f"{standards.urban_attendance_minutes} minutes in urban areas and "
            f"{standards.rural_attendance_minutes} minutes in rural areas, counted from "
            "dispatch."
        )

    def sources(self) -> list[Source]:
        is_999 = Q(kind=CallKind.EMERGENCY)
        emergency = Q(grade=Grade.EMERGENCY)

        def annotate(scope: Scope) -> dict[str, Any]:
            s = scope.standards
            # the force's rural neighbourhoods, looked up once (no join per call)
            rural = Q(
                neighbourhood__in=Neighbourhood.objects.filter(
                    force=scope.force, area_class=AreaClass.RURAL
                ).values("pk")
            )
            return {
                "_answer": Millis("answered_at", "received_at"),
                "_attend": Millis("arrived_at", "dispatched_at"),
                "_limit": Case(
                    When(
                        rural,
                        then=Value(s.rural_attendance_minutes * MS_PER_MINUTE),
                    ),
                    default=Value(s.urban_attendance_minutes * MS_PER_MINUTE),
                    output_field=BigIntegerField(),
                ),
                "_rural": Case(
                    When(rural, then=Value(1)), default=Value(0), output_field=BigIntegerField()
                ),
            }

        def conditions(scope: Scope) -> Conditions:
            s = scope.standards
            return Conditions(
                excluded=[
                    ("999 call with no answer time", is_999 & Q(answered_at__isnull=True)),
                    (
                        "emergency with no dispatch or arrival time",
                        emergency & (Q(dispatched_at__isnull=True) | Q(arrived_at__isnull=True)),
                    ),
                    (
                        "emergency in no neighbourhood: urban or rural not known",
                        emergency & Q(neighbourhood__isnull=True),
                    ),
                    (
                        "emergency with no record of whether an ETA was given",
                        emergency & Q(eta_given__isnull=True),
                    ),
                ],
                breach=(is_999 & Q(_answer__gt=s.emergency_answer_seconds * MS_PER_SECOND))
                | (emergency & Q(_attend__gt=F("_limit")))
                | (emergency & Q(eta_given=False)),
            )

        def detail(scope: Scope, row: dict[str, Any]) -> str:
            s = scope.standards
            parts = []
            if row["kind"] == CallKind.EMERGENCY and row["_answer"] > (
                s.emergency_answer_seconds * MS_PER_SECOND
            ):
                parts.append(
                    f"999 call answered after {_seconds(row['_answer'])} "
                    f"(standard {s.emergency_answer_seconds} seconds)"
                )
            if row["grade"] == Grade.EMERGENCY:
                if row["_attend"] is not None and row["_attend"] > row["_limit"]:
                    where = "rural" if row["_rural"] else "urban"
                    parts.append(
                        f"emergency reached {_seconds(row['_attend'])} after dispatch "
                        f"({where} standard {row['_limit'] // MS_PER_MINUTE} minutes)"
                    )
                if row["eta_given"] is False:
                    parts.append("no estimated time of arrival given")
            return "; ".join(parts) or "missed the standard"

        return [
            Source(
                model=Call,
                time_field="received_at",
                hood_field="neighbourhood",
                key_field="call_id",
                key_prefix="call",
                force_filter=_by_force("force_id"),
                base=is_999 | emergency,
                annotate=annotate,
                conditions=conditions,
                detail_fields=(
                    "kind",
                    "grade",
                    "eta_given",
                    "_answer",
                    "_attend",
                    "_limit",
                    "_rural",
                ),
                detail=detail,
            )
        ]


# Item 6 ----------------------------------------------------------------------------------------


class NonEmergencyCalls(RecordRule):
    """101 calls (not graded emergency): answered promptly; the vulnerable and upset, and calls
    about an agreed neighbourhood priority, attended within 60 minutes (or, if attendance is
    agreed not to be needed, advice); otherwise an appointment or advice.

    Each appointment is a promise of its own, counted beside the calls: within 48 hours of
    the request, or later if the caller chose; made on a call or not (at the front desk, in
    reply to a message). A call whose outcome is an appointment never recorded is shown
    among the exclusions.
    """

    item = 6
    title = "Non-emergency calls answered and dealt with in time"
    counts = "calls and appointments"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            f"101 calls answered within {standards.non_emergency_answer_seconds} seconds. "
            "If you are vulnerable or upset, or call about an agreed neighbourhood priority, "
            f"an officer with you within {standards.priority_attendance_minutes} minutes "
            "(unless it is agreed attendance is not needed and you are given advice). "
            f"Otherwise an appointment within {standards.appointment_hours} hours, or later "
            "if you choose, or advice."
        )

    def sources(self) -> list[Source]:
        priority = Q(vulnerable=True) | Q(neighbourhood_priority=True)
        attended = Q(outcome=CallOutcome.ATTENDED)
        appointment = Q(outcome=CallOutcome.APPOINTMENT)
        any_appointment = Exists(Appointment.objects.filter(call=OuterRef("pk")))

        def call_conditions(scope: Scope) -> Conditions:
            s = scope.standards
            return Conditions(
                excluded=[
                    ("101 call with no answer time", Q(answered_at__isnull=True)),
                    ("101 call with no outcome recorded", Q(outcome="")),
                    (
                        "priority call attended, with no arrival time",
                        priority & attended & Q(arrived_at__isnull=True),
                    ),
                ],
                breach=Q(_answer__gt=s.non_emergency_answer_seconds * MS_PER_SECOND)
                | (
                    priority
                    & attended
                    & Q(_reach__gt=s.priority_attendance_minutes * MS_PER_MINUTE)
                )
                | (priority & appointment),
                missing=[
                    (
                        "appointment made, but not recorded",
                        ~priority & appointment & Q(~any_appointment),
                    )
                ],
            )

        def call_detail(scope: Scope, row: dict[str, Any]) -> str:
            s = scope.standards
            parts = []
            if row["_answer"] > s.non_emergency_answer_seconds * MS_PER_SECOND:
                parts.append(
                    f"answered after {_seconds(row['_answer'])} "
                    f"(standard {s.non_emergency_answer_seconds} seconds)"
                )
            urgent = row["vulnerable"] or row["neighbourhood_priority"]
            why = "vulnerable or upset caller" if row["vulnerable"] else "neighbourhood priority"
            if urgent and row["outcome"] == CallOutcome.ATTENDED:
                if row["_reach"] > s.priority_attendance_minutes * MS_PER_MINUTE:
                    parts.append(
                        f"{why}: reached after {_seconds(row['_reach'])} "
                        f"(standard {s.priority_attendance_minutes} minutes)"
                    )
            elif urgent and row["outcome"] == CallOutcome.APPOINTMENT:
                parts.append(
                    f"{why}: given an appointment, not attended within "
                    f"{s.priority_attendance_minutes} minutes"
                )
            return "; ".join(parts) or "missed the standard"

        def appointment_conditions(scope: Scope) -> Conditions:
            limit = scope.standards.appointment_hours * MS_PER_HOUR
            return Conditions(
                excluded=[],
                breach=Q(caller_chose_later=False) & Q(_wait__gt=limit),
            )

        def appointment_detail(scope: Scope, row: dict[str, Any]) -> str:
            made = f" for call {row['call__call_id']}" if row["call__call_id"] else ""
            return (
                f"appointment{made} {_seconds(row['_wait'])} after the request "
                f"(standard {scope.standards.appointment_hours} hours)"
            )

        return [
            Source(
                model=Call,
                time_field="received_at",
                hood_field="neighbourhood",
                key_field="call_id",
                key_prefix="call",
                force_filter=_by_force("force_id"),
                base=Q(kind=CallKind.NON_EMERGENCY) & ~Q(grade=Grade.EMERGENCY),
                annotate=lambda scope: {
                    "_answer": Millis("answered_at", "received_at"),
                    "_reach": Millis("arrived_at", "received_at"),
                },
                conditions=call_conditions,
                detail_fields=(
                    "vulnerable",
                    "neighbourhood_priority",
                    "outcome",
                    "_answer",
                    "_reach",
                ),
                detail=call_detail,
            ),
            # every appointment, made on a call or not, is its own promise: within 48 hours
            # of the request, or later if the caller chose
            Source(
                model=Appointment,
                time_field="requested_at",
                hood_field="neighbourhood",
                key_field="pk",
                key_prefix="appointment",
                force_filter=_by_force("force_id"),
                base=Q(),
                annotate=lambda scope: {"_wait": Millis("appointment_at", "requested_at")},
                conditions=appointment_conditions,
                detail_fields=("_wait", "call__call_id"),
                detail=appointment_detail,
            ),
        ]


# Item 10 ---------------------------------------------------------------------------------------


class DissatisfactionAcknowledged(RecordRule):
    item = 10
    title = "Dissatisfaction acknowledged in time"
    counts = "expressions of dissatisfaction"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            "Any dissatisfaction with the service acknowledged within "
            f"{standards.dissatisfaction_ack_hours} hours of your telling us, and what will "
            "be done agreed with you."
        )

    def sources(self) -> list[Source]:
        clock = Clock(
            "acknowledged_at",
            lambda standards: dt.timedelta(hours=standards.dissatisfaction_ack_hours),
        )

        def conditions(scope: Scope) -> Conditions:
            hours = scope.standards.dissatisfaction_ack_hours
            return Conditions(
                excluded=[
                    (
                        "an acknowledgement recorded before it was received",
                        Q(acknowledged_at__isnull=False, acknowledged_at__lt=F("received_at")),
                    ),
                    (
                        f"awaiting acknowledgement, still within {hours} hours",
                        clock.running(scope, "received_at"),
                    ),
                ],
                breach=Q(acknowledged_at__isnull=True) | Q(_wait__gt=hours * MS_PER_HOUR),
            )

        def detail(scope: Scope, row: dict[str, Any]) -> str:
            if row["acknowledged_at"] is None:
                return "not acknowledged yet"
            return f"acknowledged after {_seconds(row['_wait'])}"

        return [
            Source(
                model=Dissatisfaction,
                time_field="received_at",
                hood_field="neighbourhood",
                key_field="reference",
                key_prefix="dissatisfaction",
                force_filter=_by_force("force_id"),
                base=Q(),
                annotate=lambda scope: {"_wait": Millis("acknowledged_at", "received_at")},
                conditions=conditions,
                detail_fields=("acknowledged_at", "_wait"),
                detail=detail,
                record_type="dissatisfaction.dissatisfaction",
                clock=clock,
            )
        ]


# Item 9 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Owed:
    """Item 9's events: each update owed to a victim, when it fell due, and whether given."""

    hood: list[int | None]
    month: npt.NDArray[np.int64]  # index into the scope's months
    met: npt.NDArray[np.bool_]
    agreement: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]  # ms since 1970
    given: npt.NDArray[np.float64]  # ms since 1970; NaN: not given yet
    frequency: npt.NDArray[np.int64]
    # the first update, owed in the scope's months, that falls overdue after scope.now
    # (ms since 1970): it then counts as a breach though nothing was recorded
    next_overdue: int | None = None


class VictimUpdates:
    """Each update a victim was owed, as often as they agreed, given on time.

    An update is owed ``frequency`` days after the last one (or after the agreement). One
    given by then met the standard and counts in the month it was given; one given later,
    or still not given, is a breach counted in the month it fell due (so a breach keeps its
    key, "victim-update:<agreement>:<due date>", whether or not it has since been given).
    Callbacks asking the victim's view are not case updates. Nothing is owed after the
    agreement ended, or when the victim asked not to be updated.

    The database gives each update its predecessor (a window function) over operational
    fields only; the rest is arithmetic on those columns (numpy), never a row at a time.
    """

    item = 9
    title = "Victims updated as often as they agreed"
    counts = "updates owed"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            "If you are a victim of crime, we agree with you how often you want to hear how "
            "your case is going, and keep to it: at least every month if you wish "
            f"(a monthly update is due within {standards.monthly_update_days} days)."
        )

    @staticmethod
    def _allowed_ms(frequency: npt.NDArray[np.int64], standards: PledgeStandards) -> Any:
        # a victim who asked for about monthly updates is kept to the force's "monthly"
        monthly = np.maximum(frequency, standards.monthly_update_days)
        return np.where(frequency >= MONTHLY_FROM_DAYS, monthly, frequency) * MS_PER_DAY

    def _owed(self, scope: Scope) -> _Owed:
        agreements = UpdateAgreement.objects.filter(
            force_id=scope.force.pk,
            frequency_days__isnull=False,
            agreed_at__lt=scope.end,
        ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=scope.start))
        if scope.neighbourhood_ids is not None:
            agreements = agreements.filter(neighbourhood_id__in=sorted(scope.neighbourhood_ids))
        found = list(
            agreements.annotate(_agreed=EpochMillis("agreed_at"), _ended=EpochMillis("ended_at"))
            .values_list("pk", "neighbourhood", "frequency_days", "_agreed", "_ended")
            .order_by("pk")
        )
        bounds = np.array([epoch_ms(b) for b in boundaries(scope.months)], dtype=np.int64)
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return _Owed([], empty, empty.astype(bool), empty, empty, empty.astype(float), empty)
        ids = np.array([r[0] for r in found], dtype=np.int64)
        hoods = [r[1] for r in found]
        frequency = np.array([r[2] for r in found], dtype=np.int64)
        agreed = np.array([r[3] for r in found], dtype=np.int64)
        ended = np.array([np.nan if r[4] is None else r[4] for r in found], dtype=np.float64)
        allowed = self._allowed_ms(frequency, scope.standards)

        updates = VictimUpdate.objects.filter(
            agreement__in=agreements,
            is_callback=False,
            given_at__gte=F("agreement__agreed_at"),
        ).filter(Q(agreement__ended_at__isnull=True) | Q(given_at__lte=F("agreement__ended_at")))
        previous = Window(
            Lag("given_at"), partition_by=[F("agreement")], order_by=[F("given_at").asc()]
        )
        rows = list(
            updates.annotate(_given=EpochMillis("given_at"), _prev=EpochMillis(previous))
            .values_list("agreement", "_given", "_prev")
            .order_by()
        )
        which = np.searchsorted(ids, np.array([r[0] for r in rows], dtype=np.int64))
        given = np.array([r[1] for r in rows], dtype=np.int64)
        prev = np.array(
            [agreed[w] if r[2] is None else r[2] for w, r in zip(which, rows, strict=True)],
            dtype=np.int64,
        )
        due = prev + allowed[which]
        late = given > due
        at = np.where(late, due, given)

        # the update owed now: after the last one given (or the agreement), not yet given
        last = agreed.copy()
        if len(rows):
            np.maximum.at(last, which, given)
        open_due = last + allowed
        now = epoch_ms(scope.now)
        still_owed = (open_due < now) & ~(ended <= open_due)
        waiting = (
            (open_due >= now)
            & ~(ended <= open_due)
            & (open_due >= bounds[0])
            & (open_due < bounds[-1])
        )

        month = np.concatenate(
            [
                np.searchsorted(bounds, at, side="right") - 1,
                np.searchsorted(bounds, open_due, side="right") - 1,
            ]
        )
        keep = (month >= 0) & (month < len(scope.months))
        keep[len(rows) :] &= still_owed
        agreement_of = np.concatenate([which, np.arange(len(ids))])
        return _Owed(
            hood=[hoods[i] for i in agreement_of[keep].tolist()],
            month=month[keep],
            met=np.concatenate([~late, np.zeros(len(ids), dtype=bool)])[keep],
            agreement=ids[agreement_of[keep]],
            due=np.concatenate([due, open_due])[keep],
            given=np.concatenate([given.astype(float), np.full(len(ids), np.nan)])[keep],
            frequency=frequency[agreement_of[keep]],
            # owed once now is past it: one millisecond later, as the database counts time
            next_overdue=int(open_due[waiting].min()) + 1 if waiting.any() else None,
        )

    def changes_at(self, scope: Scope) -> dt.datetime | None:
        overdue = self._owed(scope).next_overdue
        return None if overdue is None else _from_ms(overdue)

    def tallies(self, scope: Scope) -> dict[Key, Tally]:
        owed = self._owed(scope)
        hood = np.array([h or 0 for h in owed.hood], dtype=np.int64)
        keys, where = np.unique(owed.month * KEY_BASE + hood, return_inverse=True)
        counted = np.bincount(where, minlength=len(keys))
        met = np.bincount(where, weights=owed.met, minlength=len(keys)).astype(np.int64)
        out: dict[Key, Tally] = {}
        for key, n, ok in zip(keys.tolist(), counted.tolist(), met.tolist(), strict=True):
            month, hood_id = split_key(key)
            out[(hood_id, month)] = Tally.of_counts(n, ok)  # type: ignore[index]
        return out

    def breaches(self, scope: Scope) -> list[Breach]:
        owed = self._owed(scope)
        found = []
        for k in np.flatnonzero(~owed.met).tolist():
            due = _from_ms(int(owed.due[k]))
            agreement = int(owed.agreement[k])
            every = int(owed.frequency[k])
            if np.isnan(owed.given[k]):
                detail = f"update overdue since {due:%d %B %Y} (agreed every {every} days)"
            else:
                late = int(owed.given[k]) - int(owed.due[k])
                detail = f"update given {_seconds(late)} late (agreed every {every} days)"
            found.append(
                Breach(
                    item=self.item,
                    record_key=f"victim-update:{agreement}:{due.date():%Y-%m-%d}",
                    neighbourhood_id=owed.hood[k],
                    month=due.date().replace(day=1),
                    occurred_at=due,
                    detail=detail,
                    record_type="victims.updateagreement",
                    record_id=agreement,
                )
            )
        return sorted(found, key=lambda b: (b.occurred_at, b.record_key))


def _from_ms(ms: int) -> dt.datetime:
    """A local (Europe/London) datetime from milliseconds since 1970 UTC."""
    utc = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
    return utc.astimezone(LONDON)


# --------------------------------------------------------------------------------------------
# Neighbourhood rules: one record per neighbourhood per month


@dataclass(frozen=True)
class Area:
    id: int
    code: str
    valid_from: dt.date
    valid_to: dt.date | None
    email: str
    telephone: str

    def exists_in(self, month: dt.date) -> bool:
        first, after = month, month_bounds(month)[1].date()
        return self.valid_from < after and (self.valid_to is None or self.valid_to > first)


def areas(scope: Scope) -> list[Area]:
    qs = Neighbourhood.objects.filter(force=scope.force)
    if scope.neighbourhood_ids is not None:
        qs = qs.filter(pk__in=sorted(scope.neighbourhood_ids))
    return [
        Area(*row)
        for row in qs.order_by("code").values_list(
            "pk", "code", "valid_from", "valid_to", "email", "telephone"
        )
    ]


def _month_key(prefix: str, area: Area, month: dt.date) -> str:
    return f"{prefix}:{area.code}:{month:%Y-%m}"


class AreaRule:
    """A rule judged once per neighbourhood per month."""

    item: ClassVar[int]
    title: ClassVar[str]
    counts: ClassVar[str]
    key_prefix: ClassVar[str]

    def standard(self, standards: PledgeStandards) -> str:
        raise NotImplementedError

    def judge(self, scope: Scope) -> dict[Key, tuple[Tally, str]]:
        """Per (neighbourhood, month): the tally, and the breach's detail if it missed."""
        raise NotImplementedError

    def due_at(self, month: dt.date) -> dt.datetime:
        return month_bounds(month)[1]

    def changes_at(self, scope: Scope) -> dt.datetime | None:
        # judged by the day: a month begins or ends (or its update falls due), a team
        # member's details grow stale; once the last month is due, nothing more changes
        if scope.now >= self.due_at(scope.months[-1]):
            return None
        tomorrow = scope.now.astimezone(LONDON).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=LONDON)

    def tallies(self, scope: Scope) -> dict[Key, Tally]:
        return {key: tally for key, (tally, _) in self.judge(scope).items()}

    def breaches(self, scope: Scope) -> list[Breach]:
        by_id = {a.id: a for a in areas(scope)}
        found = []
        for (hood, m), (tally, detail) in self.judge(scope).items():
            if hood is not None and tally.counted and tally.met < tally.counted:
                month = scope.months[m]
                found.append(
                    Breach(
                        item=self.item,
                        record_key=_month_key(self.key_prefix, by_id[hood], month),
                        neighbourhood_id=hood,
                        month=month,
                        occurred_at=self.due_at(month),
                        detail=detail,
                    )
                )
        return sorted(found, key=lambda b: (b.occurred_at, b.record_key))


def _month_over(scope: Scope, month: dt.date, grace_days: int = 0) -> bool:
    return month_bounds(month)[1] + dt.timedelta(days=grace_days) <= scope.now


# Item 2 ----------------------------------------------------------------------------------------


class KnowYourTeam(AreaRule):
    """Each neighbourhood has a named team, each member with a photo, the team reachable,
    and what is published confirmed recently (OURPATCH_STALE_AFTER_DAYS).

    Judged at the month's end (today, for the month under way). A member's details are
    confirmed at ``last_confirmed``; only the latest confirmation is kept, so for a past
    month a confirmation made since then counts as current.
    """

    item = 2
    title = "A named team you can contact"
    counts = "neighbourhood-months"
    key_prefix = "team"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            "Your neighbourhood has a named team, with photos, where they are based and how "
            f"to contact them, checked at least every "
            f"{_stale_days()} days."
        )

    def judge(self, scope: Scope) -> dict[Key, tuple[Tally, str]]:
        hoods = areas(scope)
        ids = [a.id for a in hoods]
        through = TeamMember.neighbourhoods.through
        rows = list(
            through.objects.filter(neighbourhood_id__in=ids).values_list(
                "neighbourhood_id",
                "teammember__start_date",
                "teammember__end_date",
                "teammember__photo",
                "teammember__email",
                "teammember__telephone",
                "teammember__last_confirmed",
            )
        )
        members: dict[int, list[tuple[Any, ...]]] = {}
        for row in rows:
            members.setdefault(row[0], []).append(row[1:])
        today = scope.now.astimezone(LONDON).date()
        stale = dt.timedelta(days=_stale_days())
        out: dict[Key, tuple[Tally, str]] = {}
        for m, month in enumerate(scope.months):
            last_day = month_bounds(month)[1].date() - dt.timedelta(days=1)
            if month > today:
                continue
            on = min(last_day, today)
            as_of = dt.datetime.combine(on, dt.time(23, 59, 59), tzinfo=LONDON)
            for area in hoods:
                if not area.exists_in(month):
                    continue
                team = [
                    r
                    for r in members.get(area.id, [])
                    if r[0] <= on and (r[1] is None or r[1] >= on)
                ]
                problems = []
                if not team:
                    problems.append("no named team member")
                else:
                    if not (area.email or area.telephone or any(r[3] or r[4] for r in team)):
                        problems.append("no way to contact the team")
                    no_photo = sum(1 for r in team if not r[2])
                    if no_photo:
                        problems.append(f"{no_photo} of {len(team)} without a photo")
                    old = sum(1 for r in team if r[5] < as_of - stale)
                    if old:
                        problems.append(f"{old} of {len(team)} not confirmed in {stale.days} days")
                met = int(not problems)
                out[(area.id, m)] = (Tally.of_counts(1, met), "; ".join(problems))
        return out


def _stale_days() -> int:
    return int(getattr(settings, "OURPATCH_STALE_AFTER_DAYS", 90))


# Item 3 ----------------------------------------------------------------------------------------


class VisibleTime(AreaRule):
    """The share of the team's duty time spent in its own neighbourhood on neighbourhood work.

    A stretch of duty counts for the neighbourhood it was spent in when that is one of the
    officer's own; otherwise (abstracted to other duties, or spent elsewhere) it counts,
    as time away, for the officer's first neighbourhood. A stretch belongs to the month it
    started in. The neighbourhood-month meets the standard at ``visible_share``; the force's
    own abstraction policy band (seed 14.8) is shown beside it.
    """

    item = 3
    title = "Team time visible in the neighbourhood"
    counts = "neighbourhood-months"
    key_prefix = "visible-time"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            f"At least {standards.visible_share:.0%} of the team's time spent visibly in "
            "the neighbourhood, on neighbourhood work. The force's own policy protects "
            f"{standards.protected_share_low:.0%} to {standards.protected_share_high:.0%} "
            "of it from other duties."
        )

    def judge(self, scope: Scope) -> dict[Key, tuple[Tally, str]]:
        hoods = {a.id: a for a in areas(scope)}
        through = TeamMember.neighbourhoods.through
        home: dict[int, list[int]] = {}
        team_filter = Q(teammember__force=scope.force)
        for member_id, hood_id in (
            through.objects.filter(team_filter)
            .order_by("neighbourhood_id")
            .values_list("teammember_id", "neighbourhood_id")
        ):
            home.setdefault(member_id, []).append(hood_id)
        duties = Duty.objects.filter(
            member__force=scope.force,
            starts_at__gte=scope.start,
            starts_at__lt=scope.end,
        )
        if scope.neighbourhood_ids is not None:
            wanted = sorted(scope.neighbourhood_ids)
            members = [m for m, hs in home.items() if set(hs) & scope.neighbourhood_ids]
            duties = duties.filter(Q(member_id__in=members) | Q(neighbourhood_id__in=wanted))
        rows = (
            duties.annotate(
                _m=month_index("starts_at", scope.months),
                _away=Case(
                    When(activity__in=sorted(ABSTRACTED_ACTIVITIES), then=Value(1)),
                    default=Value(0),
                    output_field=BigIntegerField(),
                ),
            )
            .values("member_id", "neighbourhood_id", "_away", "_m")
            .annotate(ms=Sum(Millis("ends_at", "starts_at")), n=Count("pk"))
            .order_by()
        )
        visible: Counter[tuple[int, int]] = Counter()
        total: Counter[tuple[int, int]] = Counter()
        teamless: Counter[int] = Counter()
        for row in rows:
            own = home.get(row["member_id"], [])
            if not own:
                teamless[row["_m"]] += row["n"]
                continue
            place = row["neighbourhood_id"]
            counts_for = place if place in own else own[0]
            key = (counts_for, row["_m"])
            total[key] += row["ms"] or 0
            if place in own and not row["_away"]:
                visible[key] += row["ms"] or 0
        s = scope.standards
        out: dict[Key, tuple[Tally, str]] = {}
        for m, month in enumerate(scope.months):
            for area in hoods.values():
                if not area.exists_in(month):
                    continue
                key = (area.id, m)
                if not total[key]:
                    if month_bounds(month)[0] <= scope.now:
                        out[key] = (Tally(excluded=Counter({"no duty records": 1})), "")
                    continue
                share = visible[key] / total[key]
                met = int(share >= s.visible_share)
                tally = Tally(1, met, Counter(), float(visible[key]), float(total[key]))
                band = (
                    "below"
                    if share < s.protected_share_low
                    else "above"
                    if share > s.protected_share_high
                    else "within"
                )
                detail = (
                    f"{share:.0%} of {total[key] / MS_PER_HOUR:,.0f} duty hours visible in the "
                    f"neighbourhood (standard {s.visible_share:.0%}; {band} the force's "
                    f"{s.protected_share_low:.0%}–{s.protected_share_high:.0%} policy)"
                )
                out[key] = (tally, detail)
        if scope.neighbourhood_ids is None:
            for m, n in teamless.items():
                reason = "duty stretches by officers in no neighbourhood team"
                out[(None, m)] = (Tally(excluded=Counter({reason: n})), "")
        for key, reasons in self._refused(scope).items():
            tally, detail = out.get(key, (Tally(), ""))
            tally.excluded.update(reasons)
            out[key] = (tally, detail)
        return out

    @staticmethod
    def _refused(scope: Scope) -> dict[Key, Counter[str]]:
        """Rows of the duty export the import refused: shown, never silently left out."""
        refused = RejectedDuty.objects.filter(
            force=scope.force, starts_at__gte=scope.start, starts_at__lt=scope.end
        )
        if scope.neighbourhood_ids is not None:
            refused = refused.filter(neighbourhood_id__in=sorted(scope.neighbourhood_ids))
        labels = dict(DutyRejectReason.choices)
        out: dict[Key, Counter[str]] = {}
        for row in (
            refused.annotate(_m=month_index("starts_at", scope.months))
            .values("neighbourhood_id", "_m", "reason")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            reason = f"duty rows refused by the import: {labels.get(row['reason'], row['reason'])}"
            out.setdefault((row["neighbourhood_id"], row["_m"]), Counter())[reason] += row["n"]
        return out


# Item 7 ----------------------------------------------------------------------------------------


class PublicMeetings(AreaRule):
    item = 7
    title = "Public meetings held every month"
    counts = "neighbourhood-months"
    key_prefix = "meetings"

    def standard(self, standards: PledgeStandards) -> str:
        times = (
            "once" if standards.meetings_per_month == 1 else f"{standards.meetings_per_month} times"
        )
        return (
            f"A public meeting to agree your priorities at least {times} a month: a PACT "
            "meeting, surgery, street briefing or mobile police station visit. Only meetings "
            "that took place count, not those advertised."
        )

    def judge(self, scope: Scope) -> dict[Key, tuple[Tally, str]]:
        held = Counter(
            {
                (row["neighbourhood_id"], row["_m"]): row["n"]
                for row in Meeting.objects.filter(
                    neighbourhood__force=scope.force,
                    status=MeetingStatus.HELD,
                    kind__in=PUBLIC_MEETING_KINDS,
                    starts_at__gte=scope.start,
                    starts_at__lt=scope.end,
                )
                .annotate(_m=month_index("starts_at", scope.months))
                .values("neighbourhood_id", "_m")
                .annotate(n=Count("pk"))
                .order_by()
            }
        )
        wanted = scope.standards.meetings_per_month
        out: dict[Key, tuple[Tally, str]] = {}
        hoods = areas(scope)
        for m, month in enumerate(scope.months):
            for area in hoods:
                if not area.exists_in(month):
                    continue
                n = held[(area.id, m)]
                if not _month_over(scope, month):
                    if month_bounds(month)[0] <= scope.now:
                        out[(area.id, m)] = (Tally(excluded=Counter({NOT_OVER: 1})), "")
                    continue
                met = int(n >= wanted)
                detail = "no public meeting held" if n == 0 else f"{n} held, {wanted} due"
                out[(area.id, m)] = (Tally.of_counts(1, met), detail)
        return out


# Item 8 ----------------------------------------------------------------------------------------


class MonthlyUpdates(AreaRule):
    item = 8
    title = "A monthly update published"
    counts = "neighbourhood-months"
    key_prefix = "update"

    def standard(self, standards: PledgeStandards) -> str:
        return (
            "An update every month on crime, what happened to offenders, what we and our "
            f"partners are doing, and how we perform: published within {UPDATE_DUE_DAYS} "
            "days of the month's end."
        )

    def due_at(self, month: dt.date) -> dt.datetime:
        return month_bounds(month)[1] + dt.timedelta(days=UPDATE_DUE_DAYS)

    def judge(self, scope: Scope) -> dict[Key, tuple[Tally, str]]:
        published = set(
            MonthlyUpdate.objects.filter(
                neighbourhood__force=scope.force,
                month__gte=scope.months[0],
                month__lte=scope.months[-1],
            ).values_list("neighbourhood_id", "month")
        )
        out: dict[Key, tuple[Tally, str]] = {}
        hoods = areas(scope)
        for m, month in enumerate(scope.months):
            for area in hoods:
                if not area.exists_in(month):
                    continue
                if (area.id, month) in published:
                    out[(area.id, m)] = (Tally.of_counts(1, 1), "")
                elif not _month_over(scope, month, UPDATE_DUE_DAYS):
                    if month_bounds(month)[0] <= scope.now:
                        reason = f"not due until {UPDATE_DUE_DAYS} days after the month"
                        out[(area.id, m)] = (Tally(excluded=Counter({reason: 1})), "")
                else:
                    out[(area.id, m)] = (Tally.of_counts(1, 0), "no update published")
        return out


# --------------------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    KnowYourTeam(),
    VisibleTime(),
    MessagesAnswered(),
    EmergencyCalls(),
    NonEmergencyCalls(),
    PublicMeetings(),
    MonthlyUpdates(),
    VictimUpdates(),
    DissatisfactionAcknowledged(),
)
BY_ITEM: dict[int, Rule] = {rule.item: rule for rule in RULES}
