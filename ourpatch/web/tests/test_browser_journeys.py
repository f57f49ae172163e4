"""Journeys through the site in a real Chromium: staff scope, keyboard-only use, and axe.

Run just these with ``pytest -m browser``. They need /usr/bin/chromium (see ourpatch/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from ourpatch.accounts.factories import PASSWORD, StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffProfile, StaffRole
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.factories import LocationFactory, TeamMemberFactory
from ourpatch.teams.models import Location, Role, TeamMember
from ourpatch.web.tests.axe import assert_accessible

pytestmark = pytest.mark.browser

NOT_ALLOWED = "You do not have access to this page"


@dataclass
class Patch:
    """A force with two neighbourhoods, and a sergeant whose scope is only the first."""

    force: Force
    mine: Neighbourhood
    other: Neighbourhood
    sergeant: StaffProfile
    own_member: TeamMember


@pytest.fixture
def patch() -> Patch:
    force = ForceFactory.create(id="test-force", name="Test Force Police", is_demonstration=True)
    # Names that are not substrings of one another, so "shown" and "not shown" are exact
    mine = NeighbourhoodFactory.create(force=force, code="NHA1", name="Chapel Allerton")
    other = NeighbourhoodFactory.create(force=force, code="NHB2", name="Headingley")
    user = UserFactory.create(username="sgt.example", first_name="Sam", last_name="Sergeant")
    sergeant = StaffProfileFactory.create(
        user=user, role=StaffRole.SERGEANT, force=force, neighbourhoods=[mine]
    )
    own_member = TeamMemberFactory.create(
        force=force, name="Sam Sergeant", role=Role.SERGEANT, account=user, neighbourhoods=[mine]
    )
    TeamMemberFactory.create(
        force=force, name="Pat Pcso", role=Role.PCSO, supervisor=own_member, neighbourhoods=[mine]
    )
    TeamMemberFactory.create(
        force=force, name="Other Officer", role=Role.CONSTABLE, neighbourhoods=[other]
    )
    base: Location = LocationFactory.create(force=force, name="Chapeltown Police Office")
    base.neighbourhoods.set([mine])
    return Patch(force, mine, other, sergeant, own_member)


def _neighbourhood_url(n: Neighbourhood) -> str:
    return f"/staff/neighbourhoods/{n.force_id}/{n.code}/"


def test_sergeant_sees_only_their_own_neighbourhoods(page: Page, live_server, patch: Patch):
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(patch.sergeant.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # lands on the dashboard, with their neighbourhood in scope and not the other one
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")
    scope = page.get_by_test_id("scope")
    expect(scope.get_by_role("link", name=patch.mine.name)).to_be_visible()
    expect(page.get_by_text(patch.other.name)).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(patch.other.name)

    # another neighbourhood of the same force: refused, and told so
    response = page.goto(_neighbourhood_url(patch.other))
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_ALLOWED)
    expect(page.locator("body")).not_to_contain_text(patch.other.name)
    expect(page.locator("body")).not_to_contain_text("Other Officer")

    # their own neighbourhood: shown, with its team
    response = page.goto(_neighbourhood_url(patch.mine))
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(patch.mine.name)
    expect(page.get_by_role("cell", name="Pat Pcso", exact=True)).to_be_visible()

    # and the dashboard's link goes there too
    page.goto("/staff/")
    page.get_by_test_id("scope").get_by_role("link", name=patch.mine.name).click()
    expect(page).to_have_url(f"{live_server.url}{_neighbourhood_url(patch.mine)}")


def _focused_description(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? `${e.tagName.toLowerCase()} ${(e.textContent || '').trim()}` : 'none'; }"
        )
    )


def test_keyboard_alone_reaches_the_about_page(page: Page, live_server):
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to main content")

    # the first Tab lands on the skip link, and it is shown when focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Tab on through the header to the site navigation's About link
    about = page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="About", exact=True
    )
    visited = []
    for _ in range(15):
        page.keyboard.press("Tab")
        visited.append(_focused_description(page))
        if about.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail(f"Tab never reached the About link; focus went: {visited}")
    expect(about).to_be_focused()
    # the keyboard focus can be seen (WCAG 2.4.7)
    assert about.evaluate(
        "e => e.matches(':focus-visible') && getComputedStyle(e).outlineStyle !== 'none'"
    ), "the focused About link shows no focus indicator"

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About ourpatch and its data")
    expect(about).to_have_attribute("aria-current", "page")

    # the skip link moves focus to the main content, past the header
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    in_header = page.evaluate("() => !!document.activeElement.closest('header')")
    assert not in_header, f"after the skip link, Tab went back to {_focused_description(page)}"


@pytest.mark.parametrize("path", ["/", "/about/", "/staff/login/"])
def test_public_pages_have_no_wcag_violations(page: Page, patch: Patch, path: str):
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    assert_accessible(page)


def test_public_pages_have_no_wcag_violations_without_data(page: Page):
    # a fresh installation: no force yet, so no demonstration banner and an empty home page
    for path in ("/", "/about/", "/staff/login/"):
        page.goto(path)
        assert_accessible(page)


def test_failed_sign_in_has_no_wcag_violations(page: Page, patch: Patch):
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(patch.sergeant.user.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_staff_pages_have_no_wcag_violations(page: Page, sign_in, patch: Patch):
    sign_in(patch.sergeant.user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")
    assert_accessible(page)

    page.goto(_neighbourhood_url(patch.mine))
    expect(page.get_by_role("heading", level=1)).to_have_text(patch.mine.name)
    assert_accessible(page)

    page.goto(_neighbourhood_url(patch.other))
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_ALLOWED)
    assert_accessible(page)

    page.goto(f"/staff/team/{patch.own_member.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(patch.own_member.name)
    assert_accessible(page)


def test_not_found_page_has_no_wcag_violations(page: Page):
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_pages_load_under_the_content_security_policy(page: Page, sign_in, patch: Patch):
    # nothing inline and nothing from elsewhere: a refused style or script shows up here
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for path in ("/", "/about/", "/staff/login/"):
        page.goto(path)
    sign_in(patch.sergeant.user.username, PASSWORD)
    page.goto(_neighbourhood_url(patch.mine))
    assert refused == []
    # and the stylesheet did load (axe's contrast checks need it): the skip link is off screen
    expect(page.get_by_role("link", name="Skip to main content")).not_to_be_in_viewport()
