"""Background tasks of the core (Django's tasks API, database-backed worker)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task

from marketdesk.core.outbox import outbox_deliver, outbox_drain, outbox_requeue
from marketdesk.core.periodic import periodic
from marketdesk.core.task_recovery import tasks_recover_stale


@task(queue_name="default")
def deliver_outbox_message(message_id: int) -> bool:
    """Deliver one outbox message (idempotent)."""
    return outbox_deliver(message_id)


@task(queue_name="default")
def drain_outbox_topic(topic: str) -> int:
    """Deliver a batch of a batched outbox topic's messages (idempotent)."""
    return outbox_drain(topic)


@periodic(every=dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS))
@task(queue_name="default")
def sweep_outbox() -> int:
    """Queue again, on each one's own queue, what a crashed worker or a failed attempt left behind."""
    return outbox_requeue()


@periodic(every=dt.timedelta(minutes=1))
@task()
def recover_stale_tasks() -> dict[str, int]:
    """Run again, or mark failed, the tasks whose worker died (RUNNING past the lease)."""
    recovered = tasks_recover_stale()
    return {"retried": recovered.retried, "failed": recovered.failed}
