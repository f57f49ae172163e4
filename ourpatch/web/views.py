from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from ourpatch.contact.forms import ContactForm
from ourpatch.crime.summary import neighbourhood_crime
from ourpatch.engagement.meetings import upcoming
from ourpatch.geography.models import RURAL_BELOW_PERSONS_PER_HECTARE, Force, Neighbourhood
from ourpatch.problems.priorities import published
from ourpatch.teams.models import ROLE_ORDER

UPCOMING_SHOWN = 5
PRIORITIES_SHOWN = 10


def home(request: HttpRequest) -> HttpResponse:
    forces = Force.objects.annotate(
        neighbourhood_count=Count("neighbourhoods", filter=Q(neighbourhoods__valid_to=None))
    ).order_by("name")
    return render(request, "web/home.html", {"forces": forces})


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmark's baseline: answers without touching the database."""
    return JsonResponse({"status": "ok"})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html", {"rural_density": RURAL_BELOW_PERSONS_PER_HECTARE})


def force(request: HttpRequest, force: str) -> HttpResponse:
    """Every neighbourhood of a force, by command unit: the browse route to any team."""
    the_force = get_object_or_404(Force, pk=force)
    areas = (
        Neighbourhood.objects.current()
        .filter(force=the_force)
        .select_related("bcu")
        .order_by("bcu__name", "name")
    )
    by_unit: dict[str, list[Neighbourhood]] = {}
    for area in areas:
        by_unit.setdefault(area.bcu.name if area.bcu else "Other", []).append(area)
    return render(request, "web/force.html", {"force": the_force, "by_unit": by_unit})


def neighbourhood(request: HttpRequest, force: str, code: str) -> HttpResponse:
    """The page a resident lands on: who the team is, where, and how to reach them."""
    area = get_object_or_404(
        Neighbourhood.objects.select_related("force", "bcu"), force_id=force, code=code
    )
    members = sorted(
        area.team_members.current(),
        key=lambda m: (ROLE_ORDER.index(m.role), m.name),
    )
    confirmed = max([area.last_confirmed, *(m.last_confirmed for m in members)])
    return render(
        request,
        "web/neighbourhood.html",
        {
            "area": area,
            "members": members,
            "bases": area.bases.all(),
            "confirmed": confirmed,
            "form": ContactForm(),
            "tile_url": settings.OURPATCH_MAP_TILE_URL,
            "meetings": list(upcoming(area)[:UPCOMING_SHOWN]),
            "priorities": list(published(area)[:PRIORITIES_SHOWN]),
            "crime": neighbourhood_crime(area),
        },
    )
