"""The orders' bulk path stores, row for row, what order_upsert stores for the same order and status moves."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import transaction

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.bulk import BulkCounts, OrderHistory, orders_bulk_insert
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment
from marketdesk.orders.services import (
    BuyerData,
    DeliveryAddressData,
    LineData,
    OrderData,
    PaymentData,
    ShopData,
    order_upsert,
)
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.core.transition_matrix import timeline_of

pytestmark = pytest.mark.django_db

PLACED_AT = dt.datetime(2026, 11, 2, 10, 0, 5, tzinfo=dt.UTC)
DELIVERED_AT = dt.datetime(2026, 11, 5, 16, 30, tzinfo=dt.UTC)
ORDER = OrderData(
    external_id="MKT-2001",
    buyer=BuyerData(external_id="B-77", name="Alice Smith", email="alice@example.test"),
    shop=ShopData(external_id="S-9", name="Wool & Co"),
    currency="GBP",
    total_minor=5499,
    shipping_minor=500,
    placed_at=PLACED_AT,
    lines=(
        LineData(external_id="L1", title="Wool scarf", quantity=2, unit_price_minor=1500, total_minor=3000, sku="SC-1"),
        LineData(
            external_id="L2",
            title="Felt hat",
            quantity=1,
            unit_price_minor=1999,
            total_minor=1999,
            category="clothing",
            final_sale=True,
        ),
    ),
    payments=(
        PaymentData(
            external_id="P1", method="card", amount_minor=5499, currency="GBP", status="captured", paid_at=PLACED_AT
        ),
    ),
    estimated_delivery_at=dt.datetime(2026, 11, 6, 18, 0, tzinfo=dt.UTC),
    delivered_at=DELIVERED_AT,
    status=OrderStatus.DELIVERED,
    payment_fingerprint="9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
    delivery_address=DeliveryAddressData(line1="14 Rose Lane", city="London", postcode="N1 9GU", country="GB"),
)
#: Placed, then paid, shipped and delivered: (event, from, to, when), written out by hand.
MOVES = (
    ("order.paid", "placed", "paid", dt.datetime(2026, 11, 2, 10, 1, tzinfo=dt.UTC)),
    ("order.shipped", "paid", "shipped", dt.datetime(2026, 11, 3, 9, 15, tzinfo=dt.UTC)),
    ("order.delivered", "shipped", "delivered", DELIVERED_AT),
)


def stored(marketplace: Marketplace) -> dict[str, object]:
    """Everything stored about the order in this marketplace, without the ids that differ between two stores."""
    order = Order.objects.select_related("buyer", "shop").get(marketplace=marketplace, external_id=ORDER.external_id)
    own = [
        f.attname
        for f in Order._meta.concrete_fields
        if f.attname not in ("id", "marketplace_id", "buyer_id", "shop_id")
    ]
    return {
        "order": {name: getattr(order, name) for name in own},
        "buyer": order.buyer.external_id,
        "shop": order.shop.external_id,
        "lines": list(
            OrderLine.objects.filter(order=order)
            .order_by("external_id")
            .values_list(
                "external_id", "sku", "title", "quantity", "unit_price_minor", "total_minor", "category", "final_sale"
            )
        ),
        "payments": list(
            Payment.objects.filter(order=order)
            .order_by("external_id")
            .values_list("external_id", "method", "amount_minor", "currency", "status", "paid_at")
        ),
        "events": list(
            timeline_of(order).values_list(
                "event_type", "actor_user", "actor_role", "occurred_at", "audience", "payload"
            )
        ),
    }


def test_the_bulk_path_stores_what_order_upsert_stores() -> None:
    # Given: the marketplace told one instance of the order as it was placed, then of each status at its moment
    by_service = factories.MarketplaceFactory(slug="told-one-by-one")
    marketplace = Actor.marketplace(marketplace_id=by_service.pk)
    with clock.frozen(PLACED_AT):
        order_upsert(actor=marketplace, marketplace=by_service, data=dataclasses.replace(ORDER, status="placed"))
    for _event, _source, target, at in MOVES:
        with clock.frozen(at):
            order_upsert(actor=marketplace, marketplace=by_service, data=dataclasses.replace(ORDER, status=target))
    in_bulk = factories.MarketplaceFactory(slug="loaded-in-bulk")
    buyer = factories.UserFactory(marketplace=in_bulk, external_id="B-77")
    shop = factories.ShopFactory(marketplace=in_bulk, external_id="S-9")

    # When: the same order and moves are loaded into another through the bulk path
    with transaction.atomic():
        counts = orders_bulk_insert(
            actor=Actor.marketplace(marketplace_id=in_bulk.pk),
            marketplace=in_bulk,
            histories=[OrderHistory(data=ORDER, moves=MOVES)],
            buyer_ids={"B-77": buyer.pk},
            shop_ids={"S-9": shop.pk},
        )

    # Then: the same rows, the same events with the same payloads and moments
    assert counts == BulkCounts(orders=1, lines=2, payments=1, events=4)
    assert stored(in_bulk) == stored(by_service)
    assert [event[0] for event in stored(in_bulk)["events"]] == [  # type: ignore[index]
        "order.placed",
        "order.paid",
        "order.shipped",
        "order.delivered",
    ]
