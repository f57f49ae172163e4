"""The 24-hour Pledge clock: 24 real hours, whatever the clocks on the wall do."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ourpatch.contact.inbox import answer_due, describe_duration
from ourpatch.contact.models import Message

LONDON = ZoneInfo("Europe/London")


def _message(received: dt.datetime, answered: dt.datetime | None = None) -> Message:
    # the clock reads only the two times the Pledge measures: no database needed
    return Message(received_at=received, first_response_at=answered)


def test_a_message_is_due_24_hours_after_it_came_in():
    received = dt.datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    clock = answer_due(_message(received), now=dt.datetime(2026, 6, 10, 17, 0, tzinfo=LONDON))
    assert clock.due_at == dt.datetime(2026, 6, 11, 9, 30, tzinfo=LONDON)
    assert clock.remaining == dt.timedelta(hours=16, minutes=30)
    assert not clock.overdue and clock.met is None
    assert clock.describe() == "16 h 30 min left"


def test_across_the_last_sunday_of_march_the_deadline_is_an_hour_later_on_the_wall():
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026: 24 real hours after
    # 10:00 GMT on Saturday is 11:00 BST on Sunday.
    received = dt.datetime(2026, 3, 28, 10, 0, tzinfo=LONDON)
    clock = answer_due(_message(received), now=dt.datetime(2026, 3, 29, 10, 30, tzinfo=LONDON))
    assert clock.due_at.astimezone(LONDON) == dt.datetime(2026, 3, 29, 11, 0, tzinfo=LONDON)
    assert clock.remaining == dt.timedelta(minutes=30)  # 23.5 h on the wall, 23.5 h real
    assert clock.describe() == "30 min left"


def test_across_the_last_sunday_of_october_the_deadline_is_an_hour_earlier_on_the_wall():
    # Clocks go back at 01:00 GMT on Sunday 25 October 2026: 24 real hours after
    # 10:00 BST on Saturday is 09:00 GMT on Sunday.
    received = dt.datetime(2026, 10, 24, 10, 0, tzinfo=LONDON)
    now = dt.datetime(2026, 10, 25, 9, 30, tzinfo=LONDON)  # only 23.5 h on the wall
    clock = answer_due(_message(received), now=now)
    assert clock.due_at.astimezone(LONDON) == dt.datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)
    assert clock.overdue and clock.met is False
    assert clock.describe() == "Overdue by 30 min"


def test_an_answer_at_the_same_wall_time_next_day_is_late_in_october_and_early_in_march():
    october = answer_due(
        _message(
            dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON),
            answered=dt.datetime(2026, 10, 25, 12, 0, tzinfo=LONDON),  # 25 real hours
        )
    )
    assert october.met is False
    assert october.describe() == "Answered 1 h 0 min late (took 1 day 1 h)"
    march = answer_due(
        _message(
            dt.datetime(2026, 3, 28, 12, 0, tzinfo=LONDON),
            answered=dt.datetime(2026, 3, 29, 12, 0, tzinfo=LONDON),  # 23 real hours
        )
    )
    assert march.met is True
    assert march.describe() == "Answered in 23 h 0 min"


def test_the_clock_stops_at_the_first_answer_not_at_now():
    received = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    clock = answer_due(
        _message(received, answered=received + dt.timedelta(hours=3, minutes=5)),
        now=received + dt.timedelta(days=30),
    )
    assert clock.met is True and not clock.overdue
    assert clock.describe() == "Answered in 3 h 5 min"


def test_the_force_can_set_its_own_standard():
    received = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    clock = answer_due(
        _message(received), standards_hours=12, now=received + dt.timedelta(hours=13)
    )
    assert clock.due_at == received + dt.timedelta(hours=12)
    assert clock.describe() == "Overdue by 1 h 0 min"


def test_a_time_with_no_zone_is_refused():
    with pytest.raises(ValueError, match="aware"):
        answer_due(_message(dt.datetime(2026, 6, 10, 9, 0)))


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(seconds=59), "less than a minute"),
        (dt.timedelta(minutes=5), "5 min"),
        (dt.timedelta(hours=2, minutes=1), "2 h 1 min"),
        (dt.timedelta(days=1, hours=1), "1 day 1 h"),
        (dt.timedelta(days=3, hours=4, minutes=50), "3 days 4 h"),
        (-dt.timedelta(hours=2), "2 h 0 min"),
    ],
)
def test_spans_read_at_a_glance(span, words):
    assert describe_duration(span) == words
