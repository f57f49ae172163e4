from __future__ import annotations

import json

import shapely
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from ourpatch.accounts.permissions import Action, require, staff_view
from ourpatch.audit.models import AuditAction
from ourpatch.audit.personal import log
from ourpatch.geography.forms import NeighbourhoodForm
from ourpatch.geography.models import Neighbourhood
from ourpatch.geography.search import SearchOutcome, search, search_point

# Simplification for overview maps: about 10 m, invisible at town scale, much smaller files.
OVERVIEW_TOLERANCE = 0.0001


def neighbourhood_url(force_id: str, code: str) -> str:
    return reverse("web:neighbourhood", args=[force_id, code])


def search_page(request: HttpRequest) -> HttpResponse:
    """A plain GET form, so every search is a shareable URL."""
    if "lat" in request.GET or "lng" in request.GET:
        outcome: SearchOutcome = search_point(
            request.GET.get("lat", ""), request.GET.get("lng", ""), query=""
        )
    else:
        outcome = search(request.GET.get("q", ""))
    area = outcome.match
    if area is not None:
        if outcome.note:
            messages.info(request, outcome.note)
        return redirect(neighbourhood_url(area.force_id, area.code))
    status = 200
    return render(request, "geography/search.html", {"outcome": outcome}, status=status)


@cache_control(public=True, max_age=3600)
def boundary_geojson(request: HttpRequest, force: str, code: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    version = area.boundary_on()
    if version is None:
        return HttpResponse(
            json.dumps({"error": "this neighbourhood has no current boundary"}),
            status=404,
            content_type="application/json",
        )
    feature = {
        "type": "Feature",
        "id": area.code,
        "properties": {"name": area.name, "force": area.force_id},
        "geometry": json.loads(shapely.to_geojson(version.boundary)),
    }
    return HttpResponse(json.dumps(feature), content_type="application/geo+json")


@staff_view
def neighbourhood_edit(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The team keeps its page current; saving confirms it (seed 14.7)."""
    area = get_object_or_404(Neighbourhood, force_id=force, code=code)
    require(request.user, Action.EDIT_NEIGHBOURHOOD, area)
    form = NeighbourhoodForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        area = form.save(commit=False)
        area.last_confirmed = timezone.now()
        area.save()
        log(request.user, AuditAction.UPDATE, [area], "neighbourhood page edited", changed)
        messages.success(request, f"Saved {area.name}.")
        return redirect("teams:neighbourhood", force, code)
    return render(request, "geography/neighbourhood_edit.html", {"form": form, "area": area})
