"""What every /api/ response shares: JSON, CORS, GET only, the rate limit, JSON errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from ourpatch.api import ratelimit

JSON = "application/json"
SAFE_METHODS = frozenset({"GET", "HEAD"})
ALLOW = "GET, HEAD, OPTIONS"
ALLOW_FORM = "GET, HEAD, POST, OPTIONS"
# Browsers cache a preflight this long (seconds)
PREFLIGHT_MAX_AGE = "86400"

View = Callable[..., HttpResponse]


class BadParameter(Exception):
    """A query parameter that is missing or cannot be used: HTTP 400 naming it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class NotFound(Exception):
    """Nothing at this URL (an unknown force, neighbourhood, postcode or point): HTTP 404."""


class Unavailable(Exception):
    """The request asks for more than the API gives at once (police.uk's 503): HTTP 503."""


def json_response(data: object, status: int = 200) -> HttpResponse:
    # Compact, as police.uk's; UTF-8 text rather than \u escapes.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode(), status=status, content_type=JSON)


def error_response(status: int, message: str, parameter: str | None = None) -> HttpResponse:
    body: dict[str, object] = {"error": message}
    if parameter is not None:
        body["parameter"] = parameter
    return json_response(body, status=status)


def _cors(response: HttpResponse) -> HttpResponse:
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    # Retry-After is not one of the headers a browser lets a script read without this
    headers["Access-Control-Expose-Headers"] = "Retry-After"
    # Other sites may use these responses (the site's default is same-origin)
    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _preflight(request: HttpRequest, allow: str = ALLOW) -> HttpResponse:
    response = HttpResponse(status=204, content_type=JSON)
    response.headers["Access-Control-Allow-Methods"] = allow
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        response.headers["Access-Control-Allow-Headers"] = asked
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def api_view(view: View) -> View:
    """Wrap an API view: rate limit, CORS on every response (and the OPTIONS preflight),
    405 for anything but GET/HEAD, and BadParameter/NotFound as JSON 400/404."""
    return _wrap(view, SAFE_METHODS, ALLOW)


def api_form_view(view: View) -> View:
    """As :func:`api_view`, and POST too: police.uk takes a long ``poly`` as a POSTed form.
    The view reads its parameters from ``request.GET`` or ``request.POST`` alike."""
    return _wrap(view, SAFE_METHODS | {"POST"}, ALLOW_FORM)


def _wrap(view: View, methods: frozenset[str], allow: str) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = ratelimit.refusal(request)
        if response is None:
            method = request.method
            if method in methods:
                try:
                    response = view(request, *args, **kwargs)
                except BadParameter as bad:
                    response = error_response(400, str(bad), bad.parameter)
                except NotFound as missing:
                    response = error_response(404, str(missing))
                except Unavailable as busy:
                    response = error_response(503, str(busy))
            elif method == "OPTIONS":
                response = _preflight(request, allow)
            else:
                response = error_response(
                    405, f"{method} is not allowed: this API is read-only ({allow})"
                )
                response.headers["Allow"] = allow
        return _cors(response)

    # Nothing here writes; without this Django's CSRF check would answer a POST with 403
    # before the view could say 405 (or, for a form view, answer the query).
    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


@api_view
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other URL under /api/: a JSON 404, with CORS and the rate limit like the rest.

    A known method asked for with a trailing slash (``/api/forces/``) is answered as without
    it, rather than redirected: a redirect would break a browser's CORS preflight."""
    if request.path_info.endswith("/") and len(request.path_info) > 1:
        try:
            match = resolve(request.path_info.rstrip("/"))
        except Resolver404:
            match = None
        inner = getattr(match.func, "__wrapped__", None) if match is not None else None
        if match is not None and inner is not None and match.url_name != "not-found":
            response: HttpResponse = inner(request, *match.args, **match.kwargs)
            return response
    raise NotFound(f"no such API method: {request.path}")
