"""What the public neighbourhood page shows of crime: the month by category, a 12-month
trend, outcomes, and the map points where crimes were recorded (never anything more precise).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from ourpatch.crime import categories
from ourpatch.crime.models import Crime, first_of_month
from ourpatch.geography.models import Neighbourhood

TREND_MONTHS = 12
# The SVG trend chart's size, in its own units
CHART_WIDTH, CHART_HEIGHT = 600, 160


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class TrendMonth:
    month: dt.date
    crimes: int
    asb: int
    # the bar's place in the chart (SVG units)
    x: float = 0.0
    width: float = 0.0
    crime_height: float = 0.0
    asb_height: float = 0.0

    @property
    def total(self) -> int:
        return self.crimes + self.asb

    @property
    def crime_y(self) -> float:
        return CHART_HEIGHT - self.crime_height

    @property
    def asb_y(self) -> float:
        return CHART_HEIGHT - self.crime_height - self.asb_height


@dataclass
class NeighbourhoodCrime:
    month: dt.date
    total: int
    by_category: list[tuple[str, str, int]]  # (slug, name, count), largest first
    trend: list[TrendMonth]
    outcomes: list[tuple[str, int]]  # (outcome name, count), largest first
    no_outcome: int
    points: list[dict[str, Any]] = field(default_factory=list)
    chart_width: int = CHART_WIDTH
    chart_height: int = CHART_HEIGHT

    @property
    def categories_present(self) -> list[tuple[str, str]]:
        return [(slug, name) for slug, name, _ in self.by_category]


def neighbourhood_crime(
    area: Neighbourhood, month: dt.date | None = None
) -> NeighbourhoodCrime | None:
    """The neighbourhood's crime for ``month`` (default: the latest month it has any), or
    None when no crime has been imported for it."""
    crimes = Crime.objects.filter(neighbourhood=area)
    latest: dt.date | None = month or crimes.aggregate(m=Max("month"))["m"]
    if latest is None:
        return None
    this_month = crimes.filter(month=latest)
    counts = Counter(dict(this_month.values_list("category").annotate(n=Count("id"))))
    by_category = [
        (slug, categories.CATEGORY_NAMES.get(slug, slug), n) for slug, n in counts.most_common()
    ]

    first = add_months(latest, -(TREND_MONTHS - 1))
    monthly: dict[tuple[dt.date, bool], int] = {}
    for when, category, n in (
        crimes.filter(month__gte=first, month__lte=latest)
        .values_list("month", "category")
        .annotate(n=Count("id"))
    ):
        key = (when, category == categories.ANTI_SOCIAL_BEHAVIOUR)
        monthly[key] = monthly.get(key, 0) + n
    trend = [
        TrendMonth(m, monthly.get((m, False), 0), monthly.get((m, True), 0))
        for m in (add_months(first, i) for i in range(TREND_MONTHS))
    ]
    _lay_out(trend)

    outcome_counts: Counter[str] = Counter()
    no_outcome = 0
    for code, text, n in (
        this_month.exclude(category=categories.ANTI_SOCIAL_BEHAVIOUR)
        .values_list("last_outcome", "last_outcome_category")
        .annotate(n=Count("id"))
    ):
        if code or text:
            outcome_counts[categories.outcome_name(code) if code else text] += n
        else:
            no_outcome += n

    points: dict[int, dict[str, Any]] = {}
    for point_id, name, lat, lng, category, n in (
        this_month.filter(map_point__isnull=False)
        .values_list(
            "map_point_id",
            "map_point__name",
            "map_point__latitude",
            "map_point__longitude",
            "category",
        )
        .annotate(n=Count("id"))
        .order_by("map_point_id")
    ):
        point = points.setdefault(
            point_id, {"id": point_id, "name": name, "lat": lat, "lng": lng, "counts": {}}
        )
        point["counts"][category] = n
    return NeighbourhoodCrime(
        month=latest,
        total=sum(counts.values()),
        by_category=by_category,
        trend=trend,
        outcomes=outcome_counts.most_common(),
        no_outcome=no_outcome,
        points=list(points.values()),
    )


def _lay_out(trend: list[TrendMonth]) -> None:
    """Bars of the stacked chart: crime below, ASB above, scaled to the tallest month."""
    tallest = max((t.total for t in trend), default=0) or 1
    slot = CHART_WIDTH / max(len(trend), 1)
    for i, item in enumerate(trend):
        item.x = round(i * slot + slot * 0.15, 1)
        item.width = round(slot * 0.7, 1)
        item.crime_height = round(CHART_HEIGHT * item.crimes / tallest, 1)
        item.asb_height = round(CHART_HEIGHT * item.asb / tallest, 1)


@dataclass(frozen=True)
class BeforeAfter:
    """Recorded crime and ASB for a problem's area and categories, before and after."""

    categories: tuple[str, ...]
    before_from: dt.date
    before: int
    after_to: dt.date
    after: int
    months: int


def before_and_after(
    neighbourhood_id: int,
    categories: list[str],
    opened: dt.date,
    closed: dt.date | None,
    months: int = 3,
) -> BeforeAfter:
    """The ``months`` before the problem was opened against the ``months`` from its close
    (or from its opening, while it is still open): evidence for the assessment."""
    start = first_of_month(opened)
    before_from = add_months(start, -months)
    after_from = first_of_month(closed) if closed else start
    after_to = add_months(after_from, months)
    wanted = [c for c in categories if c != "all-crime"]
    crimes = Crime.objects.filter(neighbourhood_id=neighbourhood_id)
    if wanted:
        crimes = crimes.filter(category__in=wanted)
    return BeforeAfter(
        categories=tuple(wanted) or ("all-crime",),
        before_from=before_from,
        before=crimes.filter(month__gte=before_from, month__lt=start).count(),
        after_to=after_to,
        after=crimes.filter(month__gte=after_from, month__lt=after_to).count(),
        months=months,
    )
