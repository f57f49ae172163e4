"""Crime, anti-social behaviour, outcomes and stop and search, as police.uk publishes them.

Every published location is a :class:`MapPoint`: one of police.uk's anonymous map points
("On or near Marquis Street"), never anything more precise. The points come from the
police.uk files themselves (their coordinates are already the anonymised ones); see
``README.md`` beside this file for how points would be made where none exist.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.crime.categories import CATEGORY_NAMES, OUTCOME_NAMES
from ourpatch.geography.models import Force, Neighbourhood

CATEGORY_CHOICES = [(slug, name) for slug, name in CATEGORY_NAMES.items() if slug != "all-crime"]
OUTCOME_CHOICES = list(OUTCOME_NAMES.items())


class MapPoint(models.Model):
    """An anonymous map point: a street, park or station standing for all nearby addresses.

    Keyed by (latitude, longitude, name), coordinates rounded to 6 decimal places as police.uk
    writes them. Stop-and-search files give coordinates without a name: such a point takes
    the name of a point already at those coordinates, else an empty name.
    """

    name = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["latitude", "longitude", "name"], name="map_point_unique"
            )
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="map_point_position")]

    def __str__(self) -> str:
        return self.name or f"{self.latitude:.6f}, {self.longitude:.6f}"


class Located(models.Model):
    """What every imported record shares: where, when, whose, and where it came from."""

    # The record's identity across imports: the Crime ID, or a hash of the row (see imports).
    # Unique by each table's unique index on it (``unique_key`` below): an index of its own,
    # not a column constraint, so that a bulk load can build it afresh (see bulk.py)
    key = models.CharField(max_length=80)
    month = models.DateField()  # the first day of the month
    reported_by = models.CharField(max_length=100, blank=True)
    # No foreign-key constraints in the database (db_constraint=False): checking three of
    # them for each of half a million rows costs PostgreSQL longer than the whole import.
    # The importer takes every id from the tables themselves in the same transaction, and
    # Django still protects a force or map point in use and empties a deleted neighbourhood.
    # Not indexed alone: a force's records are asked for by month too (stops have an index
    # for that; crimes without a location are found by the (map_point, month) index)
    falls_within = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # Indexed by each table's (map_point, month) and (neighbourhood, month): every index
    # costs the import of a national month a second
    map_point = models.ForeignKey(
        MapPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_file = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def month_text(self) -> str:
        return self.month.strftime("%Y-%m")


def unique_key(table: str) -> models.UniqueConstraint:
    """A unique index on ``key``. Written as an expression so that both databases make it a
    separate ``CREATE UNIQUE INDEX`` (SQLite would otherwise build it into the table, where
    it cannot be dropped); each treats the expression ``("key")`` as the plain column."""
    return models.UniqueConstraint(F("key"), name=f"{table}_key_unique")


class Crime(Located):
    """One row of a street-level crime file: a crime, or an anti-social behaviour incident
    (which has no Crime ID and no outcome)."""

    # A crime's key is its persistent id: look crimes up by ``key``, which is indexed
    persistent_id = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    crime_type = models.CharField(max_length=100)  # the file's text
    last_outcome = models.CharField(max_length=60, choices=OUTCOME_CHOICES, blank=True)
    last_outcome_category = models.CharField(max_length=100, blank=True)  # the file's text
    context = models.TextField(blank=True)

    class Meta:
        ordering = ["month", "id"]
        constraints = [unique_key("crime")]
        indexes = [
            models.Index(fields=["month", "category"], name="crime_month_category"),
            models.Index(fields=["neighbourhood", "month"], name="crime_neighbourhood_month"),
            models.Index(fields=["map_point", "month"], name="crime_point_month"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type} {self.month_text} {self.persistent_id or '(ASB)'}"

    @property
    def location_type(self) -> str:
        return "BTP" if self.reported_by == "British Transport Police" else "Force"


class Outcome(Located):
    """One row of an outcomes file: an outcome for a crime, in the month it was reached."""

    persistent_id = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=60, choices=OUTCOME_CHOICES, blank=True)
    outcome_type = models.CharField(max_length=100)  # the file's text

    class Meta:
        ordering = ["month", "id"]
        constraints = [unique_key("outcome")]
        indexes = [
            models.Index(fields=["map_point", "month"], name="outcome_point_month"),
            models.Index(fields=["neighbourhood", "month"], name="outcome_neighbourhood_month"),
        ]

    def __str__(self) -> str:
        return f"{self.persistent_id} {self.month_text} {self.outcome_type}"


class StopAndSearch(Located):
    """One row of a stop-and-search file."""

    type = models.CharField(max_length=60)
    datetime = models.DateTimeField()
    part_of_operation = models.BooleanField(null=True)
    operation_name = models.CharField(max_length=200, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    self_defined_ethnicity = models.CharField(max_length=200, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=60, blank=True)
    legislation = models.CharField(max_length=200, blank=True)
    object_of_search = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    outcome_linked_to_object_of_search = models.BooleanField(null=True)
    removal_of_more_than_outer_clothing = models.BooleanField(null=True)

    class Meta:
        ordering = ["datetime", "id"]
        verbose_name_plural = "stops and searches"
        constraints = [unique_key("stop")]
        indexes = [
            models.Index(fields=["map_point", "month"], name="stop_point_month"),
            models.Index(fields=["falls_within", "month"], name="stop_force_month"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.datetime:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    """A force's own record of an incident, with its exact location: restricted.

    Only roles with the READ_INCIDENTS right read these rows, through an audited query. What
    is ever published from them is the map point they were snapped to, never the coordinates.
    """

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    # The force's incident number: the import's key, unique within the force
    incident_id = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    month = models.DateField()  # the first day of the month it occurred in (Europe/London)
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    # Exact, as recorded: personal data (often a home address)
    latitude = models.FloatField()
    longitude = models.FloatField()
    # The nearest anonymous map point: all that may be published
    map_point = models.ForeignKey(
        MapPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lsoa_code = models.CharField(max_length=9, blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataQuerySet.as_manager()

    OPERATIONAL_FIELDS = frozenset(
        {"id", "force", "month", "category", "map_point", "neighbourhood", "lsoa_code"}
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "incident_id"], name="incident_id_unique_in_force"
            )
        ]
        indexes = [models.Index(fields=["neighbourhood", "month"], name="incident_place_month")]

    def __str__(self) -> str:
        return f"Incident {self.incident_id}"

    def audit_force_id(self) -> str:
        return str(self.force_id)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)
