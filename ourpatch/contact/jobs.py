"""The contact app's background jobs (registered on import, by the worker app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ourpatch.contact import inbox, messages  # noqa: F401  (registers acknowledge, send_reply)
from ourpatch.worker.queue import handler, schedule

COVER_ABSENCES = "contact.cover_absences"


@handler(COVER_ABSENCES)
def _cover_absences(payload: dict[str, Any]) -> None:
    # an absence recorded ahead starts without anyone pressing a button: the hourly run
    # returns that member's waiting messages to the team on its first day
    inbox.cover_absences(timezone.localdate())


schedule(COVER_ABSENCES, dt.timedelta(hours=1))
