"""Fresh rate-limit buckets and a fresh locate index for every API test."""

from __future__ import annotations

import pytest

from ourpatch.api import ratelimit
from ourpatch.geography import locate


@pytest.fixture(autouse=True)
def _fresh_state():
    ratelimit.reset()
    locate.invalidate()
    yield
    ratelimit.reset()
    locate.invalidate()
