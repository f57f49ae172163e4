"""Each Pledge rule against records counted by hand: edges, urban and rural, summer time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from ourpatch.calls.factories import AppointmentFactory, CallFactory
from ourpatch.calls.models import CallKind, CallOutcome, Grade, RejectedCall, RejectReason
from ourpatch.contact.models import Message
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.engagement.factories import MeetingFactory
from ourpatch.engagement.models import EngagementKind, MeetingStatus
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodFactory,
)
from ourpatch.geography.models import AreaClass
from ourpatch.pledge.clocks import month_bounds, months_ending
from ourpatch.pledge.factories import PledgeStandardsFactory
from ourpatch.pledge.measures import measure
from ourpatch.pledge.rules import BY_ITEM, make_scope
from ourpatch.teams.factories import DutyFactory, TeamMemberFactory
from ourpatch.teams.models import DutyActivity, DutyRejectReason, RejectedDuty
from ourpatch.updates.models import MonthlyUpdate
from ourpatch.victims.factories import UpdateAgreementFactory, VictimUpdateFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MARCH = dt.date(2026, 3, 1)
JUNE = dt.date(2026, 6, 1)
JULY = dt.date(2026, 7, 1)
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
S = dt.timedelta(seconds=1)
MIN = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)


@pytest.fixture
def place():
    force = ForceFactory(id="test-shire", name="Test Shire Police")
    x = BasicCommandUnitFactory(force=force, code="x", name="District X")
    y = BasicCommandUnitFactory(force=force, code="y", name="District Y")
    urban = NeighbourhoodFactory(force=force, bcu=x, code="U", name="Urbanton")
    rural = NeighbourhoodFactory(
        force=force, bcu=x, code="R", name="Ruralby", area_class=AreaClass.RURAL
    )
    other = NeighbourhoodFactory(force=force, bcu=y, code="C", name="Otherham")
    return force, x, y, urban, rural, other


def figures(force, item, months=None, now=NOW, hoods=None):
    scope = make_scope(
        force, months or months_ending(NOVEMBER, 12), now=now, neighbourhood_ids=hoods
    )
    return measure(scope, [BY_ITEM[item]]), scope


def tally(result, level, id, month):
    measures, _ = result
    unit = measures.unit(level, id)
    return measures.items[next(iter(measures.items))].month(unit, month)


def keys(result):
    _, scope = result
    item = next(iter(result[0].items))
    return {b.record_key for b in BY_ITEM[item].breaches(scope)}


# Item 5 ----------------------------------------------------------------------------------------


def emergency(force, hood, received, *, answer=5 * S, attend=12 * MIN, **kwargs):
    answered = None if answer is None else received + answer
    dispatched = received + 2 * MIN
    return CallFactory(
        force=force,
        neighbourhood=hood,
        received_at=received,
        answered_at=answered,
        graded_at=dispatched,
        dispatched_at=dispatched,
        arrived_at=None if attend is None else dispatched + attend,
        **kwargs,
    )


def test_item_5_edges_urban_rural_eta_and_exclusions(place):
    force, x, _, urban, rural, other = place
    t = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    emergency(force, urban, t, answer=10 * S, attend=15 * MIN, call_id="EDGE")  # met, both edges
    emergency(force, urban, t, answer=10 * S + dt.timedelta(milliseconds=1), call_id="SLOW")
    emergency(force, urban, t, attend=15 * MIN + S, call_id="LATEURBAN")
    emergency(force, rural, t, attend=18 * MIN, call_id="RURALOK")  # 20 minutes in rural areas
    emergency(force, rural, t, attend=20 * MIN + S, call_id="LATERURAL")
    emergency(force, urban, t, eta_given=False, call_id="NOETA")
    emergency(force, urban, t, answer=None, call_id="NOANSWER")
    emergency(force, urban, t, attend=None, call_id="NOARRIVAL")
    emergency(force, None, t, call_id="NOWHERE")
    emergency(force, urban, t, eta_given=None, call_id="ETAUNKNOWN")
    # a 999 call graded priority is judged on its answer alone
    CallFactory(
        force=force,
        neighbourhood=rural,
        received_at=t,
        grade=Grade.PRIORITY,
        dispatched_at=None,
        arrived_at=None,
        eta_given=None,
        call_id="PRIORITY999",
    )
    # a 101 call graded emergency is attended as an emergency, whatever its answer time
    emergency(force, other, t, answer=50 * S, kind=CallKind.NON_EMERGENCY, call_id="101EMERG")
    # a 101 call graded priority is item 6's, not item 5's
    CallFactory(
        force=force,
        neighbourhood=urban,
        received_at=t,
        kind=CallKind.NON_EMERGENCY,
        grade=Grade.PRIORITY,
        call_id="NOT5",
    )

    result = figures(force, 5)
    u = tally(result, "neighbourhood", urban.pk, MARCH)
    assert (u.counted, u.met) == (4, 1)  # EDGE met; SLOW, LATEURBAN, NOETA missed
    assert u.excluded == Counter(
        {
            "999 call with no answer time": 1,
            "emergency with no dispatch or arrival time": 1,
            "emergency with no record of whether an ETA was given": 1,
        }
    )
    r = tally(result, "neighbourhood", rural.pk, MARCH)
    assert (r.counted, r.met) == (3, 2)  # RURALOK, PRIORITY999 met; LATERURAL missed
    c = tally(result, "neighbourhood", other.pk, MARCH)
    assert (c.counted, c.met) == (1, 1)
    bcu = tally(result, "bcu", x.pk, MARCH)
    assert (bcu.counted, bcu.met) == (7, 3)
    f = tally(result, "force", force.pk, MARCH)
    assert (f.counted, f.met, f.excluded_total) == (8, 4, 4)
    assert f.excluded["emergency in no neighbourhood: urban or rural not known"] == 1
    assert f.rate == pytest.approx(0.5)
    assert keys(result) == {"call:SLOW", "call:LATEURBAN", "call:LATERURAL", "call:NOETA"}
    details = {b.record_key: b.detail for b in BY_ITEM[5].breaches(result[1])}
    assert "rural standard 20 minutes" in details["call:LATERURAL"]
    assert "urban standard 15 minutes" in details["call:LATEURBAN"]
    assert "no estimated time of arrival" in details["call:NOETA"]


def test_item_5_month_boundary_in_summer_time(place):
    force, _, _, urban, _, _ = place
    # 00:30 on 1 July (BST) is 23:30 on 30 June in UTC: it is a July call
    july_first = dt.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    assert july_first.astimezone(UTC).day == 30
    emergency(force, urban, july_first, answer=20 * S, call_id="JULY")
    # 23:30 on 30 June (BST) is a June call
    emergency(force, urban, dt.datetime(2026, 6, 30, 23, 30, tzinfo=LONDON), call_id="JUNE")
    result = figures(force, 5)
    june = tally(result, "neighbourhood", urban.pk, JUNE)
    july = tally(result, "neighbourhood", urban.pk, JULY)
    assert (june.counted, june.met) == (1, 1)
    assert (july.counted, july.met) == (1, 0)
    [breach] = BY_ITEM[5].breaches(result[1])
    assert breach.month == JULY


def test_standards_are_the_forces_own(place):
    force, _, _, urban, _, _ = place
    PledgeStandardsFactory(force=force, emergency_answer_seconds=15)
    emergency(force, urban, dt.datetime(2026, 3, 10, 9, tzinfo=UTC), answer=12 * S)
    t = tally(figures(force, 5), "neighbourhood", urban.pk, MARCH)
    assert (t.counted, t.met) == (1, 1)


# Item 4 ----------------------------------------------------------------------------------------


def message(hood, received, replied=None, **kwargs):
    return Message.objects.create(
        neighbourhood=hood,
        sender_name="Dora Sender",
        sender_email="dora@example.org",
        body="The streetlight is out.",
        received_at=received,
        first_response_at=replied,
        **kwargs,
    )


def test_item_4_counts_real_hours_across_the_clocks_going_back(place):
    force, _, _, urban, _, _ = place
    # 00:30 on Sunday 25 October 2026 is still summer time: 23:30 UTC on the 24th
    received = dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    # 24 real hours later the wall clock (now GMT) says 23:30 on the 25th, not 00:30 the 26th
    met = message(
        urban, received, dt.datetime(2026, 10, 25, 23, 29, tzinfo=LONDON), reference="M-MET"
    )
    late = message(
        urban, received, dt.datetime(2026, 10, 25, 23, 31, tzinfo=LONDON), reference="M-LATE"
    )
    edge = message(urban, received, received.astimezone(UTC) + 24 * H, reference="M-EDGE")

    def elapsed(m):  # in UTC: Python subtracts same-zone datetimes by their wall clocks
        return m.first_response_at.astimezone(UTC) - m.received_at.astimezone(UTC)

    assert elapsed(late) > 24 * H > elapsed(met)
    assert late.first_response_at - late.received_at < 24 * H  # what a wall clock says
    assert elapsed(edge) == 24 * H
    message(urban, dt.datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), None, reference="M-NOREPLY")
    # November: one unanswered inside its 24 hours, one answered before it arrived
    message(urban, NOW - 2 * H, None, reference="M-WAITING")
    message(urban, NOW - 30 * H, NOW - 31 * H, reference="M-BACKWARDS")
    result = figures(force, 4)
    october = tally(result, "neighbourhood", urban.pk, OCTOBER)
    assert (october.counted, october.met) == (4, 2)
    november = tally(result, "neighbourhood", urban.pk, NOVEMBER)
    assert (november.counted, november.met) == (0, 0)
    assert november.excluded == Counter(
        {
            "awaiting a reply, still within 24 hours": 1,
            "a reply recorded before the message arrived": 1,
        }
    )
    assert keys(result) == {"message:M-LATE", "message:M-NOREPLY"}


# Item 6 ----------------------------------------------------------------------------------------


def call101(force, hood, received, call_id, *, answer=20 * S, outcome=CallOutcome.ADVICE, **kw):
    defaults = dict(
        force=force,
        neighbourhood=hood,
        call_id=call_id,
        kind=CallKind.NON_EMERGENCY,
        grade=Grade.SCHEDULED,
        received_at=received,
        answered_at=None if answer is None else received + answer,
        graded_at=None,
        dispatched_at=None,
        arrived_at=None,
        eta_given=None,
        outcome=outcome,
    )
    defaults.update(kw)
    return CallFactory(**defaults)


def test_item_6_answer_attendance_appointments_and_advice(place):
    force, _, _, urban, _, _ = place
    t = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    call101(force, urban, t, "A30", answer=30 * S)  # met at the edge
    call101(force, urban, t, "A31", answer=31 * S)
    call101(
        force,
        urban,
        t,
        "V60",
        outcome=CallOutcome.ATTENDED,
        vulnerable=True,
        grade=Grade.PRIORITY,
        arrived_at=t + 60 * MIN,
    )
    call101(
        force,
        urban,
        t,
        "V61",
        outcome=CallOutcome.ATTENDED,
        vulnerable=True,
        grade=Grade.PRIORITY,
        arrived_at=t + 61 * MIN,
    )
    call101(force, urban, t, "P-APPT", outcome=CallOutcome.APPOINTMENT, neighbourhood_priority=True)
    call101(force, urban, t, "V-ADVICE", outcome=CallOutcome.ADVICE, vulnerable=True)
    call101(force, urban, t, "ATTENDED", outcome=CallOutcome.ATTENDED, arrived_at=t + 5 * H)
    appt48 = call101(force, urban, t, "APPT48", outcome=CallOutcome.APPOINTMENT)
    AppointmentFactory(
        force=force, neighbourhood=urban, call=appt48, requested_at=t, appointment_at=t + 48 * H
    )
    appt49 = call101(force, urban, t, "APPT49", outcome=CallOutcome.APPOINTMENT)
    AppointmentFactory(
        force=force, neighbourhood=urban, call=appt49, requested_at=t, appointment_at=t + 49 * H
    )
    chose = call101(force, urban, t, "CHOSE", outcome=CallOutcome.APPOINTMENT)
    AppointmentFactory(
        force=force,
        neighbourhood=urban,
        call=chose,
        requested_at=t,
        appointment_at=t + 96 * H,
        caller_chose_later=True,
    )
    call101(force, urban, t, "NOAPPT", outcome=CallOutcome.APPOINTMENT)
    call101(force, urban, t, "NOOUTCOME", outcome="")
    call101(force, urban, t, "NOANSWER", answer=None)
    call101(force, urban, t, "VNOARRIVAL", outcome=CallOutcome.ATTENDED, vulnerable=True)
    # an appointment made without a call (at the front desk): 50 hours is a breach
    standalone = AppointmentFactory(
        force=force, neighbourhood=urban, requested_at=t, appointment_at=t + 50 * H
    )
    result = figures(force, 6)
    u = tally(result, "neighbourhood", urban.pk, MARCH)
    # 11 calls (A30 A31 V60 V61 P-APPT V-ADVICE ATTENDED APPT48 APPT49 CHOSE NOAPPT) and
    # 4 appointments, each its own promise (those of APPT48, APPT49, CHOSE; the standalone)
    assert u.counted == 15
    # calls: all but A31, V61, P-APPT; appointments: APPT48's and CHOSE's
    assert u.met == 10
    assert u.excluded == Counter(
        {
            "101 call with no outcome recorded": 1,
            "101 call with no answer time": 1,
            "priority call attended, with no arrival time": 1,
            "appointment made, but not recorded": 1,  # NOAPPT's, beside the call counted
        }
    )
    late = AppointmentFactory._meta.model.objects.get(call__call_id="APPT49")
    assert keys(result) == {
        "call:A31",
        "call:V61",
        "call:P-APPT",
        f"appointment:{late.pk}",
        f"appointment:{standalone.pk}",
    }
    details = {b.record_key: b.detail for b in BY_ITEM[6].breaches(result[1])}
    assert details[f"appointment:{late.pk}"] == (
        "appointment for call APPT49 49.0 hours after the request (standard 48 hours)"
    )


# Item 10 ---------------------------------------------------------------------------------------


def test_item_10_acknowledgement_within_24_hours(place):
    force, _, _, urban, _, other = place
    t = dt.datetime(2026, 3, 28, 12, tzinfo=UTC)  # the clocks go forward on the 29th
    DissatisfactionFactory(
        force=force,
        neighbourhood=urban,
        received_at=t,
        acknowledged_at=t + 24 * H,
        reference="D-EDGE",
    )
    DissatisfactionFactory(
        force=force,
        neighbourhood=urban,
        received_at=t,
        acknowledged_at=t + 24 * H + S,
        reference="D-LATE",
    )
    DissatisfactionFactory(force=force, neighbourhood=other, received_at=t, reference="D-NEVER")
    DissatisfactionFactory(force=force, neighbourhood=None, received_at=NOW - H, reference="D-NEW")
    result = figures(force, 10)
    f = tally(result, "force", force.pk, MARCH)
    assert (f.counted, f.met) == (3, 1)
    assert tally(result, "force", force.pk, NOVEMBER).excluded == Counter(
        {"awaiting acknowledgement, still within 24 hours": 1}
    )
    assert keys(result) == {"dissatisfaction:D-LATE", "dissatisfaction:D-NEVER"}


# Item 9 ----------------------------------------------------------------------------------------


def test_item_9_updates_owed_as_agreed(place):
    force, _, _, urban, _, _ = place
    agreed = dt.datetime(2026, 3, 2, 10, tzinfo=UTC)
    every_14 = UpdateAgreementFactory(
        force=force, neighbourhood=urban, frequency_days=14, agreed_at=agreed
    )
    VictimUpdateFactory(agreement=every_14, given_at=agreed + dt.timedelta(days=10))  # on time
    # a callback asking the victim's view is not a case update
    VictimUpdateFactory(
        agreement=every_14, given_at=agreed + dt.timedelta(days=20), is_callback=True
    )
    # due on day 24 (26 March), given on day 25: late, counted in March when it fell due
    VictimUpdateFactory(agreement=every_14, given_at=agreed + dt.timedelta(days=25))
    # then nothing: the next fell due on day 39 (10 April) and is still owed
    monthly = UpdateAgreementFactory(
        force=force, neighbourhood=urban, frequency_days=30, agreed_at=agreed
    )
    # asked for monthly: 31 days is still on time
    VictimUpdateFactory(agreement=monthly, given_at=agreed + dt.timedelta(days=31))
    VictimUpdateFactory(agreement=monthly, given_at=agreed + dt.timedelta(days=62))
    ended = UpdateAgreementFactory(
        force=force,
        neighbourhood=urban,
        frequency_days=7,
        agreed_at=agreed,
        ended_at=agreed + dt.timedelta(days=5),
    )
    UpdateAgreementFactory(force=force, neighbourhood=urban, frequency_days=None, agreed_at=agreed)
    # monthly's third update fell due on day 93 (3 June): overdue
    result = figures(force, 9)
    march = tally(result, "neighbourhood", urban.pk, MARCH)
    assert (march.counted, march.met) == (2, 1)
    april = tally(result, "neighbourhood", urban.pk, dt.date(2026, 4, 1))
    assert (april.counted, april.met) == (2, 1)  # every_14 overdue; monthly's first on time
    may = tally(result, "neighbourhood", urban.pk, dt.date(2026, 5, 1))
    assert (may.counted, may.met) == (1, 1)
    june = tally(result, "neighbourhood", urban.pk, JUNE)
    assert (june.counted, june.met) == (1, 0)
    assert keys(result) == {
        f"victim-update:{every_14.pk}:2026-03-26",
        f"victim-update:{every_14.pk}:2026-04-10",
        f"victim-update:{monthly.pk}:2026-06-03",
    }
    assert not any(str(ended.pk) == k.split(":")[1] for k in keys(result))


# Item 7 and 8 ----------------------------------------------------------------------------------


def test_item_7_only_meetings_held_count(place):
    force, _, _, urban, rural, other = place
    held = dt.datetime(2026, 3, 12, 18, tzinfo=UTC)
    MeetingFactory(
        neighbourhood=urban, starts_at=held, ends_at=held + 2 * H, status=MeetingStatus.HELD
    )
    # advertised only, never recorded as held
    MeetingFactory(neighbourhood=rural, starts_at=held, ends_at=held + 2 * H)
    # held, but an online survey is not a public meeting
    MeetingFactory(
        neighbourhood=other,
        starts_at=held,
        ends_at=held + 2 * H,
        status=MeetingStatus.HELD,
        kind=EngagementKind.ONLINE_SURVEY,
    )
    result = figures(force, 7)
    assert tally(result, "neighbourhood", urban.pk, MARCH).met == 1
    assert tally(result, "neighbourhood", rural.pk, MARCH).met == 0
    f = tally(result, "force", force.pk, MARCH)
    assert (f.counted, f.met) == (3, 1)
    assert tally(result, "force", force.pk, NOVEMBER).excluded == Counter(
        {"the month is not over yet": 3}
    )
    assert {"meetings:R:2026-03", "meetings:C:2026-03"} <= keys(result)
    assert "meetings:U:2026-03" not in keys(result)


def test_item_8_a_published_update_each_month(place):
    force, _, _, urban, _, _ = place
    for month in (MARCH, OCTOBER):
        MonthlyUpdate.objects.create(
            neighbourhood=urban, month=month, html="", text="", generated_at=NOW
        )
    result = figures(force, 8)
    f = tally(result, "force", force.pk, MARCH)
    assert (f.counted, f.met) == (3, 1)
    assert tally(result, "force", force.pk, OCTOBER).counted == 3  # due by 8 November
    early = figures(force, 8, now=dt.datetime(2026, 11, 5, tzinfo=UTC))
    october = tally(early, "force", force.pk, OCTOBER)
    assert (october.counted, october.met) == (1, 1)  # published already
    assert october.excluded == Counter({"not due until 7 days after the month": 2})
    assert "update:R:2026-03" in keys(result)


# Item 2 and 3 ----------------------------------------------------------------------------------


def test_item_2_a_named_team_with_photos_kept_current(place):
    force, _, _, urban, rural, other = place
    recent = NOW - dt.timedelta(days=10)
    TeamMemberFactory(
        force=force,
        neighbourhoods=[urban],
        photo="team-photos/a.jpg",
        last_confirmed=recent,
        start_date=dt.date(2020, 1, 1),
    )
    TeamMemberFactory(
        force=force,
        neighbourhoods=[rural],
        photo="",
        last_confirmed=recent,
        start_date=dt.date(2020, 1, 1),
    )
    # "other" has only a member who left before November
    TeamMemberFactory(
        force=force,
        neighbourhoods=[other],
        photo="team-photos/b.jpg",
        last_confirmed=recent,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2026, 10, 15),
    )
    result = figures(force, 2)
    assert tally(result, "neighbourhood", urban.pk, NOVEMBER).met == 1
    assert tally(result, "neighbourhood", rural.pk, NOVEMBER).met == 0
    assert tally(result, "neighbourhood", other.pk, NOVEMBER).met == 0
    assert tally(result, "neighbourhood", other.pk, dt.date(2026, 9, 1)).met == 1
    details = {b.record_key: b.detail for b in BY_ITEM[2].breaches(result[1])}
    assert details["team:R:2026-11"] == "1 of 1 without a photo"
    assert details["team:C:2026-11"] == "no named team member"
    # not confirmed for over 90 days
    stale = figures(force, 2, now=NOW + dt.timedelta(days=120), months=[dt.date(2027, 3, 1)])
    assert tally(stale, "neighbourhood", urban.pk, dt.date(2027, 3, 1)).met == 0


def test_item_3_visible_share_of_duty_time(place):
    force, _, _, urban, rural, _ = place
    pc = TeamMemberFactory(force=force, neighbourhoods=[urban])
    pcso = TeamMemberFactory(force=force, neighbourhoods=[rural])
    day = dt.datetime(2026, 3, 2, 8, tzinfo=UTC)
    DutyFactory(member=pc, starts_at=day, ends_at=day + 8 * H, neighbourhood=urban)
    DutyFactory(
        member=pc,
        starts_at=day + 24 * H,
        ends_at=day + 26 * H,
        neighbourhood=urban,
        activity=DutyActivity.RESPONSE,
    )  # abstracted, though in the neighbourhood
    # the PCSO patrols someone else's patch for 4 of 10 hours
    DutyFactory(member=pcso, starts_at=day, ends_at=day + 6 * H, neighbourhood=rural)
    DutyFactory(member=pcso, starts_at=day + 24 * H, ends_at=day + 28 * H, neighbourhood=urban)
    result = figures(force, 3)
    u = tally(result, "neighbourhood", urban.pk, MARCH)
    assert (u.counted, u.met) == (1, 1)
    assert u.rate == pytest.approx(0.8)  # exactly the standard
    r = tally(result, "neighbourhood", rural.pk, MARCH)
    assert (r.counted, r.met) == (1, 0)
    assert r.rate == pytest.approx(0.6)
    bcu = tally(result, "bcu", urban.bcu_id, MARCH)
    assert bcu.rate == pytest.approx(14 / 20)
    assert tally(result, "neighbourhood", urban.pk, dt.date(2026, 4, 1)).excluded == Counter(
        {"no duty records": 1}
    )
    [breach] = BY_ITEM[3].breaches(result[1])
    assert breach.record_key == "visible-time:R:2026-03"
    assert "60% of 10 duty hours" in breach.detail
    # a row of the duty export the import refused is shown, not silently left out
    RejectedDuty.objects.create(
        key="rejected-1",
        force=force,
        neighbourhood=urban,
        starts_at=day,
        source_file="d.csv",
        line=7,
        field="ends_at",
        reason=DutyRejectReason.OUT_OF_ORDER,
        message="ends before",
    )
    again = tally(figures(force, 3), "neighbourhood", urban.pk, MARCH)
    assert (again.counted, again.met) == (1, 1)
    assert again.excluded == Counter({"duty rows refused by the import: ends before it starts": 1})


def test_calls_the_import_refused_are_shown_among_the_exclusions(place):
    force, _, _, urban, _, _ = place
    t = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    emergency(force, urban, t, call_id="GOOD")
    RejectedCall.objects.create(
        key="r1",
        force=force,
        call_id="BAD1",
        received_at=t,
        neighbourhood=urban,
        source_file="calls.csv",
        line=3,
        field="answered_at",
        reason=RejectReason.OUT_OF_ORDER,
        message="answered before received",
    )
    RejectedCall.objects.create(
        key="r2",
        force=force,
        call_id="BAD2",
        received_at=t,
        neighbourhood=None,
        source_file="calls.csv",
        line=4,
        field="neighbourhood",
        reason=RejectReason.UNKNOWN_NEIGHBOURHOOD,
        message="no such neighbourhood",
    )
    for item in (5, 6):
        result = figures(force, item)
        u = tally(result, "neighbourhood", urban.pk, MARCH)
        assert u.excluded == Counter({"refused by the calls import: times out of order": 1})
        f = tally(result, "force", force.pk, MARCH)
        assert f.excluded_total == 2
        assert f.excluded["refused by the calls import: an unknown neighbourhood"] == 1
    assert tally(figures(force, 5), "neighbourhood", urban.pk, MARCH).counted == 1


def test_scope_of_one_neighbourhood_counts_only_its_records(place):
    force, _, _, urban, rural, _ = place
    t = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    emergency(force, urban, t, call_id="U1")
    emergency(force, rural, t, call_id="R1", answer=30 * S)
    result = figures(force, 5, hoods=[rural.pk])
    f = tally(result, "force", force.pk, MARCH)
    assert (f.counted, f.met) == (1, 0)
    assert keys(result) == {"call:R1"}


def test_month_bounds_are_local_midnight():
    start, end = month_bounds(dt.date(2026, 3, 1))
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 1, 0, tzinfo=UTC)  # GMT
    assert end.astimezone(UTC) == dt.datetime(2026, 3, 31, 23, tzinfo=UTC)  # BST


def test_items_5_and_6_read_together_give_what_each_gives_alone(place):
    force, _, _, urban, rural, _ = place
    t = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    emergency(force, urban, t, answer=12 * S, call_id="E1")
    emergency(force, rural, t, attend=25 * MIN, call_id="E2")
    call101(force, urban, t, "N1", answer=45 * S)
    call101(force, rural, t, "N2", outcome=CallOutcome.APPOINTMENT)
    call101(force, urban, t, "N3", answer=None)
    scope = make_scope(force, months_ending(NOVEMBER, 12), now=NOW)
    together = measure(scope)
    for item in (5, 6):
        alone = measure(scope, [BY_ITEM[item]])
        for unit, tallies in alone.items[item].by_unit.items():
            assert together.items[item].by_unit[unit] == tallies, (item, unit)
    f = together.items[6].month(together.force_unit, MARCH)
    # N1 answered slowly; N2 met, its appointment never recorded; N3 has no answer time
    assert (f.counted, f.met, f.excluded_total) == (2, 1, 2)
