"""Publishing live events: stored and announced only once the caller's transaction commits.

``live_publish`` is called by a service inside its transaction (as Zulip sends events from its
actions on commit). Nothing is written before the commit, so a rolled-back change never reaches a
page. After the commit the event is stored, one row per recipient, and the web processes are
told (``hub.ring``); each fans it out to the streams of those users that it serves.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import OperationalError, connection, transaction

from marketdesk.core import clock
from marketdesk.live import hub
from marketdesk.live.models import LiveEvent

# Past-tense dotted names as for timeline events ("message.posted"); "live." is the stream's own.
EVENT_NAME = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")
RESERVED_PREFIX = "live."
# A label ("resolved", "buyer") fits; a message body or an address does not.
MAX_LABEL_LENGTH = 64
MAX_FIELDS = 12
RETENTION = dt.timedelta(hours=6)
PRUNE_BATCH = 5000
# Any constant: pg_advisory_xact_lock takes a bigint; this one reads "live" in ASCII.
_WRITER_LOCK_KEY = 0x6C697665


def live_publish(*, user_ids: Iterable[int], event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to the open pages of ``user_ids`` once the current transaction commits."""
    recipients = tuple(sorted(set(user_ids)))
    payload = _checked(event, data)
    if not recipients:
        return
    # robust: the change itself is committed by then; a failed push must not turn into an error page.
    transaction.on_commit(partial(_append, recipients, event, payload), robust=True)


def _checked(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """Refuse names and data that could carry private text: events hold ids, kinds and short labels."""
    if not EVENT_NAME.fullmatch(event) or len(event) > 64 or event.startswith(RESERVED_PREFIX):
        raise ValueError(f"live event name {event!r}: want a dotted past-tense name such as 'message.posted'")
    if len(data) > MAX_FIELDS:
        raise ValueError(f"live event {event!r}: at most {MAX_FIELDS} fields")
    for key, value in data.items():
        if not isinstance(key, str):
            raise TypeError(f"live event {event!r}: field names are strings, not {key!r}")
        if isinstance(value, str) and len(value) <= MAX_LABEL_LENGTH:
            continue
        if value is None or isinstance(value, bool | int):
            continue
        raise ValueError(
            f"live event {event!r}: field {key!r} must be an id, a flag or a label of at most "
            f"{MAX_LABEL_LENGTH} characters; pages fetch anything else through their own views"
        )
    return dict(data)


# SQLite answers "locked" at once when a reader holds the table (shared cache) instead of waiting:
# the push is retried briefly rather than lost, since the change it reports is committed already.
LOCKED_RETRIES = (0.02, 0.05, 0.1, 0.2, 0.4)


def _append(user_ids: tuple[int, ...], event: str, data: dict[str, Any]) -> None:
    """Store the event for each recipient, then ring the web processes."""
    now = clock.now()
    for wait in (*LOCKED_RETRIES, None):
        try:
            with transaction.atomic():
                _serialize_writers()
                rows = LiveEvent.objects.bulk_create(
                    [LiveEvent(user_id=user_id, event=event, data=data, created_at=now) for user_id in user_ids]
                )
            break
        except OperationalError as exc:
            if wait is None or "locked" not in str(exc):
                raise
            time.sleep(wait)
    hub.ring(max(row.pk for row in rows))


def _serialize_writers() -> None:
    """Let one writer at a time take ids, so ids commit in increasing order.

    Readers follow the log with a high-water mark (``id > last``). Were two writers to interleave,
    id 11 could commit before id 10 and a reader that saw 11 would skip 10 for good. The lock lasts
    only this short insert, never the caller's transaction. SQLite already has one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITER_LOCK_KEY])


def live_events_prune(*, retention: dt.timedelta = RETENTION) -> int:
    """Delete live events older than ``retention``; return how many were deleted."""
    cutoff = clock.now() - retention
    deleted = 0
    while True:
        ids = list(
            LiveEvent.objects.filter(created_at__lt=cutoff).order_by("id").values_list("id", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += LiveEvent.objects.filter(id__in=ids).delete()[0]
