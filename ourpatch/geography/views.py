from __future__ import annotations

import json

import shapely
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ourpatch.accounts.permissions import Action, profile_of, require, staff_view
from ourpatch.audit.models import AuditAction
from ourpatch.audit.personal import log
from ourpatch.geography.areas import import_areas
from ourpatch.geography.forms import ImportForm, NeighbourhoodForm
from ourpatch.geography.imports import MAX_FILE_BYTES, import_boundaries, import_postcodes
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.geography.search import SearchOutcome, search, search_point
from ourpatch.geography.uploads import BadUpload, staged


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


@csrf_exempt  # the size is checked before the body is read; CSRF is checked just after
@staff_view
def import_upload(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    force = profile.force if profile else None
    require(request.user, Action.IMPORT_DATA, force)
    assert force is not None
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_FILE_BYTES:
            # Refused before a byte of the body is read: no 200 MB lands on the disk.
            return render(
                request,
                "geography/import.html",
                {
                    "form": ImportForm(),
                    "too_large": f"The upload is {length // 2**20} MB; "
                    f"the limit is {MAX_FILE_BYTES // 2**20} MB.",
                },
                status=413,
            )
        return _import_post(request, force)
    return render(request, "geography/import.html", {"form": ImportForm()})


@csrf_protect
def _import_post(request: HttpRequest, force: Force) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    report = None
    problem = ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        commit = form.cleaned_data["commit"]
        try:
            with staged(upload) as path:
                if form.cleaned_data["kind"] == "boundaries":
                    report = import_boundaries(path, force.pk, commit=commit, label=upload.name)
                elif form.cleaned_data["kind"] == "survey":
                    from ourpatch.citizenfocus.imports import import_survey

                    report = import_survey(
                        path, commit=commit, label=upload.name, only_force=force.pk
                    )
                elif form.cleaned_data["kind"] == "areas":
                    report = import_areas(path, commit=commit, label=upload.name)
                else:
                    report = import_postcodes(path, commit=commit, label=upload.name)
        except BadUpload as error:
            problem = str(error)
    status = 200 if report is not None and report.ok else 400
    return render(
        request,
        "geography/import.html",
        {"form": form, "report": report, "problem": problem},
        status=status,
    )
