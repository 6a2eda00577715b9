"""Background tasks of the ledger (Django's tasks API).

``ledger_resend_unacknowledged`` is meant to run periodically (every hour is plenty: it re-sends only
instructions unacknowledged for ``RESEND_UNACKNOWLEDGED_AFTER``); Django's tasks API has no scheduler,
so cron or the demo loop enqueues it.
"""

from __future__ import annotations

from django.tasks import task

from marketdesk.ledger.services import ledger_refunds_resend


@task()
def ledger_resend_unacknowledged() -> int:
    """Send again the refund instructions the marketplace has not acknowledged in time."""
    return ledger_refunds_resend()
