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

    # No index of its own on force or neighbourhood: the composite indexes below lead with
    # them, and every index slows the import of a force-year of calls
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="calls", db_index=False)
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
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        db_index=False,
    )
    source_file = models.CharField(max_length=200, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    # A digest of the values the import last wrote (location and appointment included), so a
    # re-import can tell unchanged calls without reading the personal location back
    fingerprint = models.CharField(max_length=32, blank=True, editable=False)

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


class RejectReason(models.TextChoices):
    """Why a row of an export was quarantined rather than counted (shown as "n excluded")."""

    MISSING = "missing", "a required value is missing"
    NOT_A_TIME = "not_a_time", "a time that cannot be read"
    NO_ZONE = "no_zone", "a time without its zone"
    OUT_OF_ORDER = "out_of_order", "times out of order"
    DUPLICATE = "duplicate", "the call id appears twice in the file"
    UNKNOWN_FORCE = "unknown_force", "an unknown force"
    UNKNOWN_NEIGHBOURHOOD = "unknown_neighbourhood", "an unknown neighbourhood"
    BAD_VALUE = "bad_value", "a value that is not one of those allowed"
    BAD_LOCATION = "bad_location", "coordinates unreadable or outside the UK"
    TOO_LONG = "too_long", "a value too long to store"
    BAD_ROW = "bad_row", "a row with the wrong number of fields"


class RejectedCall(models.Model):
    """A row of a call-handling export that could not be imported, kept so that nothing is
    lost and the Pledge figures can say how many calls they exclude and why.

    The row as the file gave it (``raw``) may hold an address: personal data, read only
    through an audited query. The other fields say nothing about the caller.
    """

    # a digest of the raw row and how many identical bad rows came before it in its file:
    # the same row imported again is the same rejection, whatever the file is called
    key = models.CharField(max_length=64, unique=True)
    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    force_text = models.CharField(max_length=64, blank=True)  # as written, known or not
    call_id = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)  # when readable
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_file = models.CharField(max_length=200)
    line = models.PositiveIntegerField()
    # the first field at fault and its reason; ``message`` lists every problem in the row
    field = models.CharField(max_length=40)
    reason = models.CharField(max_length=24, choices=RejectReason.choices)
    message = models.TextField()
    raw = models.JSONField(default=dict)
    rejected_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset(
        {
            "id",
            "key",
            "force",
            "force_id",
            "force_text",
            "call_id",
            "received_at",
            "neighbourhood",
            "neighbourhood_id",
            "source_file",
            "line",
            "field",
            "reason",
            "message",
            "rejected_at",
        }
    )

    class Meta:
        ordering = ["rejected_at", "source_file", "line"]
        indexes = [
            models.Index(fields=["force", "received_at"], name="rejected_call_force_time"),
            models.Index(fields=["force_text", "call_id"], name="rejected_call_id"),
        ]

    def __str__(self) -> str:
        return f"Rejected row {self.source_file}:{self.line}"

    def audit_force_id(self) -> str:
        return str(self.force_id or self.force_text)
