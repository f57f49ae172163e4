"""Shared pytest fixtures: a real Chromium, driven by Playwright, against a live server.

A browser test asks for ``page`` (or ``browser``) and is marked ``@pytest.mark.browser``::

    @pytest.mark.browser
    def test_about(page):
        page.goto("/about/")  # relative to the live server

``page`` is a fresh browser context (no cookies) whose base URL is pytest-django's
``live_server``, so the test gets a transactional database the server thread can see.

Chromium is Debian's, at /usr/bin/chromium (``apt-get install chromium``). Without it the
browser tests are skipped, except under ``CI=true``, where they fail: CI must never pass
without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium reaches out to Google at start-up; on a closed network those
    # connections are refused and the browser's own connections can fail with them.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail fast: a page on the live server answers in milliseconds.
ACTION_TIMEOUT_MS = 15_000
BROWSER_FIXTURES = frozenset({"browser", "page"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the browser, and run those tests last.

    (A test that asks for ``page`` or ``browser`` is marked ``browser`` even if its author
    forgot, so ``-m browser`` and ``-m "not browser"`` always select the right tests.)

    Playwright's sync API keeps an asyncio loop "running" on the main thread from the first
    browser test until the end of the session, and Django refuses database calls under a
    running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set. Running browser tests last keeps
    Django's safety check in force for every other test.
    """
    browser_mark = pytest.mark.browser
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and not any(
            item.iter_markers("browser")
        ):
            item.add_marker(browser_mark)
    plain, in_browser = [], []
    for item in items:
        if any(item.iter_markers("browser")):
            # .ci/run counts the browser tests from this property in the JUnit report
            item.user_properties.append(("browser", "true"))
            in_browser.append(item)
        else:
            plain.append(item)
    items[:] = plain + in_browser


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Tests hash passwords with MD5: PBKDF2's deliberate slowness (about half a second per
    user) would otherwise dominate the suite. Production settings are unchanged."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_locate_index() -> None:
    """Each test's neighbourhoods are its own: never a boundary index left by another test."""
    from ourpatch.geography import locate

    locate.invalidate()


def _chromium_missing() -> None:
    message = (
        f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) "
        "to run the browser tests"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; under CI=true they must run, not be skipped", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _chromium_missing()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # The test thread creates and checks data while Playwright's loop runs (see above).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A new tab in a fresh context (no cookies), with URLs relative to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def sign_in(page: Page) -> Callable[[str, str], None]:
    """``sign_in(username, password)``: sign in through the staff sign-in form, as a person
    would, and wait for the page the form leads to."""

    def _sign_in(username: str, password: str) -> None:
        page.goto("/staff/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

    return _sign_in
