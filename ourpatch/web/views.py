from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ourpatch.geography.models import Force


def home(request: HttpRequest) -> HttpResponse:
    forces = Force.objects.annotate(
        neighbourhood_count=Count("neighbourhoods", filter=Q(neighbourhoods__valid_to=None))
    ).order_by("name")
    return render(request, "web/home.html", {"forces": forces})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html")
