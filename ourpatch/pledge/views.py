"""Pledge pages.

Public, no personal data at all: each item's figure for the month and the 12 months to it,
how many were counted and excluded (and why), the standard in plain words, and the
explanations given.

- ``/neighbourhoods/<force>/<code>/pledge/``, ``/forces/<force>/pledge/``

Staff (VIEW_PLEDGE on the force), drilling down force → command unit → neighbourhood → the
breaching records of one item and month, each with its explanation form (EXPLAIN_BREACH);
breaches show operational words only, with a link to the record where the reader may open
it. Tables download as CSV. A neighbourhood's own pages are also its team's (VIEW_PLEDGE on
the neighbourhood: constables and PCSOs). Records placed in no neighbourhood have pages of
their own, explained by the force's administrator or a commander (EXPLAIN_BREACH on the
force).

- ``/staff/pledge/`` (``?force=`` for the inspectorate), ``/staff/pledge/<force>/units/<id>/``,
  ``/staff/pledge/<force>/neighbourhoods/<code>/``,
  ``/staff/pledge/<force>/neighbourhoods/<code>/<item>/<YYYY-MM>/`` (and ``.csv``),
  ``/staff/pledge/<force>/no-neighbourhood/``,
  ``/staff/pledge/<force>/no-neighbourhood/<item>/<YYYY-MM>/`` (and ``.csv``),
  ``/staff/pledge/<force>/pledge.csv``

``?month=YYYY-MM`` chooses the month (this month by default). Every page's figures come
from ``measures.cached_measure``: computed once, then reused until their inputs change.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from ourpatch.accounts.models import StaffRole
from ourpatch.accounts.permissions import (
    Action,
    can,
    force_for,
    neighbourhoods_in_scope,
    profile_of,
    require,
    staff_view,
)
from ourpatch.citizenfocus import charts
from ourpatch.geography.models import BasicCommandUnit, Force, Neighbourhood
from ourpatch.pledge.clocks import LONDON, months_ending
from ourpatch.pledge.explanations import (
    MAX_LENGTH,
    ExplanationRefused,
    breaches_in,
    explain_breach,
    tally_in,
)
from ourpatch.pledge.jobs import unexplained_flags
from ourpatch.pledge.measures import (
    ItemFigures,
    Measures,
    Scorecard,
    Unit,
    cached_measure,
    force_scorecard,
    neighbourhood_scorecard,
    this_month,
)
from ourpatch.pledge.models import Explanation
from ourpatch.pledge.rules import BY_ITEM, Breach, Tally, make_scope, standards_for

# --------------------------------------------------------------------------------------------
# Words for figures


def percent(rate: float | None) -> str:
    """To 0.1%, rounded down: 79.96% of time visible is shown as 79.9%, not the 80% standard."""
    if rate is None:
        return "–"
    return f"{math.floor(rate * 1000 + 1e-9) / 10:.1f}%"


def figure_text(tally: Tally, counts: str) -> str:
    """ "96.2% (1,234 of 1,283 messages)"; item 3's rate is a share of time."""
    if tally.rate is None:
        return f"no {counts}"
    if counts == "neighbourhood-months" and tally.share_den != tally.counted:
        return (
            f"{percent(tally.rate)} of duty time ({tally.met:,} of {tally.counted:,} {counts} met)"
        )
    return f"{percent(tally.rate)} ({tally.met:,} of {tally.counted:,} {counts})"


def excluded_text(tally: Tally) -> str:
    if not tally.excluded:
        return "none"
    parts = [f"{n:,} {why}" for why, n in sorted(tally.excluded.items(), key=lambda x: -x[1])]
    return f"{tally.excluded_total:,}: " + "; ".join(parts)


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    if text:
        try:
            year, month = text.split("-")
            chosen = dt.date(int(year), int(month), 1)
            if dt.date(2000, 1, 1) <= chosen <= dt.date(2100, 1, 1):
                return chosen
        except ValueError:
            pass
    return this_month()


def _parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404("no such month") from None


# --------------------------------------------------------------------------------------------
# Public scorecards


