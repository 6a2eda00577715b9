"""RQ as a backend of Django's own tasks API (``MARKETDESK_TASKS_BACKEND=rq``, docs/adr/0014).

django-tasks-rq is written against the ``django_tasks`` backport, whose backends make the
backport's ``Task``. Its jobs already run Django's own ``django.tasks.Task`` (the package
checks for both); this subclass only makes ``@task()`` build Django's ``Task``, so a task is
the same object whichever backend the settings name.
"""

from __future__ import annotations

from django.tasks.base import Task
from django_tasks_rq import RQBackend as _PackageRQBackend


class RQBackend(_PackageRQBackend):
    """django-tasks-rq's backend, handing out Django's own ``Task``."""

    task_class = Task  # type: ignore[assignment]
