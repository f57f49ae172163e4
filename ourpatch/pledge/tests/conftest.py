from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.calls.factories import CallFactory
from ourpatch.calls.models import Grade
from ourpatch.contact.models import Message
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodFactory,
)
from ourpatch.victims.factories import UpdateAgreementFactory

UTC = dt.UTC
# Late in March 2026: every March record has long passed its clock
NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
MARCH = dt.date(2026, 3, 1)
T = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

VICTIM_NAME = "Winifred Victimson"
SENDER_NAME = "Dorothy Sendwell"
SENDER_EMAIL = "dorothy.sendwell@example.org"
ADDRESS = "14 Lilac Grove, Leeds LS7 3QQ"


@dataclass
class World:
    force: Any
    other_force: Any
    x: Any
    y: Any
    a: Any  # in X: the sergeant's
    b: Any  # in X
    c: Any  # in Y
    late_call: Any
    message: Any
    dissatisfaction: Any
    agreement: Any
    users: dict[str, Any]


@pytest.fixture
def world(db) -> World:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    other = ForceFactory(id="north-yorkshire", name="North Yorkshire Police")
    x = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds")
    y = BasicCommandUnitFactory(force=force, code="bradford", name="Bradford")
    a = NeighbourhoodFactory(force=force, bcu=x, code="A", name="Chapeltown")
    b = NeighbourhoodFactory(force=force, bcu=x, code="B", name="Harehills")
    c = NeighbourhoodFactory(force=force, bcu=y, code="C", name="Manningham")
    NeighbourhoodFactory(force=other, code="D", name="Harrogate")
    late_call = CallFactory(
        force=force,
        neighbourhood=a,
        call_id="C0001234",
        received_at=T,
        answered_at=T + dt.timedelta(seconds=25),
    )
    from ourpatch.calls.models import CallLocation

    CallLocation.objects.create(call=late_call, address=ADDRESS, latitude=53.8, longitude=-1.5)
    message = Message.objects.create(
        neighbourhood=a,
        reference="M-ABCD2345",
        sender_name=SENDER_NAME,
        sender_email=SENDER_EMAIL,
        sender_telephone="0113 496 0000",
        body=f"There is a car dumped outside {ADDRESS}.",
        received_at=T,
        first_response_at=T + dt.timedelta(hours=30),
    )
    dissatisfaction = DissatisfactionFactory(
        force=force,
        neighbourhood=a,
        reference="D-ABCDEFGH",
        received_at=T,
        complainant_name="Cuthbert Complainer",
        complainant_contact=SENDER_EMAIL,
    )
    agreement = UpdateAgreementFactory(
        force=force,
        neighbourhood=a,
        victim_name=VICTIM_NAME,
        victim_contact="07700 900123",
        agreed_at=T,
        frequency_days=7,
    )

    def staff(role: StaffRole, **kwargs: Any) -> Any:
        hoods = kwargs.pop("neighbourhoods", None)
        profile = StaffProfileFactory(
            user=UserFactory(username=role.value, email=f"{role.value}@police.example"),
            role=role,
            neighbourhoods=hoods,
            **kwargs,
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
        "inspectorate": staff(StaffRole.INSPECTORATE, force=None),
        "other_sergeant": StaffProfileFactory(
            user=UserFactory(username="sergeant_c", email="sergeant_c@police.example"),
            role=StaffRole.SERGEANT,
            force=force,
            neighbourhoods=[c],
        ).user,
        "no_profile": UserFactory(username="no_profile"),
    }
    return World(force, other, x, y, a, b, c, late_call, message, dissatisfaction, agreement, users)


@pytest.fixture
def unplaced_call(world: World) -> Any:
    """A 999 call from outside every neighbourhood, answered after 40 seconds."""
    return CallFactory(
        force=world.force,
        neighbourhood=None,
        call_id="C0009999",
        received_at=T,
        answered_at=T + dt.timedelta(seconds=40),
        grade=Grade.PRIORITY,
    )
