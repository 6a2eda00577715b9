"""Fixtures of the web pages: one signed-in client per role, orders with a timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.timeline import StatusChanged, timeline_append
from marketdesk.orders import events
from marketdesk.orders.models import Order
from marketdesk.orders.states import ORDER_PAID, ORDER_SHIPPED, OrderStatus
from tests import factories

PAID_AT = dt.datetime(2026, 11, 2, 11, 30, tzinfo=dt.UTC)
SHIPPED_AT = dt.datetime(2026, 11, 3, 15, 45, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The default hasher is slow on purpose; every test here creates several users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_shop(marketplace):
    return factories.ShopFactory(marketplace=marketplace, name="Other Shop")


@pytest.fixture
def other_seller(other_shop):
    return factories.MembershipFactory(shop=other_shop).user


@pytest.fixture
def other_operator(other_marketplace):
    return factories.OperatorFactory(marketplace=other_marketplace)


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def order(buyer, shop, marketplace) -> Order:
    """A shipped order of ``buyer`` from ``shop`` with its placed → paid → shipped timeline."""
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        status=OrderStatus.SHIPPED,
        external_id="O-1001",
        placed_at=factories.BASE_TIME,
    )
    factories.PaymentFactory(order=order, paid_at=PAID_AT)
    feed = Actor.marketplace(marketplace_id=marketplace.pk)
    with clock.frozen(factories.BASE_TIME):
        events.order_placed(
            order=order, actor=feed, status=OrderStatus.PLACED, total_minor=2500, currency="GBP", lines=1
        )
    with clock.frozen(PAID_AT):
        timeline_append(
            subject=order, event=ORDER_PAID, actor=feed, payload=StatusChanged(source="placed", target="paid")
        )
    with clock.frozen(SHIPPED_AT):
        timeline_append(
            subject=order, event=ORDER_SHIPPED, actor=feed, payload=StatusChanged(source="paid", target="shipped")
        )
    return order


@pytest.fixture
def client_as(db) -> Callable[[object], Client]:
    """Return a test client signed in as ``user`` (anonymous for None)."""

    def make(user: object) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)  # type: ignore[arg-type]
        return client

    return make


@pytest.fixture
def client_for(request, client_as) -> Callable[[str], Client]:
    """Return a test client signed in as the user of the named fixture ("anonymous" for none)."""

    def make(role: str) -> Client:
        return client_as(request.getfixturevalue(role))

    return make
