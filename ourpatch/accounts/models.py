"""Staff accounts: each signed-in user has one role and the scope that role works over."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ourpatch.geography.models import BasicCommandUnit, Force, Neighbourhood


class StaffRole(models.TextChoices):
    FORCE_ADMIN = "force_admin", "Force administrator"
    COMMANDER = "commander", "Commander"
    INSPECTOR = "inspector", "Inspector"
    SERGEANT = "sergeant", "Sergeant"
    CONSTABLE = "constable", "Police constable"
    PCSO = "pcso", "Police community support officer"
    ANALYST = "analyst", "Analyst"
    PARTNER = "partner", "Partner agency user"
    INSPECTORATE = "inspectorate", "Inspectorate"


class PartnerAgency(models.Model):
    """A partner that works problems with the police: a council ASB team, a housing provider."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="partner_agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["force", "name"]
        verbose_name_plural = "partner agencies"
        constraints = [
            models.UniqueConstraint(fields=["force", "name"], name="agency_name_unique_in_force")
        ]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A user's role and scope. Access is decided from this by accounts.permissions alone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    # The inspectorate has no force: it reads every force.
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    # A commander's basic command unit
    bcu = models.ForeignKey(
        BasicCommandUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="basic command unit",
    )
    # An inspector's or sergeant's neighbourhoods; a constable's or PCSO's neighbourhood
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="staff")
    agency = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="inspectorate") | models.Q(force__isnull=False),
                name="staff_have_a_force_unless_inspectorate",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="commander") | models.Q(bcu__isnull=False),
                name="commander_has_a_bcu",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="partner") | models.Q(agency__isnull=False),
                name="partner_has_an_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"
