"""When each victim is next due an update (Pledge item 9, "Contact Counts", seed 21.8).

The victim chose how often to hear. The Pledge promises "at least monthly if they wish": a
victim who asked for about monthly updates (every ``MONTHLY_FROM_DAYS`` days or more) is
given the force's ``monthly_update_days``, never fewer days than they asked; a victim who
asked for no updates is never due one. The next update is due that many days (elapsed
time, so right across the summer-time changes) after the last case update given, or after
the agreement if none has been. A callback that only asks the victim's view of the service
is not a case update. These are the rules the Pledge engine measures item 9 by, so the
officer's list and the published figure agree. Times are shown in Europe/London.

The lists are computed from operational fields only (times, intervals, who and where): no
victim is read until a page shows the names, and then through an audited read.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from ourpatch.pledge.models import PledgeStandards
from ourpatch.victims.models import UpdateAgreement

# "Due soon": due within this many days
DUE_SOON_DAYS = 3
# An interval of this many days or more was asked for as "monthly" (as the Pledge engine's
# item 9 rule counts it: ourpatch.pledge.rules.MONTHLY_FROM_DAYS)
MONTHLY_FROM_DAYS = 28


class UpdateStatus(enum.StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"
    NOT_WANTED = "not_wanted"  # the victim asked not to be updated
    ENDED = "ended"


STATUS_WORDS = {
    UpdateStatus.OVERDUE: "Overdue",
    UpdateStatus.DUE_SOON: "Due soon",
    UpdateStatus.ON_TIME: "Not yet due",
    UpdateStatus.NOT_WANTED: "No updates wanted",
    UpdateStatus.ENDED: "Ended",
}


def monthly_update_days(force_id: str) -> int:
    """The force's longest interval honoured as "monthly" (default: the Pledge's)."""
    standards = PledgeStandards.objects.filter(force_id=force_id).first()
    if standards is not None:
        return int(standards.monthly_update_days)
    return int(PledgeStandards._meta.get_field("monthly_update_days").default)


def interval_days(frequency_days: int | None, monthly_days: int) -> int | None:
    """The interval the officer keeps to: the victim's choice; a monthly one is the force's
    monthly standard (never fewer days than asked)."""
    if frequency_days is None:
        return None
    if frequency_days >= MONTHLY_FROM_DAYS:
        return max(frequency_days, monthly_days)
    return max(1, frequency_days)


def local_date(moment: dt.datetime) -> dt.date:
    if timezone.is_naive(moment):
        raise ValueError("times must be aware datetimes")
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def next_due_at(
    agreed_at: dt.datetime,
    last_update_at: dt.datetime | None,
    frequency_days: int | None,
    monthly_days: int,
) -> dt.datetime | None:
    """When the next update is due (None: no updates wanted).

    Elapsed days, computed in UTC: on a Europe/London datetime, adding days would keep the
    wall clock and lose (or gain) an hour across a change.
    """
    interval = interval_days(frequency_days, monthly_days)
    if interval is None:
        return None
    for moment in (agreed_at, last_update_at):
        if moment is not None and timezone.is_naive(moment):
            raise ValueError("times must be aware datetimes")
    since = max(agreed_at, last_update_at) if last_update_at is not None else agreed_at
    return since.astimezone(dt.UTC) + dt.timedelta(days=interval)


def status_at(due_at: dt.datetime | None, now: dt.datetime, ended: bool = False) -> UpdateStatus:
    if ended:
        return UpdateStatus.ENDED
    if due_at is None:
        return UpdateStatus.NOT_WANTED
    if now > due_at:
        return UpdateStatus.OVERDUE
    if due_at - now <= dt.timedelta(days=DUE_SOON_DAYS):
        return UpdateStatus.DUE_SOON
    return UpdateStatus.ON_TIME


@dataclass(frozen=True)
class Entry:
    """One open agreement's place in the schedule (no personal data)."""

    agreement_id: int
    force_id: str
    officer_id: int
    neighbourhood_id: int | None
    frequency_days: int | None
    interval_days: int | None
    agreed_at: dt.datetime
    last_update_at: dt.datetime | None
    due_at: dt.datetime | None
    status: UpdateStatus
    now: dt.datetime

    @property
    def due_on(self) -> dt.date | None:
        """The London day it is due."""
        return None if self.due_at is None else local_date(self.due_at)

    @property
    def days_overdue(self) -> int:
        """Whole days past the due time (0 in the first day overdue, or not overdue)."""
        if self.due_at is None or self.status != UpdateStatus.OVERDUE:
            return 0
        return (self.now - self.due_at).days

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


