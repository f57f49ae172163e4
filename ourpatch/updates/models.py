"""The monthly neighbourhood update (Pledge item 8), archived as it was published."""

from __future__ import annotations

from django.db import models

from ourpatch.geography.models import Neighbourhood


class MonthlyUpdate(models.Model):
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="monthly_updates"
    )
    month = models.DateField(help_text="The first day of the month it reports on.")
    # The page as published: an archive never changes when later data does
    html = models.TextField()
    text = models.TextField()
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["neighbourhood", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["neighbourhood", "month"], name="one_update_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.neighbourhood} {self.month:%B %Y}"


class UpdateDelivery(models.Model):
    """One subscriber sent one update: recorded so a retried job never sends it twice."""

    update = models.ForeignKey(MonthlyUpdate, on_delete=models.CASCADE, related_name="deliveries")
    subscription_id = models.BigIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "subscription_id"], name="one_delivery_each")
        ]

    def __str__(self) -> str:
        return f"update {self.update_id} to subscription {self.subscription_id}"
