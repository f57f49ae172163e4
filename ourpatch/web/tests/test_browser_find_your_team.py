"""A resident finds their named team and contacts it; a sergeant adds a team member's photo.

Journeys in a real Chromium (see ourpatch/conftest.py), with axe on every public page visited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from ourpatch.accounts.factories import PASSWORD, StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffProfile, StaffRole
from ourpatch.contact.models import Message
from ourpatch.geography.factories import (
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
)
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.factories import LocationFactory, TeamMemberFactory
from ourpatch.teams.models import Location, Role, TeamMember
from ourpatch.web.tests.axe import assert_accessible

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"M-[A-Z2-9]{8}")
PLEDGE = "will answer within 24 hours: that is the Policing Pledge"
# How many Tab presses may pass before the journey is said to be unreachable by keyboard
MAX_TABS = 80


@dataclass
class Patch:
    """One neighbourhood holding LS1 4AP, with a named team and a base; another in LS1."""

    area: Neighbourhood
    other: Neighbourhood
    sergeant: TeamMember
    pcso: TeamMember
    constable: TeamMember
    base: Location
    sergeant_account: StaffProfile


@pytest.fixture
def patch() -> Patch:
    force = ForceFactory.create(id="test-force", name="Test Force Police", is_demonstration=True)
    area = NeighbourhoodFactory.create(force=force, code="NHCITY", name="City Centre")
    NeighbourhoodBoundaryFactory.create(neighbourhood=area)  # a box around (53.8, -1.55)
    PostcodeFactory.create(postcode="LS1 4AP", latitude=53.8, longitude=-1.55, neighbourhood=area)
    other = NeighbourhoodFactory.create(force=force, code="NHHOLB", name="Holbeck")
    PostcodeFactory.create(postcode="LS1 5XY", latitude=53.79, longitude=-1.56, neighbourhood=other)

    user = UserFactory.create(username="sgt.shah", first_name="Priya", last_name="Shah")
    account = StaffProfileFactory.create(
        user=user, role=StaffRole.SERGEANT, force=force, neighbourhoods=[area]
    )
    sergeant = TeamMemberFactory.create(
        force=force,
        name="Priya Shah",
        role=Role.SERGEANT,
        collar_number="1234",
        email="priya.shah@police.example",
        languages=["English", "Punjabi"],
        account=user,
        neighbourhoods=[area],
    )
    pcso = TeamMemberFactory.create(
        force=force,
        name="Tom Wright",
        role=Role.PCSO,
        email="tom.wright@police.example",
        languages=["English", "Polish"],
        supervisor=sergeant,
        neighbourhoods=[area],
    )
    constable = TeamMemberFactory.create(
        force=force,
        name="Dana Okafor",
        role=Role.CONSTABLE,
        email="dana.okafor@police.example",
        languages=["English"],
        supervisor=sergeant,
        neighbourhoods=[area],
    )
    base: Location = LocationFactory.create(
        force=force, name="Millgarth Police Office", address="1 Millgarth Street\nLeeds"
    )
    base.neighbourhoods.set([area])
    return Patch(area, other, sergeant, pcso, constable, base, account)


def _public_url(n: Neighbourhood) -> str:
    return f"/neighbourhoods/{n.force_id}/{n.code}/"


def _stored_message(reference: str) -> Message:
    reader = UserFactory.create(username="test.reader")  # personal data: reads are audited
    return Message.objects.filter(reference=reference).read_by(reader, "test").get()


def _expect_reference_page(page: Page, patch: Patch) -> str:
    """The acknowledgement: a reference, and the Pledge's promise of an answer."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Message sent")
    reference_el = page.get_by_test_id("reference")
    expect(reference_el).to_have_text(REFERENCE)
    reference = reference_el.inner_text()
    assert REFERENCE.fullmatch(reference), reference
    expect(page.locator("main")).to_contain_text(f"The {patch.area.name} team {PLEDGE}")
    assert_accessible(page)
    return reference


def _tab_until(page: Page, element_id: str) -> None:
    """Press Tab until the element with this id has focus, failing with the route taken."""
    visited: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = str(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e ? `${e.tagName.toLowerCase()}#${e.id}` : 'none'; }"
            )
        )
        visited.append(focused)
        if focused.endswith(f"#{element_id}"):
            return
    pytest.fail(f"Tab never reached #{element_id} in {MAX_TABS} presses; focus went: {visited}")


