"""The "N orders" above a buyer's and a shop's order list: kept by triggers, equal to a recount, repairable."""

from __future__ import annotations

import random

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.orders.counters import order_counts_drift, order_counts_recount, order_counts_repair
from marketdesk.orders.models import Order, OrderCount
from marketdesk.orders.selectors import order_count_for_actor
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_kept_counts_equal_a_recount_after_a_random_workload(marketplace):
    # given buyers and shops with orders
    rng = random.Random(22)
    buyers = [factories.BuyerFactory(marketplace=marketplace) for _ in range(4)]
    shops = [factories.ShopFactory(marketplace=marketplace) for _ in range(3)]
    orders = [
        factories.OrderFactory(marketplace=marketplace, buyer=rng.choice(buyers), shop=rng.choice(shops))
        for _ in range(20)
    ]
    # when every kind of write happens: a bulk insert, moves to another buyer or shop, other edits, deletes
    Order.objects.bulk_create(
        Order(marketplace=marketplace, buyer=rng.choice(buyers), shop=rng.choice(shops), external_id=f"BULK-{i}",
              currency="GBP", total_minor=100, placed_at=orders[0].placed_at, content_hash="x")
        for i in range(15)
    )  # fmt: skip
    for order in rng.sample(orders, 8):
        Order.objects.filter(pk=order.pk).update(buyer=rng.choice(buyers), shop=rng.choice(shops))
    Order.objects.filter(pk__in=[o.pk for o in orders[:5]]).update(total_minor=1)
    Order.objects.filter(pk__in=[o.pk for o in orders[-3:]]).delete()
    # then the counts kept by the triggers are the recount, key by key
    assert order_counts_drift() == {}
    assert sum(n for (kind, _owner), n in order_counts_recount().items() if kind == "buyer") == 32
    assert order_count_for_actor(Actor.for_user(buyers[0])) == Order.objects.filter(buyer=buyers[0]).count()


def test_a_drift_is_found_by_the_check_and_repaired(buyer, shop):
    # given a count spoiled behind the triggers' back
    factories.OrderFactory.create_batch(3, buyer=buyer, shop=shop)
    OrderCount.objects.filter(kind="buyer", owner_id=buyer.pk).update(n=7)
    # when the check runs, then it fails naming the key
    with pytest.raises(CommandError, match="1 order count"):
        call_command("order_counts_check")
    # when repaired
    order_counts_repair()
    # then
    assert order_counts_drift() == {}
    call_command("order_counts_check")
    assert order_count_for_actor(Actor.for_user(buyer)) == 3


def test_a_seller_counts_the_orders_of_every_shop_they_act_for(client, marketplace, seller, shop):
    # given a second shop of the same person, and a shop of somebody else's
    second = factories.ShopFactory(marketplace=marketplace)
    factories.MembershipFactory(shop=second, user=seller)
    factories.OrderFactory.create_batch(2, shop=shop)
    factories.OrderFactory.create_batch(3, shop=second)
    factories.OrderFactory.create_batch(4, shop=factories.ShopFactory(marketplace=marketplace))
    client.force_login(seller)
    # when
    html = client.get(reverse("web:seller_orders")).content.decode()
    # then
    assert order_count_for_actor(Actor.for_user(seller)) == 5
    assert "5 orders" in html


def test_a_buyer_without_orders_has_none(client, buyer, other_buyer, shop):
    # given another buyer's orders
    factories.OrderFactory.create_batch(2, buyer=other_buyer, shop=shop)
    client.force_login(buyer)
    # when
    html = client.get(reverse("web:buyer_orders")).content.decode()
    # then
    assert order_count_for_actor(Actor.for_user(buyer)) == 0
    assert order_count_for_actor(Actor.for_user(other_buyer)) == 2
    assert "0 orders" in html
