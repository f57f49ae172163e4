"""Jobs for the background worker, kept in the database so that none is lost."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict, blank=True)
    # Enqueueing the same key twice gives one job: a scheduled slot, a message's reply
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    state = models.CharField(
        max_length=8, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    run_after = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    # A running job is leased; a worker that dies lets the lease run out and another takes it
    locked_by = models.CharField(max_length=100, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager[Job] = models.Manager()

    class Meta:
        ordering = ["run_after", "id"]
        indexes = [models.Index(fields=["state", "run_after"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"
