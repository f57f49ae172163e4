"""Expressions of dissatisfaction: acknowledged within 24 hours, a resolution agreed (Pledge
item 10), and categorised so the force learns from them (seed 5.8, 20.5).

The complainant's details are personal data, read only through audited queries.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "D-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


class Category(models.TextChoices):
    """What the dissatisfaction is about: quality of service, as forces record it."""

    NO_RESPONSE = "no_response", "No reply or slow reply"
    NOT_KEPT_INFORMED = "not_kept_informed", "Not kept informed"
    ATTENDANCE = "attendance", "Late or no attendance"
    INCIVILITY = "incivility", "Incivility or attitude"
    NO_ACTION = "no_action", "Nothing done about the problem"
    INFORMATION = "information", "Wrong or missing information"
    ACCESS = "access", "Could not reach the team"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Telephone"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    TEXT = "text", "Text message"


class Dissatisfaction(models.Model):
    """One expression of dissatisfaction with the service."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    about_member = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    complainant_name = models.CharField(max_length=200)
    complainant_contact = models.CharField(max_length=200, blank=True)
    # Where a receipt can be emailed (the public form's email address)
    complainant_email = models.EmailField(blank=True)
    summary = models.TextField(max_length=5000)
    # Pledge item 10: a person acknowledged it (the emailed receipt does not count)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_how = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)
    # When the complainant agreed the resolution (Pledge item 10: "resolution agreed")
    resolution_agreed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The automatic receipt emailed by the worker (sent once)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    # A keyed hash of the web sender's network address, for the rate limit only
    sender_address_hash = models.CharField(max_length=64, blank=True, db_index=True)

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset(
        {
            "id",
            "force",
            "reference",
            "neighbourhood",
            "received_at",
            "channel",
            "category",
            "about_member",
            "acknowledged_at",
            "acknowledged_how",
            "acknowledged_by",
            "resolution_agreed_at",
            "closed_at",
            "receipt_sent_at",
        }
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "expressions of dissatisfaction"
        indexes = [models.Index(fields=["force", "received_at"], name="dissatisfaction_force_time")]

    def __str__(self) -> str:
        return self.reference

    def audit_force_id(self) -> str:
        return str(self.force_id)
