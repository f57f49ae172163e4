"""Secure headers, CSRF on every form, and sign-in lock-out after repeated failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ourpatch.accounts.factories import PASSWORD, StaffProfileFactory
from ourpatch.accounts.models import StaffRole


@pytest.fixture
def sergeant(db):
    return StaffProfileFactory(role=StaffRole.SERGEANT, user__username="sgt").user


def test_public_pages_carry_secure_headers(db) -> None:
    response = Client().get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_staff_pages_are_never_cached(sergeant) -> None:
    client = Client()
    client.force_login(sergeant)
    assert client.get("/staff/")["Cache-Control"] == "no-store"


def test_sign_in_form_refuses_a_post_without_its_csrf_token(sergeant) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login/", {"username": "sgt", "password": PASSWORD})
    assert response.status_code == 403
    page = client.get("/staff/login/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_sign_in_works_with_the_right_password(sergeant) -> None:
    client = Client()
    response = client.post("/staff/login/", {"username": "sgt", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_repeated_failures_lock_the_account_out(sergeant, settings) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/staff/login/", {"username": "sgt", "password": "wrong"})
    # locked: even the right password is refused now, with a page saying why
    response = client.post("/staff/login/", {"username": "sgt", "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock(sergeant, settings) -> None:
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/staff/login/", {"username": "sgt", "password": "wrong"})
    response = client.post("/staff/login/", {"username": "sgt", "password": PASSWORD})
    assert response.status_code == 302


def test_sign_out_needs_a_post(sergeant) -> None:
    client = Client()
    client.force_login(sergeant)
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_unknown_page_is_a_helpful_404(db) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
