"""Tasks whose worker died: run again after a lease, or marked failed, never RUNNING for ever.

django-tasks-db (0.13) marks a row RUNNING when a worker claims it and only the same worker
ever finishes it: it has no heartbeat and no lease, so a worker killed mid-task (OOM, SIGKILL,
a lost machine) leaves the row RUNNING for good and the work is never done. Here a row RUNNING
for longer than ``settings.TASK_LEASE`` is taken to have lost its worker: it is made READY again
while it has had fewer than ``settings.TASK_MAX_ATTEMPTS`` workers (each claim appends one to
``worker_ids``, so attempts are counted exactly), else marked FAILED with ``WorkerLost``.

Every task of marketdesk is idempotent (the outbox's sends carry stable ids), so running one again
is harmless; the lease is longer than any task takes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from marketdesk.core.clock import now


class WorkerLost(Exception):
    """The worker running this task stopped without finishing it, too many times."""


@dataclass(frozen=True)
class Recovered:
    """What one recovery did: rows made READY again, and rows marked FAILED."""

    retried: int
    failed: int


def tasks_recover_stale(*, lease: dt.timedelta | None = None) -> Recovered:
    """Make tasks RUNNING past the lease READY again, or FAILED once they have used every attempt."""
    cutoff = now() - (settings.TASK_LEASE if lease is None else lease)
    retried = failed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True)
        for row in stale:
            if len(row.worker_ids) < settings.TASK_MAX_ATTEMPTS:
                row.status = TaskResultStatus.READY
                row.save(update_fields=["status"])
                retried += 1
            else:
                attempts = len(row.worker_ids)
                row.set_failed(WorkerLost(f"The worker stopped without finishing, {attempts} times."))
                failed += 1
    return Recovered(retried=retried, failed=failed)
