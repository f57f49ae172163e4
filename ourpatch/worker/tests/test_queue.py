"""The job queue: nothing lost, retried on failure, never twice to visible effect."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.worker import queue
from ourpatch.worker.models import Job, JobState
from ourpatch.worker.queue import LEASE, claim, enqueue, enqueue_scheduled, run, run_pending

CALLS: list[dict] = []


@queue.handler("test.record")
def _record(payload: dict) -> None:
    # a visible effect in the database, in the job's own transaction
    NeighbourhoodFactory(code=payload["code"])
    CALLS.append(payload)
    if payload.get("fail"):
        raise RuntimeError("the mail server is down")


@pytest.fixture(autouse=True)
def _clear() -> None:
    CALLS.clear()


@pytest.mark.django_db
def test_a_job_runs_once_and_its_key_is_never_queued_twice() -> None:
    first = enqueue("test.record", {"code": "A"}, key="once")
    again = enqueue("test.record", {"code": "A"}, key="once")
    assert first.pk == again.pk and Job.objects.count() == 1
    assert run_pending() == 1
    assert run_pending() == 0
    assert len(CALLS) == 1
    assert Job.objects.get().state == JobState.DONE


@pytest.mark.django_db
def test_a_failed_job_leaves_no_trace_and_is_retried_then_marked_failed() -> None:
    from ourpatch.geography.models import Neighbourhood

    job = enqueue("test.record", {"code": "B", "fail": True}, max_attempts=2)
    assert run_pending() == 0
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.attempts == 1
    assert "mail server is down" in job.last_error
    assert job.run_after > timezone.now()  # it waits before trying again
    assert not Neighbourhood.objects.filter(code="B").exists()  # rolled back with the failure
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert run_pending() == 0
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 2


@pytest.mark.django_db
def test_a_dead_workers_job_is_taken_over_and_its_late_finish_undone() -> None:
    from ourpatch.geography.models import Neighbourhood

    enqueue("test.record", {"code": "C"})
    now = timezone.now()
    dying = claim("worker-a", now)
    assert dying is not None
    assert claim("worker-b", now) is None  # leased: nobody else takes it
    rescued = claim("worker-b", now + LEASE + dt.timedelta(seconds=1))
    assert rescued is not None and rescued.pk == dying.pk and rescued.attempts == 2
    assert run(rescued, "worker-b")
    # worker A wakes up and finishes too late: its run is undone, nothing happens twice
    assert not run(dying, "worker-a")
    assert Neighbourhood.objects.filter(code="C").count() == 1
    assert Job.objects.get().state == JobState.DONE


@pytest.mark.django_db
def test_a_scheduled_job_is_queued_once_per_slot() -> None:
    every = [queue.Every("test.record", dt.timedelta(hours=1))]
    now = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # the night the clocks change
    enqueue_scheduled(now, every)
    enqueue_scheduled(now + dt.timedelta(minutes=20), every)
    assert Job.objects.count() == 1
    enqueue_scheduled(now + dt.timedelta(hours=1), every)
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_an_unknown_job_kind_is_refused() -> None:
    with pytest.raises(queue.UnknownJob):
        enqueue("no.such.job")


def test_the_worker_process_sends_an_acknowledgement_once(tmp_path: Path) -> None:
    """A real `ourpatch worker` process on a real database file."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3",
        "OURPATCH_DATA_DIR": str(tmp_path),
    }
    env.pop("EMAIL_HOST", None)

    def ourpatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ourpatch.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert ourpatch("manage", "migrate", "-v", "0").returncode == 0
    script = (
        "from ourpatch.geography.models import Force, Neighbourhood;"
        "from ourpatch.contact.messages import receive_message;"
        "f = Force.objects.create(id='f', name='F');"
        "n = Neighbourhood.objects.create(force=f, code='N', name='Northside');"
        "receive_message(n, name='Pat', email='pat@example.org', telephone='',"
        " body='Noise', client_address='192.0.2.1')"
    )
    assert ourpatch("manage", "shell", "-c", script).returncode == 0
    first = ourpatch("worker", "--once")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("To: pat@example.org") == 1
    assert "contact.acknowledge done" in first.stdout
    second = ourpatch("worker", "--once")
    assert "To: pat@example.org" not in second.stdout
