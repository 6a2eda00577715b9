"""Scheduled work on cases (Django's tasks API, database-backed worker); all periodic."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.cases.services.scheduled import (
    cases_close_finished,
    cases_escalate_for_suspended_sellers,
    cases_expire_idle,
)
from marketdesk.core.periodic import periodic


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def expire_idle_cases() -> int:
    """Expire cases idle before escalation for the policy's business days."""
    return cases_expire_idle()


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def close_finished_cases() -> int:
    """Close accepted offers, appeal decisions and decisions past their appeal window."""
    return cases_close_finished()


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def escalate_cases_of_suspended_sellers() -> int:
    """Take to support the cases still waiting for a seller whose suspension took effect."""
    return cases_escalate_for_suspended_sellers()
