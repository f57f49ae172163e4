"""Pages for expressions of dissatisfaction (Pledge item 10).

- public: ``/neighbourhoods/<force>/<code>/not-happy/``, "Not happy with our service?", and
  the page that gives the reference; nothing personal is ever shown back but the reference;
- staff, supervisors in scope (RECOVER_SERVICE and READ_PERSONAL_DATA on the neighbourhood):
  ``/staff/dissatisfaction/`` (the open records with their 24-hour clock; no names, so no
  personal data is read) and ``/staff/dissatisfaction/<reference>/`` (audited read;
  acknowledge, agree the resolution, close);
- staff who may read personal data in a neighbourhood: ``/staff/dissatisfaction/new/``
  (record what someone said on the telephone or at the counter);
- staff who see Pledge figures: ``/staff/dissatisfaction/trends/`` (counts by category,
  team and month, with their CSVs).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from ourpatch.accounts.models import StaffRole
from ourpatch.accounts.permissions import (
    Action,
    AnyUser,
    can,
    force_for,
    neighbourhoods_in_scope,
    profile_of,
    require,
    staff_view,
)
from ourpatch.audit.personal import SYSTEM
from ourpatch.dissatisfaction import handling, trends
from ourpatch.dissatisfaction.chart import counts_grid_svg
from ourpatch.dissatisfaction.forms import (
    PUBLIC_WORDS,
    AcknowledgeForm,
    NotHappyForm,
    RecordForm,
    ResolutionForm,
)
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember

REFERENCE_SHAPE = re.compile(r"^D-[A-Z2-9]{8}$")
LIST_LIMIT = 500
TREND_MONTHS = 12
TABLES = ("category", "team")

# --------------------------------------------------------------------------------------------
# Who may handle what


def _readable(user: AnyUser) -> list[Neighbourhood]:
    """The neighbourhoods whose personal data the user may read."""
    return [
        h
        for h in neighbourhoods_in_scope(user).select_related("force").order_by("name")
        if can(user, Action.READ_PERSONAL_DATA, h)
    ]


def _covers_force(user: AnyUser, force_id: str) -> bool:
    """Is every one of the force's neighbourhoods in the user's scope? Then records with no
    neighbourhood are theirs to handle too."""
    scope = neighbourhoods_in_scope(user).filter(force_id=force_id)
    return scope.exists() and not (
        Neighbourhood.objects.filter(force_id=force_id).exclude(pk__in=scope).exists()
    )


def _handling_scope(user: AnyUser) -> tuple[list[Neighbourhood], list[str]]:
    """Supervisors handle dissatisfaction: their readable neighbourhoods, and the forces
    they cover whole. Refused (403) to everyone else."""
    require(user, Action.RECOVER_SERVICE)
    hoods = _readable(user)
    forces = sorted({h.force_id for h in hoods if _covers_force(user, h.force_id)})
    if not hoods:
        raise PermissionDenied("no neighbourhoods in scope")
    return hoods, forces


def _require_handle(user: AnyUser, neighbourhood_id: int | None, force_id: str) -> None:
    require(user, Action.RECOVER_SERVICE)
    if neighbourhood_id is not None:
        hood = Neighbourhood.objects.get(pk=neighbourhood_id)
        require(user, Action.READ_PERSONAL_DATA, hood)
    elif not _covers_force(user, force_id) or not any(
        h.force_id == force_id for h in _readable(user)
    ):
        raise PermissionDenied("not allowed")


def _may_handle(user: AnyUser, neighbourhood_id: int | None, force_id: str) -> bool:
    try:
        _require_handle(user, neighbourhood_id, force_id)
    except PermissionDenied:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Public


def not_happy(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """ "Not happy with our service?": stored with a reference; a person acknowledges it."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    form = NotHappyForm(request.POST or None)
    sent = reverse("dissatisfaction:not-happy-sent", args=[force, code])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # a bot filled the honeypot: look the same as success, store nothing
            return redirect(sent + "?ref=received")
        try:
            record = handling.record_dissatisfaction(
                by=SYSTEM,
                force=area.force,
                neighbourhood=area,
                channel=Channel.WEB,
                category=data["category"],
                complainant_name=data["name"],
                complainant_email=data["email"],
                complainant_contact=data["telephone"],
                summary=data["summary"],
                client_address=request.META.get("REMOTE_ADDR", ""),
            )
        except handling.RateLimited as limited:
            form.add_error(None, f"{limited} Please try again later, or call 101.")
            return render(
                request, "dissatisfaction/not_happy.html", _public(area, form), status=429
            )
        return redirect(sent + f"?ref={record.reference}")
    status = 400 if request.method == "POST" else 200
    return render(request, "dissatisfaction/not_happy.html", _public(area, form), status=status)


def _public(area: Neighbourhood, form: NotHappyForm) -> dict[str, Any]:
    return {
        "area": area,
        "form": form,
        "hours": handling.acknowledgement_hours(area.force_id),
        "words": list(PUBLIC_WORDS.items()),
    }


