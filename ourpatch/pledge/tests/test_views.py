"""Scorecards: public with no personal data; staff drill-down by permission, with explain forms
and CSV."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.pledge.explanations import explain_breach
from ourpatch.pledge.models import Explanation
from ourpatch.pledge.tests.conftest import (
    ADDRESS,
    MARCH,
    NOW,
    SENDER_EMAIL,
    SENDER_NAME,
    VICTIM_NAME,
)

pytestmark = pytest.mark.django_db

WHY = "Both cars were committed to a serious collision on the ring road."
SECRETS = (
    VICTIM_NAME,
    SENDER_NAME,
    SENDER_EMAIL,
    ADDRESS,
    "Lilac Grove",
    "LS7 3QQ",
    "0113 496 0000",
    "07700 900123",
    "Cuthbert Complainer",
    "car dumped",
)
BREACHES = "/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03/"


def _signed_in(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _assert_no_personal_data(html: str) -> None:
    for secret in SECRETS:
        assert secret not in html, secret


@pytest.mark.parametrize(
    "path",
    [
        "/neighbourhoods/west-yorkshire/A/pledge/?month=2026-03",
        "/forces/west-yorkshire/pledge/?month=2026-03",
    ],
)
def test_public_scorecards_show_figures_and_explanations_but_no_personal_data(world, path):
    explain_breach(world.users["sergeant"], world.a, 5, MARCH, "call:C0001234", WHY, now=NOW)
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    _assert_no_personal_data(html)
    assert "C0001234" not in html  # public pages name no record
    assert WHY in html
    assert "999 calls answered within 10 seconds" in html  # the standard in plain words
    assert "0.0% (0 of 1 calls)" in html  # March: the one call missed
    assert "Excluded" in html


def test_public_scorecard_for_an_unknown_neighbourhood_is_404(world):
    assert Client().get("/neighbourhoods/west-yorkshire/ZZ/pledge/").status_code == 404


FORCE_WIDE = [
    "/staff/pledge/?force=west-yorkshire&month=2026-03",
    "/staff/pledge/west-yorkshire/units/{x}/?month=2026-03",
    "/staff/pledge/west-yorkshire/pledge.csv?month=2026-03",
    "/staff/pledge/west-yorkshire/no-neighbourhood/?month=2026-03",
    "/staff/pledge/west-yorkshire/no-neighbourhood/5/2026-03/",
    "/staff/pledge/west-yorkshire/no-neighbourhood/5/2026-03.csv",
    # another neighbourhood than the constable's and PCSO's
    "/staff/pledge/west-yorkshire/neighbourhoods/C/?month=2026-03",
    "/staff/pledge/west-yorkshire/neighbourhoods/C/5/2026-03/",
]
NEIGHBOURHOOD_A = [
    "/staff/pledge/west-yorkshire/neighbourhoods/A/?month=2026-03",
    BREACHES,
    "/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03.csv",
]


@pytest.mark.parametrize(
    ("role", "force_wide", "own_neighbourhood"),
    [
        ("force_admin", 200, 200),
        ("commander", 200, 200),
        ("inspector", 200, 200),
        ("sergeant", 200, 200),
        ("analyst", 200, 200),
        ("inspectorate", 200, 200),
        # the team of A sees A's Pledge (and explains its breaches), not the force's
        ("constable", 403, 200),
        ("pcso", 403, 200),
        ("no_profile", 403, 403),
    ],
)
def test_staff_drill_down_is_for_pledge_viewers(world, role, force_wide, own_neighbourhood):
    client = _signed_in(world, role)
    for path in FORCE_WIDE:
        assert client.get(path.format(x=world.x.pk)).status_code == force_wide, path
    for path in NEIGHBOURHOOD_A:
        assert client.get(path).status_code == own_neighbourhood, path


def test_a_pcso_reaches_their_neighbourhoods_pledge_from_the_staff_home(world):
    pcso = _signed_in(world, "pcso")
    home = pcso.get("/staff/").content.decode()
    assert 'href="/staff/pledge/west-yorkshire/neighbourhoods/A/"' in home
    assert 'href="/staff/pledge/"' not in home  # the force-wide dashboard is not theirs
    page = pcso.get("/staff/pledge/west-yorkshire/neighbourhoods/A/?month=2026-03")
    html = page.content.decode()
    assert "0.0% of 1" in html  # March's one call, which missed item 5
    assert 'href="/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03/"' in html
    # no link to the force-wide pages they may not open
    assert "/staff/pledge/?force=" not in html and "/units/" not in html
    breaches = pcso.get(BREACHES).content.decode()
    assert "call:C0001234" in breaches and "Save the explanation" in breaches
    assert "/staff/pledge/?force=" not in breaches
    _assert_no_personal_data(breaches)
    saved = pcso.post(BREACHES, {"record_key": "call:C0001234", "text": WHY})
    assert saved.status_code == 302
    assert Explanation.objects.get().written_by == world.users["pcso"]
    # a supervisor's staff home links to the force-wide dashboard instead
    sergeant_home = _signed_in(world, "sergeant").get("/staff/").content.decode()
    assert 'href="/staff/pledge/"' in sergeant_home
    assert "Your neighbourhood&#x27;s Pledge" not in sergeant_home


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(BREACHES)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_another_forces_pages_are_refused(world):
    from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
    from ourpatch.accounts.models import StaffRole

    admin = StaffProfileFactory(
        user=UserFactory(username="ny_admin"), role=StaffRole.FORCE_ADMIN, force=world.other_force
    ).user
    client = Client()
    client.force_login(admin)
    assert client.get(BREACHES).status_code == 403
    assert client.get("/staff/pledge/?force=west-yorkshire").status_code == 403


def test_breaches_page_shows_operational_words_and_links_for_those_allowed(world):
    html = _signed_in(world, "sergeant").get(BREACHES).content.decode()
    assert "call:C0001234" in html
    assert "999 call answered after 25 seconds" in html
    assert "Save the explanation" in html
    _assert_no_personal_data(html)
    inbox = (
        _signed_in(world, "sergeant")
        .get("/staff/pledge/west-yorkshire/neighbourhoods/A/4/2026-03/")
        .content.decode()
    )
    assert "message:M-ABCD2345" in inbox
    assert 'href="/staff/messages/M-ABCD2345/"' in inbox  # the sergeant may open it
    _assert_no_personal_data(inbox)
    # the analyst sees the figures and records, with no explain form and no link to the message
    analyst = _signed_in(world, "analyst")
    assert "Save the explanation" not in analyst.get(BREACHES).content.decode()
    seen = analyst.get("/staff/pledge/west-yorkshire/neighbourhoods/A/4/2026-03/").content.decode()
    assert "message:M-ABCD2345" in seen
    assert "/staff/messages/M-ABCD2345/" not in seen


def test_explaining_from_the_breaches_page(world):
    sergeant = _signed_in(world, "sergeant")
    refused = sergeant.post(BREACHES, {"record_key": "call:C0001234", "text": "See LS7 3QQ."})
    assert refused.status_code == 200
    assert "must not identify anyone" in refused.content.decode()
    assert not Explanation.objects.exists()
    saved = sergeant.post(BREACHES, {"record_key": "call:C0001234", "text": WHY})
    assert saved.status_code == 302
    assert Explanation.objects.get().text == WHY
    assert WHY in sergeant.get(BREACHES).content.decode()
    # the inspector of A may too; the analyst and C's sergeant may not
    assert (
        _signed_in(world, "analyst")
        .post(BREACHES, {"record_key": "call:C0001234", "text": WHY})
        .status_code
        == 403
    )
    assert (
        _signed_in(world, "other_sergeant")
        .post(BREACHES, {"record_key": "call:C0001234", "text": WHY})
        .status_code
        == 403
    )


def test_csv_exports(world):
    client = _signed_in(world, "force_admin")
    breaches = client.get("/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03.csv")
    assert breaches["Content-Type"].startswith("text/csv")
    text = breaches.content.decode()
    assert "call:C0001234" in text
    _assert_no_personal_data(text)
    figures = client.get("/staff/pledge/west-yorkshire/pledge.csv?month=2026-03").content.decode()
    lines = figures.splitlines()
    assert lines[0].startswith("level,code,unit,item,month")
    assert "neighbourhood,A,Chapeltown,5,2026-03,1,0,0.0000" in figures
    _assert_no_personal_data(figures)


UNPLACED = "/staff/pledge/west-yorkshire/no-neighbourhood/5/2026-03/"


def test_breaches_in_no_neighbourhood_are_explained_from_the_dashboard(world, unplaced_call):
    admin = _signed_in(world, "force_admin")
    dashboard = admin.get("/staff/pledge/?month=2026-03").content.decode()
    assert "In these 12 months: 1 missed a standard, 0 explained." in dashboard
    assert 'href="/staff/pledge/west-yorkshire/no-neighbourhood/?month=2026-03"' in dashboard
    grid = admin.get("/staff/pledge/west-yorkshire/no-neighbourhood/?month=2026-03")
    assert f'href="{UNPLACED}"' in grid.content.decode()
    page = admin.get(UNPLACED).content.decode()
    assert "call:C0009999" in page and "999 call answered after 40 seconds" in page
    assert "call:C0001234" not in page  # A's breach is A's team's to explain
    assert "Save the explanation" in page
    refused = admin.post(UNPLACED, {"record_key": "call:C0009999", "text": "Ring 0113 496 0000"})
    assert "must not identify anyone" in refused.content.decode()
    saved = _signed_in(world, "commander").post(
        UNPLACED, {"record_key": "call:C0009999", "text": WHY}
    )
    assert saved.status_code == 302
    explanation = Explanation.objects.get()
    assert (explanation.neighbourhood, explanation.force) == (None, world.force)
    assert (
        "1 missed a standard, 1 explained"
        in admin.get("/staff/pledge/?month=2026-03").content.decode()
    )
    figures = admin.get("/staff/pledge/west-yorkshire/pledge.csv?month=2026-03").content.decode()
    # the force's figures CSV has the records in no neighbourhood as a row of their own
    assert "unplaced,,In no neighbourhood,5,2026-03,1,0,0.0000" in figures
    csv_text = admin.get(UNPLACED.rstrip("/") + ".csv").content.decode()
    assert "call:C0009999" in csv_text and WHY in csv_text and "C0001234" not in csv_text
    # published on the force's scorecard, not on a neighbourhood's
    assert WHY in Client().get("/forces/west-yorkshire/pledge/?month=2026-03").content.decode()
    public_a = Client().get("/neighbourhoods/west-yorkshire/A/pledge/?month=2026-03")
    assert WHY not in public_a.content.decode()
    # a sergeant and an analyst see the records but may not explain them
    for role in ("sergeant", "analyst"):
        client = _signed_in(world, role)
        assert "Save the explanation" not in client.get(UNPLACED).content.decode()
        assert (
            client.post(UNPLACED, {"record_key": "call:C0009999", "text": WHY}).status_code == 403
        )
