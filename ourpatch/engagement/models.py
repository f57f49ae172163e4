"""Meetings and other engagement: how the community tells its team what matters (seed 15.10)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember


class EngagementKind(models.TextChoices):
    """The menu of engagement methods in seed 15.10."""

    PACT = "pact", "PACT meeting"
    SURGERY = "surgery", "Surgery"
    STREET_BRIEFING = "street_briefing", "Street briefing"
    MOBILE_STATION = "mobile_station", "Mobile police station visit"
    ONLINE_SURVEY = "online_survey", "Online survey"
    FOCUS_GROUP = "focus_group", "Focus group"
    KEY_INDIVIDUAL = "key_individual", "Key individual network contact"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A meeting or other engagement, advertised before and recorded after (Pledge item 7)."""

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(max_length=20, choices=EngagementKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # Recorded after the event
    attendance = models.PositiveIntegerField(null=True, blank=True)
    police_attendees = models.ManyToManyField(
        TeamMember, blank=True, related_name="meetings_attended"
    )
    partner_attendees = models.TextField(blank=True)
    issues_raised = models.TextField(blank=True)
    cancelled_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    # When the worker flagged it to the sergeant as "advertised, not confirmed" (seed 14.7)
    unconfirmed_flagged_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_reason=""),
                name="cancelled_meeting_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.starts_at:%Y-%m-%d})"


def _token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """A resident's email subscription to a neighbourhood's meetings and updates.

    Double opt-in: it only counts once confirmed from the email. The token is the only key
    to it, so the confirmation and one-click unsubscribe links need no sign-in.
    """

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="subscriptions"
    )
    email = models.EmailField()
    token = models.CharField(max_length=40, unique=True, default=_token)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The last bounce reported for this address (recorded, not silently retried)
    bounced_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataQuerySet.as_manager()
    # Which subscriptions a neighbourhood has, and when they were confirmed or ended, say
    # nothing about anyone: the list of whom to send to is read without an audit entry, and
    # each address when it is read to send to it, with one
    OPERATIONAL_FIELDS = frozenset(
        {"id", "neighbourhood", "created_at", "confirmed_at", "unsubscribed_at", "bounced_at"}
    )

    class Meta:
        ordering = ["neighbourhood", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "email"], name="one_subscription_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    def audit_force_id(self) -> str:
        return str(self.neighbourhood.force_id)


class KeyIndividual(models.Model):
    """A member of a key individual network: someone who agreed to be contacted (seed 15.10).

    Held only with their consent, its date recorded; personal data, read only through the
    audited queryset.
    """

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="key_individuals"
    )
    name = models.CharField(max_length=200)
    role_in_community = models.CharField(
        max_length=200, blank=True, help_text="For example: shopkeeper, faith leader, warden"
    )
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    consent_given_on = models.DateField()
    consent_withdrawn_on = models.DateField(null=True, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["neighbourhood", "name"]

    def __str__(self) -> str:
        return f"key individual {self.pk}"

    def audit_force_id(self) -> str:
        return str(self.neighbourhood.force_id)


class PreferredMethod(models.TextChoices):
    """How residents say they want to be engaged (seed 15.4)."""

    MEETING = "meeting", "Public meetings"
    SURGERY = "surgery", "Drop-in surgeries"
    STREET = "street", "Street briefings and door knocking"
    EMAIL = "email", "Email updates"
    ONLINE = "online", "Online surveys and forums"
    SOCIAL = "social", "Social media"
    NEWSLETTER = "newsletter", "A printed newsletter"
    PHONE = "phone", "Telephone"


class EngagementPreference(models.Model):
    """One resident's answer, kept without who gave it: only the summary is used."""

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="engagement_preferences"
    )
    methods = models.JSONField(default=list)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["neighbourhood", "recorded_at"]

    def __str__(self) -> str:
        return f"preference {self.pk}"
