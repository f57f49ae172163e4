"""The Policing Pledge's standards as force settings, and the explanations given for breaches.

"If we fail … we will always explain why" (Appendix 2): an explanation is attached to one
breaching record, named by its Pledge item and the record's key.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from ourpatch.geography.models import Force, Neighbourhood


class PledgeStandards(models.Model):
    """One force's standards for the measurable Pledge items. The defaults are the Pledge's."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="pledge_standards")
    # item 3: share of team time visible in the neighbourhood, and the force's own
    # abstraction policy band (seed 14.8: 80–95% of time protected)
    visible_share = models.FloatField(
        default=0.80, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    protected_share_low = models.FloatField(
        default=0.80, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    protected_share_high = models.FloatField(
        default=0.95, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    # item 4
    message_answer_hours = models.PositiveSmallIntegerField(default=24)
    # item 5
    emergency_answer_seconds = models.PositiveSmallIntegerField(default=10)
    urban_attendance_minutes = models.PositiveSmallIntegerField(default=15)
    rural_attendance_minutes = models.PositiveSmallIntegerField(default=20)
    # item 6: "answer all non-emergency calls promptly"; the Pledge sets no number, so the
    # force does (the national call handling standard's 30 seconds by default)
    non_emergency_answer_seconds = models.PositiveSmallIntegerField(default=30)
    priority_attendance_minutes = models.PositiveSmallIntegerField(default=60)
    appointment_hours = models.PositiveSmallIntegerField(default=48)
    # item 7: public meetings held per neighbourhood per month
    meetings_per_month = models.PositiveSmallIntegerField(default=1)
    # item 9: "at least monthly if they wish": the longest interval honoured as monthly
    monthly_update_days = models.PositiveSmallIntegerField(default=31)
    # item 10
    dissatisfaction_ack_hours = models.PositiveSmallIntegerField(default=24)
    # an unexplained breach older than this is flagged to the owning sergeant
    explanation_due_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        verbose_name_plural = "Pledge standards"

    def __str__(self) -> str:
        return f"Pledge standards for {self.force_id}"


class Explanation(models.Model):
    """Why one record missed its Pledge standard, in words the public may read.

    Explanations are published with the figures, so they must not identify anyone.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item = models.PositiveSmallIntegerField()  # the Pledge item, 2 to 10
    # The breaching record, as the rule names it: "call:C123", "message:M-ABCD2345"
    record_key = models.CharField(max_length=80)
    month = models.DateField()  # the month the breach is counted in (its first day)
    text = models.TextField(max_length=1000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "item", "record_key"], name="one_explanation_per_breach"
            )
        ]
        indexes = [models.Index(fields=["force", "month"], name="explanation_force_month")]

    def __str__(self) -> str:
        return f"Item {self.item} {self.record_key}"


class BreachFlag(models.Model):
    """An unexplained breach flagged to the neighbourhood's sergeant(s): once per breach."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item = models.PositiveSmallIntegerField()
    record_key = models.CharField(max_length=80)
    month = models.DateField()
    # the breach's own words (operational only), as the sergeant's email gives them
    detail = models.CharField(max_length=300)
    flagged_at = models.DateTimeField(default=timezone.now)
    # who was told: sergeants' usernames; empty when the neighbourhood has no sergeant
    sent_to = models.JSONField(default=list, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at", "item", "record_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "item", "record_key"], name="one_flag_per_breach"
            )
        ]

    def __str__(self) -> str:
        return f"Flag: item {self.item} {self.record_key}"


class InputVersion(models.Model):
    """The version of one table the Pledge figures are computed from: a fresh token written
    by a database trigger whenever the table changes (see pledge.inputs). Never edit it."""

    table_name = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.table_name}: {self.version}"