def _trend_chart(row: Any, title: str) -> str:
    points = [
        charts.Point(
            f"{month:%b %y}",
            tally.rate if tally.rate is not None else float("nan"),
            tally.rate if tally.rate is not None else float("nan"),
            tally.rate if tally.rate is not None else float("nan"),
        )
        for month, tally in row.trend
    ]
    return charts.trend_svg(points, title)


def _public_rows(card: Scorecard) -> list[dict[str, Any]]:
    rows = []
    for row in card.rows:
        rule = BY_ITEM[row.item]
        rows.append(
            {
                "item": row.item,
                "title": row.title,
                "standard": row.standard,
                "this_month": figure_text(row.this_month, rule.counts),
                "year": figure_text(row.last_12_months, rule.counts),
                "excluded_month": excluded_text(row.this_month),
                "excluded_year": excluded_text(row.last_12_months),
                "breached": row.last_12_months.breached,
                "explained": row.explained,
                "explanations": row.explanations,
                "trend": [
                    (month, figure_text(t, rule.counts), excluded_text(t)) for month, t in row.trend
                ],
                "chart": mark_safe(_trend_chart(row, f"Pledge item {row.item}: month by month")),
            }
        )
    return rows


def _public_context(card: Scorecard, force: Force) -> dict[str, Any]:
    return {
        "card": card,
        "rows": _public_rows(card),
        "force": force,
        "month": f"{card.month:%Y-%m}",
        "first_month": card.months[0],
    }


def public_neighbourhood(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force", "bcu"), force_id=force, code=code
    )
    card = neighbourhood_scorecard(area, _month(request))
    context = _public_context(card, area.force)
    context["area"] = area
    return render(request, "pledge/scorecard.html", context)


def public_force(request: HttpRequest, force: str) -> HttpResponse:
    the_force = get_object_or_404(Force, pk=force)
    card = force_scorecard(the_force, _month(request))
    return render(request, "pledge/scorecard.html", _public_context(card, the_force))


# --------------------------------------------------------------------------------------------
# Staff pages


def _force_of_request(request: HttpRequest) -> Force:
    return force_for(request.user, Action.VIEW_PLEDGE, request.GET.get("force", ""))


def _force(request: HttpRequest, slug: str) -> Force:
    force = get_object_or_404(Force, pk=slug)
    require(request.user, Action.VIEW_PLEDGE, force)
    return force


def _area(request: HttpRequest, slug: str, code: str) -> tuple[Force, Neighbourhood]:
    """A neighbourhood's pages: for whoever sees its force's figures, and its own team."""
    force = get_object_or_404(Force, pk=slug)
    area = get_object_or_404(Neighbourhood.objects.select_related("bcu"), force=force, code=code)
    require(request.user, Action.VIEW_PLEDGE, area)
    return force, area


@dataclass
class ItemLine:
    item: int
    title: str
    standard: str
    month: str
    year: str
    excluded: str
    breached: int


def _item_lines(measures: Measures, unit: Unit, month: dt.date) -> list[ItemLine]:
    lines = []
    for item, figures in measures.items.items():
        counts = figures.rule.counts
        this, year = figures.month(unit, month), figures.total(unit)
        lines.append(
            ItemLine(
                item,
                figures.rule.title,
                figures.standard,
                figure_text(this, counts),
                figure_text(year, counts),
                excluded_text(year),
                year.breached,
            )
        )
    return lines


def _unit_table(measures: Measures, units: list[Unit]) -> tuple[list[str], list[list[str]]]:
    header = ["Unit"] + [f"{i}. {f.rule.title}" for i, f in measures.items.items()]
    rows = []
    for unit in units:
        cells = [unit.name]
        for figures in measures.items.values():
            total = figures.total(unit)
            cells.append(f"{percent(total.rate)} (n={total.counted:,}, {total.breached:,} missed)")
        rows.append(cells)
    return header, rows


