"""Background work of risk signals."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.risk.services import risk_signals_refresh


@periodic(every=dt.timedelta(days=1))
@task(queue_name="long")
def compute_risk_signals() -> int:
    """Recompute every buyer's and shop's risk signals; return how many parties changed."""
    return risk_signals_refresh()
