"""Loading hundreds of thousands of rows in one transaction, on SQLite and PostgreSQL alike.

The police.uk import's national month is half a million rows into a table with four
indexes. What it takes, measured (see README.md):

- :func:`atomic`: a transaction with the settings a bulk load wants, for it alone. SQLite:
  a page cache big enough for the indexes being written (its default, 2 MB, makes every
  index insert a disk write) and helper threads for sorting.
  PostgreSQL: memory to sort in and to build indexes with.
- :func:`existing`: which of the rows' keys the table holds already, by a temporary table of
  the keys joined to the table's unique index (one statement, not thousands of ``IN``
  lists). An empty table is not asked.
- :func:`insert`: SQLite: ``executemany`` of one plain INSERT. PostgreSQL: ``COPY`` into a
  temporary staging table, then ``INSERT … SELECT … ON CONFLICT (key) DO NOTHING``: a row
  another import added meanwhile makes the load fail, not duplicate; when the load dropped
  the indexes (and so holds the table alone), ``COPY`` straight into the table.
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
PG_STAGING = "ourpatch_bulk_staging"
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
                # the staging table's memory: only until the session first uses one
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
        cursor.execute(
            f"SELECT t.key, {selected} FROM {KEYS_TABLE} k JOIN {table} t ON t.key = k.key"  # noqa: S608
        )
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

    The rows go in in the order given. On PostgreSQL through a staging table, failing if any
    row is in the table already by ``unique`` (the columns of a unique index: another
    import added it meanwhile); or, with ``unique`` None (the load dropped the unique index
    and holds the table alone), straight into the table by ``COPY``."""
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
            with connection.wrap_database_errors:
                connection.connection.executemany(sql, rows)
            return
        if not unique:
            # the load dropped the unique index, and so holds the table alone: straight in,
            # the shared values as the text COPY reads (a date object a row costs seconds)
            shared = tuple(_copy_text(v) for v in constants.values())
            with cursor.cursor.copy(f"COPY {table} ({every}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *shared))
            return
        cursor.execute(f"DROP TABLE IF EXISTS {PG_STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {PG_STAGING} AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        )
        # the rows' order, kept: the caller chose it (crimes go in street by street)
        cursor.execute(f"ALTER TABLE {PG_STAGING} ADD COLUMN ourpatch_row bigserial")
        with cursor.cursor.copy(f"COPY {PG_STAGING} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        select = f"SELECT {names}{', ' if constants else ''}{', '.join(['%s'] * len(constants))}"
        arbiter = ", ".join(_columns(model, unique))
        cursor.execute(
            f"INSERT INTO {table} ({every}) {select} FROM {PG_STAGING} "
            f"ORDER BY ourpatch_row ON CONFLICT ({arbiter}) DO NOTHING",
            list(constants.values()),
        )
        added = cursor.rowcount
        cursor.execute(f"DROP TABLE {PG_STAGING}")
    if added != count:
        raise IntegrityError(
            f"{count - added} of the rows were added to {model._meta.db_table} by someone "
            "else during the import; import the file again"
        )


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
    """``UPDATE … SET columns WHERE id``: each row is its columns' values (as
    :func:`db_value` gives them), then the id."""
    if not rows:
        return
    sets = ", ".join(f"{c} = %s" for c in _columns(model, columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {_table(model)} SET {sets} WHERE id = %s", rows)  # noqa: S608


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
