"""The delivery API: batch ingest with bad rows, tenancy, shipments pushed and read, hints, as each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.shipping.models import Shipment, TrackingEvent
from tests import factories
from tests.shipping.conftest import HOUR, START, make_shipment, stream

URL = "/api/v1/tracking-events"
AT = START + 60 * HOUR


def key_client(marketplace) -> Client:
    _key, secret = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Tracking")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, rows, at=AT):
    with clock.frozen(at):
        return client.post(URL, {"events": rows}, content_type="application/json")


def test_batch_stores_good_rows_and_reports_each_bad_one_by_index(marketplace, parcel):
    good = stream(parcel, "on_time")[:2]
    bad = [
        "not an object",
        {"carrier": "evri", "tracking_number": "EV000001", "event_id": "x1", "status": "20"},
        {**good[0], "event_id": "x2", "occurred_at": (AT + 2 * HOUR).isoformat()},
        {**good[0], "event_id": "x3", "occurred_at": "2019-01-01T00:00:00+00:00"},
        {**good[0], "event_id": "x4", "carrier": "pigeon-post"},
        {**good[0], "event_id": "x5", "occurred_at": "2026-11-16T09:00:00"},
        {**good[0], "event_id": "x6", "description": "nul\x00"},
    ]

    response = post(key_client(marketplace), [good[0], *bad, good[1]])

    body = response.json()
    assert response.status_code == 200
    assert (body["stored"], body["duplicates"]) == (2, 0)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "row"),
        (2, "occurred_at"),
        (3, "occurred_at"),
        (4, "occurred_at"),
        (5, "carrier"),
        (6, "occurred_at"),
        (7, "row"),
    ]
    assert [e["reason"] for e in body["errors"]][2:4] == [
        "The event is dated in the future.",
        "The event is dated more than a year back.",
    ]


def test_resending_the_same_events_stores_nothing_new(marketplace, parcel):
    client = key_client(marketplace)
    rows = stream(parcel, "on_time")[:3]
    post(client, rows)

    again = post(client, rows).json()

    assert (again["stored"], again["duplicates"], TrackingEvent.objects.count()) == (0, 3, 3)


def test_events_of_an_unknown_number_are_held_and_matched_when_the_shipment_arrives(marketplace, order, evri):
    rows = [dict(r, tracking_number="EV-LATER") for r in stream(make_shipment(order, evri, "EV-X"), "on_time")[:2]]
    rows = [dict(r, event_id=f"later-{i}") for i, r in enumerate(rows)]
    held = post(key_client(marketplace), rows).json()

    shipment = make_shipment(order, evri, "EV-LATER")

    shipment.refresh_from_db()
    assert held["held"] == 2
    assert (shipment.tracking_status, shipment.events.count()) == ("in_transit", 2)


def test_another_marketplaces_tracking_number_is_refused(other_marketplace, parcel):
    row = stream(parcel, "on_time")[0]

    body = post(key_client(other_marketplace), [row]).json()

    assert (body["stored"], body["errors"][0]["field"]) == (0, "tracking_number")
    assert TrackingEvent.objects.count() == 0


def test_more_than_a_thousand_events_is_refused_whole(marketplace, parcel):
    rows = [dict(stream(parcel, "on_time")[0], event_id=str(i)) for i in range(1001)]

    response = post(key_client(marketplace), rows)

    assert response.status_code == 422
    assert TrackingEvent.objects.count() == 0


@pytest.mark.parametrize("role", ["buyer", "seller", "operator"])
def test_people_cannot_send_tracking_events(role, parcel, buyer, seller, operator):
    person = {"buyer": buyer, "seller": seller, "operator": operator}[role]
    client = Client()
    client.force_login(person)

    response = post(client, stream(parcel, "on_time")[:1])

    assert response.status_code == 403


def test_anonymous_is_refused(parcel):
    assert post(Client(), []).status_code == 401


def test_shipment_push_creates_then_repeats(marketplace, order):
    client = key_client(marketplace)
    body = {
        "order": order.external_id,
        "carrier": "royal-mail",
        "tracking_number": "RM1",
        "lines": [{"line": "L1", "quantity": 1}],
    }

    with clock.frozen(START):
        first = client.post("/api/v1/shipments", body, content_type="application/json")
        second = client.post("/api/v1/shipments", body, content_type="application/json")
        unknown = client.post("/api/v1/shipments", {**body, "carrier": "pigeon"}, content_type="application/json")

    assert (first.status_code, second.status_code, unknown.status_code) == (201, 200, 422)
    assert Shipment.objects.count() == 1


def test_shipment_read_as_each_party(parcel, buyer, seller, operator, other_buyer, marketplace):
    def read(person):
        client = Client()
        client.force_login(person)
        return client.get(f"/api/v1/shipments/{parcel.pk}").status_code

    assert [read(p) for p in (buyer, seller, operator, other_buyer)] == [200, 200, 200, 404]
    assert key_client(factories.MarketplaceFactory(slug="m3")).get(f"/api/v1/shipments/{parcel.pk}").status_code == 404


def test_order_hints_through_the_api(parcel, buyer, order):
    client = Client()
    client.force_login(buyer)

    with clock.frozen(START):
        response = client.get(f"/api/v1/orders/{order.external_id}/hints")

    assert response.status_code == 200
    assert [h["code"] for h in response.json()] == ["change_address"]


def test_hints_query_count_does_not_grow_with_events(parcel, order, buyer, django_assert_max_num_queries, evri):
    from marketdesk.hints.rules import hints_evaluate, order_state_read
    from marketdesk.shipping.ingest import tracking_events_ingest

    rows = [
        dict(
            stream(parcel, "on_time")[1],
            event_id=f"scan-{i}",
            occurred_at=(START + i * dt.timedelta(minutes=5)).isoformat(),
        )
        for i in range(300)
    ]
    with clock.frozen(AT):
        tracking_events_ingest(actor=Actor.marketplace(marketplace_id=order.marketplace_id), rows=rows)

    # The order's situation: lines, parcels and their lines, contact, cases, refunds, returns, return policy, policy.
    with clock.frozen(AT), django_assert_max_num_queries(9):
        hints_evaluate(order_state_read(order))
