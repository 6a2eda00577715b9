"""The held events of a tracking number are found off an index, never by reading the table, on SQLite and PostgreSQL.

Only events waiting for their shipment are indexed by number (every other event's number would cost
each insert a write at a random place of a large index, and nothing reads them by number), so
attaching held events when the shipment arrives must still read an index: the partial one of held
events by number, or the parcel's events index at its empty shipment (which holds only held events).
The periodic recompute finds the parcels still on their way off a partial index of them.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from marketdesk.shipping.models import OPEN_FILTER, Shipment, TrackingEvent

pytestmark = pytest.mark.django_db


def plan(qs) -> str:
    """The database's plan for the query as text; on PostgreSQL a scan of the table is priced out."""
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_held_events_of_a_number_are_read_off_the_held_index(marketplace, evri):
    # Given the read that attaches a number's held events to its new shipment
    held = TrackingEvent.objects.filter(
        marketplace_id=marketplace.pk, carrier=evri, tracking_number="EV-HELD-1", shipment__isnull=True
    )

    # When the database plans it
    text = plan(held)

    # Then it searches an index that holds only held events, and never scans the table
    assert "tracking_held_number_idx" in text or "tracking_shipment_time_idx (shipment_id=?)" in text, text
    assert "SCAN" not in text, text
    assert "Seq Scan" not in text, text


def test_parcels_on_their_way_are_read_off_the_open_index():
    # Given the periodic recompute's read of every parcel not in a final status, by id
    on_their_way = Shipment.objects.filter(OPEN_FILTER).order_by("pk").values_list("pk", flat=True)

    # When the database plans it
    text = plan(on_their_way)

    # Then it reads the partial index of open parcels (delivered ones, most of the table in time, are not in it)
    assert "shipment_open_idx" in text, text
    assert "Seq Scan" not in text, text
