"""A job queue in the database, on SQLite and PostgreSQL alike.

- **Nothing lost.** A job is a row; it is done only when its row says so.
- **Survives a restart.** A running job holds a lease; if its worker dies the lease runs
  out and another worker (or the same one, restarted) takes the job again.
- **Retried on failure**, with a growing delay, up to ``max_attempts``; then marked failed
  with its error, for a person to see.
- **Never twice to visible effect.** A handler's database changes and the job's "done" are
  committed in one transaction: a job that fails or loses its lease leaves no trace of
  its run. Effects outside the database (an email) are made idempotent by the handler
  (it checks and records what it sent, in that same transaction).
- **Scheduled jobs** are enqueued once per time slot with a unique key, so two workers
  never both run the same slot.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ourpatch.worker.models import Job, JobState

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}

LEASE = dt.timedelta(minutes=5)
# Delay before retry n (1-based): 30 s, 2 min, 8 min, 32 min, ...
RETRY_BASE = dt.timedelta(seconds=30)


class UnknownJob(LookupError):
    """No handler is registered for this kind of job."""


class LeaseLost(RuntimeError):
    """Another worker took the job over while this one ran it: this run is undone."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler for ``kind``."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_after: dt.datetime | None = None,
    max_attempts: int = 5,
) -> Job:
    """Queue a job. With a ``key`` already queued (or done), the existing job is returned."""
    if kind not in HANDLERS:
        raise UnknownJob(f"no handler for job kind {kind!r}")
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return Job.objects.create(
                kind=kind,
                payload=payload or {},
                key=key,
                run_after=run_after or timezone.now(),
                max_attempts=max_attempts,
            )
    except IntegrityError:
        # another process queued the same key a moment ago
        return Job.objects.get(key=key)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str, now: dt.datetime | None = None) -> Job | None:
    """Take the next due job (or one whose lease ran out), leased to ``worker``."""
    now = now or timezone.now()
    due = Q(state=JobState.QUEUED, run_after__lte=now) | Q(
        state=JobState.RUNNING, locked_until__lt=now
    )
    with transaction.atomic():
        candidates = Job.objects.filter(due).order_by("run_after", "id")
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: workers skip each other's rows instead of waiting
            candidates = candidates.select_for_update(skip_locked=True)
        # SQLite: the IMMEDIATE transaction (settings) already holds the write lock
        job = candidates.first()
        if job is None:
            return None
        Job.objects.filter(pk=job.pk).update(
            state=JobState.RUNNING,
            locked_by=worker,
            locked_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    job.refresh_from_db()
    return job


def run(job: Job, worker: str, now: Callable[[], dt.datetime] = timezone.now) -> bool:
    """Run a claimed job; True if it is done. Failures are recorded for a retry."""
    function = HANDLERS.get(job.kind)
    try:
        if function is None:
            raise UnknownJob(f"no handler for job kind {job.kind!r}")
        with transaction.atomic():
            function(job.payload)
            finished = Job.objects.filter(
                pk=job.pk, state=JobState.RUNNING, locked_by=worker
            ).update(state=JobState.DONE, finished_at=now(), locked_until=None, last_error="")
            if finished == 0:
                raise LeaseLost(f"job {job.pk} was taken over by another worker")
        return True
    except Exception as error:
        _failed(job, worker, error, now())
        return False


def _failed(job: Job, worker: str, error: Exception, now: dt.datetime) -> None:
    log.warning("job %s (%s) failed: %s", job.pk, job.kind, error)
    if isinstance(error, LeaseLost):
        return  # the other worker owns it now
    text = "".join(traceback.format_exception_only(error)).strip()[:2000]
    final = job.attempts >= job.max_attempts or isinstance(error, UnknownJob)
    Job.objects.filter(pk=job.pk, locked_by=worker).update(
        state=JobState.FAILED if final else JobState.QUEUED,
        run_after=now + RETRY_BASE * (4 ** max(job.attempts - 1, 0)),
        locked_until=None,
        last_error=text,
        finished_at=now if final else None,
    )


@dataclass(frozen=True)
class Every:
    """A scheduled job: ``kind`` once per ``interval``."""

    kind: str
    interval: dt.timedelta


SCHEDULE: list[Every] = []


def schedule(kind: str, interval: dt.timedelta) -> None:
    SCHEDULE.append(Every(kind, interval))


def enqueue_scheduled(now: dt.datetime, schedule: Iterable[Every] = SCHEDULE) -> int:
    """Queue each scheduled job for its current slot (once, whichever worker gets there)."""
    queued = 0
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for every in schedule:
        slot = int((now - epoch) / every.interval)
        job = enqueue(every.kind, {"slot": slot}, key=f"{every.kind}@{slot}")
        queued += int(job.state == JobState.QUEUED and job.attempts == 0)
    return queued


def run_pending(worker: str | None = None, limit: int = 1000) -> int:
    """Run due jobs until none is left (or ``limit``); returns how many were done."""
    worker = worker or worker_id()
    done = 0
    for _ in range(limit):
        job = claim(worker)
        if job is None:
            break
        done += run(job, worker)
    return done
