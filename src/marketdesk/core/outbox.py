"""The outbox: side effects written in the caller's transaction, delivered after commit.

``outbox_put`` stores a row and, only once the transaction commits, enqueues
its delivery task. Delivery locks the row, skips it if already delivered and
marks it delivered in the same transaction as the handler's own writes, so a
retry never sends twice and a rolled-back change sends nothing. ``outbox_sweep``
re-enqueues anything a crashed worker left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction

from marketdesk.core import clock
from marketdesk.core.models import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}
RETRY_BACKOFF = (30, 120, 600, 3600, 6 * 3600)


def outbox_handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of ``topic``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[topic] = fn
        return fn

    return register


def outbox_put(*, topic: str, payload: dict[str, Any], dedupe_key: str | None = None) -> OutboxMessage:
    """Write a side effect into the outbox as part of the current transaction."""
    if topic not in _HANDLERS:
        raise ValueError(f"no outbox handler for {topic!r}")
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    message = OutboxMessage.objects.create(topic=topic, payload=payload, dedupe_key=dedupe_key)
    transaction.on_commit(partial(_enqueue, message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from marketdesk.core.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.enqueue(message_id)
    except Exception:  # the sweep picks it up; the change itself is already committed
        log.exception("could not enqueue outbox message %s", message_id)


def outbox_deliver(message_id: int) -> bool:
    """Deliver one message unless it was delivered already; return whether it was sent now."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.delivered_at is not None:
            return False
        if message.available_at > clock.now():
            return False
        handler = _HANDLERS[message.topic]
        try:
            with transaction.atomic():
                handler(message)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            wait = RETRY_BACKOFF[min(message.attempts, len(RETRY_BACKOFF)) - 1]
            message.available_at = clock.now() + dt.timedelta(seconds=wait)
            message.save(update_fields=["attempts", "last_error", "available_at"])
            log.warning("outbox %s failed (attempt %s): %s", message.pk, message.attempts, exc)
            return False
        message.attempts += 1
        message.delivered_at = clock.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "delivered_at", "last_error"])
        return True


def outbox_pending(*, older_than: dt.timedelta = dt.timedelta(0)) -> list[int]:
    """Return ids of messages due for delivery and created at least ``older_than`` ago."""
    now = clock.now()
    return list(
        OutboxMessage.objects.filter(delivered_at__isnull=True, available_at__lte=now, created_at__lte=now - older_than)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )


def outbox_sweep(*, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> int:
    """Deliver messages left behind by a crash or waiting for a retry; return how many were sent."""
    return sum(1 for message_id in outbox_pending(older_than=older_than) if outbox_deliver(message_id))


@outbox_handler("log")
def _deliver_log(message: OutboxMessage) -> None:
    """Write the payload to the log: for operations messages and tests of the mechanism."""
    log.info("outbox %s: %s", message.topic, message.payload)
