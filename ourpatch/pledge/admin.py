"""The platform operator sets a force's Pledge standards here (the Pledge's own by default)."""

from __future__ import annotations

from django.contrib import admin

from ourpatch.pledge.models import BreachFlag, Explanation, PledgeStandards


@admin.register(PledgeStandards)
class PledgeStandardsAdmin(admin.ModelAdmin[PledgeStandards]):
    list_display = ["force", "message_answer_hours", "emergency_answer_seconds", "visible_share"]


@admin.register(Explanation)
class ExplanationAdmin(admin.ModelAdmin[Explanation]):
    """Explanations are public words: listed here to correct one that should not be public."""

    list_display = ["force", "item", "record_key", "month", "written_at"]
    list_filter = ["force", "item"]
    search_fields = ["record_key"]


@admin.register(BreachFlag)
class BreachFlagAdmin(admin.ModelAdmin[BreachFlag]):
    list_display = ["force", "item", "record_key", "month", "flagged_at", "emailed_at"]
    list_filter = ["force", "item"]
    readonly_fields = ["flagged_at", "emailed_at", "sent_to"]
