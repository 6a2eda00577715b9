"""Order selectors: each actor reaches exactly the orders it may see, and no more."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction

from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from marketdesk.core.models import Audience
from marketdesk.core.timeline import EventType, Payload, timeline_append
from marketdesk.orders import events
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import (
    order_get_for_actor,
    order_locked_for_actor,
    order_timeline_for_actor,
    orders_for_actor,
)
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)


class InternalNotePayload(Payload):
    text: str


INTERNAL_NOTE = EventType("test.order_internal_note_added", Audience.INTERNAL, InternalNotePayload)


@pytest.fixture
def world(marketplace, other_marketplace, shop, buyer, other_buyer, seller, operator, admin_user):
    """Two orders in our marketplace (different buyers and shops), one in another marketplace."""
    other_shop = factories.ShopFactory(marketplace=marketplace)
    far_shop = factories.ShopFactory(marketplace=other_marketplace)
    orders = {
        "mine": factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, placed_at=DAY),
        "neighbours": factories.OrderFactory(
            marketplace=marketplace, buyer=other_buyer, shop=other_shop, placed_at=DAY - dt.timedelta(days=1)
        ),
        "far": factories.OrderFactory(
            marketplace=other_marketplace,
            buyer=factories.BuyerFactory(marketplace=other_marketplace),
            shop=far_shop,
            placed_at=DAY - dt.timedelta(days=2),
        ),
    }
    actors = {
        "buyer": Actor.for_user(buyer),
        "other_buyer": Actor.for_user(other_buyer),
        "seller": Actor.for_user(seller),
        "seller_of_other_shop": Actor.for_user(factories.MembershipFactory(shop=other_shop).user),
        "seller_of_far_shop": Actor.for_user(factories.MembershipFactory(shop=far_shop).user),
        "operator": Actor.for_user(operator),
        "operator_of_other_marketplace": Actor.for_user(factories.OperatorFactory(marketplace=other_marketplace)),
        "admin": Actor.for_user(admin_user),
        "installation_admin": Actor.for_user(factories.AdminFactory(marketplace=None)),
        "marketplace": Actor.marketplace(marketplace_id=marketplace.pk),
        "other_marketplace": Actor.marketplace(marketplace_id=other_marketplace.pk),
        "system": Actor.system(),
        "shop_itself": Actor(role="seller", marketplace_id=marketplace.pk, shop_id=shop.pk),
        "other_shop_itself": Actor(role="seller", marketplace_id=marketplace.pk, shop_id=other_shop.pk),
    }
    return SimpleNamespace(orders=orders, actors=actors)


#: Who sees which orders of the world, newest first.
VISIBLE = {
    "buyer": ["mine"],
    "other_buyer": ["neighbours"],
    "seller": ["mine"],
    "seller_of_other_shop": ["neighbours"],
    "seller_of_far_shop": ["far"],
    "operator": ["mine", "neighbours"],
    "operator_of_other_marketplace": ["far"],
    "admin": ["mine", "neighbours"],
    "installation_admin": ["mine", "neighbours", "far"],
    "marketplace": ["mine", "neighbours"],
    "other_marketplace": ["far"],
    "system": ["mine", "neighbours", "far"],
    "shop_itself": ["mine"],
    "other_shop_itself": ["neighbours"],
}


@pytest.mark.parametrize(("who", "expected"), VISIBLE.items())
def test_orders_for_actor_returns_exactly_the_visible_orders_newest_first(world, who, expected):
    assert list(orders_for_actor(world.actors[who])) == [world.orders[name] for name in expected]


def test_the_locked_read_finds_exactly_the_orders_each_actor_sees_by_id_and_by_number(world):
    # given: every actor asks for every order, by id and by number, one after another: each actor's statement is
    # compiled on its first read and reused for the next orders (another actor's is never used)
    with transaction.atomic():
        # when
        found = {
            who: [
                name
                for name, order in world.orders.items()
                if order_locked_for_actor(actor, pk=order.pk) == order
                and order_locked_for_actor(actor, external_id=order.external_id) == order
            ]
            for who, actor in world.actors.items()
        }
        hidden = {
            who: [
                name
                for name, order in world.orders.items()
                if order_locked_for_actor(actor, pk=order.pk) is None
                and order_locked_for_actor(actor, external_id=order.external_id) is None
            ]
            for who, actor in world.actors.items()
        }

    # then
    assert found == VISIBLE
    assert hidden == {who: [name for name in world.orders if name not in names] for who, names in VISIBLE.items()}


def test_the_locked_read_reads_the_row_each_time_with_its_shop_buyer_and_marketplace(world, django_assert_num_queries):
    # given: the marketplace's read of an order, then the order changed in the database
    actor, order = world.actors["marketplace"], world.orders["mine"]
    with transaction.atomic():
        order_locked_for_actor(actor, external_id=order.external_id)
        Order.objects.filter(pk=order.pk).update(total_minor=order.total_minor + 1)
        # when
        with django_assert_num_queries(1):
            again = order_locked_for_actor(actor, external_id=order.external_id)
            parties = (again.shop.external_id, again.buyer.username, again.marketplace.slug)

    # then: the change is read (only the statement is kept), its parties came in the same query
    assert again.total_minor == order.total_minor + 1
    assert parties == (order.shop.external_id, order.buyer.username, order.marketplace.slug)


def test_orders_for_actor_counts_lines_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (o.external_id, o.shop.name, o.buyer.username, o.line_count)
            for o in orders_for_actor(world.actors["admin"])
        ]

    assert [row[3] for row in rows] == [1, 1]


@pytest.mark.parametrize(
    ("who", "name"),
    [("buyer", "mine"), ("seller", "mine"), ("operator", "neighbours"), ("other_marketplace", "far")],
)
def test_order_get_for_actor_returns_a_visible_order_by_pk_or_number(world, who, name):
    order = world.orders[name]

    found = (
        order_get_for_actor(world.actors[who], pk=order.pk),
        order_get_for_actor(world.actors[who], external_id=order.external_id),
    )

    assert found == (order, order)


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("buyer", "neighbours"),
        ("other_buyer", "mine"),
        ("seller", "neighbours"),
        ("seller_of_other_shop", "mine"),
        ("operator", "far"),
        ("marketplace", "far"),
        ("other_marketplace", "mine"),
    ],
)
def test_order_get_for_actor_hides_anothers_order(world, who, name):
    order = world.orders[name]

    with pytest.raises(NotFound):
        order_get_for_actor(world.actors[who], pk=order.pk)
    with pytest.raises(NotFound):
        order_get_for_actor(world.actors[who], external_id=order.external_id)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("buyer", ["order.placed"]),
        ("seller", ["order.placed"]),
        ("marketplace", ["order.placed"]),
        ("operator", ["order.placed", "test.order_internal_note_added"]),
        ("admin", ["order.placed", "test.order_internal_note_added"]),
        ("system", ["order.placed", "test.order_internal_note_added"]),
    ],
)
def test_order_timeline_hides_internal_events_from_buyers_and_sellers(world, who, expected):
    order = world.orders["mine"]
    system = Actor.system()
    events.order_placed(order=order, actor=system, status="paid", total_minor=2500, currency="GBP", lines=1)
    timeline_append(subject=order, event=INTERNAL_NOTE, actor=system, payload=InternalNotePayload(text="fraud check"))
    events.order_placed(
        order=world.orders["neighbours"], actor=system, status="paid", total_minor=2500, currency="GBP", lines=1
    )

    timeline = order_timeline_for_actor(world.actors[who], order)

    assert [e.event_type for e in timeline] == expected
