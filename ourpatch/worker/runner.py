"""``ourpatch worker``: a real process that runs scheduled and queued jobs until stopped."""

from __future__ import annotations

import signal
import time
from types import FrameType

from django.db import close_old_connections
from django.utils import timezone

from ourpatch.worker.queue import claim, enqueue_scheduled, run, worker_id


class _Stop:
    requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        # finish the job in hand, then leave: a job is never cut off half-way by us
        self.requested = True


def serve(*, once: bool = False, idle_sleep: float = 2.0) -> int:
    """Run until SIGTERM/SIGINT (or, with ``once``, until nothing is due). Returns jobs done."""
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    me = worker_id()
    done = 0
    print(f"ourpatch worker {me}: started", flush=True)
    while not stop.requested:
        close_old_connections()
        enqueue_scheduled(timezone.now())
        job = claim(me)
        if job is None:
            if once:
                break
            time.sleep(idle_sleep)
            continue
        ok = run(job, me)
        done += ok
        print(f"ourpatch worker: job {job.pk} {job.kind} {'done' if ok else 'failed'}", flush=True)
    print(f"ourpatch worker {me}: stopped after {done} job(s)", flush=True)
    return done
