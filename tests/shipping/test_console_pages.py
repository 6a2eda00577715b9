"""The operator's parcel pages and the carrier's answer to a redirect through the API, as each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketdesk.accounts.services import api_key_create
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.shipping.models import CarrierClaim, DeliveryChangeRequest, LostParcelInvestigation
from marketdesk.shipping.services import delivery_change_request, lost_parcel_investigate, shipment_flags_recompute
from tests import factories
from tests.core.transition_matrix import timeline_of
from tests.shipping.conftest import HOUR, START, ingest, make_shipment, stream

DAY = dt.timedelta(days=1)
LATER = START + 12 * DAY


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def key_client(marketplace) -> Client:
    _key, secret = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Carrier desk")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def likely_lost(parcel):
    ingest(parcel, stream(parcel, "stalled"), at=START + 21 * HOUR)
    with clock.frozen(LATER):
        shipment_flags_recompute(actor=Actor.system())
    parcel.refresh_from_db()
    return parcel


def carrier_change(order, royal_mail, buyer, number="RM000001GB") -> DeliveryChangeRequest:
    shipment = make_shipment(order, royal_mail, number)
    ingest(shipment, stream(shipment, "on_time")[:2], at=START + 7 * HOUR)
    with clock.frozen(START + 8 * HOUR):
        return delivery_change_request(
            actor=Actor.for_user(buyer), shipment=shipment, kind="pickup_point", details={"pickup_point": "Post N1"}
        )


# --- pages, as each role -------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("buyer", 403), ("seller", 403), ("operator", 200), ("admin_user", 200)])
def test_parcel_list_per_role(parcel, request, who, status):
    assert client_for(request.getfixturevalue(who)).get("/console/parcels/").status_code == status


@pytest.mark.parametrize(("who", "status"), [("buyer", 404), ("seller", 404), ("operator", 200), ("admin_user", 200)])
def test_parcel_page_per_role(parcel, request, who, status):
    assert client_for(request.getfixturevalue(who)).get(f"/console/parcels/{parcel.pk}/").status_code == status


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_parties_cannot_open_or_close_an_inquiry(parcel, request, who, operator):
    likely_lost(parcel)
    client = client_for(request.getfixturevalue(who))

    with clock.frozen(LATER):
        opened = client.post(f"/console/parcels/{parcel.pk}/investigate/")
        lost_parcel_investigate(actor=Actor.for_user(operator), shipment=parcel)
        closed = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "refunded"})

    assert (opened.status_code, closed.status_code) == (404, 404)
    assert LostParcelInvestigation.objects.get().status == "open"


def test_another_marketplaces_operator_gets_404(parcel, other_marketplace):
    stranger = factories.UserFactory(role="operator", marketplace=other_marketplace)

    assert client_for(stranger).get(f"/console/parcels/{parcel.pk}/").status_code == 404


def test_list_shows_flagged_parcels_inquiries_first_and_filters_by_flag(order, evri, operator, buyer):
    quiet = make_shipment(order, evri, "EV000009")
    ingest(quiet, stream(quiet, "on_time"), at=START + 5 * DAY)
    first, second = make_shipment(order, evri, "EV000001"), make_shipment(order, evri, "EV000002")
    likely_lost(first)
    likely_lost(second)
    with clock.frozen(LATER):
        lost_parcel_investigate(actor=Actor.for_user(operator), shipment=second)
    client = client_for(operator)

    with clock.frozen(LATER), CaptureQueriesContext(connection) as queries:
        page = client.get("/console/parcels/").content.decode()
    query_count = len(queries)  # read now: the next request empties the query log
    with clock.frozen(LATER):
        investigating = client.get("/console/parcels/?flag=investigating").content.decode()
        exceptions = client.get("/console/parcels/?flag=exception").content.decode()

    assert page.index("EV000002") < page.index("EV000001")
    assert "EV000009" not in page
    assert "carrier answers by" in page
    assert query_count == 5
    assert ("EV000002" in investigating, "EV000001" in investigating) == (True, False)
    assert "No parcel needs attention here." in exceptions


def test_list_query_count_does_not_grow_with_parcels(order, evri, operator):
    for number in ("EV000001", "EV000002"):
        likely_lost(make_shipment(order, evri, number))
    client = client_for(operator)
    with CaptureQueriesContext(connection) as captured:
        client.get("/console/parcels/")
    few = len(captured)  # read now: the next request empties the query log
    for number in ("EV000003", "EV000004", "EV000005"):
        likely_lost(make_shipment(order, evri, number))

    with CaptureQueriesContext(connection) as many:
        client.get("/console/parcels/")

    assert few > 0
    assert len(many) == few


# --- opening and closing an inquiry through the page ---------------------------------------------


def test_operator_opens_and_refunds_once_on_double_submit(parcel, operator):
    likely_lost(parcel)
    client = client_for(operator)

    with clock.frozen(LATER):
        before = client.get(f"/console/parcels/{parcel.pk}/").content.decode()
        opened = client.post(f"/console/parcels/{parcel.pk}/investigate/")
        form = client.get(f"/console/parcels/{parcel.pk}/").content.decode()
        first = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "refunded", "carrier_liable": "on"})
        second = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "refunded", "carrier_liable": "on"})

    investigation = LostParcelInvestigation.objects.get()
    assert "Open an inquiry with the carrier" in before
    assert (opened.status_code, first.status_code, second.status_code) == (302, 302, 409)
    assert "Close the inquiry" in form
    assert "Cannot change the status from Refunded to Refunded." in second.content.decode()
    assert (investigation.status, investigation.carrier_liable) == ("refunded", True)
    assert CarrierClaim.objects.count() == 1
    assert list(timeline_of(investigation).values_list("event_type", flat=True)) == ["lost_parcel.refunded"]


def test_reshipping_without_a_tracking_number_is_refused_on_the_field(parcel, operator):
    likely_lost(parcel)
    client = client_for(operator)

    with clock.frozen(LATER):
        client.post(f"/console/parcels/{parcel.pk}/investigate/")
        refused = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "reshipped"})
        done = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "reshipped", "tracking_number": "EV9"})

    investigation = LostParcelInvestigation.objects.select_related("reshipment").get()
    assert refused.status_code == 422
    assert "Give the tracking number of the parcel sent again." in refused.content.decode()
    assert done.status_code == 302
    assert (investigation.status, investigation.reshipment.tracking_number) == ("reshipped", "EV9")
    assert CarrierClaim.objects.count() == 0


def test_a_missing_outcome_is_refused_and_nothing_changes(parcel, operator):
    likely_lost(parcel)
    client = client_for(operator)

    with clock.frozen(LATER):
        client.post(f"/console/parcels/{parcel.pk}/investigate/")
        refused = client.post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "vanished"})

    assert refused.status_code == 422
    assert LostParcelInvestigation.objects.get().status == "open"


def test_a_parcel_on_its_way_cannot_be_investigated(parcel, operator):
    ingest(parcel, stream(parcel, "on_time")[:2], at=START + 7 * HOUR)
    client = client_for(operator)

    with clock.frozen(START + 8 * HOUR):
        page = client.get(f"/console/parcels/{parcel.pk}/").content.decode()
        refused = client.post(f"/console/parcels/{parcel.pk}/investigate/")

    assert "Open an inquiry with the carrier" not in page
    assert refused.status_code == 409
    assert LostParcelInvestigation.objects.count() == 0


def test_resolving_without_an_inquiry_is_404(parcel, operator):
    assert client_for(operator).post(f"/console/parcels/{parcel.pk}/resolve/", {"outcome": "found"}).status_code == 404


# --- the carrier's answer through the API --------------------------------------------------------


def answer(client: Client, change_id: int, body: dict, **headers):
    with clock.frozen(START + 9 * HOUR):
        return client.post(
            f"/api/v1/delivery-changes/{change_id}/answer", body, content_type="application/json", headers=headers
        )


def test_carrier_accepts_the_redirect_and_a_retry_replays(order, royal_mail, buyer, marketplace):
    change = carrier_change(order, royal_mail, buyer)
    client = key_client(marketplace)

    first = answer(client, change.pk, {"outcome": "accepted"}, **{"Idempotency-Key": "k1"})
    again = answer(client, change.pk, {"outcome": "accepted"}, **{"Idempotency-Key": "k1"})
    late = answer(client, change.pk, {"outcome": "accepted"})

    change.refresh_from_db()
    assert (first.status_code, again.status_code, late.status_code) == (200, 200, 409)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["status"] == again.json()["status"] == "accepted"
    assert change.shipment.pickup_point == "Post N1"
    assert late.headers["Content-Type"] == "application/problem+json"


def test_carrier_refuses_with_its_reason(order, royal_mail, buyer, marketplace):
    change = carrier_change(order, royal_mail, buyer)

    response = answer(key_client(marketplace), change.pk, {"outcome": "refused", "reason": "Already at the depot"})

    change.refresh_from_db()
    assert response.status_code == 200
    assert (change.status, change.answer) == ("declined", "Already at the depot")


@pytest.mark.parametrize(
    "body",
    [{"outcome": "refused"}, {"outcome": "refused", "reason": "   "}, {"outcome": "maybe"}, {}, {"outcome": 1}],
)
def test_bad_answers_are_refused_and_nothing_changes(order, royal_mail, buyer, marketplace, body):
    change = carrier_change(order, royal_mail, buyer)

    response = answer(key_client(marketplace), change.pk, body)

    change.refresh_from_db()
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert change.status == "requested"


def test_another_marketplaces_change_is_404(order, royal_mail, buyer, other_marketplace):
    change = carrier_change(order, royal_mail, buyer)

    response = answer(key_client(other_marketplace), change.pk, {"outcome": "accepted"})

    change.refresh_from_db()
    assert response.status_code == 404
    assert change.status == "requested"


def test_a_change_the_seller_answers_is_409(parcel, buyer, marketplace):
    with clock.frozen(START - HOUR):
        change = delivery_change_request(
            actor=Actor.for_user(buyer), shipment=parcel, kind="pickup_point", details={"pickup_point": "Post N1"}
        )

    response = answer(key_client(marketplace), change.pk, {"outcome": "accepted"})

    change.refresh_from_db()
    assert response.status_code == 409
    assert change.status == "requested"


@pytest.mark.parametrize(("who", "status"), [("buyer", 403), ("seller", 403), ("operator", 403), ("admin_user", 200)])
def test_answer_per_signed_in_role(order, royal_mail, buyer, request, who, status):
    change = carrier_change(order, royal_mail, buyer)

    response = answer(client_for(request.getfixturevalue(who)), change.pk, {"outcome": "accepted"})

    assert response.status_code == status


def test_answer_needs_a_key_or_a_session(order, royal_mail, buyer):
    change = carrier_change(order, royal_mail, buyer)

    assert answer(Client(), change.pk, {"outcome": "accepted"}).status_code == 401
