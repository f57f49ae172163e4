"""A small force for the inbox tests: team A (in scope of its own staff) and team C."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ourpatch.accounts.factories import PartnerAgencyFactory, StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodFactory,
)
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role


@dataclass
class Team:
    force: object
    a: object  # Chapeltown: the sergeant's, constable's and PCSO's
    c: object  # Manningham, another command unit
    sergeant: object  # Tom Walsh's team profile (account: the sergeant user)
    pcso: object  # Aisha Khan's (account: the pcso user)
    constable: object  # Sam Reid's (account: the constable user)
    member_c: object
    users: dict

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who])
        return client


@pytest.fixture
def team(db) -> Team:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    x = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds")
    y = BasicCommandUnitFactory(force=force, code="bradford", name="Bradford")
    a = NeighbourhoodFactory(
        force=force, bcu=x, code="A", name="Chapeltown", email="Chapeltown@police.example"
    )
    c = NeighbourhoodFactory(force=force, bcu=y, code="C", name="Manningham")

    def staff(name: str, role: StaffRole, **kwargs):
        hoods = kwargs.pop("neighbourhoods", None)
        return StaffProfileFactory(
            user=UserFactory(username=name), role=role, neighbourhoods=hoods, **kwargs
        ).user

    users = {
        "sergeant": staff("sergeant", StaffRole.SERGEANT, force=force, neighbourhoods=[a]),
        "constable": staff("constable", StaffRole.CONSTABLE, force=force, neighbourhoods=[a]),
        "pcso": staff("pcso", StaffRole.PCSO, force=force, neighbourhoods=[a]),
        "commander": staff("commander", StaffRole.COMMANDER, force=force, bcu=x),
        "constable_c": staff("constable_c", StaffRole.CONSTABLE, force=force, neighbourhoods=[c]),
        "analyst": staff("analyst", StaffRole.ANALYST, force=force),
        "partner": staff(
            "partner", StaffRole.PARTNER, force=force, agency=PartnerAgencyFactory(force=force)
        ),
        "inspectorate": staff("inspectorate", StaffRole.INSPECTORATE, force=None),
    }
    sergeant = TeamMemberFactory(
        force=force,
        name="Tom Walsh",
        role=Role.SERGEANT,
        neighbourhoods=[a],
        account=users["sergeant"],
    )
    pcso = TeamMemberFactory(
        force=force, name="Aisha Khan", role=Role.PCSO, neighbourhoods=[a], account=users["pcso"]
    )
    constable = TeamMemberFactory(
        force=force,
        name="Sam Reid",
        role=Role.CONSTABLE,
        neighbourhoods=[a],
        account=users["constable"],
    )
    member_c = TeamMemberFactory(force=force, name="Jo Patel", role=Role.PCSO, neighbourhoods=[c])
    return Team(force, a, c, sergeant, pcso, constable, member_c, users)
