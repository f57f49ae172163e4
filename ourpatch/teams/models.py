"""Named neighbourhood teams: who they are, what they do, where they are based."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ourpatch.geography.models import Force, Neighbourhood


class Role(models.TextChoices):
    """Team roles, with the plain words a resident sees."""

    INSPECTOR = "inspector", "Inspector"
    SERGEANT = "sergeant", "Sergeant"
    CONSTABLE = "constable", "Police constable"
    PCSO = "pcso", "Police community support officer (PCSO)"
    SPECIAL = "special", "Special constable (volunteer police officer)"
    COORDINATOR = "coordinator", "Neighbourhood co-ordinator"
    VOLUNTEER = "volunteer", "Police support volunteer"


# The order a team is listed in: who leads it first
ROLE_ORDER = [r.value for r in Role]

# Roles that are counted as supervised staff in a sergeant's span of control (seed 14.3).
SUPERVISED_ROLES = (Role.CONSTABLE, Role.PCSO, Role.SPECIAL, Role.COORDINATOR, Role.VOLUNTEER)


class Location(models.Model):
    """A team's base: where residents can find it."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.TextField()
    postcode = models.CharField(max_length=8)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    # How and when the public can get there: opening hours, buses, step-free access
    description = models.TextField(blank=True)
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="bases")
    last_confirmed = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["force", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMemberQuerySet(models.QuerySet["TeamMember"]):
    def current(self, on: dt.date | None = None) -> TeamMemberQuerySet:
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class TeamMember(models.Model):
    """A named member of a neighbourhood team. What is here is published to residents."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="team_members")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices)
    # Shoulder number or staff number, as shown on the uniform
    collar_number = models.CharField(max_length=20, blank=True)
    photo = models.ImageField(upload_to="team-photos/", blank=True)
    photo_alt = models.CharField(
        max_length=200, blank=True, help_text="What the photo shows, for screen readers."
    )
    bio = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    languages = models.JSONField(default=list, blank=True)
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="team_members")
    supervisor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supervisees"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_member",
    )
    start_date = models.DateField(default=dt.date(2000, 1, 1))
    end_date = models.DateField(null=True, blank=True)
    last_confirmed = models.DateTimeField(default=timezone.now)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["force", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="team_member_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class AbsenceReason(models.TextChoices):
    LEAVE = "leave", "Annual leave"
    SICKNESS = "sickness", "Sickness"
    TRAINING = "training", "Training"
    ABSTRACTED = "abstracted", "Abstracted to other duties"
    OTHER = "other", "Other"


class Absence(models.Model):
    """A period a team member is away: messages to them go to the team meanwhile."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=12, choices=AbsenceReason.choices)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} away {self.starts_on}–{self.ends_on}"

    def audit_force_id(self) -> str:
        return str(self.member.force_id)


class DutyActivity(models.TextChoices):
    """What a team member did on a stretch of duty, from the force's duty system.

    The first group is neighbourhood work; the second is abstraction (seed 14.8): time taken
    away from the neighbourhood to other demands.
    """

    PATROL = "patrol", "Patrol in the neighbourhood"
    ENGAGEMENT = "engagement", "Meetings and engagement"
    PROBLEM_SOLVING = "problem_solving", "Problem solving"
    INVESTIGATION = "investigation", "Neighbourhood investigation"
    ADMIN = "admin", "Administration at the base"
    RESPONSE = "response", "Response cover (abstracted)"
    PUBLIC_ORDER = "public_order", "Public order or events (abstracted)"
    CUSTODY = "custody", "Custody or station duties (abstracted)"
    COURT = "court", "Court"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


# Activities that are abstraction whatever the place (seed 14.8)
ABSTRACTED_ACTIVITIES = frozenset(
    {
        DutyActivity.RESPONSE,
        DutyActivity.PUBLIC_ORDER,
        DutyActivity.CUSTODY,
        DutyActivity.COURT,
        DutyActivity.TRAINING,
    }
)


class Duty(models.Model):
    """One stretch of duty: who, when, doing what, where (Pledge item 3: visible time)."""

    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="duties")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    activity = models.CharField(max_length=20, choices=DutyActivity.choices)
    # The neighbourhood the time was spent in; empty when outside every neighbourhood
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="duties"
    )
    place = models.CharField(max_length=200, blank=True)  # the duty system's own words
    source_file = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            # an officer cannot start two stretches of duty at one instant: the import's key
            models.UniqueConstraint(fields=["member", "starts_at"], name="duty_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["neighbourhood", "starts_at"], name="duty_place_time")]

    def __str__(self) -> str:
        return f"{self.member} {self.activity} {self.starts_at:%Y-%m-%d %H:%M}"


class DutyRejectReason(models.TextChoices):
    """Why a row of a duty export was quarantined rather than counted."""

    MISSING = "missing", "a required value is missing"
    NOT_A_TIME = "not_a_time", "a time that cannot be read"
    NO_ZONE = "no_zone", "a time without its zone"
    OUT_OF_ORDER = "out_of_order", "ends before it starts"
    OVERLAP = "overlap", "overlaps another duty of the same officer"
    UNKNOWN_FORCE = "unknown_force", "an unknown force"
    UNKNOWN_OFFICER = "unknown_officer", "an unknown officer"
    UNKNOWN_NEIGHBOURHOOD = "unknown_neighbourhood", "an unknown neighbourhood"
    BAD_VALUE = "bad_value", "a value that is not one of those allowed"
    TOO_LONG = "too_long", "a value too long to store"
    BAD_ROW = "bad_row", "a row with the wrong number of fields"


class RejectedDuty(models.Model):
    """A row of a duty export that could not be imported: kept, so that nothing is lost and
    the visible-time figure (Pledge item 3) can say how much it excludes and why."""

    # a digest of the raw row and how many identical bad rows came before it in its file:
    # the same row imported again is the same rejection, whatever the file is called
    key = models.CharField(max_length=64, unique=True)
    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    force_text = models.CharField(max_length=64, blank=True)  # as written, known or not
    officer_text = models.CharField(max_length=20, blank=True)  # the collar number as written
    member = models.ForeignKey(
        TeamMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # when readable: the visible-time figure says how many hours it could not count
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_file = models.CharField(max_length=200)
    line = models.PositiveIntegerField()
    # the first field at fault and its reason; ``message`` lists every problem in the row
    field = models.CharField(max_length=40)
    reason = models.CharField(max_length=24, choices=DutyRejectReason.choices)
    message = models.TextField()
    raw = models.JSONField(default=dict)
    rejected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rejected_at", "source_file", "line"]
        verbose_name_plural = "rejected duties"
        indexes = [
            models.Index(fields=["force", "starts_at"], name="rejected_duty_force_time"),
            models.Index(fields=["member", "starts_at"], name="rejected_duty_member"),
        ]

    def __str__(self) -> str:
        return f"Rejected duty row {self.source_file}:{self.line}"
