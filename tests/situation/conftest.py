"""Fixtures of the situation tests: the parties signed in, an order in a given state, its parcels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order
from marketdesk.shipping.models import Carrier, Shipment
from marketdesk.shipping.services import AddressData, shipment_create
from tests import factories
from tests.shipping.conftest import carriers_ensure

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
DAY = dt.timedelta(days=1)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def buyer_client(buyer) -> Client:
    return signed_in(buyer)


@pytest.fixture
def seller_client(seller) -> Client:
    return signed_in(seller)


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def evri(db) -> Carrier:
    carriers_ensure()
    return Carrier.objects.get(code="evri")


@pytest.fixture
def make_order(marketplace, shop, buyer):
    def make(status: str, **fields) -> Order:
        fields.setdefault("estimated_delivery_at", NOW - 5 * DAY)
        fields.setdefault("placed_at", NOW - 12 * DAY)
        order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, status=status, **fields)
        factories.PaymentFactory(order=order, amount_minor=order.total_minor, currency=order.currency)
        return order

    return make


def parcel_of(order: Order, carrier: Carrier, number: str, *, at: dt.datetime) -> Shipment:
    """A parcel the marketplace sent for the order at ``at`` (its estimate as the service gives it)."""
    with clock.frozen(at):
        return shipment_create(
            actor=Actor.marketplace(marketplace_id=order.marketplace_id),
            order=order,
            carrier=carrier,
            tracking_number=number,
            address=AddressData("Ann Buyer", "1 High Street", "", "London", "N1 1AA", "GB"),
            time_zone="Europe/London",
        )


def delivered(shipment: Shipment, at: dt.datetime) -> Shipment:
    """The carrier's projection of a parcel delivered at ``at`` (as tracking ingest leaves it)."""
    Shipment.objects.filter(pk=shipment.pk).update(
        tracking_status="delivered", delivered_at=at, handed_over_at=at - 2 * DAY, last_scan_at=at, last_event_at=at
    )
    shipment.refresh_from_db()
    return shipment
