"""Scheduled work on cases (Django's tasks API, database-backed worker); run both periodically."""

from __future__ import annotations

from django.tasks import task

from marketdesk.cases.services import cases_close_finished, cases_expire_idle


@task()
def expire_idle_cases() -> int:
    """Expire cases idle before escalation for the policy's business days."""
    return cases_expire_idle()


@task()
def close_finished_cases() -> int:
    """Close accepted offers, appeal decisions and decisions past their appeal window."""
    return cases_close_finished()
