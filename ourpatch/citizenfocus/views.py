"""Staff pages: the statutory indicators with intervals, and comments (audited reads).

- ``/staff/citizen-focus/``: every indicator's headline for the force and a period;
- ``/staff/citizen-focus/<indicator>/``: the trend with its interval band, the force against
  its most similar forces, command units, and the neighbourhood map coloured only where
  significantly different after the false-discovery-rate correction; every chart with its
  table beside it;
- ``/staff/citizen-focus/<indicator>/<table>.csv``: each of those tables as CSV;
- ``/staff/citizen-focus/comments/<force>/<code>/``: what respondents wrote about a
  neighbourhood (personal data: READ_PERSONAL_DATA, and every read is in the audit log).

Query parameters: ``period`` (``month``, ``quarter``, ``12m``), ``month`` (``YYYY-MM``, the
period's last month; default the latest with responses), ``force`` (the inspectorate's
choice of force).
"""

from __future__ import annotations

import csv
import datetime as dt
import math

import numpy as np
from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from ourpatch.accounts.models import StaffRole
from ourpatch.accounts.permissions import (
    Action,
    force_for,
    neighbourhoods_in_scope,
    profile_of,
    require,
    staff_view,
)
from ourpatch.audit.personal import save_personal
from ourpatch.citizenfocus import charts, data
from ourpatch.citizenfocus import indicators as ind
from ourpatch.citizenfocus.models import RecoveryStatus, RecoveryTask, ResponseComment
from ourpatch.citizenfocus.models import SurveyResponse as SurveyResponseModel
from ourpatch.citizenfocus.statistics import TOO_FEW, percent
from ourpatch.geography.models import Force, Neighbourhood, NeighbourhoodBoundary
from ourpatch.teams.models import TeamMember

TABLES = ("trend", "peers", "force", "bcu", "neighbourhood")
TREND_LENGTH = {"month": 24, "quarter": 8, "12m": 24}


def _force(request: HttpRequest) -> Force:
    return force_for(request.user, Action.VIEW_INDICATORS, request.GET.get("force", ""))


def _period(request: HttpRequest, force: Force) -> ind.Period:
    kind = request.GET.get("period", "12m")
    if kind not in ind.PERIOD_KINDS:
        kind = "12m"
    text = request.GET.get("month", "")
    end: int | None = None
    if text:
        try:
            year, month = text.split("-")
            end = ind.month_index(dt.date(int(year), int(month), 1))
        except ValueError:
            end = None
    if end is None:
        end = data.latest_month(force) or ind.month_index(dt.date.today().replace(day=1))
    return ind.Period(kind, end)  # type: ignore[arg-type]


def _query(force: Force, period: ind.Period) -> str:
    return f"?force={force.pk}&period={period.kind}&month={ind.month_of(period.end):%Y-%m}"


def _result(force: Force, indicator: ind.Indicator, period: ind.Period) -> ind.Result:
    frame = data.load_frame(force, indicator.survey)
    positive = data.positives().get(indicator.question)
    return ind.compute(
        frame,
        indicator,
        period,
        positive,
        data.peer_figures(force, indicator.code, period),
        trend_months=0 if indicator.gap else TREND_LENGTH[period.kind],
    )


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    force = _force(request)
    period = _period(request, force)
    units = data.force_units(force)
    frames = {s: data.load_frame(force, s, units) for s in ("victim", "perception")}
    peers = {i.code: data.peer_figures(force, i.code, period) for i in ind.INDICATORS}
    results = ind.compute_all(frames, period, data.positives(), peers)
    rows = []
    for code, result in results.items():
        s = ind.summary(result)
        rows.append(
            {
                "code": code,
                "title": result.indicator.title,
                "published": s["published"],
                "estimate": _pct(s["estimate"], result.indicator.gap),
                "interval": (
                    f"{_pct(s['lower'], result.indicator.gap)} to "
                    f"{_pct(s['upper'], result.indicator.gap)}"
                ),
                "n": s["n"],
                "n_eff": f"{s.get('n_eff', math.nan):.0f}" if "n_eff" in s else "",
                "verdict": s["verdict"],
                "peer_verdict": s.get("peer_verdict", ""),
                "more_needed": s.get("more_needed", ""),
                "excluded": ", ".join(f"{n} {why}" for why, n in s["excluded"] if n) or "none",
            }
        )
    forces = (
        list(Force.objects.order_by("name"))
        if profile_of(request.user) and profile_of(request.user).role == StaffRole.INSPECTORATE  # type: ignore[union-attr]
        else []
    )
    return render(
        request,
        "citizenfocus/dashboard.html",
        {
            "force": force,
            "forces": forces,
            "period": period,
            "rows": rows,
            "query": _query(force, period),
            "periods": [(k, ind.PERIOD_NAMES[k]) for k in ind.PERIOD_KINDS],
            "month": f"{ind.month_of(period.end):%Y-%m}",
            "too_few": TOO_FEW,
        },
    )


