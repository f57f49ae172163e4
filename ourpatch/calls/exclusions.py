"""How many calls a Pledge figure leaves out, and why: "n excluded" beside the figure.

The call import quarantines the rows it cannot trust (:class:`~ourpatch.calls.models.RejectedCall`)
instead of counting them or dropping them. A compliance figure over calls received in a range
shows these counts with it, so that a malformed record is never counted silently. The counts
are an :class:`~ourpatch.importing.exclusions.Exclusions`, which the duty import shares.

A rejected row counts in the range its receipt time falls in. Rows whose receipt time could
not be read belong to no range: ``undated`` counts them for the force (or neighbourhood), so a
force-level figure can say so. A row is counted for a neighbourhood only when its
neighbourhood was known; an unknown neighbourhood code counts for the force alone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from ourpatch.calls.models import RejectedCall, RejectReason
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.importing.exclusions import Exclusions


def _labels() -> dict[str, str]:
    return dict(RejectReason.choices)


def _scope(force: Force | str, neighbourhood: Neighbourhood | int | None) -> Q:
    force_id = force.pk if isinstance(force, Force) else force
    q = Q(force_id=force_id)
    if neighbourhood is not None:
        hood_id = neighbourhood.pk if isinstance(neighbourhood, Neighbourhood) else neighbourhood
        q &= Q(neighbourhood_id=hood_id)
    return q


def call_exclusions(
    force: Force | str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    neighbourhood: Neighbourhood | int | None = None,
) -> Exclusions:
    """Quarantined calls of the force (or one neighbourhood) received in [start, end)."""
    scope = _scope(force, neighbourhood)
    counts = (
        RejectedCall.objects.filter(scope, received_at__gte=start, received_at__lt=end)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    undated = RejectedCall.objects.filter(scope, received_at__isnull=True).count()
    return Exclusions({row["reason"]: row["n"] for row in counts}, undated, _labels())


def call_exclusions_by_neighbourhood(
    force: Force | str, start: dt.datetime, end: dt.datetime
) -> dict[int | None, Exclusions]:
    """The same for every neighbourhood of the force at once (None: in no known
    neighbourhood), in one query. Neighbourhoods with none excluded are absent."""
    scope = _scope(force, None)
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for row in (
        RejectedCall.objects.filter(scope, received_at__gte=start, received_at__lt=end)
        .values("neighbourhood", "reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["neighbourhood"]][row["reason"]] = row["n"]
    undated: dict[int | None, int] = {
        row["neighbourhood"]: row["n"]
        for row in RejectedCall.objects.filter(scope, received_at__isnull=True)
        .values("neighbourhood")
        .annotate(n=Count("id"))
        .order_by()
    }
    labels = _labels()
    return {
        hood: Exclusions(counts.get(hood, {}), undated.get(hood, 0), labels)
        for hood in set(counts) | set(undated)
    }


def call_exclusions_by_month(
    force: Force | str, start: dt.datetime, end: dt.datetime
) -> dict[tuple[int | None, dt.date], Exclusions]:
    """Quarantined calls received in [start, end), by (neighbourhood or None, UK calendar
    month as its first day). Quarantined rows are few, so they are grouped here, not in SQL.
    Rows with no readable time are in no month: see :func:`call_exclusions` (``undated``)."""
    counts: dict[tuple[int | None, dt.date], Counter[str]] = defaultdict(Counter)
    for hood, received, reason in RejectedCall.objects.filter(
        _scope(force, None), received_at__gte=start, received_at__lt=end
    ).values_list("neighbourhood", "received_at", "reason"):
        month = timezone.localtime(received).date().replace(day=1)
        counts[(hood, month)][reason] += 1
    labels = _labels()
    return {key: Exclusions(dict(c), 0, labels) for key, c in counts.items()}