def _has_focus_indicator(element: Locator) -> bool:
    return bool(
        element.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return e.matches(':focus-visible')"
            " && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
            " || s.boxShadow !== 'none'); }"
        )
    )


def test_resident_finds_their_team_and_contacts_it(page: Page, live_server, patch: Patch):
    page.goto("/")
    assert_accessible(page)

    # a postcode as people type them: odd case, odd spacing
    page.get_by_label("Postcode, street or place").fill(" ls1  4ap ")
    page.get_by_role("button", name="Find my team").click()
    expect(page).to_have_url(f"{live_server.url}{_public_url(patch.area)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "City Centre neighbourhood policing team"
    )

    # the named team, leader first, with roles in plain words, contact links and languages
    team = page.get_by_role("region", name="Your team")
    expect(team.get_by_role("heading", level=3)).to_have_text(
        ["Priya Shah", "Dana Okafor", "Tom Wright"]
    )
    members = team.locator("li.member")
    expect(members.nth(0)).to_contain_text("Sergeant")
    expect(members.nth(0)).to_contain_text("(1234)")
    expect(members.nth(0)).to_contain_text("Speaks English, Punjabi")
    expect(members.nth(1)).to_contain_text("Police constable")
    expect(members.nth(2)).to_contain_text("Police community support officer (PCSO)")
    expect(members.nth(2)).to_contain_text("Speaks English, Polish")
    for member in (patch.sergeant, patch.constable, patch.pcso):
        expect(team.get_by_role("link", name=member.email, exact=True)).to_have_attribute(
            "href", f"mailto:{member.email}"
        )

    # where they are based
    bases = page.get_by_role("region", name="Where they are based")
    expect(bases.get_by_role("heading", name="Millgarth Police Office")).to_be_visible()
    expect(bases).to_contain_text("1 Millgarth Street")
    expect(bases).to_contain_text("LS1 4AP")

    # what a PCSO is, in plain words, behind a disclosure
    explanation = page.locator("details.pcso")
    expect(explanation.get_by_text("They cannot arrest people")).to_be_hidden()
    explanation.get_by_text("What is the difference between a PCSO and a police constable?").click()
    expect(explanation).to_have_attribute("open", "")
    expect(explanation.get_by_text("They cannot arrest people")).to_be_visible()

    # the boundary map draws once its GeoJSON has loaded
    map_el = page.locator("#neighbourhood-map")
    expect(map_el).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(map_el.locator("svg path")).to_have_count(1)
    expect(map_el).not_to_contain_text("The map could not be loaded")
    assert_accessible(page)

    # contact the team
    contact = page.get_by_role("region", name="Contact the team")
    contact.get_by_label("Your name").fill("Jo Resident")
    contact.get_by_label("Your email address").fill("jo@example.org")
    contact.get_by_label("Your message").fill("Cars are parked on the pavement on Vicar Lane.")
    contact.get_by_role("button", name="Send message").click()

    expect(page).to_have_url(re.compile(r"/contact/sent/\?ref=M-[A-Z2-9]{8}$"))
    reference = _expect_reference_page(page, patch)
    stored = _stored_message(reference)
    assert stored.neighbourhood_id == patch.area.pk
    assert stored.sender_name == "Jo Resident"
    assert stored.sender_email == "jo@example.org"
    assert stored.body == "Cars are parked on the pavement on Vicar Lane."


def test_resident_finds_their_team_and_contacts_it_by_keyboard_alone(
    page: Page, live_server, patch: Patch
):
    page.goto("/")
    _tab_until(page, "search-q")
    # the keyboard focus can be seen (WCAG 2.4.7)
    assert _has_focus_indicator(page.locator("#search-q")), "the focused search box shows no focus"
    page.keyboard.type(" ls1  4ap ")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{_public_url(patch.area)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "City Centre neighbourhood policing team"
    )
    # wait for the map, so the Tab order no longer changes under the keyboard
    expect(page.locator("#neighbourhood-map svg path")).to_have_count(1)
    assert_accessible(page)

    _tab_until(page, "id_name")
    assert _has_focus_indicator(page.locator("#id_name")), "the focused name field shows no focus"
    page.keyboard.type("Jo Resident")
    _tab_until(page, "id_email")
    page.keyboard.type("jo@example.org")
    _tab_until(page, "id_body")
    page.keyboard.type("Bikes are ridden on the pavement after school.")

    # the hidden honeypot field is skipped: the next Tab is the Send button
    page.keyboard.press("Tab")
    send = page.get_by_role("button", name="Send message")
    expect(send).to_be_focused()
    assert _has_focus_indicator(send), "the focused Send button shows no focus"
    page.keyboard.press("Enter")

    reference = _expect_reference_page(page, patch)
    stored = _stored_message(reference)
    assert stored.neighbourhood_id == patch.area.pk
    assert stored.sender_email == "jo@example.org"
    assert stored.body == "Bikes are ridden on the pavement after school."


