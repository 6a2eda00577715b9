"""The simulated marketplace: deterministic, complete, valid and safe to re-run."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction

from marketdesk.accounts.models import User, UserRole
from marketdesk.core.actors import Actor
from marketdesk.core.models import TimelineEvent
from marketdesk.core.money import Money
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment
from marketdesk.orders.services import order_content_hash, order_upsert, order_validate
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus
from marketdesk.simulator.generator import MarketplaceGenerator
from marketdesk.simulator.services.loading import marketplace_simulate
from marketdesk.simulator.services.ticking import order_data_from_order, simulation_tick

EPOCH = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


def simulate(*, seed: int = 1, orders: int = 300, **kwargs):
    return marketplace_simulate(seed=seed, orders=orders, epoch=EPOCH, **kwargs)


def snapshot() -> list[tuple]:
    return list(
        Order.objects.order_by("external_id").values_list(
            "external_id", "status", "currency", "total_minor", "placed_at", "buyer__external_id", "shop__external_id"
        )
    )


class _Rollback(Exception):
    pass


def snapshot_of_fresh_run(seed: int) -> list[tuple]:
    """Simulate into the empty database, read it back, then roll it back to empty."""
    taken: list[tuple] = []
    try:
        with transaction.atomic():
            simulate(seed=seed)
            taken.extend(snapshot())
            raise _Rollback
    except _Rollback:
        pass
    assert not Order.objects.exists()
    return taken


def test_generator_is_deterministic_without_a_database():
    # given two generators with the same seed and one with another
    first = [o.data for o in MarketplaceGenerator(seed=7, orders=500, epoch=EPOCH).orders()]
    again = [o.data for o in MarketplaceGenerator(seed=7, orders=500, epoch=EPOCH).orders()]
    other = [o.data for o in MarketplaceGenerator(seed=8, orders=500, epoch=EPOCH).orders()]

    # then the same seed gives the very same orders, another seed different ones
    assert first == again
    assert [(o.total_minor, o.status) for o in first] != [(o.total_minor, o.status) for o in other]


@pytest.mark.django_db
def test_same_seed_on_two_empty_databases_gives_identical_orders():
    # when the same seed runs twice on an empty database, and another seed once
    first = snapshot_of_fresh_run(seed=1)
    second = snapshot_of_fresh_run(seed=1)
    other = snapshot_of_fresh_run(seed=2)

    # then ids, totals and statuses are identical, and another seed differs
    assert len(first) == 300
    assert first == second
    assert [row[1:4] for row in first] != [row[1:4] for row in other]


@pytest.mark.django_db
def test_every_status_has_at_least_200_orders():
    simulate(orders=2000)

    counts = Counter(Order.objects.values_list("status", flat=True))

    assert set(counts) == set(OrderStatus.values)
    assert min(counts.values()) >= 200


@pytest.mark.django_db
def test_currencies_are_in_minor_units_and_yen_has_no_fractions():
    simulate(orders=1000)

    currencies = set(Order.objects.values_list("currency", flat=True))
    yen_prices = list(OrderLine.objects.filter(order__currency="JPY").values_list("unit_price_minor", flat=True))
    yen_totals = list(Order.objects.filter(currency="JPY").values_list("total_minor", flat=True))
    pound_prices = list(OrderLine.objects.filter(order__currency="GBP").values_list("unit_price_minor", flat=True))

    assert {"GBP", "EUR", "USD", "RUB", "JPY"} <= currencies
    # Yen are whole: shop prices are round tens of yen, a scarf costs thousands of yen, not millions.
    assert yen_prices
    assert all(p % 10 == 0 for p in yen_prices)
    assert all(500 <= p <= 100_000 for p in yen_prices)
    assert all("." not in Money(t, "JPY").format("en") for t in yen_totals)
    # Pounds carry pence: 12.99 is stored as 1299.
    assert any(p % 100 == 99 for p in pound_prices)


def test_generated_orders_pass_order_validate():
    plan = MarketplaceGenerator(seed=3, orders=3000, epoch=EPOCH)

    for simulated in plan.orders():
        order_validate(simulated.data)  # raises on the first inconsistency


@pytest.mark.django_db
def test_stored_orders_are_valid_and_hash_as_order_upsert_would():
    simulate(orders=400)
    sample = Order.objects.select_related("buyer", "shop").prefetch_related("lines", "payments").order_by("?")[:80]

    for order in sample:
        data = order_data_from_order(order)
        order_validate(data)
        assert order.content_hash == order_content_hash(data)
        assert sum(line.total_minor for line in data.lines) + data.shipping_minor == order.total_minor


@pytest.mark.django_db
def test_an_api_upsert_of_a_simulated_order_changes_nothing():
    result = simulate(orders=200)
    order = Order.objects.filter(status=OrderStatus.DELIVERED).prefetch_related("lines", "payments").first()
    events_before = TimelineEvent.objects.count()

    _same, created = order_upsert(
        actor=Actor.marketplace(marketplace_id=result.marketplace.pk),
        marketplace=result.marketplace,
        data=order_data_from_order(order),
    )

    assert created is False
    assert TimelineEvent.objects.count() == events_before


@pytest.mark.django_db
def test_each_timeline_starts_placed_and_walks_the_transition_table_to_the_status():
    simulate(orders=300)
    order_type = ContentType.objects.get_for_model(Order)
    events: dict[int, list[TimelineEvent]] = {}
    for event in TimelineEvent.objects.filter(subject_type=order_type).order_by("occurred_at", "id"):
        events.setdefault(event.subject_id, []).append(event)

    for order in Order.objects.all():
        placed, *moves = events[order.pk]
        assert placed.event_type == "order.placed"
        assert placed.actor_role == "marketplace"
        assert placed.occurred_at == order.placed_at
        status = OrderStatus.PLACED
        for event in moves:
            move = ORDER_TRANSITIONS.find(status, event.payload["target"])
            assert move is not None
            assert move.event == event.event_type
            assert event.payload["source"] == status
            status = event.payload["target"]
        assert status == order.status
        assert all(e.occurred_at <= EPOCH for e in events[order.pk])
        if order.status == OrderStatus.DELIVERED:
            assert order.delivered_at == moves[-1].occurred_at


@pytest.mark.django_db
def test_paid_orders_have_a_payment_of_the_total():
    simulate(orders=300)

    for order in Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]):
        payment = Payment.objects.get(order=order)
        assert (payment.amount_minor, payment.currency, payment.status) == (
            order.total_minor,
            order.currency,
            "captured",
        )
        assert order.placed_at < payment.paid_at


@pytest.mark.django_db
def test_russian_buyers_have_russian_names_and_language():
    simulate(orders=300)

    russian = User.objects.filter(role=UserRole.BUYER, language="ru")
    english = User.objects.filter(role=UserRole.BUYER, language="en")

    assert russian.exists()
    assert english.exists()
    assert all(any("А" <= ch <= "я" for ch in u.display_name) for u in russian)
    assert Order.objects.filter(shop__country="RU", lines__title__regex=r"[А-Яа-я]").exists()


@pytest.mark.django_db
def test_rerunning_the_same_seed_does_not_duplicate():
    call_command("simulate", "--seed", "1", "--orders", "300", "--quiet", "--now", EPOCH.isoformat())
    before = (Order.objects.count(), OrderLine.objects.count(), TimelineEvent.objects.count(), User.objects.count())

    call_command("simulate", "--seed", "1", "--orders", "300", "--quiet", "--now", EPOCH.isoformat())

    after = (Order.objects.count(), OrderLine.objects.count(), TimelineEvent.objects.count(), User.objects.count())
    assert after == before


@pytest.mark.django_db
def test_demo_accounts_can_sign_in_and_have_orders():
    call_command("simulate", "--seed", "1", "--orders", "300", "--demo-accounts", "--quiet")
    users = {u.username: u for u in User.objects.filter(username__in=["buyer", "seller", "operator", "admin"])}
    demo = Marketplace.objects.get(slug="demo")

    assert set(users) == {"buyer", "seller", "operator", "admin"}
    assert all(u.check_password("demo") for u in users.values())
    assert all(u.marketplace == demo for u in users.values())
    buyer_orders = Order.objects.filter(buyer=users["buyer"])
    assert 10 <= buyer_orders.count() <= 14
    assert set(buyer_orders.values_list("status", flat=True)) == set(OrderStatus.values)
    assert buyer_orders.filter(shop__country="RU").exists()
    assert users["seller"].role == UserRole.SELLER
    assert 25 <= Order.objects.filter(shop__memberships__user=users["seller"]).count() <= 35
    assert users["operator"].role == UserRole.OPERATOR
    assert users["operator"].has_perm("standards.apply_enforcement")
    assert (users["admin"].role, users["admin"].is_staff, users["admin"].is_superuser) == (UserRole.ADMIN, True, True)


@pytest.mark.django_db
def test_demo_accounts_are_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("simulate", "--seed", "1", "--orders", "50", "--demo-accounts", "--quiet")

    assert not User.objects.filter(username__in=["buyer", "seller", "operator", "admin"]).exists()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_tick_moves_orders_on_through_the_service_and_places_new_ones():
    result = simulate(orders=100)
    open_before = Order.objects.filter(status__in=["placed", "paid", "shipped"]).count()
    events_before = TimelineEvent.objects.count()

    tick = simulation_tick(marketplace=result.marketplace, rng=random.Random(5), advance=3, new_order_chance=1.0)

    assert len(tick.advanced) == 3
    assert len(tick.created) == 1
    for external_id, status in tick.advanced:
        order = Order.objects.get(external_id=external_id)
        assert order.status == status
        last = TimelineEvent.objects.filter(subject_id=order.pk, event_type=f"order.{status}")
        assert last.exists()
    new = Order.objects.get(external_id=tick.created[0])
    assert new.status == OrderStatus.PLACED
    assert TimelineEvent.objects.count() > events_before
    assert Order.objects.filter(status__in=["placed", "paid", "shipped"]).count() <= open_before + 1


@pytest.mark.django_db
def test_the_demo_launcher_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("demo")

    assert not Order.objects.exists()
