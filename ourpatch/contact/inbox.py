"""The team inbox: the 24-hour clock, assigning, replying and closing (Pledge item 4).

The Pledge measures each message from ``Message.received_at`` to ``Message.first_response_at``:
the first reply that reached the resident (an email when it was sent; a telephone call or a
visit when it was recorded). Everything here keeps that contract.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ourpatch.audit.personal import SYSTEM, SystemReader, save_personal
from ourpatch.contact.messages import ANSWER_WITHIN_HOURS, clean_text
from ourpatch.contact.models import Message, MessageReply
from ourpatch.geography.models import Neighbourhood
from ourpatch.pledge.models import PledgeStandards
from ourpatch.teams.absences import away_until
from ourpatch.teams.models import ROLE_ORDER, TeamMember
from ourpatch.worker.queue import enqueue, handler

Actor = AbstractBaseUser | AnonymousUser | SystemReader

# any queryset of messages (the audited one included): filters keep its type
MessageSet = TypeVar("MessageSet", bound=QuerySet[Message])

REPLY_MAX_CHARS = 10000


class Status(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "new": "New: for the team",
            "assigned": "Assigned",
            "answered": "Answered",
            "closed": "Closed",
        }[self.value]


def status_of(message: Message) -> Status:
    if message.closed_at is not None:
        return Status.CLOSED
    if message.first_response_at is not None:
        return Status.ANSWERED
    if message.assigned_to_id is not None:
        return Status.ASSIGNED
    return Status.NEW


def with_status(messages: MessageSet, status: Status) -> MessageSet:
    """The messages in ``status``: a filter on operational fields only (no audited read)."""
    if status == Status.CLOSED:
        return messages.filter(closed_at__isnull=False)
    open_ = messages.filter(closed_at__isnull=True)
    if status == Status.ANSWERED:
        return open_.filter(first_response_at__isnull=False)
    unanswered = open_.filter(first_response_at__isnull=True)
    if status == Status.ASSIGNED:
        return unanswered.filter(assigned_to__isnull=False)
    return unanswered.filter(assigned_to__isnull=True)


def answer_within_hours(force_id: str) -> int:
    """The force's standard for answering a message (the Pledge's 24 hours by default)."""
    hours = (
        PledgeStandards.objects.filter(force_id=force_id)
        .values_list("message_answer_hours", flat=True)
        .first()
    )
    return hours or ANSWER_WITHIN_HOURS


def _utc(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("the answer clock needs aware datetimes (a naive time has no zone)")
    return moment.astimezone(dt.UTC)


def describe_duration(span: dt.timedelta) -> str:
    """A span in words a busy officer reads at a glance: "1 day 3 h", "5 h 20 min"."""
    minutes = int(abs(span).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return "less than a minute"


@dataclass(frozen=True)
class AnswerClock:
    """One message's Pledge clock. All times are aware and in UTC; show them in local time."""

    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    now: dt.datetime

    @property
    def stopped_at(self) -> dt.datetime:
        """When the clock stopped: the first answer, the close, or (running) now."""
        return self.answered_at or self.closed_at or self.now

    @property
    def remaining(self) -> dt.timedelta:
        """Time left before the deadline (negative: overdue by that much)."""
        return self.due_at - self.stopped_at

    @property
    def overdue(self) -> bool:
        return self.remaining < dt.timedelta(0)

    @property
    def met(self) -> bool | None:
        """Was the standard met? None while unanswered and not yet due."""
        if self.answered_at is not None:
            return self.answered_at <= self.due_at
        return False if self.overdue else None

    def describe(self) -> str:
        if self.answered_at is not None:
            took = describe_duration(self.answered_at - self.received_at)
            if self.met:
                return f"Answered in {took}"
            return f"Answered {describe_duration(self.remaining)} late (took {took})"
        if self.closed_at is not None:
            return "Closed without an answer"
        if self.overdue:
            return f"Overdue by {describe_duration(self.remaining)}"
        return f"{describe_duration(self.remaining)} left"


def answer_due(
    message: Message, standards_hours: int = ANSWER_WITHIN_HOURS, *, now: dt.datetime | None = None
) -> AnswerClock:
    """The message's answer clock: due ``standards_hours`` elapsed hours after it came in.

    Worked in UTC, so a deadline that crosses a change of the clocks (the last Sunday of
    March or October) is still 24 real hours away, not 23 or 25.
    """
    received = _utc(message.received_at)
    return AnswerClock(
        received_at=received,
        due_at=received + dt.timedelta(hours=standards_hours),
        answered_at=_utc(message.first_response_at) if message.first_response_at else None,
        closed_at=_utc(message.closed_at) if message.closed_at else None,
        now=_utc(now or timezone.now()),
    )


