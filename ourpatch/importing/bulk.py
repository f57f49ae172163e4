"""Loading hundreds of thousands of rows in one transaction, on SQLite and PostgreSQL alike:
what the police.uk import (``ourpatch.crime.imports``) and the ONS areas import
(``ourpatch.geography.areas``) write with.

The police.uk import's national month is half a million rows into a table with four
indexes. What it takes, measured (see README.md):

- :func:`atomic`: a transaction with the settings a bulk load wants, for it alone. SQLite:
  a page cache big enough for the indexes being written (its default, 2 MB, makes every
  index insert a disk write) and helper threads for sorting.
  PostgreSQL: memory to sort in and to build indexes with.
- :func:`existing`: which of the rows' keys the table holds already, by a temporary table of
  the keys joined to the table's unique index (one statement, not thousands of ``IN``
  lists; on PostgreSQL probing the index in key order). An empty table is not asked.
- :func:`insert`: SQLite: ``executemany`` of one plain INSERT. PostgreSQL: ``COPY`` straight
  into the table. The caller has asked :func:`existing`, so every row is new; a row another
  import added meanwhile breaks the unique index, and the load fails whole, not duplicates.
- :func:`loading`: when a load at least doubles a table, its indexes are dropped for the
  load and built again after, in one sorted pass each: several times faster than half a
  million inserts into each. Building the unique index on the key checks the keys are still
  unique. On PostgreSQL dropping an index locks the table until the load commits, which only
  the first loads into a table do; and after any big load the table is analysed.

Everything else happens in the caller's transaction: a failure leaves the table as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from django.db import DatabaseError, IntegrityError, connection, models, transaction

# SQLite's page cache for the load, in KiB (a maximum: only what is used is taken)
SQLITE_CACHE_KIB = 1 << 20
# A load this big at least, and at least as big as the table, rebuilds the plain indexes
REBUILD_AT_LEAST = 50_000
KEYS_TABLE = "ourpatch_bulk_keys"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    """Quoted column names of the model's fields (by name or attname: ``map_point_id``)."""
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names]
    return [connection.ops.quote_name(field.column) for field in fields]


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A field's value as :func:`insert` and :func:`update` pass it on: SQLite takes dates and
    times as text (adapt each distinct value once, not once a row)."""
    if value is None or _postgres():
        return value
    field = model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value(value)
    return value


@contextlib.contextmanager
def atomic() -> Iterator[None]:
    """``transaction.atomic()`` with the settings a bulk load wants, for it alone."""
    if _postgres():
        with transaction.atomic(), connection.cursor() as cursor:
            # SET LOCAL: until the transaction ends
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            try:
                # the temporary keys table's memory: only until the session first uses one
                with transaction.atomic():
                    cursor.execute("SET LOCAL temp_buffers = '512MB'")
            except DatabaseError:
                pass
            yield
        return
    # SQLite: connection settings, set and restored outside the transaction
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA threads")
        threads = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.execute("PRAGMA threads = 2")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache}")
            cursor.execute(f"PRAGMA threads = {threads}")


def rows_estimate(model: type[models.Model]) -> int:
    """About how many rows the table holds (its highest id: ids are never reused)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_table(model)}")  # noqa: S608
        found = cursor.fetchone()[0]
    return int(found or 0)


