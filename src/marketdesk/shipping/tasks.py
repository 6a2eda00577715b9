"""Scheduled work on delivery: flags move with the clock even when no carrier event arrives."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.actors import Actor
from marketdesk.core.periodic import periodic
from marketdesk.shipping.services import shipment_flags_recompute


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="ingest")
def recompute_shipment_flags() -> int:
    """Recompute late-to-ship, delayed, stalled and likely-lost for every parcel still on its way."""
    return shipment_flags_recompute(actor=Actor.system())
