"""Scheduled work on returns (Django's tasks API): the seller's silence, shipping back, late refunds."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.returns.services.deadlines import returns_approve_silent, returns_refund_late, returns_remind_and_lapse


@periodic(every=dt.timedelta(minutes=15))
@task(queue_name="default")
def approve_silent_returns() -> int:
    """Approve requests the seller did not answer within the policy's business days."""
    return returns_approve_silent()


@periodic(every=dt.timedelta(minutes=15))
@task(queue_name="default")
def remind_and_lapse_returns() -> list[int]:
    """Remind buyers to ship approved returns back, and lapse those not shipped in time."""
    return list(returns_remind_and_lapse())


@periodic(every=dt.timedelta(minutes=15))
@task(queue_name="default")
def refund_late_returns() -> int:
    """Refund from the platform, recovered from the seller, when the seller is late to refund a received return."""
    return returns_refund_late()
