"""The tables the Pledge figures are computed from, and a version of them the database keeps.

Cached figures are reused only while none of their inputs has changed. Imports write those
tables with ``bulk_create``, ``bulk_update``, COPY and raw ``executemany``, which send no
Django signals, and a row's count and largest id do not move when a message is answered or
a call re-imported. So the database itself keeps the version: a trigger on every input
table writes a fresh token for that table into :class:`InputVersion` on any insert, update
or delete (on PostgreSQL also truncate), in the same transaction as the change. The token
is committed with the data and rolled back with it, and a new one is never one seen
before (a sequence on PostgreSQL, a 64-bit random number on SQLite), so an unchanged
version means unchanged data.

The triggers are (re)installed after every ``migrate`` (``post_migrate``): a later
migration that rebuilds a table on SQLite drops its triggers, and the next migrate puts
them back. :func:`input_version` checks they are all there and says None when one is
missing, and the figures are then computed afresh every time.

Costs: on SQLite a row trigger, about a microsecond for each row written to an input
table; on PostgreSQL a trigger per statement that writes the token once per table and
transaction (a few µs a statement after that), and whose row lock makes concurrent writers of
the same input table wait for each other's commit: an import holds it until it commits.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

# Every model a Pledge rule, the roll-up or the scorecard's figures read. Explanations are
# read afresh on each page, so they are not here. (test_cache checks this list against the
# tables measure() actually queries.)
INPUT_MODELS = (
    "calls.Call",
    "calls.Appointment",
    "calls.RejectedCall",
    "contact.Message",
    "dissatisfaction.Dissatisfaction",
    "engagement.Meeting",
    "geography.Force",
    "geography.BasicCommandUnit",
    "geography.Neighbourhood",
    "pledge.PledgeStandards",
    "teams.TeamMember",
    "teams.Duty",
    "teams.RejectedDuty",
    "updates.MonthlyUpdate",
    "victims.UpdateAgreement",
    "victims.VictimUpdate",
)
TRIGGER_PREFIX = "pledge_input_"
SQLITE_EVENTS = ("insert", "update", "delete")
SEQUENCE = "pledge_inputversion_seq"
FUNCTION = "pledge_input_changed"
# A transaction's own setting (PostgreSQL): "this table's token is written already"
MARK = "ourpatch.pledge_input_"


def input_tables() -> list[str]:
    """The database tables of INPUT_MODELS, with the team members' neighbourhoods."""
    from ourpatch.teams.models import TeamMember

    tables = [apps.get_model(label)._meta.db_table for label in INPUT_MODELS]
    return [*tables, TeamMember.neighbourhoods.through._meta.db_table]


def _trigger_names(vendor: str, tables: list[str]) -> Iterator[tuple[str, str, str]]:
    """(trigger name, table, SQLite event) for every trigger the vendor needs."""
    for table in tables:
        if vendor == "sqlite":
            for event in SQLITE_EVENTS:
                yield f"{TRIGGER_PREFIX}{table}_{event}", table, event
        else:
            yield f"{TRIGGER_PREFIX}{table}", table, ""


@functools.cache
def expected_triggers(vendor: str) -> frozenset[str]:
    return frozenset(name for name, _, _ in _trigger_names(vendor, input_tables()))


def install_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Create (or replace) the triggers on every input table that exists; returns the
    tables left without one because they do not exist yet."""
    from ourpatch.pledge.models import InputVersion

    existing = set(connection.introspection.table_names())
    if InputVersion._meta.db_table not in existing:
        return input_tables()
    versions = connection.ops.quote_name(InputVersion._meta.db_table)
    tables = input_tables()
    missing = [t for t in tables if t not in existing]
    present = [t for t in tables if t in existing]
    quote = connection.ops.quote_name
    statements: list[str] = []
    if connection.vendor == "sqlite":
        for name, table, event in _trigger_names("sqlite", present):
            statements.append(f"DROP TRIGGER IF EXISTS {quote(name)}")
            statements.append(
                # names are the models' own tables, never input
                f"CREATE TRIGGER {quote(name)} AFTER {event.upper()} ON {quote(table)} "  # noqa: S608
                f"BEGIN INSERT INTO {versions} (table_name, version) VALUES ('{table}', random()) "
                "ON CONFLICT (table_name) DO UPDATE SET version = excluded.version; END"
            )
    elif connection.vendor == "postgresql":
        statements.append(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        # Once per table and transaction: the token commits with the whole transaction, so
        # one is enough, and a bulk import's executemany (a statement a row) would otherwise
        # write it for every row (113 µs a row, measured, against 9). SET LOCAL-style
        # settings end with the transaction and are undone with a rolled-back savepoint.
        statements.append(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            f"BEGIN IF current_setting('{MARK}' || TG_TABLE_NAME, true) IS DISTINCT FROM 'y' "
            f"THEN INSERT INTO {versions} (table_name, version) "
            f"VALUES (TG_TABLE_NAME, nextval('{SEQUENCE}')) "
            "ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version; "
            f"PERFORM set_config('{MARK}' || TG_TABLE_NAME, 'y', true); END IF; "
            "RETURN NULL; END $$"
        )
        for name, table, _ in _trigger_names("postgresql", present):
            statements.append(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}")
            statements.append(
                f"CREATE TRIGGER {quote(name)} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    else:
        return tables
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return missing


_warned: list[bool] = []


def input_version(connection: BaseDatabaseWrapper) -> tuple[tuple[str, int], ...] | None:
    """Every input table's current token, in one query (one snapshot); None when a trigger
    is missing or disabled, so that no version can be trusted, or (PostgreSQL) when this
    transaction has written an input table: its token is written once, at the first change,
    so figures computed between two of its changes must not be kept under it."""
    from ourpatch.pledge.models import InputVersion

    versions = connection.ops.quote_name(InputVersion._meta.db_table)
    params: list[Any] = [f"{TRIGGER_PREFIX}%"]
    if connection.vendor == "sqlite":
        triggers = "SELECT 't', name, 0 FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
    elif connection.vendor == "postgresql":
        triggers = (
            "SELECT 't', tgname::text, 0 FROM pg_trigger WHERE tgname LIKE %s AND tgenabled <> 'D' "
            "UNION ALL SELECT 'w', t.name, 0 FROM unnest(%s::text[]) AS t(name) "
            "WHERE current_setting(%s || t.name, true) = 'y'"
        )
        params += [input_tables(), MARK]
    else:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"{triggers} UNION ALL SELECT 'v', table_name, version FROM {versions}",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
    if any(kind == "w" for kind, _, _ in rows):
        return None
    present = {name for kind, name, _ in rows if kind == "t"}
    if not expected_triggers(connection.vendor) <= present:
        if not _warned:
            _warned.append(True)
            logger.warning("Pledge input triggers missing: run migrate; figures are not cached")
        return None
    return tuple(sorted((name, int(value)) for kind, name, value in rows if kind == "v"))
