"""Who reaches each page of victim updates and dissatisfaction: every role, allowed or 403."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.dissatisfaction.tests.conftest import world  # noqa: F401  (fixture)
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role
from ourpatch.victims.factories import UpdateAgreementFactory

OPERATIONAL = {"force_admin", "commander", "inspector", "sergeant", "constable", "pcso"}
SUPERVISORS = {"force_admin", "commander", "inspector", "sergeant"}
PLEDGE = SUPERVISORS | {"analyst", "inspectorate"}

ALLOWED = {
    "victims": OPERATIONAL,
    "victim_new": OPERATIONAL,
    "victim_agreement_a": OPERATIONAL,
    "victim_agreement_c": {"force_admin"},
    "dissatisfaction_list": SUPERVISORS,
    "dissatisfaction_new": OPERATIONAL,
    "dissatisfaction_a": SUPERVISORS,
    "dissatisfaction_c": {"force_admin"},
    "dissatisfaction_trends": PLEDGE,
    "dissatisfaction_trends_csv": PLEDGE,
}
ROLES = [
    "force_admin",
    "commander",
    "inspector",
    "sergeant",
    "constable",
    "pcso",
    "analyst",
    "partner",
    "inspectorate",
]


@pytest.fixture
def urls(world):  # noqa: F811
    member_a = TeamMemberFactory(
        force=world.force,
        role=Role.CONSTABLE,
        neighbourhoods=[world.a],
        account=world.users["constable"],
    )
    member_c = TeamMemberFactory(force=world.force, neighbourhoods=[world.c])
    in_a = UpdateAgreementFactory(force=world.force, officer=member_a, neighbourhood=world.a)
    in_c = UpdateAgreementFactory(force=world.force, officer=member_c, neighbourhood=world.c)
    DissatisfactionFactory(force=world.force, neighbourhood=world.a, reference="D-MATRIXAA")
    DissatisfactionFactory(force=world.force, neighbourhood=world.c, reference="D-MATRIXCC")
    return {
        "victims": "/staff/victims/",
        "victim_new": "/staff/victims/new/",
        "victim_agreement_a": f"/staff/victims/{in_a.pk}/",
        "victim_agreement_c": f"/staff/victims/{in_c.pk}/",
        "dissatisfaction_list": "/staff/dissatisfaction/",
        "dissatisfaction_new": "/staff/dissatisfaction/new/",
        "dissatisfaction_a": "/staff/dissatisfaction/D-MATRIXAA/",
        "dissatisfaction_c": "/staff/dissatisfaction/D-MATRIXCC/",
        "dissatisfaction_trends": "/staff/dissatisfaction/trends/",
        "dissatisfaction_trends_csv": "/staff/dissatisfaction/trends/category.csv",
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(world, urls, role):  # noqa: F811
    client = Client()
    client.force_login(world.users[role])
    for page, url in urls.items():
        expected = 200 if role in ALLOWED[page] else 403
        assert client.get(url).status_code == expected, (role, page)


def test_anonymous_visitors_are_sent_to_sign_in(world, urls):  # noqa: F811
    for url in urls.values():
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
