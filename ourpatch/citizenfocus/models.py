"""Survey responses, the questions they answer, peer forces' published figures, recovery tasks.

One :class:`SurveyResponse` per respondent. The statutory questions (seeded by a data
migration as :class:`Question` rows) have their own small-integer columns, so that a
force-year of responses loads as numpy arrays in one query; any further configured question
is answered in ``extra_answers``. Free-text comments and recontact details are personal data:
:class:`ResponseComment` and :class:`RecoveryTask` can only be read through
``PersonalDataQuerySet.read_by``, which writes the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember


class SurveyKind(models.TextChoices):
    VICTIM = "victim", "Victim satisfaction"
    PERCEPTION = "perception", "Public perception and confidence"


class CrimeGroup(models.TextChoices):
    BURGLARY = "burglary", "Domestic burglary"
    VIOLENT = "violent", "Violent crime"
    VEHICLE = "vehicle", "Vehicle crime"
    RTC = "rtc", "Road traffic collision"


class EthnicityGroup(models.TextChoices):
    WHITE = "white", "White"
    BME = "bme", "Black and minority ethnic"
    NOT_STATED = "not_stated", "Not stated"


class AgeBand(models.TextChoices):
    A16_24 = "16-24", "16 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65 = "65+", "65 and over"
    NOT_STATED = "not_stated", "Not stated"


# The statutory questions, by code: each has its own column on SurveyResponse.
STATUTORY_QUESTIONS = (
    "overall_satisfaction",
    "ease_of_contact",
    "actions_taken",
    "kept_informed",
    "treatment",
    "good_job",
    "things_that_matter",
    "asb_perception",
)


class Question(models.Model):
    """A survey question and its answer scale. Statutory ones are built in; more may be added.

    ``scale`` lists the answer labels; answer ``k`` is ``scale[k - 1]`` (1 is the first
    label). ``positive`` lists the answers that count towards the indicator built on the
    question (e.g. completely, very or fairly satisfied). A blank answer is "no answer".
    """

    code = models.SlugField(max_length=40, primary_key=True)
    survey = models.CharField(max_length=12, choices=SurveyKind.choices)
    text = models.CharField(max_length=300)
    scale = models.JSONField(default=list)
    positive = models.JSONField(default=list)
    statutory = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def scale_size(self) -> int:
        return len(self.scale)


class SurveyResponse(models.Model):
    """One respondent's answers. Answers are scale positions (1 = the scale's first label)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="survey_responses")
    survey = models.CharField(max_length=12, choices=SurveyKind.choices)
    # The survey contractor's reference for the respondent: the natural key, so re-importing
    # the same file changes nothing
    reference = models.CharField(max_length=40)
    month = models.DateField(help_text="Fieldwork month (its first day).")
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    lsoa_code = models.CharField(max_length=9, blank=True)
    crime_group = models.CharField(max_length=10, choices=CrimeGroup.choices, blank=True)
    overall_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    ease_of_contact = models.PositiveSmallIntegerField(null=True, blank=True)
    actions_taken = models.PositiveSmallIntegerField(null=True, blank=True)
    kept_informed = models.PositiveSmallIntegerField(null=True, blank=True)
    treatment = models.PositiveSmallIntegerField(null=True, blank=True)
    good_job = models.PositiveSmallIntegerField(null=True, blank=True)
    things_that_matter = models.PositiveSmallIntegerField(null=True, blank=True)
    asb_perception = models.PositiveSmallIntegerField(null=True, blank=True)
    extra_answers = models.JSONField(default=dict, blank=True)
    ethnicity = models.CharField(
        max_length=10, choices=EthnicityGroup.choices, default=EthnicityGroup.NOT_STATED
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default=AgeBand.NOT_STATED)
    weight = models.FloatField(default=1.0)
    officer = models.ForeignKey(
        TeamMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    consent_to_recontact = models.BooleanField(default=False)
    synthetic = models.BooleanField(default=False, help_text="Invented for the demonstration.")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["force", "survey", "month", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "survey", "reference"], name="survey_response_reference_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="survey_weight_positive"),
        ]
        indexes = [models.Index(fields=["force", "survey", "month"])]

    def __str__(self) -> str:
        return f"{self.force_id} {self.survey} {self.reference}"


class ResponseComment(models.Model):
    """What the respondent wrote, and how to call them back: personal data, read audited."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="comment"
    )
    text = models.TextField(max_length=5000, blank=True)
    recontact_telephone = models.CharField(max_length=40, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    def __str__(self) -> str:
        return f"comment on {self.response_id}"

    def audit_force_id(self) -> str:
        return str(self.response.force_id)


class PeerGroup(models.Model):
    """A force's most similar forces (configurable): the forces its figures are compared with."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="peer_group")
    # Force ids as published (the peers need not be forces in this database)
    members = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"most similar forces of {self.force_id}"


class PeerFigure(models.Model):
    """A peer force's published figure for one indicator over the 12 months to ``period_end``."""

    peer_force = models.SlugField(max_length=64)
    peer_force_name = models.CharField(max_length=200, blank=True)
    indicator = models.CharField(max_length=20)
    period_end = models.DateField(help_text="First day of the last month of the 12.")
    value = models.FloatField(help_text="Proportion, 0 to 1.")
    respondents = models.PositiveIntegerField()

    class Meta:
        ordering = ["indicator", "period_end", "peer_force"]
        constraints = [
            models.UniqueConstraint(
                fields=["peer_force", "indicator", "period_end"], name="peer_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.peer_force} {self.indicator} {self.period_end:%Y-%m}"


class RecoveryStatus(models.TextChoices):
    OPEN = "open", "To call back"
    DONE = "done", "Called back"
    UNREACHABLE = "unreachable", "Could not reach"


class RecoveryTask(models.Model):
    """A dissatisfied victim who agreed to be contacted: the officer's supervisor calls back."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="recovery_task"
    )
    officer = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        TeamMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovery_tasks",
    )
    status = models.CharField(
        max_length=12, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN
    )
    outcome = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["status", "created_at"]

    def __str__(self) -> str:
        return f"recovery for {self.response_id}"

    def audit_force_id(self) -> str:
        return str(self.response.force_id)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