def schedule(agreements: QuerySet[UpdateAgreement], now: dt.datetime | None = None) -> list[Entry]:
    """The open agreements among ``agreements``, each with when it is due and its status at
    ``now``. Overdue first (longest overdue first), then by due time; no updates wanted last.
    """
    now = now or timezone.now()
    # the last case update given by now (a callback asking only their view is not one)
    given = Q(updates__given_at__lte=now, updates__is_callback=False)
    rows = (
        agreements.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .filter(agreed_at__lte=now)
        .values("id", "force", "officer", "neighbourhood", "frequency_days", "agreed_at")
        .annotate(last=Max("updates__given_at", filter=given))
        .order_by()
    )
    caps: dict[str, int] = {}
    entries = []
    for row in rows:
        force_id = row["force"]
        if force_id not in caps:
            caps[force_id] = monthly_update_days(force_id)
        due = next_due_at(row["agreed_at"], row["last"], row["frequency_days"], caps[force_id])
        entries.append(
            Entry(
                agreement_id=row["id"],
                force_id=force_id,
                officer_id=row["officer"],
                neighbourhood_id=row["neighbourhood"],
                frequency_days=row["frequency_days"],
                interval_days=interval_days(row["frequency_days"], caps[force_id]),
                agreed_at=row["agreed_at"],
                last_update_at=row["last"],
                due_at=due,
                status=status_at(due, now),
                now=now,
            )
        )
    entries.sort(key=_order)
    return entries


_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def _order(entry: Entry) -> tuple[int, dt.datetime, int]:
    rank = {
        UpdateStatus.OVERDUE: 0,
        UpdateStatus.DUE_SOON: 1,
        UpdateStatus.ON_TIME: 2,
        UpdateStatus.NOT_WANTED: 3,
        UpdateStatus.ENDED: 4,
    }[entry.status]
    return rank, entry.due_at or _LATEST, entry.agreement_id


@dataclass(frozen=True)
class Counts:
    overdue: int = 0
    due_soon: int = 0
    on_time: int = 0
    not_wanted: int = 0

    @property
    def open(self) -> int:
        return self.overdue + self.due_soon + self.on_time + self.not_wanted


def count(entries: Iterable[Entry]) -> Counts:
    tally = Counter(e.status for e in entries)
    return Counts(
        overdue=tally[UpdateStatus.OVERDUE],
        due_soon=tally[UpdateStatus.DUE_SOON],
        on_time=tally[UpdateStatus.ON_TIME],
        not_wanted=tally[UpdateStatus.NOT_WANTED],
    )


def by_officer(entries: Iterable[Entry]) -> dict[int, list[Entry]]:
    """Each officer's entries, in schedule order."""
    out: dict[int, list[Entry]] = {}
    for entry in entries:
        out.setdefault(entry.officer_id, []).append(entry)
    return out


def by_neighbourhood(entries: Iterable[Entry]) -> dict[int | None, list[Entry]]:
    """Each neighbourhood's entries, in schedule order."""
    out: dict[int | None, list[Entry]] = {}
    for entry in entries:
        out.setdefault(entry.neighbourhood_id, []).append(entry)
    return out


def needing_update(entries: Iterable[Entry]) -> list[Entry]:
    """The victims due an update soon and those overdue."""
    return [e for e in entries if e.status in (UpdateStatus.OVERDUE, UpdateStatus.DUE_SOON)]
