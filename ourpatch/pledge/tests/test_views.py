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


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("force_admin", 200),
        ("commander", 200),
        ("inspector", 200),
        ("sergeant", 200),
        ("analyst", 200),
        ("inspectorate", 200),
        ("constable", 403),
        ("pcso", 403),
        ("no_profile", 403),
    ],
)
def test_staff_drill_down_is_for_pledge_viewers(world, role, status):
    client = _signed_in(world, role)
    paths = [
        "/staff/pledge/?force=west-yorkshire&month=2026-03",
        f"/staff/pledge/west-yorkshire/units/{world.x.pk}/?month=2026-03",
        "/staff/pledge/west-yorkshire/neighbourhoods/A/?month=2026-03",
        BREACHES,
        "/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03.csv",
        "/staff/pledge/west-yorkshire/pledge.csv?month=2026-03",
    ]
    for path in paths:
        assert client.get(path).status_code == status, path


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
