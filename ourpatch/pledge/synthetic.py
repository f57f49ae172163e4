"""A synthetic force-year of Pledge records: for the demonstration force and the benchmark.

Plausible, not real. Calls with a realistic grade mix (a third on 999, most emergencies
reached in time, rural ones a little slower), some late, some malformed (a missing answer or
arrival time, no outcome, no ETA recorded); appointments; messages to teams with their
replies (a few never answered); stretches of duty, some abstracted; victims' update
agreements and the updates given, some late; expressions of dissatisfaction, most
acknowledged the same day. Every person in it is invented and named so ("Synthetic resident
12"); every call id starts ``SYN``. A fixed seed gives the same rows.

Rows are made a month at a time as numpy columns, in time order as a real export is, and
written in bulk: ``executemany`` on SQLite (Django's ``bulk_create`` there is held to 999
values a statement) and ``COPY`` on PostgreSQL, with primary keys assigned here so that
appointments, replies and updates can point at their rows. A million calls take a minute
or so rather than many.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model

from ourpatch.calls.models import Appointment, Call, CallKind, CallOutcome
from ourpatch.contact.models import Message, MessageReply
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.models import AreaClass, Force, Neighbourhood
from ourpatch.pledge.clocks import month_bounds, months_ending
from ourpatch.teams.models import Duty, DutyActivity, Role, TeamMember
from ourpatch.victims.models import UpdateAgreement, UpdateMethod, VictimUpdate

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
SOURCE = "synthetic"  # Call.source_file: how a rebuild knows its synthetic calls are there

# The demonstration force's year: fixed, never today, so a rebuild gives the same rows
DEMO_LAST_MONTH = dt.date(2026, 10, 1)

AWAY_ACTIVITIES = np.array(
    [
        DutyActivity.RESPONSE.value,
        DutyActivity.PUBLIC_ORDER.value,
        DutyActivity.CUSTODY.value,
        DutyActivity.TRAINING.value,
    ],
    dtype=object,
)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as real references: no 0/O or 1/I


@dataclass(frozen=True)
class Volumes:
    """How much of each record a force-year has (over all its neighbourhoods)."""

    calls: int = 24_000
    messages: int = 4_800
    agreements: int = 1_200
    dissatisfaction: int = 600
    # duty days per team member per month, each split into two stretches
    duty_days: int = 1


DEMO = Volumes()


@dataclass
class Made:
    calls: int = 0
    appointments: int = 0
    messages: int = 0
    replies: int = 0
    duties: int = 0
    agreements: int = 0
    updates: int = 0
    dissatisfaction: int = 0
    members: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def calls_and_contacts(self) -> int:
        return self.calls + self.messages

    def as_text(self) -> str:
        return ", ".join(f"{getattr(self, f.name):,} {f.name}" for f in fields(self))


def _code(serial: int, width: int = 8) -> str:
    """A reference-shaped code, distinct for each serial (base 32)."""
    out = ""
    for _ in range(width):
        serial, digit = divmod(serial, 32)
        out = _ALPHABET[digit] + out
    return out


class _Writer:
    """Rows straight into a model's table, primary keys chosen here."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.touched: list[type[Model]] = []

    def times(self, seconds: npt.NDArray[Any], present: BoolArray | None = None) -> list[Any]:
        """Instants (seconds since 1970) as the database's text for a datetime, UTC."""
        if not len(seconds):
            return []
        stamps = (np.round(seconds * 1000).astype("int64")).astype("datetime64[ms]")
        text = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ")
        if self.postgres:
            text = np.char.add(text, "+00")
        out: list[Any] = text.tolist()
        if present is not None:
            out = [t if keep else None for t, keep in zip(out, present.tolist(), strict=True)]
        return out

    def next_ids(self, model: type[Model], n: int) -> list[int]:
        start = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        return list(range(start, start + n))

    def write(
        self, model: type[Model], names: Sequence[str], columns: Sequence[Sequence[Any]]
    ) -> int:
        """Insert rows given as columns; every other field takes its default (so a field
        added to the model later, with a default, needs nothing here)."""
        meta = model._meta
        n = len(columns[0]) if columns else 0
        if not n:
            return 0
        given = dict(zip(names, columns, strict=True))
        db_columns: list[str] = []
        data: list[Sequence[Any]] = []
        for field in meta.concrete_fields:
            if field.name in given:
                data.append(given[field.name])
            elif field.primary_key:
                continue
            else:
                default = field.get_default()  # "" for text, None where null is allowed
                if default is None and not field.null:
                    raise ValueError(f"{meta.label}.{field.name} has no default: give it")
                data.append([field.get_db_prep_save(default, connection)] * n)
            db_columns.append(field.column)
        rows = list(zip(*data, strict=True))
        if model not in self.touched:
            self.touched.append(model)
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        listed = ", ".join(quote(c) for c in db_columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # psycopg's own cursor: COPY
                with raw.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(db_columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({listed}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
        return len(rows)

    def finish(self) -> None:
        """PostgreSQL's sequences past the keys chosen here."""
        if not self.postgres or not self.touched:
            return
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.touched):
                cursor.execute(statement)


def _in_month(rng: np.random.Generator, month: dt.date, n: int) -> FloatArray:
    """``n`` instants (seconds since 1970) in the Europe/London month, busier by day, sorted."""
    start, end = month_bounds(month)
    s, e = start.timestamp(), end.timestamp()
    day = np.floor(rng.uniform(0, 1, n) * ((e - s) / 86400))
    hour = np.where(rng.random(n) < 0.75, rng.uniform(9, 23, n), rng.uniform(0, 24, n))
    out = s + day * 86400 + hour * 3600 + rng.uniform(0, 3600, n)
    return np.sort(np.minimum(out, e - 1.0))


class _Generator:
    def __init__(
        self,
        force: Force,
        months: Sequence[dt.date],
        volumes: Volumes,
        seed: int,
    ) -> None:
        self.force = force
        self.months = list(months)
        self.volumes = volumes
        self.rng = np.random.default_rng(seed)
        self.out = _Writer()
        hoods = list(
            Neighbourhood.objects.filter(force=force)
            .order_by("code")
            .values_list("pk", "area_class")
        )
        if not hoods:
            raise ValueError(f"{force.pk} has no neighbourhoods to invent records for")
        self.hood_ids = np.array([h for h, _ in hoods], dtype=np.int64)
        self.rural = np.array([c == AreaClass.RURAL for _, c in hoods])
        # some neighbourhoods are busier than others
        weight = self.rng.gamma(4.0, 1.0, len(hoods))
        self.hood_p = weight / weight.sum()
        self.made = Made()
        # references start from an offset of the force's own, so two forces do not collide
        mixed = np.random.default_rng([seed, zlib.crc32(force.pk.encode())])
        self.offset = int(mixed.integers(32**7, 32**8 // 2))

    def hoods(self, n: int) -> IntArray:
        return self.rng.choice(len(self.hood_ids), n, p=self.hood_p)

    def per_month(self, total: int) -> list[int]:
        base = total // len(self.months)
        counts = [base] * len(self.months)
        for k in range(total - base * len(self.months)):
            counts[k] += 1
        return counts

    # calls and appointments ----------------------------------------------------------------

    def calls(self) -> None:
        rng, out = self.rng, self.out
        serial = 0
        for month, n in zip(self.months, self.per_month(self.volumes.calls), strict=True):
            where = self.hoods(n)
            hood: list[int | None] = self.hood_ids[where].tolist()
            for i in np.flatnonzero(rng.random(n) < 0.01).tolist():
                hood[i] = None  # a call placed in no neighbourhood
            rural = self.rural[where]
            received = _in_month(rng, month, n)
            is_999 = rng.random(n) < 0.33
            g = rng.random(n)
            grade = np.where(
                is_999,
                np.select(
                    [g < 0.6, g < 0.9, g < 0.95],
                    ["emergency", "priority", "scheduled"],
                    "resolution",
                ),
                np.select(
                    [g < 0.03, g < 0.25, g < 0.6],
                    ["emergency", "priority", "scheduled"],
                    "resolution",
                ),
            )
            answer = np.where(
                is_999, rng.lognormal(np.log(5.0), 0.55, n), rng.lognormal(np.log(16.0), 0.6, n)
            )
            answered = received + answer
            answered_ok = rng.random(n) > 0.004
            emergency = grade == "emergency"
            dispatch = answered + rng.uniform(40, 180, n)
            travel = rng.lognormal(np.log(np.where(rural, 12.5, 9.0) * 60), 0.35, n)
            vulnerable = (~is_999) & (rng.random(n) < 0.12)
            priority_issue = (~is_999) & (rng.random(n) < 0.05)
            attend_soon = (grade == "priority") | vulnerable | priority_issue
            outcome = np.select(
                [emergency | attend_soon, grade == "scheduled"],
                [CallOutcome.ATTENDED.value, CallOutcome.APPOINTMENT.value],
                CallOutcome.ADVICE.value,
            )
            # the vulnerable and upset are reached, from receipt, mostly within the hour
            soon = received + rng.lognormal(np.log(38 * 60), 0.4, n)
            arrived = np.where(emergency, dispatch + travel, soon)
            dispatch = np.where(emergency, dispatch, soon - rng.uniform(300, 1500, n))
            attended = outcome == CallOutcome.ATTENDED.value
            arrived_ok = attended & (rng.random(n) > 0.003)
            outcome[rng.random(n) < 0.002] = ""  # no outcome recorded
            eta: list[bool | None] = (rng.random(n) < 0.96).tolist()
            unknown = (~emergency) | (rng.random(n) < 0.01)
            for i in np.flatnonzero(unknown).tolist():
                eta[i] = None
            ids = out.next_ids(Call, n)
            codes = [f"SYN{month:%y%m}{serial + k + 1:07d}" for k in range(n)]
            serial += n
            answered_at = out.times(answered, answered_ok)
            self.made.calls += out.write(
                Call,
                [
                    "id",
                    "force",
                    "call_id",
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
                    "imported_at",
                    "fingerprint",
                ],
                [
                    ids,
                    [self.force.pk] * n,
                    codes,
                    np.where(
                        is_999, CallKind.EMERGENCY.value, CallKind.NON_EMERGENCY.value
                    ).tolist(),
                    out.times(received),
                    answered_at,
                    answered_at,
                    out.times(dispatch, attended),
                    out.times(arrived, arrived_ok),
                    grade.tolist(),
                    vulnerable.tolist(),
                    priority_issue.tolist(),
                    eta,
                    outcome.tolist(),
                    hood,
                    [SOURCE] * n,
                    out.times(received + 86400 * 3),
                    [""] * n,
                ],
            )
            booked = np.flatnonzero(
                (outcome == CallOutcome.APPOINTMENT.value) & (rng.random(n) > 0.002)
            )
            self.appointments(
                [ids[i] for i in booked.tolist()],
                [hood[i] for i in booked.tolist()],
                received[booked],
            )

    def appointments(
        self, calls: list[int], hoods: list[int | None], requested: FloatArray
    ) -> None:
        rng, out = self.rng, self.out
        n = len(calls)
        if not n:
            return
        # most within 48 hours; some later at the caller's choice; a few simply late
        wait = rng.lognormal(np.log(26 * 3600), 0.45, n)
        chose_later = rng.random(n) < 0.08
        wait = np.where(chose_later, wait * 2.5, wait)
        self.made.appointments += out.write(
            Appointment,
            [
                "id",
                "force",
                "neighbourhood",
                "call",
                "requested_at",
                "appointment_at",
                "caller_chose_later",
            ],
            [
                out.next_ids(Appointment, n),
                [self.force.pk] * n,
                hoods,
                calls,
                out.times(requested),
                out.times(requested + wait),
                chose_later.tolist(),
            ],
        )

    # messages and replies ------------------------------------------------------------------

    def messages(self) -> None:
        rng, out = self.rng, self.out
        serial = 0
        for month, n in zip(self.months, self.per_month(self.volumes.messages), strict=True):
            hood = self.hood_ids[self.hoods(n)].tolist()
            received = _in_month(rng, month, n)
            reply = received + rng.lognormal(np.log(7 * 3600), 0.8, n)
            answered = rng.random(n) > 0.02
            ids = out.next_ids(Message, n)
            numbers = range(serial + 1, serial + n + 1)
            serial += n
            replied_at = out.times(reply, answered)
            self.made.messages += out.write(
                Message,
                [
                    "id",
                    "reference",
                    "neighbourhood",
                    "sender_name",
                    "sender_email",
                    "sender_telephone",
                    "body",
                    "received_at",
                    "sender_address_hash",
                    "acknowledged_at",
                    "channel",
                    "routing_note",
                    "first_response_at",
                    "closed_at",
                ],
                [
                    ids,
                    [f"M-{_code(self.offset + k)}" for k in numbers],
                    hood,
                    [f"Synthetic resident {k}" for k in numbers],
                    [f"resident{k}@synthetic.invalid" for k in numbers],
                    [""] * n,
                    ["A synthetic message to the team (demonstration data)."] * n,
                    out.times(received),
                    [""] * n,
                    out.times(received + 60),
                    ["web"] * n,
                    [""] * n,
                    replied_at,
                    replied_at,
                ],
            )
            got = np.flatnonzero(answered)
            k = len(got)
            self.made.replies += out.write(
                MessageReply,
                ["id", "message", "body", "written_at", "sent_at", "method"],
                [
                    out.next_ids(MessageReply, k),
                    [ids[i] for i in got.tolist()],
                    ["Thank you: we have looked into this (synthetic reply)."] * k,
                    out.times(reply[got]),
                    out.times(reply[got]),
                    ["email"] * k,
                ],
            )

    # team members and duty ----------------------------------------------------------------

    def members(self, per_hood: int) -> None:
        """Invent a team for each neighbourhood that has none (the benchmark's force)."""
        have = set(
            TeamMember.neighbourhoods.through.objects.filter(
                neighbourhood_id__in=self.hood_ids.tolist()
            ).values_list("neighbourhood_id", flat=True)
        )
        roles = [Role.SERGEANT, Role.CONSTABLE, Role.CONSTABLE, Role.PCSO, Role.PCSO, Role.PCSO]
        new = [
            TeamMember(
                force=self.force,
                name=f"Synthetic officer {hood}-{k}",
                role=roles[k % len(roles)],
                collar_number=f"S{hood}{k:02d}",
                photo="team-photos/synthetic.jpg" if k % 7 else "",
                email=f"officer{hood}-{k}@synthetic.invalid",
            )
            for hood in self.hood_ids.tolist()
            if hood not in have
            for k in range(per_hood)
        ]
        homes = [h for h in self.hood_ids.tolist() if h not in have for _ in range(per_hood)]
        made = TeamMember.objects.bulk_create(new, batch_size=40)
        through = TeamMember.neighbourhoods.through
        through.objects.bulk_create(
            [
                through(teammember_id=m.pk, neighbourhood_id=h)
                for m, h in zip(made, homes, strict=True)
            ],
            batch_size=200,
        )
        self.made.members += len(made)

    def duties(self) -> None:
        rng, out = self.rng, self.out
        home: dict[int, int] = {}
        for member, hood in (
            TeamMember.neighbourhoods.through.objects.filter(
                teammember__force=self.force, neighbourhood__force=self.force
            )
            .order_by("teammember_id", "neighbourhood_id")
            .values_list("teammember_id", "neighbourhood_id")
        ):
            home.setdefault(member, hood)
        members = np.array(sorted(home), dtype=np.int64)
        if not len(members):
            return
        homes = np.array([home[m] for m in members.tolist()], dtype=np.int64)
        # each officer has their own share of abstraction, mostly between 5% and 30%
        away_share = rng.beta(2, 9, len(members))
        for month in self.months:
            start, end = month_bounds(month)
            days = (end - start).days
            per = min(self.volumes.duty_days, days)
            # distinct days for each officer
            chosen = np.argsort(rng.random((len(members), days)), axis=1)[:, :per]
            who = np.repeat(np.arange(len(members)), per)
            day = chosen.ravel()
            n = len(who)
            begin = start.timestamp() + day * 86400 + 7 * 3600
            shift = rng.uniform(7.5, 10, n) * 3600
            away = np.clip(away_share[who] + rng.normal(0, 0.08, n), 0, 0.9)
            visible_end = begin + shift * (1 - away)
            patrol = np.where(
                rng.random(n) < 0.7, DutyActivity.PATROL.value, DutyActivity.ENGAGEMENT.value
            )
            self.made.duties += out.write(
                Duty,
                [
                    "id",
                    "member",
                    "starts_at",
                    "ends_at",
                    "activity",
                    "neighbourhood",
                    "place",
                    "source_file",
                ],
                [
                    out.next_ids(Duty, n),
                    members[who].tolist(),
                    out.times(begin),
                    out.times(visible_end),
                    patrol.tolist(),
                    homes[who].tolist(),
                    [""] * n,
                    [SOURCE] * n,
                ],
            )
            split = np.flatnonzero(away > 0.01)
            k = len(split)
            # a tenth of the time away is patrolling someone else's patch: away all the same
            elsewhere = rng.random(k) < 0.1
            activity = AWAY_ACTIVITIES[rng.integers(len(AWAY_ACTIVITIES), size=k)]
            activity[elsewhere] = DutyActivity.PATROL.value
            place: list[int | None] = self.hood_ids[
                rng.integers(len(self.hood_ids), size=k)
            ].tolist()
            for i in np.flatnonzero(~elsewhere).tolist():
                place[i] = None
            self.made.duties += out.write(
                Duty,
                [
                    "id",
                    "member",
                    "starts_at",
                    "ends_at",
                    "activity",
                    "neighbourhood",
                    "place",
                    "source_file",
                ],
                [
                    out.next_ids(Duty, k),
                    members[who[split]].tolist(),
                    out.times(visible_end[split]),
                    out.times(begin[split] + shift[split]),
                    activity.tolist(),
                    place,
                    [""] * k,
                    [SOURCE] * k,
                ],
            )

    # victims -----------------------------------------------------------------------------

    def victims(self) -> None:
        rng, out = self.rng, self.out
        officers: dict[int, list[int]] = {}
        for member, hood in TeamMember.neighbourhoods.through.objects.filter(
            neighbourhood_id__in=self.hood_ids.tolist()
        ).values_list("teammember_id", "neighbourhood_id"):
            officers.setdefault(hood, []).append(member)
        last_end = month_bounds(self.months[-1])[1].timestamp()
        serial = 0
        for month, n in zip(self.months, self.per_month(self.volumes.agreements), strict=True):
            where = self.hoods(n)
            keep = np.array([int(h) in officers for h in self.hood_ids[where]], dtype=bool)
            where = where[keep]
            n = len(where)
            if not n:
                continue
            hood = self.hood_ids[where].tolist()
            agreed = _in_month(rng, month, n)
            frequency = rng.choice([7, 14, 14, 28, 30, 30, 0], n)
            ended = agreed + rng.uniform(20, 150, n) * 86400
            finished = ended < last_end
            ids = out.next_ids(UpdateAgreement, n)
            numbers = range(serial + 1, serial + n + 1)
            serial += n
            officer = [
                officers[h][k % len(officers[h])] for k, h in zip(numbers, hood, strict=True)
            ]
            self.made.agreements += out.write(
                UpdateAgreement,
                [
                    "id",
                    "force",
                    "neighbourhood",
                    "officer",
                    "crime_reference",
                    "victim_name",
                    "victim_contact",
                    "method",
                    "frequency_days",
                    "agreed_at",
                    "ended_at",
                ],
                [
                    ids,
                    [self.force.pk] * n,
                    hood,
                    officer,
                    [f"SYN/{k:06d}/{month:%y}" for k in numbers],
                    [f"Synthetic victim {k}" for k in numbers],
                    [""] * n,
                    [UpdateMethod.TELEPHONE.value] * n,
                    [int(f) or None for f in frequency.tolist()],
                    out.times(agreed),
                    out.times(ended, finished),
                ],
            )
            # each case's updates: mostly a day or two early, sometimes a few days late
            given: list[float] = []
            whose: list[int] = []
            by: list[int] = []
            for i in range(n):
                every = int(frequency[i])
                if not every:
                    continue
                at = float(agreed[i])
                finish = min(float(ended[i]), last_end)
                while True:
                    at += every * 86400 * rng.uniform(0.75, 1.0)
                    if rng.random() < 0.08:
                        at += rng.uniform(1, 6) * 86400
                    if at >= finish:
                        break
                    given.append(at)
                    whose.append(ids[i])
                    by.append(officer[i])
            k = len(given)
            self.made.updates += out.write(
                VictimUpdate,
                [
                    "id",
                    "agreement",
                    "given_at",
                    "given_by",
                    "method",
                    "note",
                    "is_callback",
                    "victim_view",
                ],
                [
                    out.next_ids(VictimUpdate, k),
                    whose,
                    out.times(np.array(given, dtype=np.float64)),
                    by,
                    [UpdateMethod.TELEPHONE.value] * k,
                    ["Synthetic update."] * k,
                    [False] * k,
                    ["not_asked"] * k,
                ],
            )

    # dissatisfaction ---------------------------------------------------------------------

    def dissatisfaction(self) -> None:
        rng = self.rng
        categories = [c.value for c in Category]
        serial = 0
        rows = []
        for month, n in zip(self.months, self.per_month(self.volumes.dissatisfaction), strict=True):
            where = self.hoods(n)
            received = _in_month(rng, month, n)
            ack = received + rng.lognormal(np.log(5 * 3600), 0.9, n)
            acknowledged = rng.random(n) > 0.01
            for i in range(n):
                serial += 1
                at = dt.datetime.fromtimestamp(float(received[i]), dt.UTC)
                rows.append(
                    Dissatisfaction(
                        force=self.force,
                        reference=f"D-{_code(self.offset + serial)}",
                        neighbourhood_id=int(self.hood_ids[where[i]]),
                        received_at=at,
                        channel=Channel.TELEPHONE,
                        category=categories[int(rng.integers(len(categories)))],
                        complainant_name=f"Synthetic resident {serial}",
                        summary="Synthetic: not kept informed about my report.",
                        acknowledged_at=dt.datetime.fromtimestamp(float(ack[i]), dt.UTC)
                        if acknowledged[i]
                        else None,
                    )
                )
        # few, and its model is still growing: Django writes them, field defaults and all
        Dissatisfaction.objects.bulk_create(rows, batch_size=50)
        self.made.dissatisfaction += len(rows)


def synthesise(
    force: Force,
    months: Sequence[dt.date],
    *,
    volumes: Volumes = DEMO,
    seed: int = 2008,
    members_per_hood: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Made:
    """Invent ``volumes`` of Pledge records for ``force`` over ``months``; returns counts.

    ``members_per_hood``: first invent a team of this size for each neighbourhood without
    one (the benchmark's force has no people of its own).
    """
    say = progress or (lambda line: None)
    generator = _Generator(force, months, volumes, seed)
    with transaction.atomic():
        if members_per_hood:
            generator.members(members_per_hood)
        for part in ("calls", "messages", "duties", "victims", "dissatisfaction"):
            getattr(generator, part)()
            say(f"  {part}: {generator.made.as_text()}")
        generator.out.finish()
    return generator.made


def generate_demo_records(
    force: Force, seed: int, progress: Callable[[str], None] | None = None
) -> Made:
    """The demonstration force's Pledge year; nothing if it is there already."""
    if Call.objects.filter(force=force, source_file=SOURCE).exists():
        return Made()
    if progress:
        progress("inventing a year of calls, messages, duties and victim updates (synthetic)")
    return synthesise(force, months_ending(DEMO_LAST_MONTH, 12), volumes=DEMO, seed=seed)
