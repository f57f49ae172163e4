"""Explanations: public words that identify no one, for a real breach, by the team in scope;
and unexplained breaches flagged to the owning sergeant, once."""

from __future__ import annotations

import datetime as dt

import pytest

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.pledge.explanations import (
    ExplanationRefused,
    check_text,
    explain_breach,
    identifying_details,
)
from ourpatch.pledge.jobs import flag_unexplained
from ourpatch.pledge.models import BreachFlag, Explanation
from ourpatch.pledge.tests.conftest import MARCH, NOW
from ourpatch.worker.queue import run_pending

pytestmark = pytest.mark.django_db

WHY = "Both cars were committed to a serious collision on the ring road."


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ring her back on 0113 496 0000.", "a telephone number"),
        ("Reply sent to dorothy@example.org by mistake.", "an email address"),
        ("The caller at LS7 3QQ was out.", "a postcode"),
        ("Attended 14 Lilac Grove first.", "a house number and street"),
        ("Mrs Sendwell was not in.", "a person's name"),
    ],
)
def test_identifying_text_is_refused_saying_what_was_found(text, found):
    assert found in identifying_details(text)
    with pytest.raises(ExplanationRefused, match=found):
        check_text(text)


def test_ordinary_explanations_pass():
    for text in (WHY, "2 units at the park event; the call came in at 0930.", "Crime 13/000123/26"):
        assert check_text(text) == text
    with pytest.raises(ExplanationRefused):
        check_text("   ")


def test_the_team_explains_a_real_breach(world):
    sergeant = world.users["sergeant"]
    saved = explain_breach(sergeant, world.a, 5, MARCH, "call:C0001234", WHY, now=NOW)
    assert (saved.month, saved.neighbourhood, saved.written_by) == (MARCH, world.a, sergeant)
    # replaced, not duplicated
    explain_breach(sergeant, world.a, 5, MARCH, "call:C0001234", "Cars diverted.", now=NOW)
    assert Explanation.objects.get(record_key="call:C0001234").text == "Cars diverted."
    # a constable of the neighbourhood may explain too
    explain_breach(world.users["constable"], world.a, 4, MARCH, "message:M-ABCD2345", WHY, now=NOW)
    assert Explanation.objects.count() == 2


def test_no_explanation_for_what_is_not_a_breach_or_not_yours(world):
    sergeant = world.users["sergeant"]
    with pytest.raises(ExplanationRefused, match="not a breach"):
        explain_breach(sergeant, world.a, 5, MARCH, "call:NOSUCHCALL", WHY, now=NOW)
    with pytest.raises(ExplanationRefused, match="not a breach"):
        explain_breach(sergeant, world.a, 4, MARCH, "call:C0001234", WHY, now=NOW)  # wrong item
    with pytest.raises(ExplanationRefused, match="may not"):
        explain_breach(
            world.users["other_sergeant"], world.a, 5, MARCH, "call:C0001234", WHY, now=NOW
        )
    with pytest.raises(ExplanationRefused, match="may not"):
        explain_breach(world.users["analyst"], world.a, 5, MARCH, "call:C0001234", WHY, now=NOW)
    with pytest.raises(ExplanationRefused, match="identify"):
        explain_breach(sergeant, world.a, 5, MARCH, "call:C0001234", "See LS7 3QQ", now=NOW)
    assert not Explanation.objects.exists()


def test_unexplained_breaches_are_flagged_to_the_sergeant_once(world, mailoutbox):
    explain_breach(world.users["sergeant"], world.a, 4, MARCH, "message:M-ABCD2345", WHY, now=NOW)
    flagged = flag_unexplained(now=NOW)
    assert flagged > 0
    keys = set(BreachFlag.objects.filter(neighbourhood=world.a).values_list("item", "record_key"))
    assert (5, "call:C0001234") in keys
    assert (10, "dissatisfaction:D-ABCDEFGH") in keys
    assert (9, f"victim-update:{world.agreement.pk}:2026-03-17") in keys
    assert (4, "message:M-ABCD2345") not in keys  # explained
    assert run_pending() >= 2
    to = sorted(tuple(m.to) for m in mailoutbox)
    # A's sergeant and C's sergeant, each once; B has no sergeant: its flags wait on the page
    assert to == [("sergeant@police.example",), ("sergeant_c@police.example",)]
    mail = next(m for m in mailoutbox if m.to == ["sergeant@police.example"])
    assert "call:C0001234" in mail.body
    assert "/staff/pledge/west-yorkshire/neighbourhoods/A/5/2026-03/" in mail.body
    assert "Manningham" not in mail.body  # C's breaches went to C's sergeant
    for secret in ("Winifred", "Dorothy", "dorothy.sendwell", "Lilac", "Cuthbert"):
        assert secret not in mail.body
    # the next day: nothing new, no second email
    assert flag_unexplained(now=NOW + dt.timedelta(days=1)) == 0
    run_pending()
    assert len(mailoutbox) == 2
    assert all(f.sent_to == ["sergeant"] for f in BreachFlag.objects.filter(neighbourhood=world.a))


