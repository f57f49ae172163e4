from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.contact.models import Message
from ourpatch.geography.models import Neighbourhood


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
