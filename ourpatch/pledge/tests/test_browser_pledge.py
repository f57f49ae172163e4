"""A resident's message answered and counted, in a real browser: the resident writes to the
team; the sergeant answers from the team inbox; the resident is emailed the answer, sees the
Pledge scorecard count it as kept, and can say they are not happy. Axe checks each public page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ourpatch.accounts.factories import PASSWORD, StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role
from ourpatch.web.tests.axe import assert_accessible
from ourpatch.worker.queue import run_pending

pytestmark = pytest.mark.browser


def test_a_message_answered_is_a_pledge_kept(page: Page, live_server, sign_in, mailoutbox) -> None:
    area = NeighbourhoodFactory(code="CH1", name="Chapeltown", force__id="west-yorkshire")
    TeamMemberFactory(force=area.force, name="Pat Pcso", role=Role.PCSO, neighbourhoods=[area])
    StaffProfileFactory(
        user__username="sgt", role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    )

    # The resident writes to the team from the neighbourhood page
    page.goto("/neighbourhoods/west-yorkshire/CH1/")
    page.get_by_label("Your name").fill("Sam Resident")
    page.get_by_label("Your email address").fill("sam@example.org")
    page.get_by_label("Your message").fill("Cars speed on Spencer Place every evening.")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("main")).to_contain_text("24 hours")
    reference = re.search(r"M-[A-Z2-9]{8}", page.locator("main").inner_text())
    assert reference is not None
    run_pending()  # the acknowledgement

    # The sergeant answers it from the team inbox
    sign_in("sgt", PASSWORD)
    page.goto("/staff/neighbourhoods/west-yorkshire/CH1/messages/")
    page.get_by_role("link", name=reference.group(0)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Message {reference.group(0)}")
    page.get_by_label("By email: sent to the resident now").check()
    page.get_by_label("Reply", exact=True).fill(
        "Thank you. We will run speed checks on Spencer Place this week."
    )
    page.get_by_role("button", name="Answer").click()
    run_pending()  # the worker emails the answer
    answer = [m for m in mailoutbox if "speed checks" in m.body]
    assert len(answer) == 1 and answer[0].to == ["sam@example.org"]

    # The resident sees the promise kept on the public scorecard, with no one named
    resident = page.context.browser.new_context(base_url=live_server.url).new_page()
    resident.goto("/neighbourhoods/west-yorkshire/CH1/")
    resident.get_by_role("link", name="How we are keeping the Policing Pledge here").click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text("The Policing Pledge")
    row = resident.get_by_role("row").filter(has_text="4.")
    expect(row.first).to_contain_text("100.0% (1 of 1")
    expect(resident.locator("body")).not_to_contain_text("Sam Resident")
    expect(resident.locator("body")).not_to_contain_text("sam@example.org")
    assert_accessible(resident)

    # ... and can say they are not happy, and is given a reference
    resident.goto("/neighbourhoods/west-yorkshire/CH1/")
    resident.get_by_role("link", name="Not happy with our service? Tell us").click()
    assert_accessible(resident)
    resident.get_by_label("Your name").fill("Sam Resident")
    resident.get_by_label("Your email address").fill("sam@example.org")
    resident.get_by_label("Not kept informed").check()
    resident.get_by_label("What happened?").fill("Nobody told me when the speed checks happened.")
    resident.get_by_role("button", name="Send").click()
    expect(resident.locator("main")).to_contain_text(re.compile(r"D-[A-Z2-9]{8}"))
    assert_accessible(resident)
