"""Background work of notifications: the daily digest."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.notifications.inbox import notifications_digest_send


@periodic(every=dt.timedelta(days=1))
@task(queue_name="email")
def send_daily_digests() -> int:
    """Queue one digest email per person who asked for a daily summary."""
    return notifications_digest_send()