def overdue(messages: MessageSet, standards_hours: int, now: dt.datetime) -> MessageSet:
    """Open, unanswered messages past their deadline (operational fields only)."""
    deadline = _utc(now) - dt.timedelta(hours=standards_hours)
    return messages.filter(
        closed_at__isnull=True, first_response_at__isnull=True, received_at__lt=deadline
    )


# --- the team -------------------------------------------------------------------------


def team_of(neighbourhood: Neighbourhood, on: dt.date) -> list[TeamMember]:
    """The neighbourhood's current team, who leads it first."""
    return sorted(
        neighbourhood.team_members.current(on),
        key=lambda m: (ROLE_ORDER.index(m.role), m.name),
    )


def member_for(user: Any) -> TeamMember | None:
    """The team member whose account this is, if any (to sign a reply)."""
    if not getattr(user, "is_authenticated", False) or isinstance(user, SystemReader):
        return None
    return TeamMember.objects.filter(account_id=user.pk).first()


class InboxError(ValueError):
    """An inbox action that cannot be done; the text says why, to the officer."""


def _now_local(now: dt.datetime | None) -> tuple[dt.datetime, dt.date]:
    moment = now or timezone.now()
    return moment, timezone.localdate(moment)


def assign(
    message: Message, member: TeamMember | None, *, by: Actor, now: dt.datetime | None = None
) -> Message:
    """Give the message to one current member of its team, or (None) back to the team."""
    moment, today = _now_local(now)
    if message.closed_at is not None:
        raise InboxError("This message is closed.")
    if member is None:
        message.assigned_to = None
        message.routing_note = f"Returned to the team on {timezone.localtime(moment):%-d %b %H:%M}"
    else:
        in_team = (
            member.is_current(today)
            and member.neighbourhoods.filter(pk=message.neighbourhood_id).exists()
        )
        if not in_team:
            raise InboxError(f"{member.name} is not a current member of this team.")
        until = away_until(member, today)
        if until is not None:
            # nothing waits on one person: someone away cannot be given a message
            raise InboxError(
                f"{member.name} is away until {until:%A %-d %B}: give it to someone who is in."
            )
        message.assigned_to = member
        message.routing_note = (
            f"Assigned to {member.name} on {timezone.localtime(moment):%-d %b %H:%M}"
        )
    return save_personal(
        by, message, "team inbox: message assigned", ["assigned_to", "routing_note"]
    )


class ReplyMethod(enum.StrEnum):
    EMAIL = "email"
    TELEPHONE = "telephone"
    IN_PERSON = "in_person"


def reply_methods(message: Message) -> list[ReplyMethod]:
    """How this resident can be answered: by email only if they gave an address."""
    methods = [ReplyMethod.TELEPHONE, ReplyMethod.IN_PERSON]
    return [ReplyMethod.EMAIL, *methods] if message.sender_email else methods


def _record_first_response(message: Message, at: dt.datetime, by: Actor, purpose: str) -> bool:
    """Stop the Pledge clock at ``at``, once: the first reply that reached the resident."""
    current = (
        Message.objects.select_for_update()
        .filter(pk=message.pk)
        .values_list("first_response_at", flat=True)
        .get()
    )
    if current is not None:
        message.first_response_at = current
        return False
    message.first_response_at = at
    save_personal(by, message, purpose, ["first_response_at"])
    return True


def reply(
    message: Message,
    *,
    body: str,
    method: ReplyMethod | str,
    by: Actor,
    author_member: TeamMember | None = None,
    now: dt.datetime | None = None,
) -> MessageReply:
    """Answer a message. An email is sent by the worker; a call or visit is recorded as given.

    The Pledge clock stops when the answer reached the resident: when the email went, or
    when the call or visit was recorded.
    """
    moment = now or timezone.now()
    if message.closed_at is not None:
        raise InboxError("This message is closed: it cannot be answered here.")
    try:
        how = ReplyMethod(method)
    except ValueError:
        raise InboxError("Choose how the resident was answered.") from None
    if how not in reply_methods(message):
        raise InboxError(
            "This resident gave no email address: answer by telephone or in person, "
            "and record what was said."
        )
    text = clean_text(body)
    if not text:
        raise InboxError("Write the reply, or what was said to the resident.")
    if len(text) > REPLY_MAX_CHARS:
        raise InboxError(f"A reply can be at most {REPLY_MAX_CHARS:,} characters.")
    with transaction.atomic():
        answer = save_personal(
            by,
            MessageReply(
                message=message,
                author=by if isinstance(by, User) else None,
                author_member=author_member,
                body=text,
                written_at=moment,
                method=how.value,
            ),
            f"team inbox: reply to {message.reference} ({how.value})",
        )
        if how == ReplyMethod.EMAIL:
            # the worker sends it; the clock stops only when it has gone
            enqueue(SEND_REPLY, {"reply": answer.pk}, key=f"reply:{answer.pk}")
        else:
            _record_first_response(
                message, answer.written_at, by, f"team inbox: {message.reference} answered"
            )
    return answer


