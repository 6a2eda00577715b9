"""RQ as a backend of Django's own tasks API (``MARKETDESK_TASKS_BACKEND=rq``, docs/adr/0014).

django-tasks-rq is written against the ``django_tasks`` backport, whose backends make the
backport's ``Task``. Its jobs already run Django's own ``django.tasks.Task`` (the package
checks for both); this subclass only makes ``@task()`` build Django's ``Task``, so a task is
the same object whichever backend the settings name. Workers run ``Job`` from here
(``rqworker --job-class marketdesk.core.taskbackend.Job``).
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from django.tasks.base import Task
from django_tasks_rq import Job as _PackageJob
from django_tasks_rq import RQBackend as _PackageRQBackend


class RQBackend(_PackageRQBackend):
    """django-tasks-rq's backend, handing out Django's own ``Task``."""

    task_class = Task  # type: ignore[assignment]


class Job(_PackageJob):
    """django-tasks-rq's job, run as Django runs a request: stale connections dropped before and after.

    A worker lives for days; without this, once PostgreSQL restarts every later job of the
    worker would fail on the connection the server closed.
    """

    def perform(self) -> Any:
        close_old_connections()
        try:
            return super().perform()
        finally:
            close_old_connections()
