"""Pledge clocks: Europe/London calendar months, and elapsed time computed in the database.

A month is bounded by two aware datetimes (local midnight on the 1st), so a record is in a
month by a range test on its stored UTC time: right across the summer-time changes, and able
to use an index. Elapsed times ("answered within 10 seconds", "within 24 hours") are real
elapsed time, the difference of two UTC instants, never a difference of wall-clock readings.

The database computes them natively — ``julianday`` on SQLite, ``date_part('epoch', …)``
on PostgreSQL — to the millisecond, so a million calls never meet a Python function per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Case, Expression, F, Func, Value, When
from django.db.models.lookups import LessThan

LONDON = ZoneInfo("Europe/London")
MS_PER_SECOND = 1000
MS_PER_MINUTE = 60 * MS_PER_SECOND
MS_PER_HOUR = 60 * MS_PER_MINUTE
MS_PER_DAY = 24 * MS_PER_HOUR


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_ending(last: dt.date, count: int = 12) -> list[dt.date]:
    """``count`` calendar months, oldest first, ending with the month of ``last``."""
    last = month_start(last)
    return [add_months(last, k - count + 1) for k in range(count)]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight on the 1st of the month and of the next, as aware datetimes.

    Midnight is never skipped or repeated in the UK (the clocks change at 01:00 UTC), so
    these instants are unambiguous.
    """
    month = month_start(month)
    following = add_months(month, 1)
    return (
        dt.datetime(month.year, month.month, 1, tzinfo=LONDON),
        dt.datetime(following.year, following.month, 1, tzinfo=LONDON),
    )


def boundaries(months: Sequence[dt.date]) -> list[dt.datetime]:
    """The start of each month and the end of the last: ``len(months) + 1`` instants."""
    return [month_bounds(m)[0] for m in months] + [month_bounds(months[-1])[1]]


def local_month(moment: dt.datetime) -> dt.date:
    """The Europe/London calendar month an instant falls in."""
    return month_start(moment.astimezone(LONDON).date())


def month_index(field: str | Expression, months: Sequence[dt.date]) -> Expression:
    """0 … len(months)-1: which of the consecutive ``months`` the datetime ``field`` is in.

    Use it only on rows already filtered to the range of the months' bounds. The test is a
    binary search written as nested CASEs: four comparisons a row for a year, not twelve.
    """
    target = F(field) if isinstance(field, str) else field
    bounds = boundaries(months)

    def search(low: int, high: int) -> Expression:
        # months low … high-1; the row is at or after bounds[low]
        if high - low == 1:
            return Value(low, output_field=BigIntegerField())
        middle = (low + high) // 2
        return Case(
            When(LessThan(target, Value(bounds[middle])), then=search(low, middle)),
            default=search(middle, high),
            output_field=BigIntegerField(),
        )

    return search(0, len(months))


def epoch_ms(moment: dt.datetime) -> int:
    """Milliseconds since 1970-01-01 UTC, as the database computes it."""
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return delta.days * MS_PER_DAY + delta.seconds * MS_PER_SECOND + delta.microseconds // 1000


class Millis(Func):
    """Milliseconds elapsed from ``start`` to ``end`` (NULL if either is NULL)."""

    arity = 2
    output_field = BigIntegerField()

    def __init__(self, end: str | Expression, start: str | Expression, **extra: Any) -> None:
        super().__init__(
            F(end) if isinstance(end, str) else end,
            F(start) if isinstance(start, str) else start,
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday is exact to about 0.05 ms at today's dates: rounding gives whole ms
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400000.0) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # date_part is double precision (EXTRACT is numeric: exact, and far slower)
            template="CAST(ROUND(date_part('epoch', %(expressions)s) * 1000) AS BIGINT)",
            arg_joiner=" - ",
            **extra,
        )


class EpochMillis(Func):
    """Milliseconds since 1970-01-01 UTC of a datetime (NULL stays NULL)."""

    arity = 1
    output_field = BigIntegerField()

    def __init__(self, moment: str | Expression, **extra: Any) -> None:
        super().__init__(F(moment) if isinstance(moment, str) else moment, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=(
                "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400000.0) AS INTEGER)"
            ),
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(date_part('epoch', %(expressions)s) * 1000) AS BIGINT)",
            **extra,
        )
