"""The staff page for recording a neighbourhood's appointments (Pledge item 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.calls.appointments import AppointmentRefused, month_bounds, record_appointment
from ourpatch.calls.factories import AppointmentFactory, CallFactory
from ourpatch.calls.models import Appointment
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory

UTC = dt.UTC
URL = "/staff/neighbourhoods/west-yorkshire/NH1/appointments/"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    hood = NeighbourhoodFactory(force=force, code="NH1", name="City Centre")
    other = NeighbourhoodFactory(force=force, code="NH2", name="Chapeltown")
    officer = TeamMemberFactory(force=force, name="PCSO Sam Green", neighbourhoods=[hood])

    def staff(username: str, role: str, hoods: list[Any]) -> Any:
        return StaffProfileFactory(
            user=UserFactory(username=username), role=role, force=force, neighbourhoods=hoods
        ).user

    return {
        "force": force,
        "hood": hood,
        "other": other,
        "officer": officer,
        "sergeant": staff("sergeant", StaffRole.SERGEANT, [hood]),
        "elsewhere": staff("elsewhere", StaffRole.CONSTABLE, [other]),
        "analyst": staff("analyst", StaffRole.ANALYST, []),
    }


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_strangers_and_other_teams_cannot_see_the_page(world) -> None:
    assert Client().get(URL).status_code == 302  # to sign in
    assert client(world["elsewhere"]).get(URL).status_code == 403
    assert client(world["analyst"]).get(URL).status_code == 403
    assert client(world["sergeant"]).get(URL).status_code == 200


def test_the_page_lists_the_uk_months_appointments(world) -> None:
    hood = world["hood"]
    # 23:30 GMT on 31 March 2026 is 00:30 BST on 1 April: April's
    AppointmentFactory(
        force=world["force"],
        neighbourhood=hood,
        requested_at=dt.datetime(2026, 3, 30, 9, tzinfo=UTC),
        appointment_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
        call=CallFactory(force=world["force"], call_id="C-APRIL"),
        officer=world["officer"],
    )
    AppointmentFactory(
        force=world["force"],
        neighbourhood=hood,
        requested_at=dt.datetime(2026, 3, 27, 9, tzinfo=UTC),
        appointment_at=dt.datetime(2026, 3, 31, 22, 59, tzinfo=UTC),  # 23:59 BST: March's
    )
    AppointmentFactory(  # another team's
        force=world["force"],
        neighbourhood=world["other"],
        requested_at=dt.datetime(2026, 4, 2, 9, tzinfo=UTC),
        appointment_at=dt.datetime(2026, 4, 2, 10, tzinfo=UTC),
    )
    april = client(world["sergeant"]).get(URL + "?month=2026-04").content.decode()
    assert "C-APRIL" in april and "PCSO Sam Green" in april
    assert "Wed 1 Apr 2026 00:30" in april and "39 hours" in april
    assert april.count("<tr>") == 2  # the header and one appointment
    march = client(world["sergeant"]).get(URL + "?month=2026-03").content.decode()
    assert "Tue 31 Mar 2026 23:59" in march
    # real elapsed hours, across the change to summer time on 29 March
    assert "110 hours <strong>: later than 48 hours</strong>" in march


def test_recording_an_appointment_in_uk_summer_time(world) -> None:
    response = client(world["sergeant"]).post(
        URL,
        {
            "requested_at": "2026-07-01 09:30",
            "appointment_at": "2026-07-02 14:00",
            "officer": world["officer"].pk,
        },
    )
    assert response.status_code == 302
    made = Appointment.objects.get()
    assert made.neighbourhood == world["hood"] and made.force == world["force"]
    assert made.requested_at == dt.datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert made.appointment_at == dt.datetime(2026, 7, 2, 13, tzinfo=UTC)
    assert made.officer == world["officer"] and made.call is None


@pytest.mark.parametrize(
    "when",
    [
        "2026-03-29 01:30",  # the clocks go forward: this never happens
        "2026-10-25 01:30",  # the clocks go back: this happens twice
    ],
)
def test_a_uk_time_that_is_missing_or_repeated_is_refused(world, when) -> None:
    response = client(world["sergeant"]).post(
        URL, {"requested_at": "2026-03-02 09:00", "appointment_at": when}
    )
    assert response.status_code == 400
    assert "couldn’t be interpreted in time zone Europe/London" in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_appointment_before_the_request_is_refused(world) -> None:
    response = client(world["sergeant"]).post(
        URL, {"requested_at": "2026-03-02 09:00", "appointment_at": "2026-03-01 09:00"}
    )
    assert response.status_code == 400
    assert "cannot be before it was asked for" in response.content.decode()


def test_only_the_teams_current_officers_can_be_chosen(world) -> None:
    stranger = TeamMemberFactory(force=world["force"])
    response = client(world["sergeant"]).post(
        URL,
        {
            "requested_at": "2026-03-02 09:00",
            "appointment_at": "2026-03-03 09:00",
            "officer": stranger.pk,
        },
    )
    assert response.status_code == 400 and not Appointment.objects.exists()


def test_record_appointment_refuses_another_forces_officer(world) -> None:
    with pytest.raises(AppointmentRefused, match="not in this force"):
        record_appointment(
            world["hood"],
            requested_at=dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
            appointment_at=dt.datetime(2026, 3, 3, 9, tzinfo=UTC),
            officer=TeamMemberFactory(),
        )


def test_month_bounds_are_uk_midnights() -> None:
    start, end = month_bounds(dt.date(2026, 4, 1))
    assert start == dt.datetime(2026, 3, 31, 23, tzinfo=UTC)  # BST
    assert end == dt.datetime(2026, 4, 30, 23, tzinfo=UTC)
    start, end = month_bounds(dt.date(2026, 12, 1))
    assert (start.month, end.year, end.month) == (12, 2027, 1)
