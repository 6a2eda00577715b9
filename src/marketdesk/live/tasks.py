"""Scheduled work of live updates (Django's tasks API, database-backed worker)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.live.services import live_events_prune


@periodic(every=dt.timedelta(minutes=10))
@task(queue_name="default")
def prune_live_events() -> int:
    """Delete live events past their retention: reconnecting pages resume only from recent ones."""
    return live_events_prune()
