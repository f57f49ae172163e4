"""Calls for service, 999 and non-emergency, from the force's call-handling export, and the
appointments made instead of attending (Pledge items 5 and 6).

A call's times, grade and flags identify no one; where it came from does, so the location is
kept apart in :class:`CallLocation`, read only through an audited query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember


class CallKind(models.TextChoices):
    EMERGENCY = "999", "999 emergency"
    NON_EMERGENCY = "101", "101 non-emergency"


class Grade(models.TextChoices):
    """The call's grade after assessment (the national call-handling standards)."""

    EMERGENCY = "emergency", "Emergency: immediate attendance"
    PRIORITY = "priority", "Priority: attend within the hour"
    SCHEDULED = "scheduled", "Scheduled: an appointment"
    RESOLUTION = "resolution", "Resolved without attendance (advice)"


class CallOutcome(models.TextChoices):
    ADVICE = "advice", "Advice given"
    ATTENDED = "attended", "Attended"
    APPOINTMENT = "appointment", "Appointment made"


class Call(models.Model):
    """One call for service. Times are aware datetimes, stored in UTC."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="calls")
    # The call-handling system's id: the import's key, unique within the force
    call_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=3, choices=CallKind.choices)
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    # The caller was vulnerable or upset: Pledge item 6 promises attendance within 60 minutes
    vulnerable = models.BooleanField(default=False)
    # The call concerns an agreed neighbourhood priority: the same promise
    neighbourhood_priority = models.BooleanField(default=False)
    # An estimated time of arrival was given to the caller (Pledge item 5)
    eta_given = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=CallOutcome.choices, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    source_file = models.CharField(max_length=200, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["force", "call_id"], name="call_id_unique_in_force"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=models.F("received_at")),
                name="call_answered_after_received",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(dispatched_at__isnull=True)
                | Q(arrived_at__gte=models.F("dispatched_at")),
                name="call_arrived_after_dispatched",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "received_at"], name="call_force_time"),
            models.Index(fields=["neighbourhood", "received_at"], name="call_place_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} call {self.call_id}"


class CallLocation(models.Model):
    """Where a call came from or was about: personal data (often a home address)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="location")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Location of call {self.call_id}"

    def audit_force_id(self) -> str:
        return str(self.call.force_id)


class Appointment(models.Model):
    """An appointment offered instead of attendance: Pledge item 6 promises one within 48 hours."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="appointments")
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    # When the need arose (the call's receipt, or the request): the 48-hour clock starts here
    requested_at = models.DateTimeField()
    appointment_at = models.DateTimeField()
    officer = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    kept = models.BooleanField(null=True, blank=True)
    # Later than 48 hours at the caller's own choice is not a breach
    caller_chose_later = models.BooleanField(default=False)

    class Meta:
        ordering = ["appointment_at"]
        indexes = [
            models.Index(fields=["neighbourhood", "requested_at"], name="appointment_place_time")
        ]

    def __str__(self) -> str:
        return f"Appointment {self.appointment_at:%Y-%m-%d %H:%M}"
