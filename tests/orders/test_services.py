"""order_upsert: idempotent create, forward-only status, every bad input refused with nothing written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from marketdesk.accounts.models import User, UserRole
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, PermissionDenied
from marketdesk.core.models import TimelineEvent
from marketdesk.core.money import Money
from marketdesk.orders.models import Order, OrderLine, Payment, Shop
from marketdesk.orders.services import BuyerData, LineData, OrderData, PaymentData, ShopData, order_upsert
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.core.transition_matrix import timeline_of

PLACED_AT = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
NAIVE = PLACED_AT.replace(tzinfo=None)
SCARF = LineData(external_id="L1", title="Wool scarf", quantity=2, unit_price_minor=1500, total_minor=3000, sku="SC-1")
HAT = LineData(external_id="L2", title="Felt hat", quantity=1, unit_price_minor=1999, total_minor=1999)
CARD = PaymentData(
    external_id="P1", method="card", amount_minor=5499, currency="GBP", status="captured", paid_at=PLACED_AT
)
DATA = OrderData(
    external_id="MKT-1001",
    buyer=BuyerData(external_id="B-77", name="Alice Smith", email="alice@example.test", language="ru"),
    shop=ShopData(external_id="S-9", name="Wool & Co", country="GB"),
    currency="GBP",
    total_minor=5499,
    shipping_minor=500,
    placed_at=PLACED_AT,
    lines=(SCARF, HAT),
    payments=(CARD,),
    status=OrderStatus.PAID,
)
MODELS = (Order, OrderLine, Payment, TimelineEvent, User, Shop)

pytestmark = pytest.mark.django_db


def data(**changes) -> OrderData:
    return dataclasses.replace(DATA, **changes)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def events(order: Order) -> list[tuple[str, dict]]:
    return list(timeline_of(order).values_list("event_type", "payload"))


def status_moved(source: str, target: str) -> tuple[str, dict]:
    return (f"order.{target}", {"source": source, "target": target, "extra": {}})


PLACED_EVENT = ("order.placed", {"status": "paid", "total_minor": 5499, "currency": "GBP", "lines": 2})


def test_create_stores_the_order_its_lines_payments_buyer_and_shop(marketplace, marketplace_actor):
    order, created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    assert created is True
    assert (order.external_id, order.status, order.total, order.placed_at) == (
        "MKT-1001",
        OrderStatus.PAID,
        Money(5499, "GBP"),
        PLACED_AT,
    )
    assert list(
        order.lines.values_list("external_id", "title", "quantity", "unit_price_minor", "total_minor", "sku")
    ) == [
        ("L1", "Wool scarf", 2, 1500, 3000, "SC-1"),
        ("L2", "Felt hat", 1, 1999, 1999, ""),
    ]
    assert list(order.payments.values_list("external_id", "amount_minor", "currency", "status", "paid_at")) == [
        ("P1", 5499, "GBP", "captured", PLACED_AT)
    ]
    assert (order.buyer.marketplace, order.buyer.external_id, order.buyer.role, order.buyer.language) == (
        marketplace,
        "B-77",
        UserRole.BUYER,
        "ru",
    )
    assert order.buyer.has_usable_password() is False
    assert (order.shop.marketplace, order.shop.external_id, order.shop.name) == (marketplace, "S-9", "Wool & Co")
    assert events(order) == [PLACED_EVENT]


def test_create_keeps_the_line_count_the_lists_show(marketplace, marketplace_actor):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    assert Order.objects.get(pk=order.pk).line_count == OrderLine.objects.filter(order=order).count() == 2


def test_a_line_keeps_its_category_and_final_sale(marketplace, marketplace_actor):
    # given a hat sold as final sale, filed under clothing
    hat = dataclasses.replace(HAT, category="clothing", final_sale=True)
    # when
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(lines=(SCARF, hat)))
    # then
    lines = order.lines.order_by("external_id").values_list("external_id", "category", "final_sale")
    assert list(lines) == [("L1", "", False), ("L2", "clothing", True)]


def test_an_order_sent_as_before_lines_had_a_category_keeps_its_hash():
    # given an order without category or final sale, as marketplaces sent it before the fields existed
    # when it is hashed now
    content = DATA.immutable_content()
    # then its lines are what they were: the new fields are left out at their defaults
    assert content["lines"] == [
        {"external_id": "L1", "title": "Wool scarf", "quantity": 2, "unit_price_minor": 1500, "total_minor": 3000,
         "sku": "SC-1"},
        {"external_id": "L2", "title": "Felt hat", "quantity": 1, "unit_price_minor": 1999, "total_minor": 1999,
         "sku": ""},
    ]  # fmt: skip


def test_total_is_stored_in_minor_units(marketplace, marketplace_actor):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    assert (Order.objects.get(pk=order.pk).total_minor, order.currency) == (5499, "GBP")


def test_repeat_changes_nothing(marketplace, marketplace_actor):
    first, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)
    before = counts()

    again, created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    assert (again.pk, created) == (first.pk, False)
    assert counts() == before
    assert events(first) == [PLACED_EVENT]


def test_repeat_with_the_same_instant_in_another_zone_changes_nothing(marketplace, marketplace_actor):
    first, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)
    before = counts()
    in_moscow = PLACED_AT.astimezone(ZoneInfo("Europe/Moscow"))

    again, created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(placed_at=in_moscow))

    assert (again.pk, created, counts()) == (first.pk, False, before)


@pytest.mark.parametrize(
    ("target", "moves"),
    [
        (OrderStatus.PAID, [("placed", "paid")]),
        (OrderStatus.DELIVERED, [("placed", "paid"), ("paid", "shipped"), ("shipped", "delivered")]),
        (OrderStatus.REFUNDED, [("placed", "paid"), ("paid", "refunded")]),
        (OrderStatus.CANCELLED, [("placed", "cancelled")]),
    ],
)
def test_status_moves_forward_one_recorded_event_per_move(marketplace, marketplace_actor, target, moves):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(status="placed"))

    order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(status=target))

    assert Order.objects.get(pk=order.pk).status == target
    assert events(order)[1:] == [status_moved(source, target) for source, target in moves]


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        (OrderStatus.DELIVERED, OrderStatus.PAID),
        (OrderStatus.SHIPPED, OrderStatus.PLACED),
        (OrderStatus.CANCELLED, OrderStatus.PAID),
        (OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED),
    ],
)
def test_status_going_backwards_is_a_conflict_naming_status(marketplace, marketplace_actor, stored, sent):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(status=stored))
    before = counts()

    with pytest.raises(Conflict) as refused:
        order_upsert(
            actor=marketplace_actor,
            marketplace=marketplace,
            data=data(status=sent, estimated_delivery_at=PLACED_AT + dt.timedelta(days=3)),
        )

    assert (refused.type, refused.value.field) == (Conflict, "status")
    assert counts() == before
    assert Order.objects.values_list("status", "estimated_delivery_at").get(pk=order.pk) == (stored, None)


def test_mutable_details_are_updated_and_recorded(marketplace, marketplace_actor):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(payments=()))
    eta = PLACED_AT + dt.timedelta(days=4)

    order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(estimated_delivery_at=eta))

    assert Order.objects.get(pk=order.pk).estimated_delivery_at == eta
    assert list(order.payments.values_list("external_id", flat=True)) == ["P1"]
    assert events(order)[1:] == [("order.details_updated", {"changed": ["estimated_delivery_at", "payments"]})]


def test_payment_status_change_is_recorded(marketplace, marketplace_actor):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    order_upsert(
        actor=marketplace_actor,
        marketplace=marketplace,
        data=data(payments=(dataclasses.replace(CARD, status="refunded"),)),
    )

    assert list(order.payments.values_list("status", flat=True)) == ["refunded"]
    assert events(order)[1:] == [("order.details_updated", {"changed": ["payments"]})]


def line(**changes) -> LineData:
    return dataclasses.replace(SCARF, **changes)


def payment(**changes) -> PaymentData:
    return dataclasses.replace(CARD, **changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"lines": (line(total_minor=2999), HAT)}, "lines.0.total_minor", id="line-total-mismatch"),
        pytest.param({"total_minor": 5000}, "total_minor", id="order-total-mismatch"),
        pytest.param({"shipping_minor": 0}, "total_minor", id="shipping-left-out-of-total"),
        pytest.param({"currency": "XYZ"}, "currency", id="unknown-currency"),
        pytest.param({"currency": "gbp"}, "currency", id="lowercase-currency"),
        pytest.param(
            {"lines": (line(unit_price_minor=-1500, total_minor=-3000), HAT)},
            "lines.0.unit_price_minor",
            id="negative-unit-price",
        ),
        pytest.param({"shipping_minor": -500, "total_minor": 4499}, "shipping_minor", id="negative-shipping"),
        pytest.param({"payments": (payment(amount_minor=-1),)}, "payments.0.amount_minor", id="negative-payment"),
        pytest.param(
            {"lines": (line(quantity=0, total_minor=0), HAT), "total_minor": 2499},
            "lines.0.quantity",
            id="zero-quantity",
        ),
        pytest.param(
            {"lines": (SCARF, line(external_id="L1")), "total_minor": 6500},
            "lines.1.external_id",
            id="duplicate-line-id",
        ),
        pytest.param({"lines": ()}, "lines", id="no-lines"),
        pytest.param({"status": "teleported"}, "status", id="unknown-status"),
        pytest.param({"placed_at": NAIVE}, "placed_at", id="naive-placed-at"),
        pytest.param({"estimated_delivery_at": NAIVE}, "estimated_delivery_at", id="naive-estimated-delivery"),
        pytest.param({"delivered_at": NAIVE}, "delivered_at", id="naive-delivered-at"),
        pytest.param({"payments": (payment(paid_at=NAIVE),)}, "payments.0.paid_at", id="naive-paid-at"),
        pytest.param({"payments": (payment(currency="EUR"),)}, "payments.0.currency", id="payment-in-another-currency"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(marketplace, marketplace_actor, changes, field):
    before = counts()

    with pytest.raises(DomainValidationError) as refused:
        order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(**changes))

    assert refused.value.field == field
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"buyer": BuyerData(external_id="B-78", name="Bob")}, "buyer.external_id", id="buyer"),
        pytest.param({"shop": ShopData(external_id="S-10", name="Other")}, "shop.external_id", id="shop"),
        pytest.param({"currency": "EUR", "payments": (payment(currency="EUR"),)}, "currency", id="currency"),
        pytest.param(
            {"lines": (line(unit_price_minor=1600, total_minor=3200), HAT), "total_minor": 5699},
            "total_minor",
            id="total",
        ),
        pytest.param({"placed_at": PLACED_AT + dt.timedelta(minutes=1)}, "placed_at", id="placed-at"),
        pytest.param({"lines": (line(title="Silk scarf"), HAT)}, "lines", id="line-title"),
    ],
)
def test_existing_id_with_different_content_is_a_conflict_naming_the_field(
    marketplace, marketplace_actor, changes, field
):
    order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)
    before = counts()

    with pytest.raises(Conflict) as refused:
        order_upsert(actor=marketplace_actor, marketplace=marketplace, data=data(**changes))

    assert (refused.type, refused.value.field) == (Conflict, field)
    assert counts() == before


def test_payment_id_reused_with_other_content_is_a_conflict(marketplace, marketplace_actor):
    order, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)
    before = counts()

    with pytest.raises(Conflict) as refused:
        order_upsert(
            actor=marketplace_actor,
            marketplace=marketplace,
            data=data(payments=(payment(method="paypal"),), status=OrderStatus.SHIPPED),
        )

    assert (refused.type, refused.value.field) == (Conflict, "payments.0")
    assert counts() == before
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_same_external_id_in_another_marketplace_is_another_order(marketplace, other_marketplace, marketplace_actor):
    mine, _created = order_upsert(actor=marketplace_actor, marketplace=marketplace, data=DATA)

    theirs, created = order_upsert(
        actor=Actor.marketplace(marketplace_id=other_marketplace.pk), marketplace=other_marketplace, data=DATA
    )

    assert (created, theirs.pk != mine.pk, theirs.buyer.pk != mine.buyer.pk) == (True, True, True)


@pytest.mark.parametrize("role", ["buyer", "seller", "operator"])
def test_people_other_than_admins_may_not_upsert(marketplace, role):
    person = factories.UserFactory(marketplace=marketplace, role=role)
    before = counts()

    with pytest.raises(PermissionDenied):
        order_upsert(actor=Actor.for_user(person), marketplace=marketplace, data=DATA)

    assert counts() == before


@pytest.mark.parametrize(
    "actor_of_other",
    [
        lambda other: Actor.marketplace(marketplace_id=other.pk),
        lambda other: Actor.for_user(factories.AdminFactory(marketplace=other)),
    ],
    ids=["marketplace-key", "admin"],
)
def test_actor_of_another_marketplace_is_refused(marketplace, other_marketplace, actor_of_other):
    actor = actor_of_other(other_marketplace)
    before = counts()

    with pytest.raises(PermissionDenied):
        order_upsert(actor=actor, marketplace=marketplace, data=DATA)

    assert counts() == before


@pytest.mark.parametrize(
    "actor",
    [Actor.system(), Actor(role="admin")],
    ids=["system", "installation-admin"],
)
def test_system_and_installation_admin_may_upsert_for_any_marketplace(marketplace, actor):
    order, created = order_upsert(actor=actor, marketplace=marketplace, data=DATA)

    assert (created, order.marketplace) == (True, marketplace)
