"""Staff crime pages: a neighbourhood's crime by LSOA over a range of months, and its CSV;
its incidents with their exact locations; and the force's crime counted on a police or
local-authority layer (:mod:`ourpatch.crime.layers`), and its CSV.

The first two ask ``Action.VIEW_NEIGHBOURHOOD`` of the neighbourhood (the staff who see its
page) and show what police.uk publishes, nothing more precise: map points, never addresses.
The force's counts are published figures: any of its staff may see them
(``Action.VIEW_CRIME_COUNTS``; the inspectorate names the force). The incidents page asks
``Action.READ_INCIDENTS`` of the force, and every incident it shows is written to the audit
log as read.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ourpatch.accounts.permissions import Action, force_for, require, staff_view
from ourpatch.crime import categories, layers
from ourpatch.crime.models import Crime, Incident
from ourpatch.crime.summary import TREND_MONTHS, add_months
from ourpatch.geography.models import Force, Neighbourhood

CSV_COLUMNS = [
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


def _month(text: str | None) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def _month_range(
    request: HttpRequest, last: dt.date | None
) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """The ``from`` and ``to`` months asked for: by default the twelve up to ``last``."""
    errors = []
    for name in ("from", "to"):
        if request.GET.get(name) and _month(request.GET.get(name)) is None:
            errors.append(f"'{name}' must be a month, YYYY-MM; showing the default instead.")
    end = _month(request.GET.get("to")) or last
    start = _month(request.GET.get("from")) or (
        add_months(end, -(TREND_MONTHS - 1)) if end else None
    )
    if start and end and start > end:
        errors.append("'from' is after 'to': the two are swapped.")
        start, end = end, start
    return start, end, errors


def _area_and_range(
    request: HttpRequest, force: str, code: str
) -> tuple[Neighbourhood, dt.date | None, dt.date | None, list[str]]:
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    require(request.user, Action.VIEW_NEIGHBOURHOOD, area)
    last = Crime.objects.filter(neighbourhood=area).aggregate(last=Max("month"))["last"]
    start, end, errors = _month_range(request, last)
    return area, start, end, errors


@staff_view
def neighbourhood_crime(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area, start, end, errors = _area_and_range(request, force, code)
    crimes = Crime.objects.filter(neighbourhood=area)
    if start and end:
        crimes = crimes.filter(month__gte=start, month__lte=end)
    asb = Q(category=categories.ANTI_SOCIAL_BEHAVIOUR)
    by_lsoa = list(
        crimes.values("lsoa_code", "lsoa_name")
        .annotate(total=Count("id"), asb=Count("id", filter=asb))
        .order_by("-total", "lsoa_code")
    )
    by_category = [
        (categories.CATEGORY_NAMES.get(row["category"], row["category"]), row["n"])
        for row in crimes.values("category").annotate(n=Count("id")).order_by("-n", "category")
    ]
    return render(
        request,
        "crime/staff_neighbourhood.html",
        {
            "area": area,
            "start": start,
            "end": end,
            "errors": errors,
            "by_lsoa": by_lsoa,
            "by_category": by_category,
            "total": sum(r["total"] for r in by_lsoa),
            "query": request.GET.urlencode(),
        },
    )


@staff_view
def neighbourhood_crime_csv(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The neighbourhood's crimes in the range, in police.uk's street-level CSV format."""
    area, start, end, _ = _area_and_range(request, force, code)
    crimes = Crime.objects.filter(neighbourhood=area).select_related("map_point", "falls_within")
    if start and end:
        crimes = crimes.filter(month__gte=start, month__lte=end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    span = f"{start:%Y-%m}-to-{end:%Y-%m}" if start and end else "none"
    response["Content-Disposition"] = (
        f'attachment; filename="{area.force_id}-{area.code}-crime-{span}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for crime in crimes.order_by("month", "id").iterator(chunk_size=2000):
        point = crime.map_point
        writer.writerow(
            [
                crime.persistent_id,
                crime.month_text,
                crime.reported_by,
                crime.falls_within.name,
                f"{point.longitude:.6f}" if point else "",
                f"{point.latitude:.6f}" if point else "",
                point.name if point else "No Location",
                crime.lsoa_code,
                crime.lsoa_name,
                crime.crime_type,
                crime.last_outcome_category,
                _safe(crime.context),
            ]
        )
    return response


def _safe(text: str) -> str:
    """No spreadsheet formula injection from a free-text field."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# How many incidents the page lists at once (the month's count is always shown)
INCIDENTS_SHOWN = 500


@staff_view
def neighbourhood_incidents(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A neighbourhood's incidents in a month, with their exact locations: for the force's
    ``Action.READ_INCIDENTS`` holders only, each incident shown written to the audit log."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    require(request.user, Action.READ_INCIDENTS, area.force)
    held = Incident.objects.filter(neighbourhood=area)
    # the months and the count are operational fields: no one is read to work them out
    latest: dt.date | None = held.aggregate(m=Max("month"))["m"]
    asked = request.GET.get("month")
    month = _month(asked) or latest
    error = (
        "'month' must be a month, YYYY-MM; showing the latest instead."
        if asked and _month(asked) is None
        else ""
    )
    in_month = held.filter(month=month) if month else held.none()
    total = in_month.count()
    shown = list(
        in_month.select_related("map_point")
        .order_by("occurred_at", "id")
        .read_by(request.user, f"staff page: incidents in {area.force_id}/{area.code}")[
            :INCIDENTS_SHOWN
        ]
    )
    return render(
        request,
        "crime/staff_incidents.html",
        {
            "area": area,
            "month": month,
            "error": error,
            "incidents": shown,
            "total": total,
            "more": total - len(shown),
        },
    )


def _layer_counts(request: HttpRequest) -> tuple[layers.LayerCounts | None, list[str], Force]:
    """The force's counts as the query string asks (``force``, ``layer``, ``from``, ``to``,
    ``category``); a parameter that cannot be read is named and its default used."""
    force = force_for(request.user, Action.VIEW_CRIME_COUNTS, request.GET.get("force", ""))
    errors: list[str] = []
    asked = request.GET.get("layer") or layers.Layer.NEIGHBOURHOOD
    try:
        layer = layers.Layer(asked)
    except ValueError:
        layer = layers.Layer.NEIGHBOURHOOD
        choices = ", ".join(layer.value for layer in layers.Layer)
        errors.append(f"'layer' must be one of {choices}; showing neighbourhoods instead.")
    category = request.GET.get("category") or categories.ALL_CRIME
    if category not in categories.CATEGORY_NAMES:
        errors.append(f"'category' {category!r} is not a police.uk category; showing all crime.")
        category = categories.ALL_CRIME
    start, end, wrong = _month_range(request, layers.latest_month(force))
    errors += wrong
    if start is None or end is None:
        return None, errors, force
    return layers.crime_by_layer(force, layer, start, end, category), errors, force


@staff_view
def force_crime(request: HttpRequest) -> HttpResponse:
    counts, errors, force = _layer_counts(request)
    return render(
        request,
        "crime/staff_force_crime.html",
        {
            "force": force,
            "counts": counts,
            "errors": errors,
            "layers": list(layers.Layer),
            "categories": [
                (categories.ALL_CRIME, "All crime"),
                *categories.CATEGORIES,
            ],
            "query": request.GET.urlencode(),
        },
    )


@staff_view
def force_crime_csv(request: HttpRequest) -> HttpResponse:
    counts, _, force = _layer_counts(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if counts is None:
        name = f"{force.pk}-crime-none.csv"
    else:
        name = (
            f"{force.pk}-crime-by-{counts.layer.value}-{counts.category}-"
            f"{counts.start:%Y-%m}-to-{counts.end:%Y-%m}.csv"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        ["layer", "code", "name", "crimes", "anti-social behaviour", "population", "per 1,000"]
    )
    if counts is None:
        return response
    for area in counts.areas:
        rate = area.per_thousand
        writer.writerow(
            [
                counts.layer.value,
                area.code,
                _safe(area.name),
                area.crimes,
                area.asb,
                area.population if area.population is not None else "",
                f"{rate:.2f}" if rate is not None else "",
            ]
        )
    for reason, n in counts.unassigned_rows:
        writer.writerow([counts.layer.value, "", f"unassigned: {reason}", n, "", "", ""])
    return response
