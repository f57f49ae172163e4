"""The rate limit: police.uk's leaky bucket, 15 requests a second in bursts of 30."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from ourpatch.api import ratelimit
from ourpatch.api.ratelimit import PRUNE_EVERY_SECONDS, LeakyBucket
from ourpatch.geography.factories import ForceFactory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_30_then_15_a_second():
    clock = Clock()
    bucket = LeakyBucket(15, 30, clock=clock)
    assert all(bucket.hit("a") == 0 for _ in range(30))
    wait = bucket.hit("a")
    assert wait == pytest.approx(1 / 15)
    assert bucket.retry_after(wait) == 1
    # a refused request does not fill the bucket: after 1/15 s one more fits, then not
    clock.now += 1 / 15 + 1e-9
    assert bucket.hit("a") == 0
    assert bucket.hit("a") > 0
    # one second later, 15 more
    clock.now += 1
    assert sum(bucket.hit("a") == 0 for _ in range(20)) == 15


def test_clients_have_their_own_buckets():
    bucket = LeakyBucket(15, 30, clock=Clock())
    for _ in range(30):
        bucket.hit("a")
    assert bucket.hit("a") > 0
    assert bucket.hit("b") == 0


def test_retry_after_is_whole_seconds_rounded_up():
    clock = Clock()
    bucket = LeakyBucket(0.5, 1, clock=clock)  # one request every two seconds
    assert bucket.hit("a") == 0
    wait = bucket.hit("a")
    assert wait == pytest.approx(2.0)
    assert bucket.retry_after(wait) == 2
    assert bucket.retry_after(0.01) == 1
    assert bucket.retry_after(2.01) == 3


def test_empty_buckets_are_pruned():
    clock = Clock()
    bucket = LeakyBucket(15, 30, clock=clock)
    for n in range(1000):
        bucket.hit(f"10.0.{n // 256}.{n % 256}")
    assert len(bucket) == 1000
    clock.now += PRUNE_EVERY_SECONDS + 1
    bucket.hit("busy")
    assert len(bucket) == 1


def test_a_rate_of_zero_turns_the_limit_off():
    bucket = LeakyBucket(0, 30, clock=Clock())
    assert all(bucket.hit("a") == 0 for _ in range(1000))
    assert len(bucket) == 0


def test_defaults_are_police_uks(settings):
    for name in ("OURPATCH_API_RATE_PER_SECOND", "OURPATCH_API_BURST"):
        if hasattr(settings, name):
            delattr(settings, name)
    ratelimit.reset()
    bucket = ratelimit.limiter()
    assert (bucket.rate, bucket.burst) == (15, 30)


@override_settings(OURPATCH_API_RATE_PER_SECOND=1, OURPATCH_API_BURST=3)
def test_over_the_limit_is_429_with_retry_after(db):
    ForceFactory(id="leicestershire")
    client = Client(REMOTE_ADDR="192.0.2.1")
    statuses = [client.get("/api/forces").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get("/api/forces/leicestershire")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused["Content-Type"] == "application/json"
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]
    body = json.loads(refused.content)
    assert "too many requests" in body["error"] and body["retry_after"] >= 1
    # every /api/ URL shares the bucket, v1, 404s and preflights included
    assert client.get("/api/v1/forces").status_code == 429
    assert client.get("/api/nowhere/at/all").status_code == 429
    assert client.options("/api/forces").status_code == 429
    # another client is not held back
    assert Client(REMOTE_ADDR="192.0.2.2").get("/api/forces").status_code == 200


@override_settings(OURPATCH_API_RATE_PER_SECOND=1, OURPATCH_API_BURST=2)
def test_only_the_api_is_limited(db):
    client = Client(REMOTE_ADDR="192.0.2.3")
    assert [client.get("/about/").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/api/forces").status_code for _ in range(3)] == [200, 200, 429]


@override_settings(OURPATCH_API_RATE_PER_SECOND=0)
def test_the_limit_can_be_turned_off(db):
    client = Client(REMOTE_ADDR="192.0.2.4")
    assert {client.get("/api/forces").status_code for _ in range(60)} == {200}


def test_the_default_limit_refuses_the_31st_request_of_a_burst(db):
    client = Client(REMOTE_ADDR="192.0.2.5")
    statuses = [client.get("/api/forces").status_code for _ in range(45)]
    assert statuses[:30] == [200] * 30
    assert 429 in statuses[30:]
