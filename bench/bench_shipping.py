"""Time the tracking ingest and the hints engine.

Runs against the database in DATABASE_URL (after ``migrate``), in its own marketplace:

* Ingest: ``--events`` carrier events (ten per parcel: handover, scans, out for delivery,
  delivered) sent through ``tracking_events_ingest`` in batches of ``--batch``; events per
  second. The floor is the same rows written by a plain ``bulk_create`` in the same batches;
  the ratio says what validation, de-duplication, mapping and the projection cost.
* Hints: p50/p95 of reading one order's state and running every rule, for an order whose
  parcel has 5 events and one with 500 (should not grow: rules read the projection).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from _common import django_setup, emit, percentile

STEPS = (("10", 0), *((("20" if i == 1 else "25"), i * 6) for i in range(1, 8)), ("30", 50), ("40", 54))


def main() -> None:  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000, help="Events ingested (default 1,000,000).")
    parser.add_argument("--batch", type=int, default=500, help="Events per request (default 500).")
    parser.add_argument("--hint-samples", type=int, default=300, help="Hint evaluations timed per order.")
    args = parser.parse_args()
    django_setup()

    from django.contrib.auth.hashers import make_password

    from marketdesk.accounts.models import User, UserRole
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.hints.rules import hints_evaluate, order_state_read
    from marketdesk.orders.models import Marketplace, Order, Shop
    from marketdesk.shipping.ingest import tracking_events_ingest
    from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent

    run = time.time_ns()
    now = clock.now()
    start = now - dt.timedelta(days=30)
    marketplace = Marketplace.objects.create(slug=f"bench-ship-{run}", name="Bench shipping")
    shop = Shop.objects.create(marketplace=marketplace, external_id=f"bench-s-{run}", name="Bench shop")
    buyer = User.objects.create(
        username=f"bench-s-{run}", role=UserRole.BUYER, marketplace=marketplace, password=make_password(None)
    )
    evri = Carrier.objects.get(code="evri")
    parcels = max(1, args.events // len(STEPS)) + 2
    orders = Order.objects.bulk_create(
        [
            Order(
                marketplace=marketplace,
                external_id=f"B{run}-{i}",
                buyer=buyer,
                shop=shop,
                status="shipped",
                currency="GBP",
                total_minor=1000,
                placed_at=start,
                content_hash="bench",
            )
            for i in range(parcels)
        ],
        batch_size=2000,
    )
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(
                marketplace=marketplace,
                order=o,
                external_id=f"S{i}",
                carrier=evri,
                tracking_number=f"BS{run}-{i}",
                estimated_to=start + dt.timedelta(days=3),
            )
            for i, o in enumerate(orders)
        ],
        batch_size=2000,
    )

    def rows_of(shipment: Shipment, prefix: str) -> list[dict[str, Any]]:
        return [
            {
                "carrier": "evri",
                "tracking_number": shipment.tracking_number,
                "event_id": f"{prefix}{shipment.pk}-{n}",
                "status": code,
                "occurred_at": (start + dt.timedelta(hours=hours)).isoformat(),
                "description": "scan",
                "location": "Hub",
            }
            for n, (code, hours) in enumerate(STEPS)
        ]

    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    bench_parcels = shipments[2:]
    clock.install(clock.FrozenClock(now))
    stored = 0
    batch: list[dict[str, Any]] = []
    began = time.perf_counter()
    for shipment in bench_parcels:
        batch.extend(rows_of(shipment, "e"))
        if len(batch) >= args.batch:
            stored += tracking_events_ingest(actor=actor, rows=batch[: args.batch]).stored
            batch = batch[args.batch :]
    if batch:
        stored += tracking_events_ingest(actor=actor, rows=batch).stored
    ingest_seconds = time.perf_counter() - began

    # The floor: the same rows, built the same way, written by bulk_create alone.
    floor_rows = 0
    began = time.perf_counter()
    pending: list[TrackingEvent] = []
    for shipment in bench_parcels:
        pending.extend(
            TrackingEvent(
                marketplace=marketplace,
                carrier=evri,
                shipment=shipment,
                tracking_number=row["tracking_number"],
                carrier_event_id=row["event_id"],
                event_at=dt.datetime.fromisoformat(row["occurred_at"]),
                received_at=now,
                raw=row,
                raw_status=row["status"],
                raw_text=row["description"],
                location=row["location"],
                status="in_transit",
            )
            for row in rows_of(shipment, "f")
        )
        if len(pending) >= args.batch:
            TrackingEvent.objects.bulk_create(pending[: args.batch])
            floor_rows += len(pending[: args.batch])
            pending = pending[args.batch :]
    if pending:
        TrackingEvent.objects.bulk_create(pending)
        floor_rows += len(pending)
    floor_seconds = time.perf_counter() - began

    def hint_times(shipment: Shipment, events: int) -> list[float]:
        rows = [
            {
                "carrier": "evri",
                "tracking_number": shipment.tracking_number,
                "event_id": f"h{shipment.pk}-{n}",
                "status": "25",
                "occurred_at": (now - dt.timedelta(days=20) + dt.timedelta(minutes=n)).isoformat(),
            }
            for n in range(events)
        ]
        for i in range(0, len(rows), args.batch):
            tracking_events_ingest(actor=actor, rows=rows[i : i + args.batch])
        order = Order.objects.select_related("marketplace").get(pk=shipment.order_id)
        times = []
        for _ in range(args.hint_samples):
            t0 = time.perf_counter()
            hints_evaluate(order_state_read(order))
            times.append((time.perf_counter() - t0) * 1000)
        return times

    small, large = hint_times(shipments[0], 5), hint_times(shipments[1], 500)
    emit(
        {
            "events": stored,
            "batch": args.batch,
            "ingest_events_per_s": round(stored / ingest_seconds),
            "bulk_create_events_per_s": round(floor_rows / floor_seconds),
            "ingest_vs_bulk_create": round((floor_rows / floor_seconds) / (stored / ingest_seconds), 2),
            "hints_ms_5_events": {"p50": round(percentile(small, 50), 2), "p95": round(percentile(small, 95), 2)},
            "hints_ms_500_events": {"p50": round(percentile(large, 50), 2), "p95": round(percentile(large, 95), 2)},
        }
    )


if __name__ == "__main__":
    main()
