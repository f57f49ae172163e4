"""The platform operator configures survey questions and most similar forces here.

Comments and recovery tasks are personal data and have no admin screen: they are read only
through audited staff pages.
"""

from __future__ import annotations

from django.contrib import admin

from ourpatch.citizenfocus.models import PeerFigure, PeerGroup, Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    """A question's scale (labels, 1 = first) and which answers count for its indicator."""

    list_display = ["code", "survey", "text", "statutory"]
    list_filter = ["survey", "statutory"]


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin[PeerGroup]):
    list_display = ["force", "members"]


@admin.register(PeerFigure)
class PeerFigureAdmin(admin.ModelAdmin[PeerFigure]):
    list_display = ["peer_force", "indicator", "period_end", "value", "respondents"]
    list_filter = ["indicator", "peer_force"]
