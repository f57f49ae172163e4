"""Community priorities and the problems worked to solve them (seed 15.15–15.24)."""

from __future__ import annotations

from django.db import models

from ourpatch.accounts.models import PartnerAgency
from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.engagement.models import Meeting
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember


class RaisedVia(models.TextChoices):
    ONLINE = "online", "Online"
    MEETING = "meeting", "At a meeting"
    SURVEY = "survey", "From a survey"
    TEAM = "team", "By the team"


class PriorityStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    AGREED = "agreed", "Agreed"
    ACTED_ON = "acted_on", "Being acted on"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Not taken up"


# Priorities a neighbourhood is working on now: these count towards its limit.
CURRENT_PRIORITY_STATUSES = (PriorityStatus.AGREED, PriorityStatus.ACTED_ON)


class Priority(models.Model):
    """An issue the community raised, and, once agreed, what is being done (police.uk shape)."""

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="priorities"
    )
    issue = models.TextField()
    issue_date = models.DateTimeField()
    raised_via = models.CharField(max_length=10, choices=RaisedVia.choices)
    status = models.CharField(
        max_length=10, choices=PriorityStatus.choices, default=PriorityStatus.RAISED
    )
    agreed_at = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="priorities_agreed"
    )
    owner = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="priorities"
    )
    # What is published: police.uk's "action" and "action-date"
    action = models.TextField(blank=True)
    action_date = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    # Bumped on every save through problems.priorities, so a second editor cannot overwrite
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-issue_date"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.issue[:60]


class IssueRaiser(models.Model):
    """Who raised an issue online, so they can be told what became of it (seed 15.22)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="raisers")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    raised_at = models.DateTimeField()
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # What they have been told so far, so each update goes once
    told = models.JSONField(default=list, blank=True)

    objects = PersonalDataQuerySet.as_manager()
    # whose issue it was is personal; which issue, and what they were told, is not
    OPERATIONAL_FIELDS = frozenset({"id", "priority", "raised_at", "told"})

    class Meta:
        ordering = ["priority", "raised_at"]

    def __str__(self) -> str:
        return f"raiser of priority {self.priority_id}"

    def audit_force_id(self) -> str:
        return str(self.priority.neighbourhood.force_id)


class PriorityNotice(models.Model):
    """A subscriber told of one step of one priority: so a retried job never tells twice."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="notices")
    status = models.CharField(max_length=10, choices=PriorityStatus.choices)
    subscription_id = models.BigIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "status", "subscription_id"], name="one_notice_each"
            )
        ]

    def __str__(self) -> str:
        return f"priority {self.priority_id} {self.status} to {self.subscription_id}"


class SaraStage(models.TextChoices):
    """Scanning, analysis, response, assessment: the problem-solving model (seed 15.15)."""

    SCANNING = "scanning", "Scanning"
    ANALYSIS = "analysis", "Analysis"
    RESPONSE = "response", "Response"
    ASSESSMENT = "assessment", "Assessment"
    CLOSED = "closed", "Closed"


class Problem(models.Model):
    """A problem-solving record for a priority or an emerging issue."""

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="problems"
    )
    priority = models.OneToOneField(
        Priority, on_delete=models.PROTECT, null=True, blank=True, related_name="problem"
    )
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=10, choices=SaraStage.choices, default=SaraStage.SCANNING)
    # police.uk crime category slugs the problem is about, for before-and-after evidence
    crime_categories = models.JSONField(default=list, blank=True)
    scanning = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    shared_with = models.ManyToManyField(PartnerAgency, blank=True, related_name="problems")
    # Assessment at close
    what_was_done = models.TextField(blank=True)
    what_worked = models.TextField(blank=True)
    outcome_measure = models.TextField(blank=True)
    originator_told = models.BooleanField(null=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class EpicKind(models.TextChoices):
    """Responses are enforcement, prevention, intelligence or communication (seed 15.16)."""

    ENFORCEMENT = "enforcement", "Enforcement"
    PREVENTION = "prevention", "Prevention"
    INTELLIGENCE = "intelligence", "Intelligence"
    COMMUNICATION = "communication", "Communication"


class ProblemAction(models.Model):
    """One response to a problem, owned by the police or by a partner agency."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=13, choices=EpicKind.choices)
    description = models.TextField()
    # No agency: the police own it
    agency = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["problem", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:50]}"
