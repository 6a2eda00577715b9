"""Fixtures of the delivery tests: a paid order, carriers from the migration's table, a parcel."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import outbox_deliver
from marketdesk.shipping.ingest import tracking_events_ingest
from marketdesk.shipping.models import Carrier, Shipment
from marketdesk.shipping.services import AddressData, shipment_create
from marketdesk.shipping.services.care import CARE_TOPIC
from marketdesk.shipping.services.projection import PROJECTION_TOPIC
from marketdesk.simulator.shipping import carrier_stream
from tests import factories

START = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)  # a Monday; the parcel is handed over at START
HOUR = dt.timedelta(hours=1)


def carriers_ensure() -> None:
    """The carriers of the data migration (a transactional test before this one may have flushed them)."""
    if not Carrier.objects.exists():
        importlib.import_module("marketdesk.shipping.migrations.0002_carriers").load(apps, None)


@pytest.fixture
def order(marketplace, shop, buyer):
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        placed_at=START - 20 * HOUR,
        estimated_delivery_at=START + 72 * HOUR,
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor, currency=order.currency)
    return order


@pytest.fixture
def royal_mail(db) -> Carrier:
    carriers_ensure()
    return Carrier.objects.get(code="royal-mail")


@pytest.fixture
def evri(db) -> Carrier:
    carriers_ensure()
    return Carrier.objects.get(code="evri")


def make_shipment(order, carrier, number: str = "RM000001GB", actor: Actor | None = None) -> Shipment:
    with clock.frozen(START - HOUR):
        return shipment_create(
            actor=actor or Actor.marketplace(marketplace_id=order.marketplace_id),
            order=order,
            carrier=carrier,
            tracking_number=number,
            address=AddressData("Ann Buyer", "1 High Street", "", "London", "N1 1AA", "GB"),
            estimated_to=START + 72 * HOUR,
            time_zone="Europe/London",
        )


@pytest.fixture
def parcel(order, evri) -> Shipment:
    return make_shipment(order, evri, "EV000001")


def stream(shipment: Shipment, path: str) -> list[dict]:
    return carrier_stream(carrier=shipment.carrier, tracking_number=shipment.tracking_number, path=path, start=START)


def ingest(shipment_or_market, rows, *, at: dt.datetime):
    marketplace_id = getattr(shipment_or_market, "marketplace_id", None) or shipment_or_market.pk
    with clock.frozen(at):
        result = tracking_events_ingest(actor=Actor.marketplace(marketplace_id=marketplace_id), rows=rows)
        worker_ran()
    return result


def _delivered(topic: str) -> int:
    pending = OutboxMessage.objects.filter(topic=topic, delivered_at__isnull=True).order_by("id")
    return sum(outbox_deliver(pk) for pk in pending.values_list("pk", flat=True))


def projected() -> int:
    """Fold the events the ingest stored into their parcels, as the worker does after commit; return the rows run."""
    return _delivered(PROJECTION_TOPIC)


def care_delivered() -> int:
    """Start the care the projection left in the outbox, as the worker does after commit; return how many rows ran."""
    return _delivered(CARE_TOPIC)


def worker_ran() -> None:
    """What the worker does after an ingest's commit: the projection, then the care it started."""
    projected()
    care_delivered()
