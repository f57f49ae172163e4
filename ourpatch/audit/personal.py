"""Reading and changing personal data always writes to the audit log.

A model that holds personal data (a resident's message, a victim's contact details) uses
``PersonalDataQuerySet`` as its manager. Its rows cannot be fetched at all until the
queryset says who is reading and why, with ``.read_by(user, purpose)``; fetching then
writes one audit entry per record. Counting and existence checks reveal no one and stay
free. So a new feature cannot forget the audit log: it gets an error instead.

A model may also name its ``OPERATIONAL_FIELDS``: the fields that say nothing about a person
(when a message came in, when it was answered, which neighbourhood). A ``values()`` or
``values_list()`` query, grouped or not, that selects and aggregates only those fields is free
too, so that compliance figures over a million records are computed in the database without
writing a million audit entries, and without ever touching a name or an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from ourpatch.audit.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

M = TypeVar("M", bound=models.Model)


class UnauditedRead(Exception):
    """Personal data was fetched without saying who reads it and why."""


@dataclass(frozen=True)
class Reader:
    user: AbstractBaseUser | AnonymousUser | SystemReader
    purpose: str


def _force_of(obj: models.Model) -> str:
    # Personal-data models say which force they belong to, for the force's own log view.
    force_id = getattr(obj, "audit_force_id", "")
    try:
        return str(force_id() if callable(force_id) else force_id or "")
    except Exception:  # a partial row (values()) may not reach its force
        return ""


class SystemReader:
    """The platform itself (the worker sending an acknowledgement), named in the log as such."""

    is_authenticated = True
    name = "ourpatch (system)"


SYSTEM = SystemReader()


def _actor(user: AbstractBaseUser | AnonymousUser | SystemReader) -> tuple[User | None, str]:
    if isinstance(user, SystemReader):
        return None, user.name
    if not user.is_authenticated:
        raise UnauditedRead("personal data can only be read by a signed-in member of staff")
    return user, user.get_username()  # type: ignore[return-value]


def log(
    user: AbstractBaseUser | AnonymousUser | SystemReader,
    action: AuditAction,
    records: Iterable[models.Model],
    purpose: str,
    fields: Iterable[str] = (),
) -> int:
    """Write one audit entry per record; returns how many were written."""
    actor, name = _actor(user)
    field_list = sorted(fields)
    entries = [
        AuditEntry(
            actor=actor,
            actor_name=name,
            action=action,
            record_type=obj._meta.label_lower,
            record_id=str(obj.pk),
            force_id=_force_of(obj),
            purpose=purpose[:200],
            fields=field_list,
        )
        for obj in records
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def save_personal(
    user: AbstractBaseUser | AnonymousUser | SystemReader,
    obj: M,
    purpose: str,
    fields: Iterable[str] | None = None,
) -> M:
    """Create or change a personal-data record, and log who did it."""
    _actor(user)
    creating = obj._state.adding
    if fields is not None and not creating:
        field_list = list(fields)
        obj.save(update_fields=field_list)
    else:
        obj.save()
        field_list = [f.name for f in obj._meta.concrete_fields]
    log(user, AuditAction.CREATE if creating else AuditAction.UPDATE, [obj], purpose, field_list)
    return obj


class PersonalDataQuerySet(models.QuerySet[M]):
    """A queryset whose rows can only be fetched by a named reader, who is logged."""

    _reader: Reader | None = None

    def read_by(self, user: AbstractBaseUser | AnonymousUser | SystemReader, purpose: str) -> Self:
        """The same query, allowed to fetch rows; each row fetched is logged as read."""
        _actor(user)
        if not purpose.strip():
            raise UnauditedRead("say why the personal data is read (purpose)")
        clone = self._clone()
        clone._reader = Reader(user, purpose)
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._reader = self._reader
        return clone

    def operational_only(self) -> bool:
        """Does this query select (and aggregate) only the model's operational fields?"""
        allowed: frozenset[str] = frozenset(getattr(self.model, "OPERATIONAL_FIELDS", ()))
        if not allowed or self._iterable_class is models.query.ModelIterable:
            return False
        query = self.query
        names = {name.split("__")[0] for name in query.values_select}
        if not names <= allowed | {"id", "pk"}:
            return False
        for expression in query.annotation_select.values():
            for part in expression.flatten():
                target = getattr(part, "target", None)
                if target is None:
                    continue
                if target.model is self.model and target.name not in allowed | {"id"}:
                    return False
                if (
                    target.model is not self.model
                    and getattr(target.model, "OPERATIONAL_FIELDS", None) is not None
                    and target.name not in target.model.OPERATIONAL_FIELDS
                ):
                    return False
        return True

    def _fetch_all(self) -> None:
        if self._result_cache is not None:
            return
        if self._reader is None and self.operational_only():
            super()._fetch_all()
            return
        if self._reader is None:
            raise UnauditedRead(
                f"{self.model._meta.label} holds personal data: fetch it with "
                ".read_by(user, purpose), so that the read is audited"
            )
        super()._fetch_all()
        results: list[Any] = self._result_cache or []
        records = [r for r in results if isinstance(r, models.Model)]
        if len(records) != len(results):
            # values()/values_list(): log the primary keys where the query selected them
            records = []
            for row in results:
                pk = row.get("pk", row.get("id")) if isinstance(row, dict) else None
                records.append(self.model(pk=pk))
        log(self._reader.user, AuditAction.READ, records, self._reader.purpose)

    def iterator(self, chunk_size: int | None = None) -> Any:
        # iterator() skips the result cache; route it through the audited fetch instead
        self._fetch_all()
        return iter(self._result_cache or [])
