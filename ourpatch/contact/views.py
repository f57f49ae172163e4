from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.contact.forms import ContactForm
from ourpatch.contact.messages import ANSWER_WITHIN_HOURS, RateLimited, receive_message
from ourpatch.contact.models import Message
from ourpatch.geography.models import Neighbourhood

REFERENCE_SHAPE = re.compile(r"^M-[A-Z2-9]{8}$")


@staff_view
def messages(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """Messages to one team. Reading them is personal data, so each read is audited."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.READ_PERSONAL_DATA, area)
    rows = (
        Message.objects.filter(neighbourhood=area)
        .select_related("neighbourhood")
        .read_by(request.user, f"team messages for {area.force_id}/{area.code}")
    )
    return render(request, "contact/messages.html", {"area": area, "rows": list(rows[:200])})


def contact_team(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The public "contact the team" form: stored with a reference, acknowledged."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force"), force_id=force, code=code
    )
    form = ContactForm(request.POST or None)
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
        {"area": area, "reference": reference, "hours": ANSWER_WITHIN_HOURS},
    )
