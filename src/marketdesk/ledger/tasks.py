"""Background tasks of the ledger (Django's tasks API).

``ledger_resend_unacknowledged`` runs every hour (``core.periodic``); it re-sends only instructions
unacknowledged for ``RESEND_UNACKNOWLEDGED_AFTER``.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.ledger.services import ledger_refunds_resend


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def ledger_resend_unacknowledged() -> int:
    """Send again the refund instructions the marketplace has not acknowledged in time."""
    return ledger_refunds_resend()