def test_breaches_younger_than_the_due_days_wait(world):
    # on 14 March the call's breach (10 March) is 4 days old: not yet due an explanation
    flag_unexplained(now=dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC))
    assert not BreachFlag.objects.filter(record_key="call:C0001234").exists()


# --------------------------------------------------------------------------------------------
# Breaches placed in no neighbourhood: explained for the force


@pytest.mark.parametrize("role", ["force_admin", "commander"])
def test_the_force_administrator_and_commanders_explain_a_breach_in_no_neighbourhood(
    world, unplaced_call, role
):
    user = world.users[role]
    saved = explain_breach(user, world.force, 5, MARCH, "call:C0009999", WHY, now=NOW)
    assert (saved.force, saved.neighbourhood, saved.month, saved.written_by) == (
        world.force,
        None,
        MARCH,
        user,
    )


@pytest.mark.parametrize(
    "role", ["inspector", "sergeant", "constable", "pcso", "analyst", "inspectorate", "no_profile"]
)
def test_nobody_else_explains_a_breach_in_no_neighbourhood(world, unplaced_call, role):
    with pytest.raises(ExplanationRefused, match="may not"):
        explain_breach(world.users[role], world.force, 5, MARCH, "call:C0009999", WHY, now=NOW)
    assert not Explanation.objects.exists()


def test_another_forces_administrator_may_not_explain_it(world, unplaced_call):
    admin = StaffProfileFactory(
        user=UserFactory(username="ny_admin"), role=StaffRole.FORCE_ADMIN, force=world.other_force
    ).user
    with pytest.raises(ExplanationRefused, match="may not"):
        explain_breach(admin, world.force, 5, MARCH, "call:C0009999", WHY, now=NOW)


def test_for_the_force_only_breaches_in_no_neighbourhood_and_in_public_words(world, unplaced_call):
    admin = world.users["force_admin"]
    # a neighbourhood's breach is explained by its team, through the neighbourhood
    with pytest.raises(ExplanationRefused, match="not a breach of Pledge item 5 in no neighbourh"):
        explain_breach(admin, world.force, 5, MARCH, "call:C0001234", WHY, now=NOW)
    with pytest.raises(ExplanationRefused, match="not a breach"):
        explain_breach(admin, world.force, 4, MARCH, "call:C0009999", WHY, now=NOW)
    # and a breach in no neighbourhood is not one of any neighbourhood's
    with pytest.raises(ExplanationRefused, match="not a breach"):
        explain_breach(admin, world.a, 5, MARCH, "call:C0009999", WHY, now=NOW)
    with pytest.raises(ExplanationRefused, match="a postcode"):
        explain_breach(admin, world.force, 5, MARCH, "call:C0009999", "See LS7 3QQ", now=NOW)
    assert not Explanation.objects.exists()


def test_a_breach_in_no_neighbourhood_is_flagged_to_the_force_administrator(
    world, unplaced_call, mailoutbox
):
    flag_unexplained(now=NOW)
    flag = BreachFlag.objects.get(record_key="call:C0009999")
    assert flag.neighbourhood is None and flag.item == 5
    run_pending()
    [mail] = [m for m in mailoutbox if "call:C0009999" in m.body]
    admin = world.users["force_admin"]
    assert mail.to == [admin.email]  # not a sergeant's: no neighbourhood has it
    assert "/staff/pledge/west-yorkshire/no-neighbourhood/5/2026-03/" in mail.body
    sergeants = [m for m in mailoutbox if m.to == ["sergeant@police.example"]]
    assert sergeants and all("call:C0009999" not in m.body for m in sergeants)
    # explained, it is not flagged again; nor is it emailed twice
    explain_breach(admin, world.force, 5, MARCH, "call:C0009999", WHY, now=NOW)
    flag_unexplained(now=NOW + dt.timedelta(days=1))
    run_pending()
    assert sum("call:C0009999" in m.body for m in mailoutbox) == 1
