"""Fixtures of the return tests: a delivered two-line order, its parties, and returns in each stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Return, ReturnReason
from marketdesk.returns.services.inspection import LineInspection, return_inspect
from marketdesk.returns.services.receipt import return_receive
from marketdesk.returns.services.requesting import return_request
from tests import factories
from tests.attachments.samples import stored_photo
from tests.core.transition_matrix import timeline_of

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
DELIVERED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
WINDOW_CLOSES = DELIVERED + dt.timedelta(days=30)  # 20 Dec 2026, 12:00 UTC
MINUTE = dt.timedelta(minutes=1)
# Thursday + 3 business days (over the weekend) and + 5 business days; + 4 for the reminder.
SELLER_DUE = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
SHIP_BY = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
REMIND_AT = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def order(marketplace, shop, buyer) -> Order:
    """A delivered order: 2 scarves at 25.00 and 1 hat at 15.00 (65.00 paid)."""
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.DELIVERED,
        total_minor=6500,
        delivered_at=DELIVERED,
        lines=[],
    )
    OrderLine.objects.create(
        order=order, external_id="L1", title="Wool scarf", quantity=2, unit_price_minor=2500, total_minor=5000
    )
    OrderLine.objects.create(
        order=order, external_id="L2", title="Felt hat", quantity=1, unit_price_minor=1500, total_minor=1500
    )
    factories.PaymentFactory(order=order, amount_minor=6500)
    return order


@pytest.fixture
def scarf(order) -> OrderLine:
    return order.lines.get(external_id="L1")


@pytest.fixture
def hat(order) -> OrderLine:
    return order.lines.get(external_id="L2")


@pytest.fixture
def buyer_actor(buyer) -> Actor:
    return Actor.for_user(buyer)


@pytest.fixture
def seller_actor(seller) -> Actor:
    return Actor.for_user(seller)


@pytest.fixture
def other_seller_actor(marketplace) -> Actor:
    return Actor.for_user(factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user)


@pytest.fixture
def photo(buyer):
    """An uploaded photo of the buyer's, not yet attached to anything."""
    return stored_photo(buyer, "dent.jpg")


@pytest.fixture
def endpoint(marketplace) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="https://hooks.example.test/marketdesk", secret="whsec_dGVzdHNlY3JldA=="
    )


@pytest.fixture
def approved(order, scarf, buyer_actor, seller, at_now) -> Return:
    """Two scarves returned because they do not fit: in policy, approved at once."""
    return return_request(actor=buyer_actor, order=order, lines={scarf.pk: 2}, reason=ReturnReason.DOESNT_FIT)


@pytest.fixture
def requested(order, hat, buyer_actor, seller, at_now) -> Return:
    """The hat, for another reason: waits for the seller."""
    return return_request(
        actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.OTHER, description="Bought two."
    )


@pytest.fixture
def received(approved, seller_actor) -> Return:
    return return_receive(actor=seller_actor, code=approved.code)


def inspect_all(actor: Actor, ret: Return, *, accepted: int | None = None, reason: str = "") -> Return:
    results = {
        rl.pk: LineInspection(accepted=rl.quantity if accepted is None else accepted, condition="as_new")
        for rl in ret.lines.all()
    }
    return return_inspect(actor=actor, ret=ret, results=results, partial_reason=reason)


def fresh(ret: Return) -> Return:
    return Return.objects.get(pk=ret.pk)


def event_types(ret: Return) -> list[str]:
    return list(timeline_of(ret).values_list("event_type", flat=True))


def webhooks() -> list[tuple[str, str]]:
    return list(WebhookDelivery.objects.order_by("id").values_list("event_type", "event_id"))


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
