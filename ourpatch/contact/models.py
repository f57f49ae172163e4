"""Records of contact between residents and their team. Everything here is personal data."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember

# No 0/O or 1/I: a reference is read out over the telephone.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "M-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


class Message(models.Model):
    """A message from a resident to their neighbourhood team (Pledge item 4: answered in 24 h)."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="messages"
    )
    sender_name = models.CharField(max_length=200)
    sender_email = models.EmailField(blank=True)
    sender_telephone = models.CharField(max_length=40, blank=True)
    # Stored as plain text and always escaped when shown: never rendered as HTML
    body = models.TextField(max_length=5000)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Where it came from, keyed and hashed: enough to limit abuse, not to find the sender
    sender_address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Set by the worker when the acknowledgement email has gone, so it never goes twice
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(
        max_length=10, choices=[("web", "Web form"), ("email", "Email")], default="web"
    )
    # The officer the resident wrote to, if they chose one; while that officer is away the
    # message goes to the whole team (Recommendation 5: nothing waits on one person)
    addressed_to = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who in the team is answering it; empty means the team's shared inbox
    assigned_to = models.ForeignKey(
        TeamMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_messages",
    )
    # Why it was routed as it was, in words the team reads ("PC Khan is away until 3 Dec")
    routing_note = models.CharField(max_length=200, blank=True)
    # Pledge item 4 stops its clock at the first reply that reached the resident
    first_response_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why it was closed when it was never answered ("a duplicate of M-…", "not for us")
    closed_note = models.CharField(max_length=200, blank=True)
    # An email's Message-ID: a mail system delivering the same email twice stores it once
    email_message_id = models.CharField(max_length=250, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    # Fields that identify no one: compliance is computed over these without an audited read
    OPERATIONAL_FIELDS = frozenset(
        {
            "id",
            "reference",
            "neighbourhood",
            "received_at",
            "acknowledged_at",
            "channel",
            "addressed_to",
            "assigned_to",
            "first_response_at",
            "closed_at",
        }
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "email_message_id"],
                condition=~models.Q(email_message_id=""),
                name="message_email_stored_once_per_team",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_force_id(self) -> str:
        return str(self.neighbourhood.force_id)


class MessageReply(models.Model):
    """A reply from the team to a resident's message, sent to the resident by the worker."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_member = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Plain text, escaped when shown, as the message itself
    body = models.TextField(max_length=10000)
    written_at = models.DateTimeField(default=timezone.now)
    # Set by the worker when the email to the resident has gone
    sent_at = models.DateTimeField(null=True, blank=True)
    # A reply by telephone or in person is recorded, not sent
    method = models.CharField(
        max_length=10,
        choices=[("email", "Email"), ("telephone", "Telephone"), ("in_person", "In person")],
        default="email",
    )

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset({"id", "message", "written_at", "sent_at", "method"})

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Reply to {self.message_id}"

    def audit_force_id(self) -> str:
        return str(self.message.neighbourhood.force_id)
