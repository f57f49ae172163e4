from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ourpatch.accounts.models import PartnerAgency
from ourpatch.accounts.permissions import Action, can, profile_of, require, staff_view
from ourpatch.contact.messages import clean_text
from ourpatch.crime.summary import before_and_after
from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.geography.models import Neighbourhood
from ourpatch.problems.forms import (
    ActionForm,
    AgreeForm,
    ProblemForm,
    RaiseIssueForm,
    RecordIssueForm,
    UpdatePriorityForm,
)
from ourpatch.problems.library import search_library
from ourpatch.problems.models import (
    EpicKind,
    Priority,
    PriorityStatus,
    Problem,
    ProblemAction,
    SaraStage,
)
from ourpatch.problems.priorities import PriorityRefused, agree, raise_online, save
from ourpatch.problems.sara import TransitionRefused, advance


def raise_issue(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A resident suggests what the team should work on."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    form = RaiseIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["website"]:  # a filled honeypot is a bot: store nothing
            try:
                raise_online(
                    area,
                    issue=form.cleaned_data["issue"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    client_address=request.META.get("REMOTE_ADDR", ""),
                )
            except PriorityRefused as refused:
                form.add_error(None, f"{refused} Please try again later.")
                return render(
                    request, "problems/raise.html", {"area": area, "form": form}, status=429
                )
        return render(request, "problems/raised.html", {"area": area})
    status = 400 if request.method == "POST" else 200
    return render(request, "problems/raise.html", {"area": area, "form": form}, status=status)


@staff_view
def priorities(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.MANAGE_PRIORITIES, area)
    record_form = RecordIssueForm(request.POST or None, prefix="record")
    if request.method == "POST" and record_form.is_valid():
        Priority.objects.create(
            neighbourhood=area,
            issue=clean_text(record_form.cleaned_data["issue"]),
            issue_date=timezone.now(),
            raised_via=record_form.cleaned_data["raised_via"],
        )
        messages.success(request, "Recorded. Agree it at a meeting to make it a priority.")
        return redirect("problems:priorities", force, code)
    held = Meeting.objects.filter(neighbourhood=area, status=MeetingStatus.HELD).order_by(
        "-starts_at"
    )
    rows = Priority.objects.filter(neighbourhood=area).order_by("-issue_date")[:100]
    forms_by_row = []
    for p in rows:
        agree_form = AgreeForm(prefix=f"agree-{p.pk}", meetings=held)
        update_form = UpdatePriorityForm(
            prefix=f"update-{p.pk}",
            initial={
                "status": p.status,
                "action": p.action,
                "outcome": p.outcome,
                "version": p.version,
            },
        )
        forms_by_row.append({"priority": p, "agree": agree_form, "update": update_form})
    return render(
        request,
        "problems/priorities.html",
        {"area": area, "rows": forms_by_row, "form": record_form},
        status=400 if request.method == "POST" else 200,
    )


@staff_view
def priority_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree a raised issue at a held meeting, or publish what is being done about it."""
    priority = get_object_or_404(Priority.objects.select_related("neighbourhood"), pk=pk)
    area = priority.neighbourhood
    require(request.user, Action.MANAGE_PRIORITIES, area)
    back = redirect("problems:priorities", area.force_id, area.code)
    if request.method != "POST":
        return back
    try:
        if "open-problem" in request.POST:
            if priority.status not in (PriorityStatus.AGREED, PriorityStatus.ACTED_ON):
                raise PriorityRefused("a problem is opened for an agreed priority")
            problem, _ = Problem.objects.get_or_create(
                priority=priority,
                defaults={
                    "neighbourhood": area,
                    "title": priority.issue[:200],
                    "scanning": priority.issue,
                    "opened_at": timezone.now(),
                },
            )
            return redirect("problems:problem", problem.pk)
        if f"agree-{pk}-meeting" in request.POST:
            form = AgreeForm(
                request.POST,
                prefix=f"agree-{pk}",
                meetings=Meeting.objects.filter(neighbourhood=area),
            )
            if not form.is_valid():
                raise PriorityRefused("choose the meeting it was agreed at")
            agree(priority, form.cleaned_data["meeting"])
        else:
            update = UpdatePriorityForm(request.POST, prefix=f"update-{pk}")
            if not update.is_valid():
                raise PriorityRefused("say what is being done, and choose a status")
            data = update.cleaned_data
            if priority.status == PriorityStatus.RAISED and data["status"] != "declined":
                raise PriorityRefused("agree it at a meeting first")
            save(
                priority,
                expected_version=data["version"],
                status=data["status"],
                action=data["action"],
                outcome=data["outcome"],
                action_date=timezone.now(),
            )
    except PriorityRefused as refused:
        messages.error(request, f"Not saved: {refused}.")
    else:
        messages.success(request, "Saved. Whoever raised it will be told.")
    return back


@staff_view
def problems(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A neighbourhood's problem-solving records; open a new one."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.MANAGE_PRIORITIES, area)
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        if not title:
            messages.error(request, "Give the problem a title.")
        else:
            problem = Problem.objects.create(
                neighbourhood=area, title=title[:200], opened_at=timezone.now()
            )
            return redirect("problems:problem", problem.pk)
    rows = Problem.objects.filter(neighbourhood=area).order_by("-opened_at")[:100]
    return render(request, "problems/problems.html", {"area": area, "rows": rows})


@staff_view
def problem(request: HttpRequest, pk: int) -> HttpResponse:
    """One problem worked through SARA, with its EPIC actions; partners see shared ones."""
    item = get_object_or_404(Problem.objects.select_related("neighbourhood"), pk=pk)
    require(request.user, Action.VIEW_PROBLEM, item)
    user = request.user
    profile = profile_of(user)
    agencies = PartnerAgency.objects.filter(force_id=item.neighbourhood.force_id)
    editable = can(user, Action.EDIT_PROBLEM, item)
    form = ProblemForm(request.POST or None, instance=item, agencies=agencies, prefix="problem")
    action_form = ActionForm(request.POST or None, prefix="action")
    if request.method == "POST":
        if "advance" in request.POST:
            require(user, Action.EDIT_PROBLEM, item)
            try:
                advance(item, SaraStage(request.POST["advance"]))
                messages.success(request, f"Moved to {item.get_stage_display()}.")
            except (TransitionRefused, ValueError) as refused:
                messages.error(request, f"Not moved: {refused}.")
            return redirect("problems:problem", pk)
        if "problem-title" in request.POST:
            require(user, Action.EDIT_PROBLEM, item)
            if form.is_valid():
                form.save()
                messages.success(request, "Saved.")
                return redirect("problems:problem", pk)
        elif "action-kind" in request.POST:
            require(user, Action.ADD_PROBLEM_ACTION, item)
            if action_form.is_valid():
                new = action_form.save(commit=False)
                new.problem = item
                # a partner's action is their agency's; the police's have none
                new.agency = profile.agency if profile and profile.agency_id else None
                new.save()
                messages.success(request, "Action added.")
                return redirect("problems:problem", pk)
    evidence = before_and_after(
        item.neighbourhood_id,
        list(item.crime_categories),
        timezone.localtime(item.opened_at).date(),
        timezone.localtime(item.closed_at).date() if item.closed_at else None,
    )
    actions = [
        {"action": a, "editable": can(user, Action.EDIT_PROBLEM_ACTION, a)}
        for a in item.actions.select_related("agency")
    ]
    return render(
        request,
        "problems/problem.html",
        {
            "problem": item,
            "form": form if editable else None,
            "action_form": action_form if can(user, Action.ADD_PROBLEM_ACTION, item) else None,
            "actions": actions,
            "evidence": evidence,
            "stages": [s for s in SaraStage if s != item.stage] if editable else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an action done: the police's by the team, a partner's by that partner only."""
    item = get_object_or_404(ProblemAction.objects.select_related("problem"), pk=pk)
    require(request.user, Action.EDIT_PROBLEM_ACTION, item)
    if request.method == "POST" and item.done_on is None:
        item.done_on = timezone.localdate()
        item.save(update_fields=["done_on"])
        messages.success(request, "Marked done.")
    return redirect("problems:problem", item.problem_id)


@staff_view
def library(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    force = profile.force if profile else None
    require(request.user, Action.VIEW_PRACTICE_LIBRARY, force)
    partner = request.GET.get("partner", "")
    found = search_library(
        force.pk if force else None,
        text=request.GET.get("q", ""),
        category=request.GET.get("category", ""),
        tactic=request.GET.get("tactic", ""),
        partner=int(partner) if partner.isdigit() else None,
    )
    return render(
        request,
        "problems/library.html",
        {
            "found": found[:50],
            "q": request.GET.get("q", ""),
            "tactics": EpicKind.choices,
            "tactic": request.GET.get("tactic", ""),
        },
    )