def _staff_context(force: Force, month: dt.date) -> dict[str, Any]:
    return {"force": force, "month": f"{month:%Y-%m}", "month_date": month}


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    force = _force_of_request(request)
    month = _month(request)
    measures = cached_measure(make_scope(force, months_ending(month, 12)))
    header, rows = _unit_table(measures, measures.bcus)
    units = [
        (reverse("pledge:unit", kwargs={"force": force.pk, "bcu": u.id}), r)
        for u, r in zip(measures.bcus, rows, strict=True)
    ]
    explainable = [
        h
        for h in neighbourhoods_in_scope(request.user).filter(force=force)
        if can(request.user, Action.EXPLAIN_BREACH, h)
    ]
    months = months_ending(month, 12)
    context = _staff_context(force, month)
    context.update(
        {
            "lines": _item_lines(measures, measures.force_unit, month),
            "header": header,
            "units": units,
            "unplaced_missed": sum(
                f.total(measures.unplaced).breached for f in measures.items.values()
            )
            if measures.unplaced
            else 0,
            "unplaced_explained": Explanation.objects.filter(
                force=force, neighbourhood=None, month__gte=months[0], month__lte=months[-1]
            ).count(),
            "forces": list(Force.objects.order_by("name"))
            if getattr(profile_of(request.user), "role", "") == StaffRole.INSPECTORATE
            else [],
            "flags": unexplained_flags(explainable) if explainable else [],
        }
    )
    return render(request, "pledge/dashboard.html", context)


@staff_view
def unit(request: HttpRequest, force: str, bcu: int) -> HttpResponse:
    the_force = _force(request, force)
    command_unit = get_object_or_404(BasicCommandUnit, force=the_force, pk=bcu)
    month = _month(request)
    hood_ids = list(Neighbourhood.objects.filter(bcu=command_unit).values_list("pk", flat=True))
    measures = cached_measure(
        make_scope(the_force, months_ending(month, 12), neighbourhood_ids=hood_ids)
    )
    the_unit = measures.unit("bcu", command_unit.pk) or Unit(
        "bcu", command_unit.pk, command_unit.code, command_unit.name
    )
    header, rows = _unit_table(measures, measures.neighbourhoods)
    hoods = [
        (reverse("pledge:neighbourhood", kwargs={"force": force, "code": u.code}), r)
        for u, r in zip(measures.neighbourhoods, rows, strict=True)
    ]
    context = _staff_context(the_force, month)
    context.update(
        {
            "command_unit": command_unit,
            "lines": _item_lines(measures, the_unit, month),
            "header": header,
            "hoods": hoods,
        }
    )
    return render(request, "pledge/unit.html", context)


@staff_view
def neighbourhood(request: HttpRequest, force: str, code: str) -> HttpResponse:
    the_force, area = _area(request, force, code)
    return _place_page(request, the_force, area)


@staff_view
def unplaced(request: HttpRequest, force: str) -> HttpResponse:
    """The records placed in no neighbourhood: counted for the force alone."""
    return _place_page(request, _force(request, force), None)


def _breaches_url(
    force: Force, area: Neighbourhood | None, item: int, month: str, csv: bool = False
) -> str:
    """The breaches of one item and month: in the neighbourhood, or in none (area None)."""
    name = "pledge:breaches" if area is not None else "pledge:unplaced-breaches"
    kwargs: dict[str, Any] = {"force": force.pk, "item": item, "month": month}
    if area is not None:
        kwargs["code"] = area.code
    return reverse(name + ("-csv" if csv else ""), kwargs=kwargs)


def _place_page(request: HttpRequest, the_force: Force, area: Neighbourhood | None) -> HttpResponse:
    month = _month(request)
    months = months_ending(month, 12)
    hoods = None if area is None else [area.pk]
    measures = cached_measure(make_scope(the_force, months, neighbourhood_ids=hoods))
    the_unit = measures.unplaced if area is None else measures.unit("neighbourhood", area.pk)
    assert the_unit is not None
    items = []
    for item, figures in measures.items.items():
        cells = []
        for m in months:
            tally = figures.month(the_unit, m)
            link = _breaches_url(the_force, area, item, f"{m:%Y-%m}") if tally.breached else ""
            cells.append({"text": _cell(tally), "link": link, "missed": tally.breached})
        items.append({"item": item, "title": figures.rule.title, "cells": cells})
    context = _staff_context(the_force, month)
    context.update(
        {
            "area": area,
            "place": the_unit.name if area is None else area.name,
            "force_pages": can(request.user, Action.VIEW_PLEDGE, the_force),
            "months": months,
            "items": items,
            "lines": _item_lines(measures, the_unit, month),
        }
    )
    return render(request, "pledge/neighbourhood.html", context)


