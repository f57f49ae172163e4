from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ourpatch.geography.models import Neighbourhood
from ourpatch.updates.models import MonthlyUpdate
from ourpatch.updates.monthly import pdf


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404("no such month") from None


def archive(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    updates = MonthlyUpdate.objects.filter(neighbourhood=area).only("month")
    return render(request, "updates/archive.html", {"area": area, "updates": updates})


def update(request: HttpRequest, force: str, code: str, month: str) -> HttpResponse:
    found = get_object_or_404(
        MonthlyUpdate.objects.select_related("neighbourhood"),
        neighbourhood__force_id=force,
        neighbourhood__code=code,
        month=_month(month),
    )
    return render(request, "updates/update.html", {"update": found})


def update_pdf(request: HttpRequest, force: str, code: str, month: str) -> HttpResponse:
    found = get_object_or_404(
        MonthlyUpdate.objects.select_related("neighbourhood"),
        neighbourhood__force_id=force,
        neighbourhood__code=code,
        month=_month(month),
    )
    response = HttpResponse(pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-{month}.pdf"'
    return response
