"""Scheduled work on cases (Django's tasks API, database-backed worker); both periodic."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.cases.services import cases_close_finished, cases_expire_idle
from marketdesk.core.periodic import periodic


@periodic(every=dt.timedelta(hours=1))
@task()
def expire_idle_cases() -> int:
    """Expire cases idle before escalation for the policy's business days."""
    return cases_expire_idle()


@periodic(every=dt.timedelta(hours=1))
@task()
def close_finished_cases() -> int:
    """Close accepted offers, appeal decisions and decisions past their appeal window."""
    return cases_close_finished()
