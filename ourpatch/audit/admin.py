from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ourpatch.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Viewable by the platform operator; never added to, changed or deleted by hand."""

    list_display = ["at", "actor_name", "action", "record_type", "record_id", "purpose"]
    list_filter = ["action", "record_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
