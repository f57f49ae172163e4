from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, HttpRequest
from django.urls import include, path
from django.views.static import serve

from ourpatch.accounts.permissions import Action, can


def _platform_admin_only(request: HttpRequest) -> bool:
    # Django's admin sees every force: only the platform operator (superuser) may use it.
    return can(request.user, Action.PLATFORM_ADMIN)


def _media(request: HttpRequest, path: str) -> FileResponse:
    # MEDIA_ROOT read per request, so a changed setting (a test's) is honoured
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


admin.site.has_permission = _platform_admin_only  # type: ignore[method-assign]
admin.site.site_header = "ourpatch platform administration"

urlpatterns = [
    path("", include("ourpatch.web.urls")),
    path("staff/", include("ourpatch.accounts.urls")),
    path("staff/", include("ourpatch.teams.urls")),
    path("staff/", include("ourpatch.geography.urls")),
    path("", include("ourpatch.engagement.urls")),
    path("", include("ourpatch.problems.urls")),
    path("", include("ourpatch.updates.urls")),
    path("staff/", include("ourpatch.audit.urls")),
    path("staff/", include("ourpatch.contact.urls")),
    path("", include("ourpatch.crime.urls")),
    path("", include("ourpatch.citizenfocus.urls")),
    path("", include("ourpatch.calls.urls")),
    path("", include("ourpatch.victims.urls")),
    path("", include("ourpatch.dissatisfaction.urls")),
    path("", include("ourpatch.pledge.urls")),
    path("staff/admin/", admin.site.urls),
    path("api/", include("ourpatch.api.urls")),
    # Uploaded team photos are public by design; served by Django as WhiteNoise serves static.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", _media),
]
