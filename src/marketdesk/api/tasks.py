"""Background tasks of the API layer."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.api.idempotency import idempotency_records_purge
from marketdesk.core.periodic import periodic


@periodic(every=dt.timedelta(hours=6))
@task(queue_name="default")
def purge_idempotency_records() -> int:
    """Forget Idempotency-Keys older than their retention."""
    return idempotency_records_purge()
