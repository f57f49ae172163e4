"""Recording what was agreed with a victim, each update given, and the end of the agreement.

One function per step, for the staff pages and anything else that records them. Every
write goes through ``save_personal``, so the audit log says who recorded it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ourpatch.audit.personal import save_personal
from ourpatch.contact.messages import clean_text
from ourpatch.dissatisfaction import handling
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember
from ourpatch.victims.models import (
    EndReason,
    UpdateAgreement,
    UpdateMethod,
    VictimUpdate,
    VictimView,
)

# The views that open an expression of dissatisfaction, so the service can be recovered
DISSATISFIED = frozenset({VictimView.FAIRLY_DISSATISFIED, VictimView.VERY_DISSATISFIED})

# How an update was given → the channel the dissatisfaction was heard on
CHANNEL_OF: dict[str, Channel] = {
    UpdateMethod.TELEPHONE: Channel.TELEPHONE,
    UpdateMethod.EMAIL: Channel.EMAIL,
    UpdateMethod.LETTER: Channel.LETTER,
    UpdateMethod.IN_PERSON: Channel.IN_PERSON,
    UpdateMethod.TEXT: Channel.TEXT,
}


class AgreementError(ValueError):
    """A step that cannot be taken (the agreement has ended, a time out of order)."""


def record_agreement(
    *,
    by: handling.Actor,
    officer: TeamMember,
    neighbourhood: Neighbourhood | None,
    crime_reference: str,
    victim_name: str,
    victim_contact: str,
    method: UpdateMethod | str,
    frequency_days: int | None,
    agreed_at: dt.datetime | None = None,
) -> UpdateAgreement:
    """What the victim chose: how often (None: no updates wanted) and how to be updated."""
    if neighbourhood is not None and neighbourhood.force_id != officer.force_id:
        raise AgreementError("the neighbourhood belongs to another force than the officer")
    if frequency_days is not None and frequency_days < 1:
        raise AgreementError("an interval is at least one day")
    agreement = UpdateAgreement(
        force_id=officer.force_id,
        neighbourhood=neighbourhood,
        officer=officer,
        crime_reference=clean_text(crime_reference)[:40],
        victim_name=clean_text(victim_name)[:200],
        victim_contact=clean_text(victim_contact)[:200],
        method=method,
        frequency_days=frequency_days,
        agreed_at=agreed_at or timezone.now(),
    )
    return save_personal(by, agreement, "recording a victim update agreement")


def record_update(
    agreement: UpdateAgreement,
    *,
    by: handling.Actor,
    given_by: TeamMember | None,
    method: UpdateMethod | str,
    note: str = "",
    victim_view: VictimView | str = VictimView.NOT_ASKED,
    is_callback: bool = False,
    given_at: dt.datetime | None = None,
    category: Category | str = Category.NOT_KEPT_INFORMED,
    acknowledged_on_call: bool = False,
) -> VictimUpdate:
    """An update on the case given to the victim (which restarts the clock of their agreed
    frequency), or a callback that only asks their view of the service (which does not).
    Either may record the victim's view.

    A fairly or very dissatisfied victim opens an expression of dissatisfaction (category
    "not kept informed" unless another is chosen), for the service to be recovered; if the
    person who called said on the call that it will be dealt with, that is its
    acknowledgement.
    """
    now = timezone.now()
    when = given_at or now
    if agreement.ended_at is not None and agreement.ended_at <= when:
        raise AgreementError("the agreement has ended")
    if when < agreement.agreed_at:
        raise AgreementError("an update cannot be given before the agreement was made")
    if when > now + dt.timedelta(minutes=5):
        raise AgreementError("an update cannot be recorded in the future")
    if is_callback and victim_view == VictimView.NOT_ASKED:
        raise AgreementError("a callback records the victim's view of the service")
    update = VictimUpdate(
        agreement=agreement,
        given_at=when,
        given_by=given_by,
        method=method,
        note=clean_text(note)[:5000],
        is_callback=is_callback,
        victim_view=victim_view,
    )
    with transaction.atomic():
        save_personal(by, update, "recording an update given to a victim")
        if victim_view in DISSATISFIED:
            update.dissatisfaction = _open_dissatisfaction(
                agreement, update, by=by, category=category, acknowledged=acknowledged_on_call
            )
            save_personal(
                by, update, "linking a callback to its dissatisfaction", ["dissatisfaction"]
            )
    return update


def _open_dissatisfaction(
    agreement: UpdateAgreement,
    update: VictimUpdate,
    *,
    by: handling.Actor,
    category: Category | str,
    acknowledged: bool,
) -> Dissatisfaction:
    view = VictimView(update.victim_view).label.lower()
    summary = f"Called back about crime {agreement.crime_reference}: {view}."
    if update.note:
        summary += f" {update.note}"
    neighbourhood = agreement.neighbourhood
    if neighbourhood is None:
        # the officer's own team answers for it
        neighbourhood = agreement.officer.neighbourhoods.order_by("name").first()
    record = handling.record_dissatisfaction(
        by=by,
        force=agreement.force,
        neighbourhood=neighbourhood,
        channel=CHANNEL_OF.get(update.method, Channel.TELEPHONE),
        category=category,
        complainant_name=agreement.victim_name,
        complainant_contact=agreement.victim_contact,
        summary=summary,
        received_at=update.given_at,
    )
    if acknowledged:
        handling.acknowledge(
            record, by=by, how=CHANNEL_OF.get(update.method, Channel.TELEPHONE), at=update.given_at
        )
    return record


def end_agreement(
    agreement: UpdateAgreement,
    *,
    by: handling.Actor,
    reason: EndReason | str,
    at: dt.datetime | None = None,
) -> UpdateAgreement:
    """The case is finished, or the victim wants no more updates: nothing more is due."""
    if agreement.ended_at is not None:
        raise AgreementError("the agreement has already ended")
    when = at or timezone.now()
    if when < agreement.agreed_at:
        raise AgreementError("an agreement cannot end before it was made")
    agreement.ended_at = when
    agreement.ended_reason = reason
    return save_personal(
        by, agreement, "ending a victim update agreement", ["ended_at", "ended_reason"]
    )
