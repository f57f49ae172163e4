"""Trends in dissatisfaction, so that the force learns from it (seed 5.8, 20.5: "there is
little corporate analysis of trends in complaints about quality of service").

Counts by category and month, and by team (neighbourhood) and month, for a set of
neighbourhoods; and the categories rising most over the last three months against the three
before. Months are calendar months in Europe/London: a record received at 00:30 BST on
1 April is April's, though it is still 31 March in UTC. Everything is counted in the
database over operational fields: no complainant is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ourpatch.dissatisfaction.models import Category, Dissatisfaction
from ourpatch.geography.models import Force, Neighbourhood

NO_NEIGHBOURHOOD = "No neighbourhood recorded"
RISING_WINDOW = 3  # months compared with the same number before them


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_ending(end: dt.date, count: int) -> list[dt.date]:
    """``count`` calendar months, oldest first, the last being ``end``'s month."""
    last = month_start(end)
    return [add_months(last, k - count + 1) for k in range(count)]


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware instant a local (Europe/London) day starts."""
    return timezone.make_aware(
        dt.datetime(day.year, day.month, day.day), timezone.get_default_timezone()
    )


@dataclass(frozen=True)
class Table:
    """A count table: one row per label, one column per month."""

    months: list[dt.date]
    rows: list[tuple[str, list[int]]]

    @property
    def totals(self) -> list[int]:
        return [sum(r[1][i] for r in self.rows) for i in range(len(self.months))]

    def header(self, first: str) -> list[str]:
        return [first, *(f"{m:%Y-%m}" for m in self.months), "Total"]

    def csv_rows(self) -> list[list[str]]:
        out = [[label, *(str(n) for n in counts), str(sum(counts))] for label, counts in self.rows]
        totals = self.totals
        out.append(["Total", *(str(n) for n in totals), str(sum(totals))])
        return out


@dataclass(frozen=True)
class Rise:
    category: str
    label: str
    recent: int  # the last three months
    before: int  # the three months before them

    @property
    def change(self) -> int:
        return self.recent - self.before

    @property
    def percent(self) -> float | None:
        return None if self.before == 0 else 100.0 * self.change / self.before


@dataclass(frozen=True)
class Trends:
    months: list[dt.date]
    by_category: Table
    by_team: Table
    rising: list[Rise]
    total: int


def records_in(
    force: Force, neighbourhoods: Iterable[Neighbourhood], whole_force: bool
) -> QuerySet[Dissatisfaction]:
    """The force's records in these neighbourhoods (and, for a user whose scope is the whole
    force, those with no neighbourhood recorded)."""
    where = Q(neighbourhood__in=[n.pk for n in neighbourhoods])
    if whole_force:
        where |= Q(neighbourhood__isnull=True)
    return Dissatisfaction.objects.filter(force=force).filter(where)


def _monthly(
    records: QuerySet[Dissatisfaction], months: Sequence[dt.date], key: str
) -> dict[tuple[object, dt.date], int]:
    start = local_midnight(months[0])
    stop = local_midnight(add_months(months[-1], 1))
    rows = (
        records.filter(received_at__gte=start, received_at__lt=stop)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_default_timezone()))
        .values("month", key)
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[tuple[object, dt.date], int] = {}
    zone = timezone.get_default_timezone()
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.astimezone(zone).date() if timezone.is_aware(month) else month.date()
        bucket = (row[key], month_start(month))
        out[bucket] = out.get(bucket, 0) + int(row["n"])
    return out


def compute(
    records: QuerySet[Dissatisfaction],
    end: dt.date,
    months: int = 12,
    neighbourhood_names: dict[int, str] | None = None,
) -> Trends:
    """Counts for the ``months`` calendar months ending with ``end``'s month."""
    span = months_ending(end, max(months, 2 * RISING_WINDOW))
    shown = span[-months:]
    by_cat = _monthly(records, span, "category")
    by_hood = _monthly(records, shown, "neighbourhood")

    category_rows = [
        (label, [by_cat.get((value, m), 0) for m in shown]) for value, label in Category.choices
    ]
    names = neighbourhood_names or {}
    hood_keys = sorted(
        {key for key, _ in by_hood},
        key=lambda k: (k is None, names.get(k, "") if isinstance(k, int) else "", str(k)),
    )
    team_rows = [
        (
            names.get(k, f"Neighbourhood {k}") if isinstance(k, int) else NO_NEIGHBOURHOOD,
            [by_hood.get((k, m), 0) for m in shown],
        )
        for k in hood_keys
    ]
    recent_months = span[-RISING_WINDOW:]
    before_months = span[-2 * RISING_WINDOW : -RISING_WINDOW]
    rises = [
        Rise(
            value,
            str(label),
            sum(by_cat.get((value, m), 0) for m in recent_months),
            sum(by_cat.get((value, m), 0) for m in before_months),
        )
        for value, label in Category.choices
    ]
    rising = sorted(
        (r for r in rises if r.change > 0), key=lambda r: (-r.change, -r.recent, r.label)
    )
    by_category = Table(shown, [(str(label), counts) for label, counts in category_rows])
    return Trends(
        months=shown,
        by_category=by_category,
        by_team=Table(shown, team_rows),
        rising=rising,
        total=sum(by_category.totals),
    )
