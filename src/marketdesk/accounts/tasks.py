"""Background tasks of accounts."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.accounts.handoff import handoff_tokens_purge
from marketdesk.core.periodic import periodic


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def purge_handoff_tokens() -> int:
    """Forget the ids of redeemed hand-off tokens that have expired."""
    return handoff_tokens_purge()
