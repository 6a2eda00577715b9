"""Fixtures of the case tests: an order past its delivery estimate, the parties and the operators."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.services import case_open, seller_contact_record
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.orders.models import Order
from marketdesk.orders.states import OrderStatus
from tests import factories

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
CONTACTED_AT = NOW - dt.timedelta(days=3)
ESTIMATED_DELIVERY = NOW - dt.timedelta(days=2)


@pytest.fixture
def order(marketplace, shop, buyer) -> Order:
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=ESTIMATED_DELIVERY,
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    return order


@pytest.fixture
def buyer_actor(buyer) -> Actor:
    return Actor.for_user(buyer)


@pytest.fixture
def seller_actor(seller) -> Actor:
    return Actor.for_user(seller)


@pytest.fixture
def operator_actor(operator) -> Actor:
    return Actor.for_user(operator)


@pytest.fixture
def second_operator_actor(marketplace) -> Actor:
    return Actor.for_user(factories.OperatorFactory(marketplace=marketplace, display_name="Olga Second"))


@pytest.fixture
def endpoint(marketplace) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="https://hooks.example.test/marketdesk", secret="whsec_dGVzdHNlY3JldA=="
    )


@pytest.fixture
def contacted(order, buyer_actor):
    with clock.frozen(CONTACTED_AT):
        return seller_contact_record(actor=buyer_actor, order=order)


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def opened_case(order, buyer_actor, contacted, at_now) -> Case:
    """An item-not-received case opened on Thursday 26 Nov 2026, 12:00 UTC."""
    return case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="It never came.")
