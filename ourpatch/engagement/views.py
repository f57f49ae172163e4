from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.audit.personal import save_personal
from ourpatch.engagement.forms import (
    KeyIndividualForm,
    MeetingForm,
    PreferenceForm,
    RecordMeetingForm,
)
from ourpatch.engagement.meetings import (
    MeetingRefused,
    is_unconfirmed,
    preference_summary,
    record_cancelled,
    record_held,
)
from ourpatch.engagement.models import (
    EngagementPreference,
    KeyIndividual,
    Meeting,
    MeetingStatus,
)
from ourpatch.engagement.subscriptions import confirm, subscribe, unsubscribe
from ourpatch.geography.models import Neighbourhood


@staff_view
def meetings(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """A team's meetings: advertise one, and record the ones that have happened."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.MANAGE_MEETINGS, area)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.neighbourhood = area
        meeting.save()
        messages.success(request, f"Advertised “{meeting.title}”.")
        return redirect("engagement:meetings", force, code)
    now = timezone.now()
    rows = Meeting.objects.filter(neighbourhood=area).order_by("-starts_at")[:100]
    return render(
        request,
        "engagement/meetings.html",
        {
            "area": area,
            "form": form,
            "rows": [
                {
                    "meeting": m,
                    "due": m.status == MeetingStatus.SCHEDULED and m.starts_at <= now,
                    "unconfirmed": is_unconfirmed(m, now),
                }
                for m in rows
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view
def record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("neighbourhood"), pk=pk)
    require(request.user, Action.MANAGE_MEETINGS, meeting.neighbourhood)
    form = RecordMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "held":
                record_held(
                    meeting,
                    attendance=data["attendance"],
                    issues_raised=data["issues_raised"],
                    partner_attendees=data["partner_attendees"],
                    by=request.user,  # type: ignore[arg-type]
                )
            else:
                record_cancelled(meeting, reason=data["cancelled_reason"], by=request.user)  # type: ignore[arg-type]
        except MeetingRefused as refused:
            form.add_error(None, f"{refused}.")
        else:
            messages.success(request, f"Recorded “{meeting.title}”.")
            area = meeting.neighbourhood
            return redirect("engagement:meetings", area.force_id, area.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "engagement/record.html", {"meeting": meeting, "form": form}, status=status
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your email address")


def subscribe_view(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscribe(area, form.cleaned_data["email"], request.build_absolute_uri("/").rstrip("/"))
        # the same answer whether or not the address was already subscribed
        return render(request, "engagement/subscribe_sent.html", {"area": area})
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/subscribe.html", {"area": area, "form": form}, status=status)


def confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    subscription = confirm(token)
    if subscription is None:
        return render(request, "engagement/link_unknown.html", status=404)
    return render(request, "engagement/confirmed.html", {"area": subscription.neighbourhood})


@csrf_exempt  # the secret token in the link is the authority: mail clients POST one click
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        subscription = unsubscribe(token)
        if subscription is None:
            return render(request, "engagement/link_unknown.html", status=404)
        return render(request, "engagement/unsubscribed.html", {"area": subscription.neighbourhood})
    return render(request, "engagement/unsubscribe.html", {"token": token})


@staff_view
def key_individuals(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The key individual network: personal data, so every read is audited."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.READ_PERSONAL_DATA, area)
    form = KeyIndividualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        person.neighbourhood = area
        save_personal(request.user, person, "adding to the key individual network")
        messages.success(request, f"Added {person.name}.")
        return redirect("engagement:key-individuals", force, code)
    people = (
        KeyIndividual.objects.filter(neighbourhood=area, consent_withdrawn_on__isnull=True)
        .select_related("neighbourhood")
        .read_by(request.user, f"key individual network of {area.force_id}/{area.code}")
    )
    return render(
        request,
        "engagement/key_individuals.html",
        {
            "area": area,
            "people": list(people),
            "form": form,
            "preferences": preference_summary(area),
        },
        status=400 if request.method == "POST" else 200,
    )


def preferences(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """Residents say how they want to be engaged; only the totals are kept."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    form = PreferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        EngagementPreference.objects.create(
            neighbourhood=area, methods=form.cleaned_data["methods"], recorded_at=timezone.now()
        )
        return render(request, "engagement/preference_thanks.html", {"area": area})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "engagement/preferences.html", {"area": area, "form": form}, status=status
    )