def rows_after(
    model: type[models.Model], after: int, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The ``columns`` of the rows whose id is above ``after`` (those a load just added)."""
    names = ", ".join(_columns(model, columns))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {_table(model)} WHERE id > %s", [after])  # noqa: S608
        return list(cursor.fetchall())


def existing(
    model: type[models.Model], keys: Sequence[str], fields: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """For each of ``keys`` the table holds: ``(id, *fields)``."""
    if not keys or not model._default_manager.exists():
        return {}
    table = _table(model)
    selected = ", ".join(f"t.{c}" for c in _columns(model, ["id", *fields]))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
        if _postgres():
            cursor.execute(f"CREATE TEMP TABLE {KEYS_TABLE} (key text NOT NULL)")
            with cursor.cursor.copy(f"COPY {KEYS_TABLE} (key) FROM STDIN") as copy:
                for key in sorted(keys):
                    copy.write_row((key,))
            cursor.execute(f"ANALYZE {KEYS_TABLE}")
        else:
            cursor.execute(f"CREATE TEMP TABLE {KEYS_TABLE} (key text NOT NULL)")
            # in key order: the table's key index is then read page after page
            cursor.executemany(
                f"INSERT INTO {KEYS_TABLE} (key) VALUES (%s)",  # noqa: S608
                [(key,) for key in sorted(keys)],
            )
        join = f"SELECT t.key, {selected} FROM {KEYS_TABLE} k JOIN {table} t ON t.key = k.key"  # noqa: S608
        if _postgres():
            # The keys, sorted, probe the key index page after page; the planner, costing
            # each probe as a random read, would rather hash the whole table (2.9 s against
            # 0.8 s, measured at 6 million rows). For this one statement, so SET LOCAL, then
            # RESET for the rest of the transaction.
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(join)
            found = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
            cursor.execute("RESET enable_hashjoin")
            cursor.execute("RESET enable_mergejoin")
        else:
            cursor.execute(join)
            found = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {KEYS_TABLE}")
    return found


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    count: int,
    unique: Sequence[str] | None = ("key",),
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``count`` new rows: ``rows`` give the ``columns``' values, ``constants`` the
    values every row shares (all as :func:`db_value` gives them).

    The rows go in in the order given: on SQLite by ``executemany``, on PostgreSQL by
    ``COPY``. A row the table holds already by ``unique`` (the columns of a unique index)
    was added by another import meanwhile: the load fails with an IntegrityError saying so.
    ``unique`` None: the load dropped the unique index and holds the table alone."""
    if count == 0:
        return
    constants = constants or {}
    table = _table(model)
    names = ", ".join(_columns(model, columns))
    fixed = ", ".join(_columns(model, list(constants)))
    every = f"{names}, {fixed}" if constants else names
    with connection.cursor() as cursor:
        if not _postgres():
            # the values every row shares are written into the statement: binding them
            # half a million times costs a second; and the rows go straight to the driver
            # (Django's cursor would copy the generator to peek at its first row)
            marks = ["?"] * len(columns) + [_sqlite_literal(v) for v in constants.values()]
            sql = f"INSERT INTO {table} ({every}) VALUES ({', '.join(marks)})"  # noqa: S608
            connection.ensure_connection()
            with _added_meanwhile(model, unique), connection.wrap_database_errors:
                connection.connection.executemany(sql, rows)
            return
        # Straight into the table by COPY, whether or not the load dropped the indexes:
        # the caller asked the table which keys it holds (existing()), so every row is new,
        # and one another import added meanwhile breaks the unique index and fails the load
        # whole. (Through a staging table and INSERT … ON CONFLICT, the 12th national month
        # took 14.4 s to insert; by COPY, 10.5 s.)
        shared = tuple(_copy_text(v) for v in constants.values())
        with (
            _added_meanwhile(model, unique),
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({every}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, *shared))


@contextlib.contextmanager
def _added_meanwhile(model: type[models.Model], unique: Sequence[str] | None) -> Iterator[None]:
    """A row the unique index already holds: another import added it since the caller
    asked :func:`existing` (the load fails whole, and says so)."""
    try:
        yield
    except IntegrityError as error:
        cause = error.__cause__
        duplicate = type(cause).__name__ == "UniqueViolation" or str(cause).startswith(
            "UNIQUE constraint failed"
        )
        if unique is None or not duplicate:
            raise
        raise IntegrityError(
            f"rows were added to {model._meta.db_table} by someone else during the import; "
            f"import the file again ({error})"
        ) from error


def _copy_text(value: Any) -> Any:
    """A value as COPY's text format takes it: dates and times as ISO 8601 text."""
    if isinstance(value, dt.date):  # and datetime
        return value.isoformat()
    return value


def _sqlite_literal(value: Any) -> str:
    """A value written into an SQLite statement (quotes doubled: SQLite has no escapes)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if "\x00" in text:
        raise ValueError("a NUL character cannot be written into an SQLite statement")
    return "'" + text.replace("'", "''") + "'"


def update(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``UPDATE … SET columns WHERE pk``: each row is its columns' values (as
    :func:`db_value` gives them), then the primary key (an id, or an ONS code)."""
    if not rows:
        return
    sets = ", ".join(f"{c} = %s" for c in _columns(model, columns))
    key = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {_table(model)} SET {sets} WHERE {key} = %s", rows)  # noqa: S608


@contextlib.contextmanager
def loading(model: type[models.Model], adding: int) -> Iterator[bool]:
    """Around a load of ``adding`` rows: when it at least doubles the table, drop the
    table's indexes and build them again after (a unique one then checks the new rows as it
    is built). Yields whether it did. On PostgreSQL a big load is then analysed: without
    fresh statistics the planner takes a month it has not seen for an empty one, and reads
    the month's half a million rows by the month index to find a street's few."""
    rebuild = adding >= REBUILD_AT_LEAST and adding >= rows_estimate(model)
    definitions = _droppable_indexes(model) if rebuild else []
    with connection.cursor() as cursor:
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield rebuild
    with connection.cursor() as cursor:
        for _, sql in definitions:
            cursor.execute(sql)
        if _postgres() and adding >= REBUILD_AT_LEAST:
            cursor.execute(f"ANALYZE {_table(model)}")


def _droppable_indexes(model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index of the model's table that is not a
    primary key or a constraint's own (unique indexes included: see models.unique_key)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
                [connection.ops.quote_name(table)],
            )
        else:
            # SQLite: those with a statement (a table's own constraints have none)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        return [(name, sql) for name, sql in cursor.fetchall()]
