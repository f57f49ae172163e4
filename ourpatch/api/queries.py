"""The reads both APIs make. Only published information: forces, neighbourhoods, their
named teams and bases. Nothing about residents is ever read here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from ourpatch.api.http import NotFound
from ourpatch.geography.models import Force, Neighbourhood, NeighbourhoodBoundary
from ourpatch.teams.models import ROLE_ORDER, Location, TeamMember

_ROLE_RANK = {role: i for i, role in enumerate(ROLE_ORDER)}


def force_or_404(force_id: str) -> Force:
    force = Force.objects.filter(pk=force_id).first()
    if force is None:
        raise NotFound(f"unknown force: {force_id}")
    return force


def force_exists_or_404(force_id: str) -> None:
    if not Force.objects.filter(pk=force_id).exists():
        raise NotFound(f"unknown force: {force_id}")


def neighbourhood_or_404(force_id: str, code: str, *, current_only: bool) -> Neighbourhood:
    """The neighbourhood ``code`` of ``force_id``; with ``current_only``, only if it is in
    use today (police.uk lists only those)."""
    rows = Neighbourhood.objects.select_related("force", "bcu").filter(force_id=force_id)
    if current_only:
        rows = rows.current()
    area = rows.filter(code=code).first()
    if area is None:
        force_exists_or_404(force_id)
        raise NotFound(f"unknown neighbourhood in {force_id}: {code}")
    return area


def current_boundary(
    area: Neighbourhood, day: dt.date | None = None, *, geometry: bool = False
) -> NeighbourhoodBoundary | None:
    """The boundary version in force today; without ``geometry`` the shape is not loaded."""
    day = day or timezone.localdate()
    versions = (
        NeighbourhoodBoundary.objects.filter(neighbourhood=area, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
    )
    if not geometry:
        versions = versions.defer("boundary")
    return versions.first()


def current_team(area: Neighbourhood) -> list[TeamMember]:
    """The team as residents see it: who leads it first, then by name."""
    return sorted(
        area.team_members.current(),
        key=lambda m: (_ROLE_RANK.get(m.role, len(_ROLE_RANK)), m.name),
    )


def bases(area: Neighbourhood) -> list[Location]:
    return list(area.bases.order_by("name"))
