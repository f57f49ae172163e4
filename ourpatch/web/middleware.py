"""Secure headers that Django does not set by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Nothing here needs the camera, microphone or payment; location only for "use my location".
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), payment=(), usb=(), geolocation=(self), interest-cohort=()"
)


class SecureHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith("/staff/"):
            # Staff pages may show personal data: never keep them in a shared cache
            response.headers["Cache-Control"] = "no-store"
        return response