def close(
    message: Message, *, by: Actor, note: str = "", now: dt.datetime | None = None
) -> Message:
    """Close a message. One never answered needs a reason, kept with it."""
    moment = now or timezone.now()
    if message.closed_at is not None:
        return message
    reason = clean_text(note)[:200]
    if message.first_response_at is None and not reason:
        raise InboxError(
            "This message has not been answered: say why it is closed "
            "(for example, a duplicate of another message)."
        )
    message.closed_at = moment
    message.closed_note = reason
    return save_personal(by, message, "team inbox: message closed", ["closed_at", "closed_note"])


# --- sending a reply ------------------------------------------------------------------

SEND_REPLY = "contact.send_reply"


def reply_text(answer: MessageReply, message: Message, neighbourhood: Neighbourhood) -> str:
    signed = answer.author_member
    signature = f"{signed.get_role_display()} {signed.name}\n" if signed else ""
    received = timezone.localtime(message.received_at)
    again = (
        "To write again, reply to this email."
        if neighbourhood.email
        else (
            "To write again, use the contact form at "
            f"{settings.OURPATCH_SITE_URL.rstrip('/')}/neighbourhoods/"
            f"{neighbourhood.force_id}/{neighbourhood.code}/contact/"
        )
    )
    quoted = "\n".join(f"> {line}" for line in message.body.splitlines())
    return (
        f"{answer.body}\n\n"
        f"{signature}{neighbourhood.name} neighbourhood policing team\n\n"
        f"Your reference: {message.reference}. {again}\n"
        "In an emergency call 999.\n\n"
        f"You wrote on {received:%A %-d %B %Y at %H:%M}:\n{quoted}\n"
    )


@handler(SEND_REPLY)
def send_reply(payload: dict[str, Any]) -> None:
    """Email a reply to the resident, once; the Pledge clock stops when the first one goes."""
    answer = (
        MessageReply.objects.select_for_update(of=("self",))
        .select_related("message", "message__neighbourhood", "author_member")
        .read_by(SYSTEM, "sending the team's reply to a resident")
        .get(pk=payload["reply"])
    )
    if answer.sent_at is not None:
        return  # already sent: a retried job must not email twice
    message = answer.message
    team = message.neighbourhood
    if not message.sender_email:
        raise InboxError(f"{message.reference} has no email address to reply to")
    EmailMessage(
        subject=f"Reply from the {team.name} team: {message.reference}",
        body=reply_text(answer, message, team),
        to=[message.sender_email],
        # the resident's answer goes to the team's shared inbox, never to one person
        reply_to=[team.email] if team.email else None,
    ).send()
    sent = timezone.now()
    answer.sent_at = sent
    save_personal(SYSTEM, answer, "reply emailed to the resident", ["sent_at"])
    _record_first_response(message, sent, SYSTEM, f"{message.reference} answered by email")


# --- absence cover --------------------------------------------------------------------


def return_messages_of_absent(member: TeamMember, *, by: Actor, on: dt.date) -> list[str]:
    """Give the open, unanswered messages of a member who is away (or has left) to the team.

    Returns their references. Recommendation 5: nothing waits on one person.
    """
    until = away_until(member, on)
    if until is not None:
        note = f"{member.name} is away until {until:%a %-d %b %Y}: returned to the team"
    elif not member.is_current(on):
        note = f"{member.name} has left the team: returned to the team"
    else:
        return []
    waiting = (
        Message.objects.filter(
            assigned_to=member, closed_at__isnull=True, first_response_at__isnull=True
        )
        .select_related("neighbourhood")
        .read_by(by, "absence cover: returning messages to the team")
    )
    references = []
    for message in waiting:
        message.assigned_to = None
        message.routing_note = note[:200]
        save_personal(
            by, message, "absence cover: returned to the team", ["assigned_to", "routing_note"]
        )
        references.append(message.reference)
    return references


def cover_absences(on: dt.date) -> list[str]:
    """For the worker: return to their teams the messages of everyone away or gone today."""
    away = Q(absences__starts_on__lte=on, absences__ends_on__gte=on)
    gone = Q(end_date__lt=on)
    holding = TeamMember.objects.filter(
        away | gone,
        assigned_messages__closed_at__isnull=True,
        assigned_messages__first_response_at__isnull=True,
    ).distinct()
    references: list[str] = []
    for member in holding:
        references += return_messages_of_absent(member, by=SYSTEM, on=on)
    return references
