"""The bulk path for new orders: many at once, stored as ``order_upsert`` stores them one by one.

``order_upsert`` creates an order with its lines, payments and ``order.placed`` event; each later
status the marketplace reports moves it through ``transition()``, one event per move. A bulk load
(the simulator's 100,000 orders) cannot afford the ORM per row, so ``orders_bulk_insert`` writes
the same rows with ``core.bulk.rows_insert`` and the events with ``core.timeline.timeline_append_many``:
the same content hash and columns, the same events with the same payloads and moments.
``tests/orders/test_bulk.py`` holds the two paths to the same rows for the same input; a change to
what ``order_upsert`` stores must be made here too, or that test fails.

It is for orders the marketplace does not have yet (the caller skips those it has) and writes in the
caller's transaction; it sends nothing (no outbox row), as loading a past sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from marketdesk.core.actors import Actor
from marketdesk.core.bulk import ids_reserve, rows_insert
from marketdesk.core.timeline import StatusChanged, TimelineRow, event_type, timeline_append_many
from marketdesk.orders.events import ORDER_PLACED, OrderPlacedPayload
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment
from marketdesk.orders.services import OrderData, order_content_hash, order_risk_keys
from marketdesk.orders.states import OrderStatus

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
    "payment_fingerprint",
    "delivery_address_hash",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = (
    "order",
    "external_id",
    "sku",
    "title",
    "quantity",
    "unit_price_minor",
    "total_minor",
    "category",
    "final_sale",
)
_PAYMENT_COLUMNS = ("order", "external_id", "method", "amount_minor", "currency", "status", "paid_at")


@dataclass(frozen=True)
class OrderHistory:
    """A new order as the marketplace states it now, and the status moves it made since it was placed.

    Each move is (event type, from, to, when), in order; ``data.status`` is the last move's target
    (or ``placed``).
    """

    data: OrderData
    moves: Sequence[tuple[str, str, str, dt.datetime]] = ()


@dataclass(frozen=True)
class BulkCounts:
    orders: int
    lines: int
    payments: int
    events: int


def orders_bulk_insert(
    *,
    actor: Actor,
    marketplace: Marketplace,
    histories: Sequence[OrderHistory],
    buyer_ids: Mapping[str, int],
    shop_ids: Mapping[str, int],
) -> BulkCounts:
    """Insert new orders with their lines, payments and timeline events, each as ``order_upsert`` would store it."""
    order_type_id = ContentType.objects.get_for_model(Order).pk
    orders: list[tuple[object, ...]] = []
    lines: list[tuple[object, ...]] = []
    payments: list[tuple[object, ...]] = []
    events: list[TimelineRow] = []
    for pk, history in zip(ids_reserve(Order, len(histories)), histories, strict=True):
        d = history.data
        # The order is created at its placing and touched by each move (``transition()`` sets updated_at).
        updated_at = history.moves[-1][3] if history.moves else d.placed_at
        orders.append(
            (
                pk,
                marketplace.pk,
                d.external_id,
                buyer_ids[d.buyer.external_id],
                shop_ids[d.shop.external_id],
                d.status,
                d.currency,
                d.total_minor,
                d.placed_at,
                d.estimated_delivery_at,
                d.delivered_at,
                order_content_hash(d),
                len(d.lines),
                *order_risk_keys(d),
                d.placed_at,
                updated_at,
            )
        )
        lines.extend(
            (
                pk,
                ln.external_id,
                ln.sku,
                ln.title,
                ln.quantity,
                ln.unit_price_minor,
                ln.total_minor,
                ln.category,
                ln.final_sale,
            )
            for ln in d.lines
        )
        payments.extend(
            (pk, p.external_id, p.method, p.amount_minor, p.currency, p.status, p.paid_at) for p in d.payments
        )
        placed = OrderPlacedPayload(
            status=OrderStatus.PLACED, total_minor=d.total_minor, currency=d.currency, lines=len(d.lines)
        )
        subject = (order_type_id, pk, actor)
        events.append(_event(subject, ORDER_PLACED.name, d.placed_at, placed.model_dump_json()))
        events.extend(
            _event(subject, name, when, StatusChanged(source=source, target=target).model_dump_json())
            for name, source, target, when in history.moves
        )
    rows_insert(Order, _ORDER_COLUMNS, orders)
    rows_insert(OrderLine, _LINE_COLUMNS, lines)
    rows_insert(Payment, _PAYMENT_COLUMNS, payments)
    timeline_append_many(events)
    return BulkCounts(orders=len(orders), lines=len(lines), payments=len(payments), events=len(events))


def _event(subject: tuple[int, int, Actor], name: str, when: dt.datetime, payload: str) -> TimelineRow:
    """Build the event ``name`` about an order (its content type, id, and the actor) at ``when``."""
    type_id, pk, actor = subject
    return TimelineRow(
        subject_type_id=type_id,
        subject_id=pk,
        event_type=name,
        actor_user_id=actor.user.pk if actor.user is not None else None,
        actor_role=str(actor.role),
        occurred_at=when,
        audience=event_type(name).audience,
        payload=payload,
    )
