from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from ourpatch.accounts.permissions import Action, can, require, staff_view
from ourpatch.contact import inbox
from ourpatch.contact.forms import (
    ALL,
    ANYONE,
    ME,
    OPEN,
    TEAM,
    AbsenceForm,
    AssignForm,
    CloseForm,
    ContactForm,
    InboxFilterForm,
    ReplyForm,
)
from ourpatch.contact.inbox import AnswerClock, InboxError, Status
from ourpatch.contact.messages import RateLimited, receive_message
from ourpatch.contact.models import Message, MessageReply
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.absences import BadAbsence, away_until_by_member, record_absence
from ourpatch.teams.models import TeamMember

REFERENCE_SHAPE = re.compile(r"^M-[A-Z2-9]{8}$")
INBOX_PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxRow:
    message: Message
    status: Status
    clock: AnswerClock


@staff_view
def messages(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The team inbox: each message with its Pledge clock. Each message shown is audited."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    require(request.user, Action.WORK_INBOX, area)
    now = timezone.now()
    today = timezone.localdate(now)
    hours = inbox.answer_within_hours(area.force_id)
    team = inbox.team_of(area, today)
    filters = InboxFilterForm(request.GET or None, team=team)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status = chosen.get("status") or OPEN
    assigned = chosen.get("assigned") or ANYONE

    # Filtering and counting touch operational fields only: no one is read until shown.
    everything = Message.objects.filter(neighbourhood=area)
    counts = {s.value: inbox.with_status(everything, s).count() for s in Status}
    counts["overdue"] = inbox.overdue(everything, hours, now).count()
    selected = everything
    if status == OPEN:
        selected = selected.filter(closed_at__isnull=True)
    elif status != ALL:
        selected = inbox.with_status(selected, Status(status))
    if assigned == TEAM:
        selected = selected.filter(assigned_to__isnull=True)
    elif assigned == ME:
        selected = selected.filter(assigned_to__account_id=request.user.pk)
    elif assigned != ANYONE:
        selected = selected.filter(assigned_to_id=int(assigned))
    if chosen.get("overdue"):
        selected = inbox.overdue(selected, hours, now)
    # open messages oldest first: the one nearest its deadline leads
    order = "-received_at" if status in (Status.ANSWERED, Status.CLOSED, ALL) else "received_at"
    page = Paginator(
        selected.select_related("neighbourhood", "assigned_to", "addressed_to")
        .order_by(order, "id")
        .read_by(request.user, f"team inbox for {area.force_id}/{area.code}"),
        INBOX_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rows = [InboxRow(m, inbox.status_of(m), inbox.answer_due(m, hours, now=now)) for m in page]
    away = away_until_by_member(team, today)
    waiting: dict[int | None, int] = dict(
        everything.filter(closed_at__isnull=True, first_response_at__isnull=True)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("id"))
        .values_list("assigned_to", "n")
    )
    cover = [
        {
            "member": m,
            "away_until": away.get(m.pk),
            "waiting": waiting.get(m.pk, 0),
            "can_record_absence": can(request.user, Action.EDIT_TEAM_MEMBER, m),
        }
        for m in team
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contact/messages.html",
        {
            "area": area,
            "rows": rows,
            "page": page,
            "filters": filters,
            "counts": counts,
            "hours": hours,
            "cover": cover,
            "for_the_team": waiting.get(None, 0),
            "query": query.urlencode(),
        },
    )


def _message_in_scope(request: HttpRequest, reference: str) -> Neighbourhood:
    """The message's neighbourhood, once the user may work its inbox (before any read)."""
    found = (
        Message.objects.filter(reference=reference).values_list("neighbourhood", flat=True).first()
    )
    if found is None:
        raise Http404("no such message")
    area = Neighbourhood.objects.select_related("force").get(pk=found)
    require(request.user, Action.WORK_INBOX, area)
    return area


@staff_view
def message_page(request: HttpRequest, reference: str) -> HttpResponse:
    """One message: read it, give it to someone, answer it, close it."""
    area = _message_in_scope(request, reference)
    message = (
        Message.objects.filter(reference=reference)
        .select_related("neighbourhood", "assigned_to", "addressed_to")
        .read_by(request.user, f"team inbox: message {reference}")
        .get()
    )
    now = timezone.now()
    today = timezone.localdate(now)
    team = inbox.team_of(area, today)
    away = away_until_by_member(team, today)
    methods = inbox.reply_methods(message)
    action = request.POST.get("do", "") if request.method == "POST" else ""
    assign_form = AssignForm(
        request.POST if action == "assign" else None,
        team=team,
        away=away,
        initial={"member": str(message.assigned_to_id or "")},
    )
    reply_form = ReplyForm(request.POST if action == "reply" else None, methods=methods)
    close_form = CloseForm(request.POST if action == "close" else None)
    problem = ""
    if action:
        try:
            done = _act(request, message, action, assign_form, reply_form, close_form)
        except InboxError as refused:
            problem = str(refused)
        else:
            if done:
                flash.success(request, done)
                return redirect("contact:message", reference=reference)
    replies = list(
        MessageReply.objects.filter(message=message)
        .select_related("message__neighbourhood", "author_member", "author")
        .read_by(request.user, f"team inbox: replies to {reference}")
    )
    hours = inbox.answer_within_hours(area.force_id)
    return render(
        request,
        "contact/message.html",
        {
            "area": area,
            "message": message,
            "status": inbox.status_of(message),
            "clock": inbox.answer_due(message, hours, now=now),
            "hours": hours,
            "replies": replies,
            "assign_form": assign_form,
            "reply_form": reply_form,
            "close_form": close_form,
            "can_email": inbox.ReplyMethod.EMAIL in methods,
            "problem": problem,
            "action": action,
        },
        status=400 if action else 200,
    )


def _act(
    request: HttpRequest,
    message: Message,
    action: str,
    assign_form: AssignForm,
    reply_form: ReplyForm,
    close_form: CloseForm,
) -> str:
    """Do the action posted; the words to show on success ('' if the form has errors)."""
    user = request.user
    if action == "assign" and assign_form.is_valid():
        member = assign_form.cleaned_data["member"]
        inbox.assign(message, member, by=user)
        return f"Given to {member.name}." if member else "Given back to the whole team."
    if action == "reply" and reply_form.is_valid():
        method = reply_form.cleaned_data["method"]
        inbox.reply(
            message,
            body=reply_form.cleaned_data["body"],
            method=method,
            by=user,
            author_member=inbox.member_for(user),
        )
        if method == inbox.ReplyMethod.EMAIL:
            return "Reply queued: it is emailed to the resident in a moment."
        return "Answer recorded."
    if action == "close" and close_form.is_valid():
        inbox.close(message, by=user, note=close_form.cleaned_data["note"])
        return "Message closed."
    if action not in {"assign", "reply", "close"}:
        raise InboxError("Unknown action.")
    return ""


@staff_view
def member_away(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a team member is away: their messages go to the team meanwhile."""
    member = get_object_or_404(TeamMember.objects.select_related("force"), pk=pk)
    require(request.user, Action.EDIT_TEAM_MEMBER, member)
    today = timezone.localdate()
    form = AbsenceForm(request.POST or None, initial={"starts_on": today, "ends_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            recorded = record_absence(
                member,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                today=today,
            )
        except BadAbsence as bad:
            form.add_error(None, str(bad))
        else:
            absence = recorded.absence
            words = (
                f"Recorded: {member.name} is away from {absence.starts_on:%-d %B} "
                f"to {absence.ends_on:%-d %B %Y}."
            )
            if recorded.returned_to_team:
                count = len(recorded.returned_to_team)
                words += (
                    f" {count} waiting message{'s' if count != 1 else ''} went back to the team."
                )
            flash.success(request, words)
            return redirect("contact:member-away", pk=member.pk)
    absences = list(member.absences.filter(ends_on__gte=today))
    inboxes = [
        n
        for n in member.neighbourhoods.all().order_by("name")
        if can(request.user, Action.WORK_INBOX, n)
    ]
    return render(
        request,
        "contact/away.html",
        {"member": member, "form": form, "absences": absences, "inboxes": inboxes},
        status=400 if request.method == "POST" else 200,
    )


def contact_team(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The public "contact the team" form: stored with a reference, acknowledged."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    form = ContactForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the honeypot: look the same as success, store nothing
            return redirect(reverse("web:contact-sent", args=[force, code]) + "?ref=received")
        try:
            message = receive_message(
                area,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                telephone=form.cleaned_data["telephone"],
                body=form.cleaned_data["body"],
                write_to=form.cleaned_data["write_to"],
                client_address=request.META.get("REMOTE_ADDR", ""),
            )
        except RateLimited as limited:
            form.add_error(None, f"{limited} Please try again later, or call 101.")
            context = {"area": area, "form": form}
            return render(request, "contact/contact.html", context, status=429)
        return redirect(
            reverse("web:contact-sent", args=[force, code]) + f"?ref={message.reference}"
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "contact/contact.html", {"area": area, "form": form}, status=status)


def contact_sent(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    reference = request.GET.get("ref", "")
    if not REFERENCE_SHAPE.match(reference) and reference != "received":
        reference = ""
    return render(
        request,
        "contact/sent.html",
        {"area": area, "reference": reference, "hours": inbox.answer_within_hours(area.force_id)},
    )
