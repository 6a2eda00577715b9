"""Scheduled work on cases (Django's tasks API, database-backed worker)."""

from __future__ import annotations

from django.tasks import task

from marketdesk.cases.services import cases_expire_idle


@task()
def expire_idle_cases() -> int:
    """Expire cases idle before escalation for the policy's business days."""
    return cases_expire_idle()
