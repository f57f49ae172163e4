"""An analyst compares areas in a real browser: from the staff home to the force's crime
counts, switched from neighbourhoods to local authorities and narrowed to one category, then
the same table downloaded as CSV. Axe checks the page (staff pages are held to the same
standard as public ones)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import Page, expect

from ourpatch.accounts.factories import PASSWORD, StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.crime.factories import CrimeFactory
from ourpatch.geography.factories import (
    LocalAuthorityFactory,
    LSOAFactory,
    MSOAFactory,
    NeighbourhoodFactory,
    WardFactory,
)
from ourpatch.web.tests.axe import assert_accessible

pytestmark = pytest.mark.browser


def test_an_analyst_counts_crime_by_local_authority(page: Page, sign_in) -> None:
    hood = NeighbourhoodFactory(code="CH1", name="Chapeltown", force__id="west-yorkshire")
    leeds = LocalAuthorityFactory(code="W06100001", name="Leeds")
    ward = WardFactory(code="W05100001", name="Chapel Allerton", local_authority=leeds)
    LSOAFactory(
        code="W01100001", ward=ward, population=2000, msoa=MSOAFactory(local_authority=leeds)
    )
    for category, crime_type, n in [
        ("burglary", "Burglary", 3),
        ("anti-social-behaviour", "Anti-social behaviour", 2),
    ]:
        for _ in range(n):
            CrimeFactory(
                falls_within=hood.force,
                neighbourhood=hood,
                lsoa_code="W01100001",
                month=dt.date(2024, 3, 1),
                category=category,
                crime_type=crime_type,
            )
    StaffProfileFactory(user__username="analyst", role=StaffRole.ANALYST, force=hood.force)

    sign_in("analyst", PASSWORD)
    page.goto("/staff/")
    page.get_by_role("link", name="Crime counts by neighbourhood").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Crime counts in {hood.force.name}")
    expect(page.get_by_role("row").filter(has_text="Chapeltown")).to_contain_text("5")
    assert_accessible(page)

    page.get_by_label("Layer").select_option(label="Local authority")
    page.get_by_label("Category").select_option(label="Burglary")
    page.get_by_role("button", name="Count").click()
    leeds_row = page.get_by_role("row").filter(has_text="Leeds")
    expect(leeds_row).to_contain_text("3")  # burglaries only
    expect(leeds_row).to_contain_text("1.5")  # per 1,000 of its 2,000 residents
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert ["local-authority", "W06100001", "Leeds", "3", "0", "2000", "1.50"] in rows
