"""A small force for the staff pages: neighbourhoods A and B in one command unit, C in
another, D in another force; one user per role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from ourpatch.accounts.factories import PartnerAgencyFactory, StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodFactory,
)


@pytest.fixture
def world(db) -> SimpleNamespace:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    other = ForceFactory(id="north-yorkshire", name="North Yorkshire Police")
    x = BasicCommandUnitFactory(force=force, code="leeds")
    y = BasicCommandUnitFactory(force=force, code="bradford")
    a = NeighbourhoodFactory(force=force, bcu=x, code="A", name="Chapeltown")
    b = NeighbourhoodFactory(force=force, bcu=x, code="B", name="Harehills")
    c = NeighbourhoodFactory(force=force, bcu=y, code="C", name="Manningham")
    d = NeighbourhoodFactory(force=other, code="D", name="Harrogate")

    def staff(role: StaffRole, **kwargs):
        hoods = kwargs.pop("neighbourhoods", None)
        profile = StaffProfileFactory(
            user=UserFactory(username=role.value), role=role, neighbourhoods=hoods, **kwargs
        )
        return profile.user

    users = {
        "force_admin": staff(StaffRole.FORCE_ADMIN, force=force),
        "commander": staff(StaffRole.COMMANDER, force=force, bcu=x),
        "inspector": staff(StaffRole.INSPECTOR, force=force, neighbourhoods=[a, b]),
        "sergeant": staff(StaffRole.SERGEANT, force=force, neighbourhoods=[a]),
        "constable": staff(StaffRole.CONSTABLE, force=force, neighbourhoods=[a]),
        "pcso": staff(StaffRole.PCSO, force=force, neighbourhoods=[a]),
        "analyst": staff(StaffRole.ANALYST, force=force),
        "partner": staff(StaffRole.PARTNER, force=force, agency=PartnerAgencyFactory(force=force)),
        "inspectorate": staff(StaffRole.INSPECTORATE, force=None),
        "other_sergeant": StaffProfileFactory(
            user=UserFactory(username="other_sergeant"),
            role=StaffRole.SERGEANT,
            force=other,
            neighbourhoods=[d],
        ).user,
    }
    return SimpleNamespace(force=force, other=other, a=a, b=b, c=c, d=d, users=users)


@pytest.fixture
def signed_in(world):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return client_for
