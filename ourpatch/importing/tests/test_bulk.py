"""Bulk loads (importing.bulk): a row another import added meanwhile fails the load whole, with a
message saying so, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ourpatch.crime.factories import CrimeFactory
from ourpatch.crime.models import Crime
from ourpatch.importing import bulk


@pytest.mark.django_db
def test_a_row_added_meanwhile_fails_the_load_whole() -> None:
    taken = CrimeFactory(persistent_id="a" * 64)
    force = taken.falls_within_id
    columns = ["key", "persistent_id", "month", "falls_within_id", "category", "crime_type"]

    def row(key: str) -> tuple[str, ...]:
        month = bulk.db_value(Crime, "month", taken.month)
        return (key, key, month, force, "burglary", "Burglary")

    shared = {
        name: "" for name in ["reported_by", "lsoa_code", "lsoa_name", "source_file", "context"]
    }
    shared |= {"last_outcome": "", "last_outcome_category": ""}
    shared["imported_at"] = bulk.db_value(Crime, "imported_at", timezone.now())
    # what existing() was told is new, but another import has since added "a…a"
    rows = [row("b" * 64), row("a" * 64), row("c" * 64)]
    with (
        pytest.raises(IntegrityError, match="added to crime_crime by someone else"),
        transaction.atomic(),
    ):
        bulk.insert(Crime, columns, rows, count=3, constants=shared)
    assert list(Crime.objects.values_list("key", flat=True)) == ["a" * 64]

    # and the keys it did not know of go in
    with transaction.atomic():
        bulk.insert(Crime, columns, [row("b" * 64), row("c" * 64)], count=2, constants=shared)
    assert Crime.objects.count() == 3
    assert bulk.existing(Crime, ["a" * 64, "d" * 64], ["category"]) == {
        "a" * 64: (taken.pk, "burglary")
    }


@pytest.mark.django_db
def test_any_other_refusal_is_not_blamed_on_another_import() -> None:
    force = CrimeFactory().falls_within_id
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        # no reported_by, imported_at, ...: NOT NULL columns
        bulk.insert(Crime, ["key", "falls_within_id"], [("k" * 64, force)], count=1)
    assert "someone else" not in str(refused.value)
