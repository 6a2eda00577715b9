"""Adding a shipment is an upsert that says, atomically, whether it made the parcel or found it."""

from __future__ import annotations

import pytest
from django.db import connection

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.shipping.models import Shipment
from marketdesk.shipping.services import AddressData, shipment_upsert
from tests.shipping.conftest import HOUR, START
from tests.workers import at_once

ATTEMPTS = 8


def send(order, carrier, number: str = "RM000001GB"):
    with clock.frozen(START - HOUR):
        return shipment_upsert(
            actor=Actor.marketplace(marketplace_id=order.marketplace_id),
            order=order,
            carrier=carrier,
            tracking_number=number,
            address=AddressData("Ann Buyer", "1 High Street", "", "London", "N1 1AA", "GB"),
            time_zone="Europe/London",
        )


@pytest.mark.django_db
def test_the_first_send_creates_and_the_repeat_finds_the_same_parcel(order, royal_mail):
    first = send(order, royal_mail)
    again = send(order, royal_mail)

    assert (first.created, again.created, again.shipment.pk) == (True, False, first.shipment.pk)
    assert Shipment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL")
def test_concurrent_sends_of_one_shipment_create_it_once_and_say_so_once(order, royal_mail):
    # Given several senders released at the same moment, when they all send the same shipment
    upserts, errors = at_once(lambda: send(order, royal_mail), ATTEMPTS)

    # Then one parcel exists and exactly one sender was told it created it
    shipment = Shipment.objects.get()
    created = sorted(u.created for u in upserts)
    shipments = [u.shipment.pk for u in upserts]
    assert (errors, created, shipments) == ([], [False] * (ATTEMPTS - 1) + [True], [shipment.pk] * ATTEMPTS)
