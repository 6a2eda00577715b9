"""Writes of the built-in simulated marketplace.

``marketplace_simulate`` fills a marketplace from a seed in bulk: rows are
written with ``bulk_create`` in batches, one transaction per batch, as the
generator streams them. That bypasses ``order_upsert`` for speed (100,000 orders
in about a minute instead of an hour) but stores exactly what it would: the same
content hash, the ``order.placed`` event and one event per status move, from the
declared event types. ``simulation_tick`` is the slow, faithful path: it acts as
the marketplace through ``order_upsert`` to keep a demo moving (``ticking``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.models import TimelineEvent
from marketdesk.core.timeline import StatusChanged, event_type
from marketdesk.orders.events import ORDER_PLACED, OrderPlacedPayload
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment
from marketdesk.orders.services import order_content_hash
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator.generator import MarketplaceGenerator, SimulatedOrder
from marketdesk.simulator.services.people import buyers_ensure, shops_ensure

DEFAULT_SLUG = "demo"
DEFAULT_NAME = "Demo Market"


@dataclass(frozen=True)
class SimulationResult:
    marketplace: Marketplace
    orders_created: int
    orders_skipped: int
    lines: int
    payments: int
    events: int
    shops: int
    buyers: int


def simulation_epoch(now: dt.datetime | None = None) -> dt.datetime:
    """Return the fixed point the simulated timeline ends at: today, midnight UTC."""
    at = (now or clock.now()).astimezone(dt.UTC)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _chunks(items: Iterable[SimulatedOrder], size: int) -> Iterator[list[SimulatedOrder]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def marketplace_simulate(
    *,
    seed: int,
    orders: int,
    epoch: dt.datetime,
    slug: str = DEFAULT_SLUG,
    name: str = DEFAULT_NAME,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 10_000,
) -> SimulationResult:
    """Fill a marketplace with ``orders`` generated orders; orders it already has are skipped.

    ``progress(done, total)`` is called every ``progress_every`` orders.
    """
    plan = MarketplaceGenerator(seed=seed, orders=orders, epoch=epoch)
    marketplace, _created = Marketplace.objects.get_or_create(slug=slug, defaults={"name": name})
    shop_ids = shops_ensure(marketplace, plan)
    buyer_ids = buyers_ensure(marketplace, plan.all_buyers())

    writer = _BulkWriter(connection)
    order_type_id = ContentType.objects.get_for_model(Order).pk
    placed_audience = ORDER_PLACED.audience
    audiences = {name: event_type(name).audience for name in {m.event for m in Order.TRANSITIONS.moves}}
    actor_role = str(Role.MARKETPLACE)
    at = writer.datetime
    created = skipped = line_count = payment_count = event_count = 0
    done = 0
    next_report = progress_every
    for batch in _chunks(plan.orders(), batch_size):
        with transaction.atomic():
            ids = [o.data.external_id for o in batch]
            existing = set(
                Order.objects.filter(marketplace=marketplace, external_id__in=ids).values_list("external_id", flat=True)
            )
            fresh = [o for o in batch if o.data.external_id not in existing]
            skipped += len(batch) - len(fresh)
            pks = writer.reserve_ids(Order, len(fresh))
            orders_rows: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            payments: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            for pk, o in zip(pks, fresh, strict=True):
                d = o.data
                orders_rows.append(
                    (
                        pk,
                        marketplace.pk,
                        d.external_id,
                        buyer_ids[d.buyer.external_id],
                        shop_ids[d.shop.external_id],
                        d.status,
                        d.currency,
                        d.total_minor,
                        at(d.placed_at),
                        at(d.estimated_delivery_at),
                        at(d.delivered_at),
                        order_content_hash(d),
                        len(d.lines),
                        at(d.placed_at),
                        at(o.updated_at),
                    )
                )
                lines.extend(
                    (pk, ln.external_id, ln.sku, ln.title, ln.quantity, ln.unit_price_minor, ln.total_minor)
                    for ln in d.lines
                )
                payments.extend(
                    (pk, p.external_id, p.method, p.amount_minor, p.currency, p.status, at(p.paid_at))
                    for p in d.payments
                )
                placed = OrderPlacedPayload(
                    status=OrderStatus.PLACED, total_minor=d.total_minor, currency=d.currency, lines=len(d.lines)
                )
                events.append(
                    (
                        order_type_id,
                        pk,
                        ORDER_PLACED.name,
                        None,
                        actor_role,
                        at(d.placed_at),
                        placed_audience,
                        writer.json(placed.model_dump(mode="json")),
                    )
                )
                for name_, source, target, when in o.moves:
                    payload = StatusChanged(source=source, target=target).model_dump(mode="json")
                    events.append(
                        (order_type_id, pk, name_, None, actor_role, at(when), audiences[name_], writer.json(payload))
                    )
            writer.insert(Order, _ORDER_COLUMNS, orders_rows)
            writer.insert(OrderLine, _LINE_COLUMNS, lines)
            writer.insert(Payment, _PAYMENT_COLUMNS, payments)
            writer.insert(TimelineEvent, _EVENT_COLUMNS, events)
        created += len(orders_rows)
        line_count += len(lines)
        payment_count += len(payments)
        event_count += len(events)
        done += len(batch)
        if progress is not None and done >= next_report:
            progress(done, orders)
            next_report += progress_every
    return SimulationResult(
        marketplace=marketplace,
        orders_created=created,
        orders_skipped=skipped,
        lines=line_count,
        payments=payment_count,
        events=event_count,
        shops=len(plan.shops),
        buyers=len(buyer_ids),
    )


_ORDER_COLUMNS = (
    "id",
    "marketplace",
    "external_id",
    "buyer",
    "shop",
    "status",
    "currency",
    "total_minor",
    "placed_at",
    "estimated_delivery_at",
    "delivered_at",
    "content_hash",
    "line_count",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = ("order", "external_id", "sku", "title", "quantity", "unit_price_minor", "total_minor")
_PAYMENT_COLUMNS = ("order", "external_id", "method", "amount_minor", "currency", "status", "paid_at")
_EVENT_COLUMNS = (
    "subject_type",
    "subject_id",
    "event_type",
    "actor_user",
    "actor_role",
    "occurred_at",
    "audience",
    "payload",
)


class _BulkWriter:
    """Plain multi-row INSERTs for the bulk load, on SQLite and PostgreSQL.

    Even ``bulk_create`` spends most of a 100,000-order load compiling SQL value
    by value; ``executemany`` with prepared tuples is several times faster. The
    rows are the ones the models would write: every column is listed, values are
    adapted by the backend's own operations, and order ids are reserved from the
    table's sequence so that lines and events can point at them without a
    round trip.
    """

    def __init__(self, conn: BaseDatabaseWrapper) -> None:
        if conn.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"the bulk simulator supports SQLite and PostgreSQL, not {conn.vendor}")
        self.conn = conn
        self.ops = conn.ops

    def datetime(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def json(self, value: dict[str, Any]) -> Any:
        return self.ops.adapt_json_value(value, None)

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        """Return ``count`` unused primary keys of ``model``'s table (inside the caller's transaction)."""
        if count == 0:
            return []
        table = model._meta.db_table
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction is IMMEDIATE, so nobody else writes until it ends.
            # The table name comes from model metadata, quoted by the backend: nothing user-supplied.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.ops.quote_name(table)}")  # noqa: S608
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))

    def insert(self, model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        meta = model._meta
        columns = ", ".join(self.ops.quote_name(_column(model, f)) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {self.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.pk if name == "id" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} is not a concrete column")
    return column
