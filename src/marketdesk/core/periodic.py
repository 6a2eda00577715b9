"""Periodic work: tasks declare how often they run; one scheduler loop enqueues what is due.

Django's tasks API has no scheduler. A task opts in with ``@periodic(every=...)``
above its ``@task()``; ``periodic_enqueue_due()`` (run by ``marketdesk periodic``
or the demo's marketplace loop) enqueues each task whose interval has passed.
The last run is kept in the database under a row lock, so several scheduler
processes never enqueue the same task twice in one interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from marketdesk.core import clock
from marketdesk.core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: Any


_REGISTRY: dict[str, Periodic] = {}


def periodic(*, every: dt.timedelta) -> Callable[[Any], Any]:
    """Declare that a task (made with ``@task()``) runs every ``every``."""

    def register(task: Any) -> Any:
        name = task.module_path
        _REGISTRY[name] = Periodic(name=name, every=every, task=task)
        return task

    return register


def registered_periodic() -> dict[str, Periodic]:
    """Return every periodic task of the installed apps, importing their ``tasks`` modules."""
    autodiscover_modules("tasks")
    return dict(_REGISTRY)


def periodic_enqueue_due() -> list[str]:
    """Enqueue each periodic task whose interval has passed; return their names."""
    now = clock.now()
    enqueued = []
    for name, job in sorted(registered_periodic().items()):
        with transaction.atomic():
            run, _created = PeriodicRun.objects.select_for_update().get_or_create(name=name)
            if run.last_enqueued_at is not None and now - run.last_enqueued_at < job.every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(job.task.enqueue)
        enqueued.append(name)
    return enqueued