def _cell(tally: Tally) -> str:
    if tally.rate is None:
        return "–" + (f" ({tally.excluded_total} excluded)" if tally.excluded_total else "")
    text = f"{percent(tally.rate)} of {tally.counted:,}"
    if tally.excluded_total:
        text += f", {tally.excluded_total:,} excluded"
    return text


class ExplainForm(forms.Form):
    record_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Explanation (published with the figures: identify no one)",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


_RECORD_PAGES = {
    # record type → (URL name, its argument, the breach key's part that names the record,
    # the permission to open it)
    "contact.message": ("contact:message", "reference", "key", Action.WORK_INBOX),
    "dissatisfaction.dissatisfaction": (
        "dissatisfaction:dissatisfaction-detail",
        "reference",
        "key",
        Action.READ_PERSONAL_DATA,
    ),
    "victims.updateagreement": ("victims:victim-agreement", "pk", "pk", Action.READ_PERSONAL_DATA),
}


def _record_link(request: HttpRequest, breach: Breach, area: Neighbourhood | None) -> str:
    """Where a permitted reader opens the record itself (its personal data is read there,
    audited); "" when the reader may not, or the record has no page. Permission to read
    personal data is by neighbourhood: a record in none has no link."""
    page = _RECORD_PAGES.get(breach.record_type)
    if page is None or area is None:
        return ""
    name, argument, part, action = page
    if not can(request.user, action, area):
        return ""
    value = breach.record_id if part == "pk" else breach.record_key.split(":", 1)[1]
    try:
        return reverse(name, kwargs={argument: value})
    except NoReverseMatch:
        return ""


def _breaches(
    the_force: Force, area: Neighbourhood | None, item: int, month: dt.date
) -> list[Breach]:
    """The breaches of ``item`` in the month: in the neighbourhood, or in none (area None)."""
    rule = BY_ITEM.get(item)
    if rule is None:
        raise Http404("no such Pledge item")
    return breaches_in(the_force if area is None else area, rule, month)


@staff_view
def breaches(request: HttpRequest, force: str, code: str, item: str, month: str) -> HttpResponse:
    the_force, area = _area(request, force, code)
    return _breaches_page(request, the_force, area, int(item), month)


@staff_view
def unplaced_breaches(request: HttpRequest, force: str, item: str, month: str) -> HttpResponse:
    return _breaches_page(request, _force(request, force), None, int(item), month)


