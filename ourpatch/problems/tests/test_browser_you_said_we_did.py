"""The loop in a real browser: a resident raises an issue; the team agrees it at a recorded
PACT meeting; it is worked as a problem with a council partner; it is closed with an
assessment; the resident is told, sees it under "you said, we did", and in the month's update.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ourpatch.accounts.factories import PASSWORD, PartnerAgencyFactory, StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.models import EngagementKind
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.updates.monthly import generate, month_start
from ourpatch.web.tests.axe import assert_accessible
from ourpatch.worker.queue import run_pending

pytestmark = pytest.mark.browser


def test_you_said_we_did(page: Page, browser, live_server, sign_in, mailoutbox) -> None:
    area = NeighbourhoodFactory(code="CH1", name="Chapeltown", force__id="west-yorkshire")
    council = PartnerAgencyFactory(force=area.force, name="Leeds ASB team")
    StaffProfileFactory(
        user__username="sgt", role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    )
    StaffProfileFactory(
        user__username="council", role=StaffRole.PARTNER, force=area.force, agency=council
    )
    pact_start = timezone.now() - dt.timedelta(hours=3)
    MeetingFactory(
        neighbourhood=area,
        kind=EngagementKind.PACT,
        title="Chapeltown PACT",
        starts_at=pact_start,
        ends_at=pact_start + dt.timedelta(hours=2),
    )

    # A resident raises an issue online
    page.goto("/neighbourhoods/west-yorkshire/CH1/")
    page.get_by_role("link", name="Raise an issue").click()
    assert_accessible(page)
    page.get_by_label("What should the team work on?").fill("Fly-tipping behind Spencer Place")
    page.get_by_label("Your name").fill("Sam Resident")
    page.get_by_label("Your email address").fill("sam@example.org")
    page.get_by_role("button", name="Raise this issue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your issue has been raised")
    assert_accessible(page)

    # The sergeant records the PACT meeting and agrees the issue there
    sign_in("sgt", PASSWORD)
    page.goto("/staff/neighbourhoods/west-yorkshire/CH1/")
    page.get_by_role("link", name="Meetings: advertise and record").click()
    page.get_by_role("link", name="Record Chapeltown PACT").click()
    page.get_by_label("It was held").check()
    page.get_by_label("How many residents came").fill("18")
    page.get_by_label("Issues raised").fill("Fly-tipping")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Recorded “Chapeltown PACT”.")).to_be_visible()
    page.goto("/staff/neighbourhoods/west-yorkshire/CH1/priorities/")
    expect(page.get_by_role("heading", name="Fly-tipping behind Spencer Place")).to_be_visible()
    page.get_by_label("Agreed at which meeting").select_option(index=1)
    page.get_by_role("button", name="Agree as a priority").click()
    expect(page.get_by_text("Saved. Whoever raised it will be told.")).to_be_visible()
    page.get_by_role("button", name="Work it as a problem (SARA)").click()
    problem_url = page.url
    page.get_by_label("Analysis: causes, victims, offenders, places").fill(
        "Dumped after the Friday market"
    )
    page.get_by_label("Leeds ASB team").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Move to Analysis").click()
    page.get_by_role("button", name="Move to Response").click()
    expect(page.get_by_text("Moved to Response.")).to_be_visible()

    # The council partner signs in and adds an action
    partner = browser.new_context(base_url=live_server.url)
    council_page = partner.new_page()
    council_page.goto("/staff/login/")
    council_page.get_by_label("Username").fill("council")
    council_page.get_by_label("Password").fill(PASSWORD)
    council_page.get_by_role("button", name="Sign in").click()
    council_page.goto(problem_url)
    council_page.get_by_label("EPIC: what kind of response").select_option("prevention")
    council_page.get_by_label("Description").fill("Gate the alley behind Spencer Place")
    council_page.get_by_role("button", name="Add action").click()
    expect(council_page.get_by_role("cell", name="Leeds ASB team")).to_be_visible()
    partner.close()

    # The sergeant closes it with an assessment
    page.reload()
    page.get_by_role("button", name="Move to Assessment").click()
    page.get_by_label("Assessment: what was done").fill("Alley gated with the council")
    page.get_by_label("Assessment: the outcome, measured").fill("No dumping for six weeks")
    page.get_by_label("Was whoever raised it told the outcome?").select_option("true")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Move to Closed").click()
    expect(page.get_by_text("Moved to Closed.")).to_be_visible()

    # The resident is told, and sees it under "you said, we did" and in the month's update
    run_pending()
    subjects = [m.subject for m in mailoutbox if m.to == ["sam@example.org"]]
    assert any("agreed" in s for s in subjects) and any("closed" in s for s in subjects)
    resident = browser.new_context(base_url=live_server.url).new_page()
    resident.goto("/neighbourhoods/west-yorkshire/CH1/")
    priorities = resident.locator("ul.priorities")
    expect(priorities).to_contain_text("Fly-tipping behind Spencer Place")
    expect(priorities).to_contain_text("No dumping for six weeks")
    assert_accessible(resident)
    month = month_start(timezone.localtime(pact_start).date())  # the month it was agreed in
    generate(area, month)
    resident.goto(f"/neighbourhoods/west-yorkshire/CH1/updates/{month:%Y-%m}/")
    expect(resident.get_by_role("main")).to_contain_text("Fly-tipping behind Spencer Place")
    expect(resident.get_by_role("main")).to_contain_text(re.compile("Chapeltown PACT"))
    assert_accessible(resident)
    resident.context.close()
