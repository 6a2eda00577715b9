"""Scheduled work of the console: round-robin assignment, satisfaction surveys and the dashboard's rollups."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.console.rollups import dashboard_rollups_roll
from marketdesk.console.services.assignment import cases_auto_assign
from marketdesk.console.services.satisfaction import surveys_ask_closed
from marketdesk.core.periodic import periodic


@periodic(every=dt.timedelta(minutes=5))
@task(queue_name="default")
def assign_escalated_cases() -> int:
    """Give unassigned escalated cases to the teams' operators, round-robin, by skill and cap."""
    return cases_auto_assign()


@periodic(every=dt.timedelta(minutes=15))
@task(queue_name="default")
def ask_satisfaction() -> int:
    """Ask the parties of newly closed cases for a rating."""
    return surveys_ask_closed()


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="long")
def roll_dashboard_days() -> int:
    """Add the days closed since the last run to the dashboard's rollups (hourly: a late or failed run catches up)."""
    return dashboard_rollups_roll()