def _pct(value: float, gap: bool = False) -> str:
    if gap:
        return "–" if math.isnan(value) else f"{value * 100:+.1f} points"
    return percent(value)


def _indicator(code: str) -> ind.Indicator:
    indicator = ind.BY_CODE.get(code)
    if indicator is None:
        raise Http404("no such indicator")
    return indicator


def _tables(result: ind.Result) -> dict[str, tuple[list[str], list[list[str]]]]:
    out = {"force": ind.table(result, "force"), "bcu": ind.table(result, "bcu")}
    out["neighbourhood"] = ind.table(result, "neighbourhood")
    if not result.indicator.gap:
        out["trend"] = ind.trend_table(result)
        out["peers"] = ind.peer_table(result)
    return out


@staff_view
def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator(code)
    force = _force(request)
    period = _period(request, force)
    result = _result(force, indicator, period)
    tables = _tables(result)
    query = _query(force, period)
    charts_html: dict[str, str] = {}
    if result.trend:
        charts_html["trend"] = charts.trend_svg(
            [
                charts.Point(
                    f"{ind.month_of(end):%b %y}",
                    float(p.estimate[0]),
                    float(p.lower[0]),
                    float(p.upper[0]),
                )
                for end, p in result.trend
            ],
            f"{indicator.title}: trend with 95% intervals",
        )
    if result.peers is not None:
        force_level = result.levels["force"].current
        points = [
            charts.Point(
                force.name,
                float(force_level.estimate[0]),
                float(force_level.lower[0]),
                float(force_level.upper[0]),
            )
        ]
        points += [charts.Point(p[1], p[2], p[4], p[5]) for p in result.peers.peers]
        pooled = result.peers.pooled
        points.append(
            charts.Point(
                "Most similar forces",
                float(pooled.estimate[0]),
                float(pooled.lower[0]),
                float(pooled.upper[0]),
            )
        )
        colours = [charts.LINE] + [charts.NEUTRAL] * (len(points) - 1)
        charts_html["peers"] = charts.intervals_svg(
            points, f"{force.name} against its most similar forces", colours
        )
    if not indicator.gap:
        bcu = result.levels["bcu"]
        charts_html["bcu"] = charts.intervals_svg(
            [
                charts.Point(
                    bcu.labels[i],
                    float(bcu.current.estimate[i]),
                    float(bcu.current.lower[i]),
                    float(bcu.current.upper[i]),
                )
                for i in range(len(bcu.keys))
            ],
            "Command units with 95% intervals",
        )
        charts_html["neighbourhood"] = _map(force, result)
    sections = [
        {
            "key": key,
            "title": _TABLE_TITLES[key],
            "header": tables[key][0],
            "rows": tables[key][1],
            "chart": mark_safe(charts_html.get(key, "")),
            "csv": f"/staff/citizen-focus/{code}/{key}.csv{query}",
        }
        for key in TABLES
        if key in tables
    ]
    readable_hoods = _hoods_with_comments(request, force)
    return render(
        request,
        "citizenfocus/indicator.html",
        {
            "force": force,
            "indicator": indicator,
            "period": period,
            "query": query,
            "sections": sections,
            "excluded": result.excluded,
            "in_scope": result.in_scope,
            "summary": ind.summary(result),
            "periods": [(k, ind.PERIOD_NAMES[k]) for k in ind.PERIOD_KINDS],
            "month": f"{ind.month_of(period.end):%Y-%m}",
            "comment_hoods": readable_hoods,
        },
    )


