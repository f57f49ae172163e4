from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ourpatch.geography.models import Force


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page needs: whether this is demonstration data."""
    return {
        "is_demonstration": Force.objects.filter(is_demonstration=True).exists(),
    }