def test_search_lists_choices_or_explains_what_was_not_found(page: Page, live_server, patch: Patch):
    page.goto("/")
    page.get_by_label("Postcode, street or place").fill("ls1")
    page.get_by_role("button", name="Find my team").click()

    # several neighbourhoods: a list to choose from, and the search kept in the box
    expect(page).to_have_url(re.compile(r"/search\?q=ls1$"))
    expect(page.get_by_role("heading", name="Choose your neighbourhood")).to_be_visible()
    choices = page.get_by_role("list", name="Choose your neighbourhood").get_by_role("link")
    expect(choices).to_have_text(["City Centre", "Holbeck"])
    expect(page.get_by_label("Postcode, street or place")).to_have_value("ls1")
    assert_accessible(page)

    # an unknown postcode: said so on the same page, with what to try next
    page.get_by_label("Postcode, street or place").fill("zz9 9zz")
    page.get_by_role("button", name="Find my team").click()
    expect(page).to_have_url(re.compile(r"/search\?q=zz9\+9zz$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We could not find the postcode ZZ9 9ZZ")
    expect(alert).to_contain_text("try the first part only (ZZ9)")
    expect(page.get_by_label("Postcode, street or place")).to_have_value("zz9 9zz")
    assert_accessible(page)

    # and a choice leads to that team
    page.get_by_label("Postcode, street or place").fill("LS1")
    page.get_by_role("button", name="Find my team").click()
    page.get_by_role("link", name="Holbeck", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{_public_url(patch.other)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Holbeck neighbourhood policing team")
    assert_accessible(page)


def _jpeg(path: Path) -> Path:
    # wider than tall, so the square crop and resize both happen
    Image.new("RGB", (640, 400), (40, 90, 160)).save(path, "JPEG")
    return path


def test_sergeant_adds_a_photo_that_residents_then_see(
    page: Page,
    live_server,
    patch: Patch,
    sign_in: Callable[[str, str], None],
    settings,
    tmp_path: Path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = _jpeg(tmp_path / "tom.jpg")
    description = "Tom Wright, smiling, in uniform"

    sign_in(patch.sergeant_account.user.username, PASSWORD)
    page.goto(f"/staff/neighbourhoods/{patch.area.force_id}/{patch.area.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(patch.area.name)
    page.get_by_role("link", name=f"Edit {patch.pcso.name}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Edit the public profile of {patch.pcso.name}"
    )

    page.get_by_label("New photo").set_input_files(photo)
    page.get_by_label("Photo description").fill(description)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"Saved the profile of {patch.pcso.name}.")

    # the upload is stored under MEDIA_ROOT, squared and resized
    patch.pcso.refresh_from_db()
    stored = Path(patch.pcso.photo.path)
    assert stored.is_relative_to(tmp_path), stored
    with Image.open(stored) as image:
        assert image.size == (480, 480)

    # and residents see it, the image loaded over HTTP. (Django's live server serves
    # MEDIA_URL from MEDIA_ROOT itself, ahead of ourpatch/urls.py's own media route.)
    page.goto(_public_url(patch.area))
    img = page.get_by_role("region", name="Your team").get_by_role("img", name=description)
    expect(img).to_be_visible()
    expect(img).to_have_attribute("src", re.compile(r"^/media/team-photos/[0-9a-f]{16}\.jpg$"))
    natural_width = img.evaluate(
        "img => img.decode().then(() => img.naturalWidth, () => 'failed to load: ' + img.src)"
    )
    assert natural_width == 480
    assert_accessible(page)