def not_happy_sent(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    reference = request.GET.get("ref", "")
    if not REFERENCE_SHAPE.match(reference):
        reference = ""
    return render(
        request,
        "dissatisfaction/not_happy_sent.html",
        {
            "area": area,
            "reference": reference,
            "hours": handling.acknowledgement_hours(area.force_id),
        },
    )


# --------------------------------------------------------------------------------------------
# Staff: the list with its clock


@staff_view
def dissatisfaction_list(request: HttpRequest) -> HttpResponse:
    hoods, whole_forces = _handling_scope(request.user)
    where = Q(neighbourhood__in=[h.pk for h in hoods])
    if whole_forces:
        where |= Q(neighbourhood__isnull=True, force_id__in=whole_forces)
    # operational fields only: the list names no one, so nothing here is an audited read
    open_records = Dissatisfaction.objects.filter(where, closed_at__isnull=True)
    total = open_records.count()
    rows = list(
        open_records.values(
            "reference",
            "force",
            "neighbourhood",
            "received_at",
            "channel",
            "category",
            "acknowledged_at",
            "resolution_agreed_at",
        ).order_by("received_at", "reference")[:LIST_LIMIT]
    )
    now = timezone.now()
    names = {h.pk: h.name for h in hoods}
    hours: dict[str, int] = {}
    waiting: list[dict[str, Any]] = []
    acknowledged: list[dict[str, Any]] = []
    agreed: list[dict[str, Any]] = []
    for row in rows:
        force_id = row["force"]
        if force_id not in hours:
            hours[force_id] = handling.acknowledgement_hours(force_id)
        clock = handling.acknowledgement_clock(
            row["received_at"], row["acknowledged_at"], now, hours[force_id]
        )
        item: dict[str, Any] = {
            **row,
            "clock": clock,
            "margin": handling.describe(clock.margin),
            "team": names.get(row["neighbourhood"], trends.NO_NEIGHBOURHOOD),
            "category_label": Category(row["category"]).label,
            "channel_label": Channel(row["channel"]).label,
        }
        if row["acknowledged_at"] is None:
            waiting.append(item)
        elif row["resolution_agreed_at"] is None:
            acknowledged.append(item)
        else:
            agreed.append(item)
    waiting.sort(key=lambda r: r["clock"].due_at)
    return render(
        request,
        "dissatisfaction/list.html",
        {
            "waiting": waiting,
            "overdue": sum(1 for r in waiting if r["clock"].state == handling.ClockState.OVERDUE),
            "acknowledged": acknowledged,
            "agreed": agreed,
            "total": total,
            "limit": LIST_LIMIT,
            "can_trends": _trend_force_or_none(request) is not None,
        },
    )


# --------------------------------------------------------------------------------------------
# Staff: one record


@staff_view
def dissatisfaction_detail(request: HttpRequest, reference: str) -> HttpResponse:
    facts = (
        Dissatisfaction.objects.filter(reference=reference)
        .values("id", "force", "neighbourhood")
        .first()
    )
    if facts is None:
        raise Http404("no such record")
    # the permission is decided before anything personal is read (and logged)
    _require_handle(request.user, facts["neighbourhood"], facts["force"])
    record = (
        Dissatisfaction.objects.filter(pk=facts["id"])
        .select_related("neighbourhood", "force", "about_member", "acknowledged_by")
        .read_by(request.user, f"handling dissatisfaction {reference}")
        .get()
    )
    acknowledge_form = AcknowledgeForm(initial={"how": Channel.TELEPHONE})
    resolution_form = ResolutionForm(
        initial={"resolution": record.resolution, "agreed": record.resolution_agreed_at is not None}
    )
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "acknowledge":
                acknowledge_form = AcknowledgeForm(request.POST)
                if acknowledge_form.is_valid():
                    handling.acknowledge(
                        record, by=request.user, how=acknowledge_form.cleaned_data["how"]
                    )
                    messages.success(request, f"{reference} acknowledged.")
                    return redirect("dissatisfaction:dissatisfaction-detail", reference)
            elif step == "resolution":
                resolution_form = ResolutionForm(request.POST)
                if resolution_form.is_valid():
                    handling.agree_resolution(
                        record,
                        by=request.user,
                        resolution=resolution_form.cleaned_data["resolution"],
                        agreed=resolution_form.cleaned_data["agreed"],
                    )
                    messages.success(request, f"Resolution of {reference} recorded.")
                    return redirect("dissatisfaction:dissatisfaction-detail", reference)
            elif step == "close":
                handling.close(record, by=request.user)
                messages.success(request, f"{reference} closed.")
                return redirect("dissatisfaction:dissatisfaction-list")
            else:
                raise handling.HandlingError("unknown step")
        except handling.HandlingError as refused:
            messages.error(request, f"Not done: {refused}.")
        status = 400
    hours = handling.acknowledgement_hours(record.force_id)
    clock = handling.acknowledgement_clock(
        record.received_at, record.acknowledged_at, timezone.now(), hours
    )
    return render(
        request,
        "dissatisfaction/detail.html",
        {
            "record": record,
            "clock": clock,
            "margin": handling.describe(clock.margin),
            "hours": hours,
            "acknowledge_form": acknowledge_form,
            "resolution_form": resolution_form,
        },
        status=status,
    )


# --------------------------------------------------------------------------------------------
# Staff: record what someone said


@staff_view
def dissatisfaction_new(request: HttpRequest) -> HttpResponse:
    hoods = _readable(request.user)
    if not hoods:
        raise PermissionDenied("no neighbourhoods in scope")
    choices = Neighbourhood.objects.filter(pk__in=[h.pk for h in hoods]).order_by("name")
    members = (
        TeamMember.objects.current().filter(neighbourhoods__in=choices).distinct().order_by("name")
    )
    form = RecordForm(request.POST or None, neighbourhoods=choices, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area: Neighbourhood = data["neighbourhood"]
        require(request.user, Action.READ_PERSONAL_DATA, area)
        try:
            record = handling.record_dissatisfaction(
                by=request.user,
                force=area.force,
                neighbourhood=area,
                channel=data["channel"],
                category=data["category"],
                complainant_name=data["complainant_name"],
                complainant_contact=data["complainant_contact"],
                complainant_email=data["complainant_email"],
                summary=data["summary"],
                about_member=data["about_member"],
            )
        except handling.HandlingError as refused:
            form.add_error(None, str(refused))
        else:
            if _may_handle(request.user, area.pk, area.force_id):
                messages.success(request, f"Recorded as {record.reference}.")
                return redirect("dissatisfaction:dissatisfaction-detail", record.reference)
            messages.success(
                request,
                f"Recorded as {record.reference}. The team's supervisors will acknowledge it "
                "within the Pledge's time: give the person that reference.",
            )
            return redirect("dissatisfaction:dissatisfaction-new")
    status = 400 if request.method == "POST" else 200
    return render(request, "dissatisfaction/new.html", {"form": form}, status=status)


# --------------------------------------------------------------------------------------------
# Staff: trends, so that the force learns


def _trend_force_or_none(request: HttpRequest) -> Force | None:
    try:
        return _trend_force(request)
    except (PermissionDenied, Http404):
        return None


def _trend_force(request: HttpRequest) -> Force:
    return force_for(request.user, Action.VIEW_PLEDGE, request.GET.get("force", ""))


def _end_month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    if text:
        try:
            year, month = text.split("-")
            return dt.date(int(year), int(month), 1)
        except ValueError:
            pass
    # the last complete month: a month under way would look like a fall
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    return trends.add_months(trends.month_start(today), -1)


def _trends(request: HttpRequest) -> tuple[Force, dt.date, trends.Trends]:
    force = _trend_force(request)
    end = _end_month(request)
    scope = list(neighbourhoods_in_scope(request.user).filter(force=force))
    records = trends.records_in(force, scope, _covers_force(request.user, force.pk))
    result = trends.compute(
        records, end, TREND_MONTHS, neighbourhood_names={h.pk: h.name for h in scope}
    )
    return force, end, result


@staff_view
def dissatisfaction_trends(request: HttpRequest) -> HttpResponse:
    force, end, result = _trends(request)
    query = f"?force={force.pk}&month={end:%Y-%m}"
    sections = []
    for key, title, first, table in (
        ("category", "By category and month", "Category", result.by_category),
        ("team", "By team (neighbourhood) and month", "Team", result.by_team),
    ):
        sections.append(
            {
                "key": key,
                "title": title,
                "header": table.header(first),
                "rows": table.csv_rows(),
                "chart": mark_safe(  # built by counts_grid_svg, every text in it escaped
                    counts_grid_svg(table.rows, table.months, f"Dissatisfaction {title.lower()}")
                ),
                "csv": reverse("dissatisfaction:dissatisfaction-trends-csv", args=[key]) + query,
            }
        )
    profile = profile_of(request.user)
    forces = (
        list(Force.objects.order_by("name"))
        if profile is not None and profile.role == StaffRole.INSPECTORATE
        else []
    )
    return render(
        request,
        "dissatisfaction/trends.html",
        {
            "force": force,
            "forces": forces,
            "end": end,
            "month": f"{end:%Y-%m}",
            "first": result.months[0],
            "result": result,
            "sections": sections,
            "recent_from": trends.add_months(end, 1 - trends.RISING_WINDOW),
            "before_from": trends.add_months(end, 1 - 2 * trends.RISING_WINDOW),
            "before_to": trends.add_months(end, -trends.RISING_WINDOW),
        },
    )


def _safe_cell(value: str) -> str:
    # a spreadsheet would run a cell starting with these as a formula
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@staff_view
def dissatisfaction_trends_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404("no such table")
    force, end, result = _trends(request)
    chosen = result.by_category if table == "category" else result.by_team
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{force.pk}-dissatisfaction-{table}-to-{end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(chosen.header("Category" if table == "category" else "Team"))
    for row in chosen.csv_rows():
        writer.writerow([_safe_cell(cell) for cell in row])
    return response
