"""Time the tracking ingest through its HTTP endpoint against a raw insert of the same rows, and the hints engine.

Runs against the database in DATABASE_URL (after ``migrate``), in its own marketplace:

* Ingest: a carrier's feed as it really arrives: ``--events`` events over ``--parcels`` parcels
  (five each: received, two scans, out for delivery, delivered), parcels starting at staggered
  times, the feed sorted by event time, so a batch touches as many parcels as it holds events;
  one event in fifty sent late (after later ones of its parcel) and one in a hundred sent twice.
  Sent as ``POST /api/v1/tracking-events`` with the marketplace's API key, ``--batch`` events a
  request: events/s, p50/p95 per request and queries per request. The request stores the events and
  leaves one outbox row; the parcels' projection (status, flags, timeline, care) is the worker's.
* The projection: after each request, its outbox row run as the worker's drain runs it
  (``outbox_drain``, the function the ``drain_outbox_topic`` task calls), in this process with the
  clock at the request's moment: the feed replays five days in minutes, and a worker process's own
  clock would find every parcel silent for days. Timed apart: events projected per second, p50/p95
  per batch and queries per batch; and the whole, stored and projected, as events per second of both.
* The floor: the same rows (new event ids; each raw status through the carrier's mapping, the raw
  JSON as sent) written by one raw multi-row ``INSERT`` per batch, each in its own transaction,
  with their parameters built beforehand, so only the database's own work is timed. It writes to
  its own copy of the database, taken just before the ingest starts (parcels seeded, the ORM's
  ``bulk_create`` of the same rows, for reference, already in): both meet the same tables as they
  grow, and each pays for writing back its own pages (SQLite's checkpoints; sharing one WAL, the
  one whose commit crossed the checkpoint threshold paid for both). The floor's batches and the
  ingest's take turns, one each, so the machine's load weighs on both alike. Goal: ingest ≥ 50 %
  of the raw floor.
* The ingest's own SQL: each request's statements, recorded as the ingest sent them, run again with
  the same parameters in one transaction on a third copy of the database, taken at the same moment,
  right after the request (its turn beside the floor's and the ingest's): the share of the floor the
  ingest could reach if its Python cost nothing. It tells how much of a gap is the work the
  ingest asks of the database (its parcels read and updated, its timeline rows) and how much is
  the work around it.
* Hints: p50/p95 of reading one order's state and running every rule, for an order whose
  parcel has 5 events and one with 500 (should not grow: rules read the projection).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile

#: Evri's raw statuses of one journey and their hour from the parcel's start.
STEPS = (("10", 0), ("20", 6), ("25", 20), ("30", 50), ("40", 54))
GOAL_OF_FLOOR = 0.5
#: The connection aliases of the floor's copy of the database, and of the copy the ingest's statements are replayed on.
FLOOR = "floor"
REPLAY = "replay"


def _closed(connection: Any) -> None:
    """Close the connection and, on PostgreSQL, its pool's idle ones."""
    connection.close()
    if getattr(connection, "pool", None) is not None:
        connection.close_pool()


