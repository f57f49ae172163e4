from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.engagement.models import Meeting, MeetingStatus
from ourpatch.geography.models import Neighbourhood
from ourpatch.problems.forms import AgreeForm, RaiseIssueForm, UpdatePriorityForm
from ourpatch.problems.models import Priority, PriorityStatus
from ourpatch.problems.priorities import PriorityRefused, agree, raise_online, save


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
    return render(request, "problems/priorities.html", {"area": area, "rows": forms_by_row})


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
