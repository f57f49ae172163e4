"""Victim updates, as "Contact Counts" asks (seed 21.8): the victim chooses how often to hear,
the officer keeps to it, and callbacks record what the victim thought (Pledge item 9).

Everything here is personal data: read only through audited queries.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.dissatisfaction.models import Dissatisfaction
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember


class UpdateMethod(models.TextChoices):
    TELEPHONE = "telephone", "Telephone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    TEXT = "text", "Text message"


class VictimView(models.TextChoices):
    """What the victim said of the service when called back (the survey's five-point scale)."""

    VERY_SATISFIED = "very_satisfied", "Very satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied", "Fairly satisfied"
    NEITHER = "neither", "Neither satisfied nor dissatisfied"
    FAIRLY_DISSATISFIED = "fairly_dissatisfied", "Fairly dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied", "Very dissatisfied"
    NOT_ASKED = "not_asked", "Not asked"


class EndReason(models.TextChoices):
    CASE_FINISHED = "case_finished", "The case is finished"
    NO_MORE_UPDATES = "no_more_updates", "The victim no longer wants updates"
    PASSED_ON = "passed_on", "Passed to another force or unit"


class UpdateAgreement(models.Model):
    """What a victim agreed with the officer in the case: how often, and how, to be updated."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, related_name="victim_agreements"
    )
    crime_reference = models.CharField(max_length=40)
    victim_name = models.CharField(max_length=200)
    victim_contact = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=10, choices=UpdateMethod.choices)
    # The victim's chosen interval; None means they asked not to be updated
    frequency_days = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_at = models.DateTimeField(default=timezone.now)
    # The case is finished, or the victim no longer wants updates
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset(
        {
            "id",
            "force",
            "neighbourhood",
            "officer",
            "method",
            "frequency_days",
            "agreed_at",
            "ended_at",
            "ended_reason",
        }
    )

    class Meta:
        ordering = ["agreed_at", "id"]

    def __str__(self) -> str:
        return f"Update agreement {self.crime_reference}"

    def audit_force_id(self) -> str:
        return str(self.force_id)


class VictimUpdate(models.Model):
    """An update given to a victim, or a callback asking for their view of the service."""

    agreement = models.ForeignKey(UpdateAgreement, on_delete=models.CASCADE, related_name="updates")
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=10, choices=UpdateMethod.choices)
    note = models.TextField(blank=True)
    is_callback = models.BooleanField(default=False)
    victim_view = models.CharField(
        max_length=20, choices=VictimView.choices, default=VictimView.NOT_ASKED
    )
    # A dissatisfied callback opens an expression of dissatisfaction, to recover the service
    dissatisfaction = models.OneToOneField(
        Dissatisfaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="victim_callback",
    )

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset(
        {
            "id",
            "agreement",
            "given_at",
            "given_by",
            "method",
            "is_callback",
            "victim_view",
            "dissatisfaction",
        }
    )

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self) -> str:
        return f"Update {self.given_at:%Y-%m-%d}"

    def audit_force_id(self) -> str:
        return str(self.agreement.force_id)