def _breaches_page(
    request: HttpRequest, the_force: Force, area: Neighbourhood | None, item: int, month: str
) -> HttpResponse:
    place: Neighbourhood | Force = the_force if area is None else area
    when = _parse_month(month)
    found = _breaches(the_force, area, item, when)
    may_explain = can(request.user, Action.EXPLAIN_BREACH, place)
    error_key = ""
    error_form: ExplainForm | None = None
    if request.method == "POST":
        require(request.user, Action.EXPLAIN_BREACH, place)
        form = ExplainForm(request.POST)
        if form.is_valid():
            try:
                explain_breach(
                    request.user,
                    place,
                    item,
                    when,
                    form.cleaned_data["record_key"],
                    form.cleaned_data["text"],
                )
            except ExplanationRefused as refused:
                form.add_error("text", str(refused))
            else:
                messages.success(request, "Explanation saved: it is published with the figures.")
                return redirect(request.get_full_path())
        error_key = str(form.data.get("record_key", ""))
        error_form = form
    explanations = {
        key: text
        for key, text in Explanation.objects.filter(
            force=the_force, item=item, record_key__in=[b.record_key for b in found]
        ).values_list("record_key", "text")
    }
    rows: list[dict[str, Any]] = []
    for breach in found:
        if error_form is not None and breach.record_key == error_key:
            form = error_form
        else:
            form = ExplainForm(
                initial={
                    "record_key": breach.record_key,
                    "text": explanations.get(breach.record_key, ""),
                },
                auto_id=f"id_%s_{len(rows)}",
            )
        rows.append(
            {
                "breach": breach,
                "when": timezone.localtime(breach.occurred_at, LONDON),
                "explanation": explanations.get(breach.record_key, ""),
                "link": _record_link(request, breach, area),
                "form": form if may_explain else None,
            }
        )
    total = tally_in(place, BY_ITEM[item], when)
    context = _staff_context(the_force, when)
    context.update(
        {
            "area": area,
            "place": area.name if area is not None else "In no neighbourhood",
            "force_pages": can(request.user, Action.VIEW_PLEDGE, the_force),
            "item": item,
            "rule": BY_ITEM[item],
            "standard": BY_ITEM[item].standard(standards_for(the_force)),
            "rows": rows,
            "figure": figure_text(total, BY_ITEM[item].counts),
            "excluded": excluded_text(total),
            "may_explain": may_explain,
            "csv": _breaches_url(the_force, area, item, month, csv=True),
        }
    )
    return render(request, "pledge/breaches.html", context)


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@staff_view
def breaches_csv(
    request: HttpRequest, force: str, code: str, item: str, month: str
) -> HttpResponse:
    the_force, area = _area(request, force, code)
    return _breaches_csv(the_force, area, int(item), month)


@staff_view
def unplaced_breaches_csv(request: HttpRequest, force: str, item: str, month: str) -> HttpResponse:
    return _breaches_csv(_force(request, force), None, int(item), month)


def _breaches_csv(
    the_force: Force, area: Neighbourhood | None, item: int, month: str
) -> HttpResponse:
    found = _breaches(the_force, area, item, _parse_month(month))
    explanations = dict(
        Explanation.objects.filter(
            force=the_force, item=item, record_key__in=[b.record_key for b in found]
        ).values_list("record_key", "text")
    )
    code, name = ("", "") if area is None else (area.code, area.name)
    rows = [
        [
            b.item,
            f"{b.month:%Y-%m}",
            code,
            name,
            b.record_key,
            timezone.localtime(b.occurred_at, LONDON).isoformat(),
            b.detail,
            explanations.get(b.record_key, ""),
        ]
        for b in found
    ]
    header = [
        "item",
        "month",
        "neighbourhood_code",
        "neighbourhood",
        "record",
        "at",
        "missed",
        "explanation",
    ]
    where = "no-neighbourhood" if area is None else area.code
    return _csv(f"{the_force.pk}-{where}-pledge-{item}-{month}.csv", header, rows)


@staff_view
def figures_csv(request: HttpRequest, force: str) -> HttpResponse:
    the_force = _force(request, force)
    month = _month(request)
    measures = cached_measure(make_scope(the_force, months_ending(month, 12)))
    header = [
        "level",
        "code",
        "unit",
        "item",
        "month",
        "counted",
        "met",
        "rate",
        "excluded",
        "excluded_reasons",
    ]
    rows: list[list[Any]] = []
    units = [measures.force_unit, *measures.bcus, *measures.neighbourhoods]
    if measures.unplaced is not None:
        units.append(measures.unplaced)  # the records placed in no neighbourhood
    for item, figures in measures.items.items():
        for u in units:
            for m, tally in zip(figures.months, figures.tallies(u), strict=True):
                rows.append(_csv_row(u, item, figures, m, tally))
    return _csv(f"{the_force.pk}-pledge-{month:%Y-%m}.csv", header, rows)


def _csv_row(u: Unit, item: int, figures: ItemFigures, m: dt.date, tally: Tally) -> list[Any]:
    return [
        u.level,
        u.code,
        u.name,
        item,
        f"{m:%Y-%m}",
        tally.counted,
        tally.met,
        "" if tally.rate is None else f"{tally.rate:.4f}",
        tally.excluded_total,
        "; ".join(f"{why}: {n}" for why, n in sorted(tally.excluded.items())),
    ]
