"""Delivery pages: tracking as each party, the delivery change told before asking, refused by stage."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdesk.core import clock
from marketdesk.shipping.models import DeliveryChangeRequest
from tests.shipping.conftest import HOUR, START, ingest, make_shipment, stream


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_tracking_page_shows_stage_events_and_raw_text_in_the_parcels_zone(parcel, buyer):
    ingest(parcel, stream(parcel, "on_time")[:2], at=START + 7 * HOUR)

    with clock.frozen(START + 8 * HOUR):
        response = client_for(buyer).get(f"/shipments/{parcel.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="step">On its way' in page
    assert "In transit (" not in page
    assert "20 — In transit" in page
    assert 'datetime="2026-11-16T15:00:00+00:00"' in page


@pytest.mark.parametrize(("who", "status"), [("buyer", 200), ("seller", 200), ("operator", 200), ("other_buyer", 404)])
def test_tracking_page_per_role(parcel, request, who, status):
    assert client_for(request.getfixturevalue(who)).get(f"/shipments/{parcel.pk}/").status_code == status


def test_change_in_transit_with_a_carrier_that_cannot_redirect_is_refused_before_asking(parcel, buyer):
    ingest(parcel, stream(parcel, "on_time")[:2], at=START + 7 * HOUR)
    client = client_for(buyer)

    with clock.frozen(START + 8 * HOUR):
        page = client.get(f"/shipments/{parcel.pk}/change/").content.decode()
        refused = client.post(
            f"/shipments/{parcel.pk}/change/",
            {"kind": "address", "line1": "2 Low St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
        )

    assert "Evri cannot redirect parcels on their way" in page
    assert "Send the request" not in page
    assert refused.status_code == 409
    assert DeliveryChangeRequest.objects.count() == 0


def test_change_before_handover_goes_to_the_seller_who_accepts(parcel, buyer, seller):
    with clock.frozen(START - HOUR):
        asked = client_for(buyer).post(
            f"/shipments/{parcel.pk}/change/",
            {"kind": "address", "line1": "2 Low St", "city": "Leeds", "postcode": "LS1 1AA", "country": "gb"},
        )
        change = DeliveryChangeRequest.objects.get()
        client_for(seller).post(f"/shipments/{parcel.pk}/changes/{change.pk}/answer/", {"accept": "1"})

    parcel.refresh_from_db()
    change.refresh_from_db()
    assert asked.status_code == 302
    assert (change.route, change.status, parcel.city, parcel.country) == ("seller", "accepted", "Leeds", "GB")


def test_change_in_transit_with_a_redirecting_carrier_goes_to_the_carrier(order, royal_mail, buyer):
    shipment = make_shipment(order, royal_mail)
    ingest(shipment, stream(shipment, "on_time")[:2], at=START + 7 * HOUR)

    with clock.frozen(START + 8 * HOUR):
        client_for(buyer).post(
            f"/shipments/{shipment.pk}/change/", {"kind": "pickup_point", "pickup_point": "Post office N1"}
        )

    assert DeliveryChangeRequest.objects.get().route == "carrier"


def test_change_out_for_delivery_is_refused(parcel, buyer):
    ingest(parcel, stream(parcel, "on_time")[:4], at=START + 51 * HOUR)

    with clock.frozen(START + 52 * HOUR):
        response = client_for(buyer).get(f"/shipments/{parcel.pk}/change/")

    assert "can no longer be changed" in response.content.decode()


def test_change_form_reports_a_bad_address_field(parcel, buyer):
    with clock.frozen(START - HOUR):
        response = client_for(buyer).post(f"/shipments/{parcel.pk}/change/", {"kind": "address", "line1": "2 Low St"})

    assert response.status_code == 422
    assert DeliveryChangeRequest.objects.count() == 0


def test_seller_cannot_ask_for_a_change(parcel, seller):
    assert client_for(seller).get(f"/shipments/{parcel.pk}/change/").status_code == 404


def test_order_page_shows_the_parcel_and_the_stalled_hint(parcel, buyer, order):
    ingest(parcel, stream(parcel, "stalled"), at=START + 21 * HOUR)
    from marketdesk.core.actors import Actor
    from marketdesk.shipping.services import shipment_flags_recompute

    with clock.frozen(START + 6 * 24 * HOUR):
        shipment_flags_recompute(actor=Actor.system())
        page = client_for(buyer).get(f"/orders/{order.pk}/").content.decode()

    assert 'data-cause="stalled"' in page
    assert "Stalled" in page
    assert "EV000001" in page


def test_get_help_shows_the_hints_first(parcel, buyer, order):
    ingest(parcel, stream(parcel, "customs_hold")[:3], at=START + 31 * HOUR)

    with clock.frozen(START + 80 * HOUR):
        page = client_for(buyer).get(f"/orders/{order.pk}/help/").content.decode()

    assert 'data-cause="customs"' in page
