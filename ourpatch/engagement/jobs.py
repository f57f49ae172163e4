"""The engagement app's background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ourpatch.engagement.meetings import flag_unconfirmed
from ourpatch.worker.queue import handler, schedule

FLAG_UNCONFIRMED = "engagement.flag_unconfirmed"


@handler(FLAG_UNCONFIRMED)
def _flag_unconfirmed(payload: dict[str, Any]) -> None:
    flag_unconfirmed()


schedule(FLAG_UNCONFIRMED, dt.timedelta(hours=1))

from ourpatch.engagement import subscriptions  # noqa: E402, F401  (registers its jobs)
