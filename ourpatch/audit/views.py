from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ourpatch.accounts.models import StaffRole
from ourpatch.accounts.permissions import Action, profile_of, require, staff_view
from ourpatch.audit.models import AuditEntry

PAGE = 200


@staff_view
def audit_log(request: HttpRequest) -> HttpResponse:
    """Read-only: the log has no edit or delete screen anywhere."""
    profile = profile_of(request.user)
    assert profile is not None
    require(request.user, Action.VIEW_AUDIT_LOG, profile.force)
    entries = AuditEntry.objects.all()
    if profile.role != StaffRole.INSPECTORATE:
        entries = entries.filter(force_id=profile.force_id)
    return render(request, "audit/log.html", {"entries": entries[:PAGE], "page": PAGE})
