"""The audit log: an append-only record of who read or changed personal data, and when."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """The audit log is never changed or deleted, only added to."""


class AuditAction(models.TextChoices):
    READ = "read", "Read"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: an account that has read personal data cannot be deleted out of the record
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_entries",
    )
    # Kept as text too, so the entry reads the same if the account is renamed
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    # "app_label.model" and primary key of the record touched
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    # Which force's data it was, so a force administrator sees their own force's log
    force_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=200)
    fields = models.JSONField(default=list, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["record_type", "record_id"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.record_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")