class DatabaseCopy:
    """A copy of the database as it is now, named ``alias`` among the connections.

    A file beside SQLite's, or a database made from PostgreSQL's; ``drop`` removes it.
    """

    def __init__(self, connections: Any, alias: str) -> None:
        self.connections = connections
        self.alias = alias
        default = connections["default"]
        settings = dict(connections.databases["default"])
        self.vendor = default.vendor
        if self.vendor == "sqlite":
            self.name = f"{settings['NAME']}.{alias}"
            Path(self.name).unlink(missing_ok=True)
            with default.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [self.name])  # a consistent copy, with the connection open
        else:
            self.name = f"{settings['NAME']}_{alias}"
            # PostgreSQL copies a database only while nobody is connected to it: the pool's idle ones too.
            _closed(default)
            with default._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{settings["NAME"]}"')
        connections.databases[alias] = {**settings, "NAME": self.name}

    def drop(self) -> None:
        _closed(self.connections[self.alias])
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
        else:
            with self.connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def main() -> None:  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000, help="Events ingested (default 100,000).")
    parser.add_argument("--parcels", type=int, default=20_000, help="Parcels they are spread over (default 20,000).")
    parser.add_argument(
        "--batch", type=int, default=1000, help="Events per request (default 1,000, the most one takes)."
    )
    parser.add_argument("--hint-samples", type=int, default=300, help="Hint evaluations timed per order.")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    django_setup()

    from django.contrib.auth.hashers import make_password
    from django.db import connection, connections, transaction
    from django.test import Client

    from marketdesk.accounts.models import User, UserRole
    from marketdesk.accounts.services import api_key_create
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.core.outbox import outbox_drain
    from marketdesk.hints.rules import hints_evaluate, order_state_read
    from marketdesk.orders.models import Marketplace, Order, Shop
    from marketdesk.shipping.ingest import tracking_events_ingest
    from marketdesk.shipping.models import Carrier, CarrierStatusMapping, Shipment, TrackingEvent
    from marketdesk.shipping.services.projection import PROJECTION_TOPIC

    rng = random.Random(args.seed)
    run = time.time_ns()
    now = clock.now()
    # The feed ends now, as a live one does: parcels set off over the last five days.
    start = now - dt.timedelta(hours=72 + 56)
    marketplace = Marketplace.objects.create(slug=f"bench-ship-{run}", name="Bench shipping")
    shop = Shop.objects.create(marketplace=marketplace, external_id=f"bench-s-{run}", name="Bench shop")
    buyer = User.objects.create(
        username=f"bench-s-{run}", role=UserRole.BUYER, marketplace=marketplace, password=make_password(None)
    )
    evri = Carrier.objects.get(code="evri")
    parcels = max(1, min(args.parcels, args.events // len(STEPS))) + 2
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
    # Parcels set off over three days; each promised within three days of setting off.
    offsets = [dt.timedelta(seconds=rng.randrange(3 * 86400)) for _ in orders]
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(
                marketplace=marketplace,
                order=o,
                external_id=f"S{i}",
                carrier=evri,
                tracking_number=f"BS{run}-{i}",
                estimated_to=start + offsets[i] + dt.timedelta(days=3),
            )
            for i, o in enumerate(orders)
        ],
        batch_size=2000,
    )
    bench_parcels = list(enumerate(shipments))[2:]

    def feed(prefix: str) -> list[dict[str, Any]]:
        """The feed as the carrier sends it: by event time across parcels, some late, some twice."""
        timed: list[tuple[dt.datetime, dict[str, Any]]] = []
        for i, shipment in bench_parcels:
            for n, (code, hours) in enumerate(STEPS):
                at = start + offsets[i] + dt.timedelta(hours=hours, minutes=rng.randrange(60))
                row = {
                    "carrier": "evri",
                    "tracking_number": shipment.tracking_number,
                    "event_id": f"{prefix}{shipment.pk}-{n}",
                    "status": code,
                    "occurred_at": at.isoformat(),
                    "description": "Parcel scanned",
                    "location": "Hub",
                }
                sent = at + (dt.timedelta(hours=rng.randrange(12, 48)) if rng.random() < 0.02 else dt.timedelta(0))
                timed.append((sent, row))
                if rng.random() < 0.01:
                    timed.append((sent + dt.timedelta(hours=rng.randrange(1, 24)), row))
        timed.sort(key=lambda pair: pair[0])
        return timed[: args.events]

    def batches(timed: list[tuple[dt.datetime, dict[str, Any]]]) -> list[tuple[dt.datetime, list[dict[str, Any]]]]:
        """The requests: each sent when its last event was, so flags see the parcel's silence as it was."""
        chunks = [timed[i : i + args.batch] for i in range(0, len(timed), args.batch)]
        return [(chunk[-1][0], [row for _sent, row in chunk]) for chunk in chunks]

    # The floor first: the same shape of rows (other event ids), parameters ready, one INSERT per batch.
    floor_feed = batches(feed("f"))
    table = TrackingEvent._meta.db_table
    columns = [
        "marketplace_id",
        "carrier_id",
        "shipment_id",
        "tracking_number",
        "carrier_event_id",
        "event_at",
        "received_at",
        "raw",
        "raw_status",
        "raw_text",
        "location",
        "status",
        "exception_reason",
    ]
    shipment_of = {s.tracking_number: s.pk for _i, s in bench_parcels}
    normal = {
        raw: (status, reason)
        for raw, status, reason in CarrierStatusMapping.objects.filter(carrier=evri).values_list(
            "raw_status", "status", "exception_reason"
        )
    }
    fields = {f: TrackingEvent._meta.get_field(f) for f in ("event_at", "received_at")}

    seen: set[str] = set()

    def once(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows not sent before: the floor stores each event once, as the ingest does."""
        fresh = [row for row in {row["event_id"]: row for row in rows}.values() if row["event_id"] not in seen]
        seen.update(row["event_id"] for row in fresh)
        return fresh

    def floor_params(rows: list[dict[str, Any]]) -> list[Any]:
        params: list[Any] = []
        for row in once(rows):
            at = dt.datetime.fromisoformat(row["occurred_at"])
            values = [
                marketplace.pk,
                evri.pk,
                shipment_of[row["tracking_number"]],
                row["tracking_number"],
                row["event_id"],
                fields["event_at"].get_db_prep_save(at, connection),
                fields["received_at"].get_db_prep_save(now, connection),
                json.dumps(row),
                row["status"],
                row["description"],
                row["location"],
                *normal.get(row["status"], ("", "")),
            ]
            params.extend(values)
        return params

    prepared = [floor_params(rows) for _sent, rows in floor_feed]
    seen.clear()
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - the model's own names
    floor_rows = 0
    raw_seconds = 0.0

    def floor_batch(params: list[Any]) -> None:
        nonlocal floor_rows, raw_seconds
        count = len(params) // len(columns)
        began = time.perf_counter()
        with transaction.atomic(using=FLOOR), connections[FLOOR].cursor() as cursor:
            cursor.execute(head + ", ".join([row_sql] * count), params)
        raw_seconds += time.perf_counter() - began
        floor_rows += count

    # For reference: the ORM's bulk_create of the same rows (again new ids).
    orm_rows = 0
    began = time.perf_counter()
    for _sent, rows in floor_feed:
        unique = once(rows)
        with transaction.atomic():
            TrackingEvent.objects.bulk_create(
                TrackingEvent(
                    marketplace=marketplace,
                    carrier=evri,
                    shipment_id=shipment_of[row["tracking_number"]],
                    tracking_number=row["tracking_number"],
                    carrier_event_id="o" + row["event_id"],
                    event_at=dt.datetime.fromisoformat(row["occurred_at"]),
                    received_at=now,
                    raw=row,
                    raw_status=row["status"],
                    raw_text=row["description"],
                    location=row["location"],
                    status=normal.get(row["status"], ("", ""))[0],
                )
                for row in unique
            )
        orm_rows += len(unique)
    orm_seconds = time.perf_counter() - began

    # The ingest: the same feed shape through the HTTP endpoint, as the carrier's aggregator sends it.
    _key, secret = api_key_create(actor=Actor.system(), marketplace=marketplace, name="bench-feed")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    bodies = [(sent, json.dumps({"events": rows})) for sent, rows in batches(feed("e"))]
    # Warm up (URL patterns, the API's schemas) outside the timing, as a running server is.
    client.post("/api/v1/tracking-events", json.dumps({"events": []}), content_type="application/json")
    copies = [DatabaseCopy(connections, FLOOR), DatabaseCopy(connections, REPLAY)]
    queries = 0
    statements: list[tuple[str, Any, bool]] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        if not sql.startswith("BEGIN"):  # the replay opens its own transaction
            statements.append((sql, params, many))
        return execute(sql, params, many, context)

    replay_seconds = 0.0

    def replayed() -> None:
        """The request's own statements again, as they were sent, in one transaction on the replay's copy."""
        nonlocal replay_seconds
        began = time.perf_counter()
        with transaction.atomic(using=REPLAY), connections[REPLAY].cursor() as cursor:
            for sql, params, many in statements:
                (cursor.executemany if many else cursor.execute)(sql, params)
        replay_seconds += time.perf_counter() - began
        statements.clear()

    stored = duplicates = 0
    request_ms: list[float] = []
    request_queries: list[int] = []
    ingest_seconds = 0.0
    projection_ms: list[float] = []
    projection_queries: list[int] = []

    def projected() -> None:
        """The worker's turn: the request's outbox row drained as the worker does, at the request's moment."""
        before = queries
        with connection.execute_wrapper(counted):
            t0 = time.perf_counter()
            ran = outbox_drain(PROJECTION_TOPIC)
            projection_ms.append((time.perf_counter() - t0) * 1000)
        statements.clear()  # the worker's statements are not the request's
        projection_queries.append(queries - before)
        if ran != 1:
            raise SystemExit(f"the worker's drain ran {ran} projection rows after a request, not 1")

    for params, (sent, body) in zip(prepared, bodies, strict=True):
        floor_batch(params)  # the floor's turn: its batch of the same rows, on the table as it is now
        clock.install(clock.FrozenClock(sent))
        with connection.execute_wrapper(counted):
            before, t0 = queries, time.perf_counter()
            response = client.post("/api/v1/tracking-events", body, content_type="application/json")
            request_ms.append((time.perf_counter() - t0) * 1000)
            ingest_seconds += request_ms[-1] / 1000
            request_queries.append(queries - before)
            if response.status_code != 200:
                raise SystemExit(f"POST /api/v1/tracking-events answered {response.status_code}: {response.content!r}")
            answer = response.json()
            if answer["errors"]:
                raise SystemExit(f"the ingest refused rows: {answer['errors'][:3]}")
        replayed()  # the replay's turn: the same statements with no Python between them
        projected()
        stored += answer["stored"]
        duplicates += answer["duplicates"]
    clock.install(clock.FrozenClock(now))
    for copy in copies:
        copy.drop()
    received = sum(len(json.loads(body)["events"]) for _sent, body in bodies)

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

    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    small, large = hint_times(shipments[0], 5), hint_times(shipments[1], 500)
    ingest_rate = received / ingest_seconds
    raw_rate = floor_rows / raw_seconds
    projection_seconds = sum(projection_ms) / 1000
    emit(
        {
            "events": received,
            "stored": stored,
            "duplicates": duplicates,
            "parcels": len(bench_parcels),
            "batch": args.batch,
            "ingest_events_per_s": round(ingest_rate),
            "ingest_request_ms": {
                "p50": round(percentile(request_ms, 50), 1),
                "p95": round(percentile(request_ms, 95), 1),
            },
            "ingest_queries_per_request": {"min": min(request_queries), "max": max(request_queries)},
            "database": connection.vendor,
            "raw_insert_events_per_s": round(raw_rate),
            "bulk_create_events_per_s": round(orm_rows / orm_seconds),
            "ingest_pct_of_raw": round(100 * ingest_rate / raw_rate, 1),
            "ingest_goal_pct": round(100 * GOAL_OF_FLOOR),
            "ingest_holds": ingest_rate >= GOAL_OF_FLOOR * raw_rate,
            "ingest_sql_pct_of_raw": round(100 * (received / replay_seconds) / raw_rate, 1),
            "projection_events_per_s": round(stored / projection_seconds),
            "projection_batch_ms": {
                "p50": round(percentile(projection_ms, 50), 1),
                "p95": round(percentile(projection_ms, 95), 1),
            },
            "projection_queries_per_batch": {"min": min(projection_queries), "max": max(projection_queries)},
            "stored_and_projected_events_per_s": round(received / (ingest_seconds + projection_seconds)),
            "stored_and_projected_pct_of_raw": round(
                100 * received / (ingest_seconds + projection_seconds) / raw_rate, 1
            ),
            "hints_ms_5_events": {"p50": round(percentile(small, 50), 2), "p95": round(percentile(small, 95), 2)},
            "hints_ms_500_events": {"p50": round(percentile(large, 50), 2), "p95": round(percentile(large, 95), 2)},
        }
    )


if __name__ == "__main__":
    main()
