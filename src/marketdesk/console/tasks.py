"""Scheduled work of the console: round-robin assignment and satisfaction surveys (both periodic)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

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
