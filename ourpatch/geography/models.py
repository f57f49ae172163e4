"""Forces, their command units and neighbourhoods, and the ONS statistical areas beneath them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ourpatch.geography.fields import GeometryField

POLYGONAL = ("Polygon", "MultiPolygon")


class Force(models.Model):
    """A police force, identified as police.uk identifies it (``west-yorkshire``)."""

    id = models.SlugField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    url = models.URLField(blank=True)
    # police.uk's engagement_methods: [{"type", "title", "url", "description"}]
    engagement_methods = models.JSONField(default=list, blank=True)
    # Built by `ourpatch demo`: every page then says the people in it are invented
    is_demonstration = models.BooleanField(default=False)
    last_confirmed = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BasicCommandUnit(models.Model):
    """A basic command unit (district, division, borough) within a force."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="command_units")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["force", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="bcu_code_unique_in_force")
        ]

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    """A local authority district, by its ONS code (E08000035 is Leeds)."""

    code = models.CharField(primary_key=True, max_length=9)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward, by its ONS code."""

    code = models.CharField(primary_key=True, max_length=9)
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="wards"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MSOA(models.Model):
    """A middle layer super output area (census 2011), by its ONS code."""

    code = models.CharField(primary_key=True, max_length=9)
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="msoas"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "MSOA"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LSOA(models.Model):
    """A lower layer super output area (census 2011), by its ONS code."""

    code = models.CharField(primary_key=True, max_length=9)
    name = models.CharField(max_length=200)
    msoa = models.ForeignKey(MSOA, on_delete=models.PROTECT, related_name="lsoas")
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="lsoas"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    households = models.PositiveIntegerField(null=True, blank=True)
    area_hectares = models.FloatField(null=True, blank=True)
    boundary = GeometryField(null=True, geom_types=POLYGONAL)

    class Meta:
        ordering = ["code"]
        verbose_name = "LSOA"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaClass(models.TextChoices):
    """Urban or rural: sets the Pledge's emergency attendance standard (15 or 20 minutes)."""

    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"


# A neighbourhood with fewer residents per hectare than this is rural, where the Pledge
# allows 20 minutes, not 15, to attend an emergency. At 5.5 West Yorkshire's Pennine and
# moorland-edge MSOAs (Calderdale's upper valleys, the Holme and Colne valleys, Otley and
# Wetherby's villages, the eastern Wakefield farmland) come out rural: 38 of the 299.
RURAL_BELOW_PERSONS_PER_HECTARE = 5.5


class NeighbourhoodQuerySet(models.QuerySet["Neighbourhood"]):
    def current(self, on: dt.date | None = None) -> NeighbourhoodQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class Neighbourhood(models.Model):
    """A neighbourhood policing area: what a team looks after, its 'patch'.

    The neighbourhood's identity is (force, code); its shape over time is a series of
    NeighbourhoodBoundary versions, so a boundary change never rewrites history.
    """

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="neighbourhoods")
    # police.uk's neighbourhood id: unique within its force, not across forces
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    bcu = models.ForeignKey(
        BasicCommandUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="neighbourhoods",
        verbose_name="basic command unit",
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    area_class = models.CharField(max_length=5, choices=AreaClass.choices, default=AreaClass.URBAN)
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    # The statistical areas the neighbourhood is made of, where it follows them.
    lsoas = models.ManyToManyField(LSOA, blank=True, related_name="neighbourhoods")
    valid_from = models.DateField(default=dt.date(2000, 1, 1))
    valid_to = models.DateField(null=True, blank=True)
    last_confirmed = models.DateTimeField(default=timezone.now)

    objects = NeighbourhoodQuerySet.as_manager()

    class Meta:
        ordering = ["force", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "code"], name="neighbourhood_code_unique_in_force"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="neighbourhood_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def boundary_on(self, day: dt.date | None = None) -> NeighbourhoodBoundary | None:
        """The boundary version in force on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return (
            self.boundaries.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .order_by("-valid_from")
            .first()
        )


class NeighbourhoodBoundary(models.Model):
    """One version of a neighbourhood's shape, valid from ``valid_from`` until ``valid_to``."""

    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="boundaries"
    )
    boundary = GeometryField(geom_types=POLYGONAL)
    # A point inside the area, for labels and police.uk's "centre"
    centre_latitude = models.FloatField()
    centre_longitude = models.FloatField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["neighbourhood", "valid_from"]
        verbose_name_plural = "neighbourhood boundaries"
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "valid_from"], name="boundary_version_unique"
            ),
            models.UniqueConstraint(
                fields=["neighbourhood"],
                condition=Q(valid_to__isnull=True),
                name="one_open_boundary_per_neighbourhood",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="boundary_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "now"
        return f"{self.neighbourhood} {self.valid_from.isoformat()}–{end}"


class Postcode(models.Model):
    """A postcode from the ONS Postcode Directory, with where it is and what it falls in."""

    # The ONS 'pcds' form: outward code, one space, inward code ("LS1 4AP")
    postcode = models.CharField(primary_key=True, max_length=8)
    # Without spaces, for matching whatever a resident types ("LS14AP")
    compact = models.CharField(max_length=7, unique=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    local_authority_code = models.CharField(max_length=9, blank=True)
    lsoa = models.ForeignKey(
        LSOA, on_delete=models.SET_NULL, null=True, blank=True, related_name="postcodes"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="postcodes",
    )
    terminated = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