_TABLE_TITLES = {
    "trend": "Trend, with 95% intervals",
    "peers": "Against the most similar forces (12 months; intervals, not ranks)",
    "force": "Force",
    "bcu": "Command units",
    "neighbourhood": "Neighbourhoods (coloured on the map only where significantly different "
    "from the rest of the force after the false-discovery-rate correction)",
}


def _map(force: Force, result: ind.Result) -> str:
    hoods = result.levels["neighbourhood"]
    if hoods.fdr_significant is None or hoods.vs_rest is None:
        return ""
    boundaries = {
        code: geometry
        for code, geometry in NeighbourhoodBoundary.objects.filter(
            neighbourhood__force=force, valid_to__isnull=True
        ).values_list("neighbourhood__code", "boundary")
    }
    areas = []
    for i, code in enumerate(hoods.keys):
        colour = charts.NEUTRAL
        if hoods.fdr_significant[i]:
            better = (hoods.vs_rest.difference[i] > 0) == result.indicator.higher_is_better
            colour = charts.BETTER if better else charts.WORSE
        elif np.isnan(hoods.vs_rest.p_value[i]):
            colour = "#e6e6e6"
        else:
            colour = "#bdbdbd"
        areas.append((hoods.labels[i], boundaries.get(code), colour))
    return charts.map_svg(areas, f"{result.indicator.title}: neighbourhood map")


def _hoods_with_comments(request: HttpRequest, force: Force) -> list[Neighbourhood]:
    from ourpatch.accounts.permissions import can

    hoods = Neighbourhood.objects.filter(
        force=force, survey_responses__comment__isnull=False
    ).distinct()
    return [h for h in hoods.order_by("name") if can(request.user, Action.READ_PERSONAL_DATA, h)]


@staff_view
def indicator_csv(request: HttpRequest, code: str, table: str) -> HttpResponse:
    indicator = _indicator(code)
    force = _force(request)
    period = _period(request, force)
    tables = _tables(_result(force, indicator, period))
    if table not in tables:
        raise Http404("no such table")
    header, rows = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{force.pk}-{code}-{table}-{period.kind}-{ind.month_of(period.end):%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@staff_view
def comments(request: HttpRequest, force: str, code: str) -> HttpResponse:
    hood = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.VIEW_INDICATORS, hood.force)
    require(request.user, Action.READ_PERSONAL_DATA, hood)
    entries = (
        ResponseComment.objects.filter(response__neighbourhood=hood)
        .exclude(text="")
        .select_related("response", "response__officer")
        .order_by("-response__month", "response__reference")
        .read_by(request.user, f"survey comments for {hood.force_id}/{hood.code}")
    )[:200]
    return render(
        request, "citizenfocus/comments.html", {"neighbourhood": hood, "entries": list(entries)}
    )


# --------------------------------------------------------------------------------------------
# Feedback to the officer, and service recovery


def _answer_label(question: str, answer: int | None) -> str:
    from ourpatch.citizenfocus.questions import STATUTORY

    scale = STATUTORY[question]["scale"]
    return scale[answer - 1] if answer and 0 < answer <= len(scale) else "no answer"


