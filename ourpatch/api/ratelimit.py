"""The API's rate limit, as data.police.uk's: a leaky bucket per client.

Each client (``REMOTE_ADDR``) has a bucket holding up to ``OURPATCH_API_BURST`` requests
(30 by default) that leaks ``OURPATCH_API_RATE_PER_SECOND`` requests a second (15). A
request that fits goes in; one that would overflow is refused with HTTP 429 and a
``Retry-After`` of the whole seconds until it would fit (at least 1), and does not fill the
bucket. So a client may send 30 requests at once, then 15 a second for ever.

Where the state lives, and what that means:

- In this process only: a dict of ``client -> (level, last seen)`` behind one lock, pruned of
  empty buckets every ``PRUNE_EVERY_SECONDS``. A check costs a dict lookup and a little
  arithmetic under an uncontended lock (about a microsecond), and no query.
- Every web worker keeps its own buckets. With N workers a client's requests are spread over
  N buckets, so the effective limit is up to N times the configured one. That is acceptable:
  the limit is there to stop one client swamping the service, not to meter anyone exactly,
  and it costs no shared store on the hot path. A deployment that needs an exact global
  limit should enforce it at its reverse proxy.
- The client is ``REMOTE_ADDR``. Behind a reverse proxy that is the proxy's address, so all
  clients share one bucket: there the proxy should rate limit instead, or set
  ``OURPATCH_API_RATE_PER_SECOND`` to 0, which turns this limit off.

Settings (read with these defaults): ``OURPATCH_API_RATE_PER_SECOND = 15`` (0 or less: no
limit) and ``OURPATCH_API_BURST = 30`` (at least 1).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

DEFAULT_RATE_PER_SECOND = 15.0
DEFAULT_BURST = 30
PRUNE_EVERY_SECONDS = 10.0


class LeakyBucket:
    """Per-client leaky buckets: ``hit(client)`` is 0 when the request may go ahead, or the
    seconds to wait before it could."""

    def __init__(
        self,
        rate_per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = float(rate_per_second)
        self.burst = float(max(1, int(burst)))
        self.enabled = self.rate > 0
        self._clock = clock
        self._lock = threading.Lock()
        self._levels: dict[str, tuple[float, float]] = {}
        self._next_prune = clock() + PRUNE_EVERY_SECONDS

    def hit(self, client: str) -> float:
        if not self.enabled:
            return 0.0
        now = self._clock()
        rate = self.rate
        with self._lock:
            entry = self._levels.get(client)
            if entry is None:
                level = 0.0
            else:
                level = entry[0] - (now - entry[1]) * rate
                if level < 0.0:
                    level = 0.0
            if level + 1.0 > self.burst:
                self._levels[client] = (level, now)
                return (level + 1.0 - self.burst) / rate
            self._levels[client] = (level + 1.0, now)
            if now >= self._next_prune:
                self._prune(now)
            return 0.0

    def retry_after(self, wait: float) -> int:
        """``Retry-After`` in whole seconds: rounded up, and never less than 1."""
        return max(1, math.ceil(wait))

    def _prune(self, now: float) -> None:
        # Forget buckets that have leaked empty: they would start from 0 anyway.
        rate = self.rate
        self._levels = {
            client: (level, seen)
            for client, (level, seen) in self._levels.items()
            if level - (now - seen) * rate > 0.0
        }
        self._next_prune = now + PRUNE_EVERY_SECONDS

    def __len__(self) -> int:
        return len(self._levels)

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()


_limiter: LeakyBucket | None = None
_limiter_lock = threading.Lock()


def limiter() -> LeakyBucket:
    """The process's buckets, built from the settings on first use."""
    global _limiter
    current = _limiter
    if current is not None:
        return current
    with _limiter_lock:
        if _limiter is None:
            _limiter = LeakyBucket(
                getattr(settings, "OURPATCH_API_RATE_PER_SECOND", DEFAULT_RATE_PER_SECOND),
                getattr(settings, "OURPATCH_API_BURST", DEFAULT_BURST),
            )
        return _limiter


def reset() -> None:
    """Forget every bucket and re-read the settings on the next request (tests use this)."""
    global _limiter
    with _limiter_lock:
        _limiter = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("OURPATCH_API_RATE_PER_SECOND", "OURPATCH_API_BURST"):
        reset()


def refusal(request: HttpRequest) -> HttpResponse | None:
    """None if the request may go ahead; otherwise the 429 response to send instead."""
    bucket = limiter()
    if not bucket.enabled:
        return None
    wait = bucket.hit(request.META.get("REMOTE_ADDR") or "")
    if wait <= 0.0:
        return None
    seconds = bucket.retry_after(wait)
    body = {
        "error": (
            f"too many requests: at most {bucket.rate:g} a second, in bursts of "
            f"{bucket.burst:g}; retry after {seconds} s"
        ),
        "retry_after": seconds,
    }
    return HttpResponse(
        json.dumps(body),
        status=429,
        content_type="application/json",
        headers={"Retry-After": str(seconds)},
    )


def rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse the view's requests beyond the client's bucket with 429 and ``Retry-After``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refusal(request) or view(request, *args, **kwargs)

    return wrapped