@staff_view
def my_feedback(request: HttpRequest) -> HttpResponse:
    """What victims said about the officer they named: reaches that officer."""
    require(request.user, Action.VIEW_OWN_FEEDBACK)
    from ourpatch.accounts.permissions import can
    from ourpatch.citizenfocus.questions import SATISFIED

    member = TeamMember.objects.get(account_id=request.user.pk)
    responses = list(
        SurveyResponseModel.objects.filter(officer=member, survey="victim")
        .select_related("neighbourhood")
        .order_by("-month", "reference")[:200]
    )
    readable = [
        r.pk
        for r in responses
        if r.neighbourhood is not None
        and can(request.user, Action.READ_PERSONAL_DATA, r.neighbourhood)
    ]
    texts = {
        c.response_id: c.text
        for c in ResponseComment.objects.filter(response_id__in=readable)
        .exclude(text="")
        .read_by(request.user, "feedback to the officer named in a survey response")
    }
    rows = [
        {
            "month": r.month,
            "positive": r.overall_satisfaction in SATISFIED,
            "overall": _answer_label("overall_satisfaction", r.overall_satisfaction),
            "treatment": _answer_label("treatment", r.treatment),
            "comment": texts.get(r.pk, ""),
        }
        for r in responses
    ]
    return render(
        request,
        "citizenfocus/feedback.html",
        {
            "member": member,
            "rows": rows,
            "positive": sum(r["positive"] for r in rows),
            "negative": sum(not r["positive"] for r in rows),
        },
    )


@staff_view
def recovery_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.RECOVER_SERVICE)
    profile = profile_of(request.user)
    assert profile is not None
    # ask of the responses (not personal data) which tasks are in scope, then read those
    candidates = SurveyResponseModel.objects.filter(
        recovery_task__isnull=False, recovery_task__status=RecoveryStatus.OPEN
    )
    if profile.role == StaffRole.FORCE_ADMIN:
        candidates = candidates.filter(force_id=profile.force_id)
    else:
        mine = Q(recovery_task__assigned_to__account_id=request.user.pk)
        candidates = candidates.filter(
            mine | Q(neighbourhood__in=neighbourhoods_in_scope(request.user))
        )
    ids = list(candidates.values_list("pk", flat=True)[:200])
    tasks = list(
        RecoveryTask.objects.filter(response_id__in=ids)
        .select_related("response", "response__neighbourhood", "officer", "assigned_to")
        .read_by(request.user, "service recovery: tasks to call back")
    )
    return render(request, "citizenfocus/recovery_list.html", {"tasks": tasks})


class RecoveryForm(forms.Form):
    status = forms.ChoiceField(choices=RecoveryStatus.choices, label="Outcome")
    outcome = forms.CharField(
        widget=forms.Textarea, max_length=5000, required=False, label="What was said and done"
    )


@staff_view
def recovery_task(request: HttpRequest, pk: int) -> HttpResponse:
    if not RecoveryTask.objects.filter(pk=pk).exists():
        raise Http404("no such task")
    task = (
        RecoveryTask.objects.filter(pk=pk)
        .select_related("response", "response__neighbourhood", "officer", "assigned_to")
        .read_by(request.user, "service recovery: call back a dissatisfied victim")
    )
    # the permission is decided before the read is logged
    probe = RecoveryTask(
        response=SurveyResponseModel.objects.select_related("neighbourhood").get(
            recovery_task__pk=pk
        ),
        assigned_to=TeamMember.objects.filter(recovery_tasks__pk=pk).first(),
    )
    require(request.user, Action.RECOVER_SERVICE, probe)
    current = task.get()
    telephone = ""
    comment = ""
    found = (
        ResponseComment.objects.filter(response_id=current.response_id)
        .read_by(request.user, "service recovery: call back a dissatisfied victim")
        .first()
    )
    if found is not None:
        telephone, comment = found.recontact_telephone, found.text
    if request.method == "POST":
        form = RecoveryForm(request.POST)
        if form.is_valid():
            current.status = form.cleaned_data["status"]
            current.outcome = form.cleaned_data["outcome"]
            current.closed_at = None if current.status == RecoveryStatus.OPEN else timezone.now()
            save_personal(
                request.user,
                current,
                "service recovery: outcome recorded",
                ["status", "outcome", "closed_at"],
            )
            return redirect("citizenfocus:citizen-focus-recovery")
    else:
        form = RecoveryForm(initial={"status": current.status, "outcome": current.outcome})
    return render(
        request,
        "citizenfocus/recovery_task.html",
        {"task": current, "form": form, "telephone": telephone, "comment": comment},
    )
