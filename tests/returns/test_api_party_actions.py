"""Headless mode for returns: the marketplace's key requests a return for its buyer and handles it for its seller."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.models import TimelineEvent
from marketdesk.ledger.models import LedgerEntry
from marketdesk.returns.models import Condition, Return, ReturnLine, ReturnReason
from marketdesk.returns.services.approval import return_refuse
from marketdesk.returns.services.inspection import LineInspection, return_inspect
from marketdesk.returns.services.receipt import return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.states import ReturnStatus
from marketdesk.shipping.models import Carrier, Shipment
from tests.api.headless import REFUSED_CALLERS, SELLER_ID, post_json
from tests.api.helpers import PROBLEM
from tests.returns.conftest import MINUTE, NOW, SELLER_DUE, SHIP_BY, WINDOW_CLOSES, fresh
from tests.shipping.conftest import carriers_ensure

pytestmark = pytest.mark.django_db


def request_url(order) -> str:
    return f"/api/v1/orders/{order.external_id}/returns"


def return_url(ret: Return, route: str) -> str:
    return f"/api/v1/returns/{ret.pk}/{route}"


@pytest.fixture
def refused(requested, seller_actor, at_now) -> Return:
    """The hat's return, refused; two days on, a case may follow from it."""
    return_refuse(actor=seller_actor, ret=requested, reason="Hats are final sale.")
    at_now.advance(dt.timedelta(days=2))
    return fresh(requested)


@pytest.fixture
def refund_offered(order, scarf, buyer_actor, seller_actor, at_now) -> Return:
    """Two scarves to exchange, received and accepted, with no replacement in stock: the refund is offered."""
    ret = return_request(
        actor=buyer_actor, order=order, lines={scarf.pk: 2}, reason=ReturnReason.DOESNT_FIT, resolution="exchange"
    )
    return_receive(actor=seller_actor, code=ret.code)
    results = {rl.pk: LineInspection(accepted=rl.quantity, condition="as_new") for rl in ret.lines.all()}
    return return_inspect(actor=seller_actor, ret=ret, results=results, replacement_in_stock=False)


@pytest.fixture
def delivered(order, seller, at_now):
    """The delivered order, as the object a return is requested on (the clock frozen within its window)."""
    return order


# Each route: its address from the object, the stage (a fixture), which side acts, the rest of a valid body.
ROUTES = [
    ("request", request_url, "delivered", "buyer", {"lines": [{"line": "L1", "quantity": 1}], "reason": "doesnt_fit"}),
    ("approve", lambda r: return_url(r, "approve"), "requested", "seller", {}),
    ("refuse", lambda r: return_url(r, "refuse"), "requested", "seller", {"reason": "Bought on sale."}),
    ("receive", lambda r: return_url(r, "receive"), "approved", "seller", {}),
    (
        "inspection",
        lambda r: return_url(r, "inspection"),
        "received",
        "seller",
        {"lines": [{"line": "L1", "accepted": 2, "condition": "as_new"}]},
    ),
    ("cancel", lambda r: return_url(r, "cancel"), "approved", "buyer", {}),
    ("shipped", lambda r: return_url(r, "shipped"), "approved", "buyer", {"tracking_number": "RR123456785GB"}),
    ("take-refund", lambda r: return_url(r, "take-refund"), "refund_offered", "buyer", {}),
    ("escalate", lambda r: return_url(r, "escalate"), "refused", "buyer", {}),
]
SUCCESS = {
    "request": 201,
    "approve": 200,
    "refuse": 200,
    "receive": 200,
    "inspection": 200,
    "cancel": 200,
    "shipped": 200,
    "take-refund": 200,
    "escalate": 200,
}


@pytest.mark.parametrize(("name", "url", "stage", "side", "body"), ROUTES)
def test_each_party_action_by_the_key_for_the_returns_party(request, party_callers, name, url, stage, side, body):
    target = request.getfixturevalue(stage)
    client, named = party_callers["the key for the party"](side)
    events = TimelineEvent.objects.count()

    response = post_json(client, url(target), {**named, **body})

    assert response.status_code == SUCCESS[name]
    assert TimelineEvent.objects.count() > events


@pytest.mark.parametrize(("name", "url", "stage", "side", "body"), ROUTES)
@pytest.mark.parametrize(("caller", "status"), REFUSED_CALLERS)
def test_a_refused_action_is_a_problem_document_and_changes_nothing(
    request, party_callers, name, url, stage, side, body, caller, status
):
    target = request.getfixturevalue(stage)
    client, named = party_callers[caller](side)
    events = TimelineEvent.objects.count()

    response = post_json(client, url(target), {**named, **body})

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert TimelineEvent.objects.count() == events


BAD_BODIES = [
    ("request", request_url, "delivered", {"buyer": "B-X", "lines": [], "reason": "doesnt_fit"}, "lines"),
    (
        "request",
        request_url,
        "delivered",
        {"buyer": "B-X", "lines": [{"line": "L1", "quantity": 0}], "reason": "doesnt_fit"},
        "lines.0.quantity",
    ),
    (
        "request",
        request_url,
        "delivered",
        {"buyer": "B-X", "lines": [{"line": "L1", "quantity": 1}], "reason": "bored"},
        "reason",
    ),
    ("approve", lambda r: return_url(r, "approve"), "requested", {}, "seller"),
    ("refuse", lambda r: return_url(r, "refuse"), "requested", {"seller": SELLER_ID, "reason": ""}, "reason"),
    ("receive", lambda r: return_url(r, "receive"), "approved", {"seller": SELLER_ID, "code": "RA-1"}, "code"),
    (
        "inspection",
        lambda r: return_url(r, "inspection"),
        "received",
        {"seller": SELLER_ID, "lines": [{"line": "L1", "accepted": -1, "condition": "as_new"}]},
        "lines.0.accepted",
    ),
    (
        "inspection",
        lambda r: return_url(r, "inspection"),
        "received",
        {"seller": SELLER_ID, "lines": [{"line": "L1", "accepted": 1, "condition": "shiny"}]},
        "lines.0.condition",
    ),
    ("cancel", lambda r: return_url(r, "cancel"), "approved", {}, "buyer"),
    (
        "shipped",
        lambda r: return_url(r, "shipped"),
        "approved",
        {"buyer": "B-X", "tracking_number": 5},
        "tracking_number",
    ),
    ("take-refund", lambda r: return_url(r, "take-refund"), "refund_offered", {"buyer": "B-X", "note": "x"}, "note"),
    ("escalate", lambda r: return_url(r, "escalate"), "refused", {"seller": SELLER_ID}, "buyer"),
]


@pytest.mark.parametrize(("name", "url", "stage", "body", "field"), BAD_BODIES)
def test_a_bad_body_is_a_422_naming_the_field(request, storefront, named_seller, name, url, stage, body, field):
    target = request.getfixturevalue(stage)
    events = TimelineEvent.objects.count()

    response = post_json(storefront, url(target), body)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"][0]["field"] == field
    assert TimelineEvent.objects.count() == events


# --- the buyer requests ---------------------------------------------------------------------------------


def test_an_in_policy_request_is_approved_at_once_with_its_lines(storefront, delivered, buyer):
    body = {"buyer": buyer.external_id, "lines": [{"line": "L1", "quantity": 2}], "reason": "doesnt_fit"}

    response = post_json(storefront, request_url(delivered), body)

    ret = Return.objects.get()
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["ship_by"]) == (ReturnStatus.APPROVED, "2026-12-03T12:00:00Z")
    assert response.json()["lines"][0] == {
        "line": "L1",
        "title": "Wool scarf",
        "quantity": 2,
        "accepted_quantity": None,
        "condition": None,
        "notes": "",
        "reason": "doesnt_fit",
        "restocking_fee_minor": 0,
        "restocking_fee_currency": None,
    }
    assert (ret.buyer_id, ret.ship_by) == (buyer.pk, SHIP_BY)


def test_a_request_outside_policy_waits_for_the_seller(storefront, delivered, buyer):
    body = {
        "buyer": buyer.external_id,
        "lines": [{"line": "L2", "quantity": 1}],
        "reason": "other",
        "description": "Two.",
    }

    response = post_json(storefront, request_url(delivered), body)

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["seller_due_at"]) == (
        ReturnStatus.REQUESTED,
        SELLER_DUE.isoformat().replace("+00:00", "Z"),
    )


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"line": "L9", "quantity": 1}], "lines.0.line"),
        ([{"line": "L1", "quantity": 1}, {"line": "L1", "quantity": 1}], "lines.1.line"),
        ([{"line": "L1", "quantity": 3}], "lines"),
    ],
)
def test_a_line_that_cannot_be_returned_is_a_422_naming_it(storefront, delivered, buyer, lines, field):
    body = {"buyer": buyer.external_id, "lines": lines, "reason": "doesnt_fit"}

    response = post_json(storefront, request_url(delivered), body)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, field)
    assert Return.objects.count() == 0


def test_a_damaged_item_needs_a_photo_uploaded_for_the_buyer(storefront, delivered, buyer, photo):
    body = {"buyer": buyer.external_id, "lines": [{"line": "L2", "quantity": 1}], "reason": "damaged"}
    refused = post_json(storefront, request_url(delivered), body)

    accepted = post_json(storefront, request_url(delivered), {**body, "photos": [photo.pk]})

    photo.refresh_from_db()
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "photos")
    assert accepted.status_code == 201
    assert (photo.owner_type, photo.owner_id) == ("returns.return", accepted.json()["id"])


def test_a_request_after_the_window_is_a_409(storefront, delivered, buyer, at_now):
    at_now.advance(WINDOW_CLOSES - NOW + MINUTE)
    body = {"buyer": buyer.external_id, "lines": [{"line": "L1", "quantity": 1}], "reason": "doesnt_fit"}

    response = post_json(storefront, request_url(delivered), body)

    assert (response.status_code, response.json()["code"]) == (409, "return_not_allowed")
    assert Return.objects.count() == 0


# --- the seller handles -----------------------------------------------------------------------------------


def test_the_shop_itself_approves(storefront, requested, shop):
    response = post_json(storefront, return_url(requested, "approve"), {"shop": shop.external_id})

    assert (response.status_code, response.json()["status"]) == (200, ReturnStatus.APPROVED)


def test_the_seller_refuses_with_the_reason_the_buyer_reads(storefront, requested, named_seller):
    response = post_json(
        storefront, return_url(requested, "refuse"), {"seller": SELLER_ID, "reason": "Bought on sale."}
    )

    assert (response.status_code, response.json()["status"]) == (200, ReturnStatus.REFUSED)
    assert response.json()["refusal_reason"] == "Bought on sale."


def test_approving_an_approved_return_is_a_409(storefront, approved, named_seller):
    response = post_json(storefront, return_url(approved, "approve"), {"seller": SELLER_ID})

    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


def test_receiving_twice_answers_the_first_receipt(storefront, approved, named_seller, at_now):
    first = post_json(storefront, return_url(approved, "receive"), {"seller": SELLER_ID})
    at_now.advance(MINUTE)

    again = post_json(storefront, return_url(approved, "receive"), {"seller": SELLER_ID})

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["received_at"] == first.json()["received_at"]


def test_inspecting_before_the_receipt_is_a_409(storefront, approved, named_seller):
    body = {"seller": SELLER_ID, "lines": [{"line": "L1", "accepted": 2, "condition": "as_new"}]}

    response = post_json(storefront, return_url(approved, "inspection"), body)

    assert (response.status_code, response.json()["code"]) == (409, "return_not_received")


def test_a_partial_inspection_refunds_what_was_accepted_with_its_reason(storefront, received, named_seller):
    body = {
        "seller": SELLER_ID,
        "lines": [{"line": "L1", "accepted": 1, "condition": "used", "notes": "Worn."}],
        "partial_reason": "One scarf was worn.",
    }

    response = post_json(storefront, return_url(received, "inspection"), body)

    line = ReturnLine.objects.get(ret=received)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["refund_minor"]) == (ReturnStatus.REFUNDED, 2500)
    assert (line.accepted_quantity, line.condition, line.notes) == (1, Condition.USED, "Worn.")


def test_an_inspection_missing_a_line_or_naming_another_is_a_422(storefront, received, named_seller):
    body = {"seller": SELLER_ID, "lines": [{"line": "L2", "accepted": 1, "condition": "as_new"}]}

    response = post_json(storefront, return_url(received, "inspection"), body)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "lines.0.line")
    assert fresh(received).status == ReturnStatus.RECEIVED


# --- Idempotency-Key ------------------------------------------------------------------------------------


def test_repeating_an_inspection_with_the_same_key_answers_the_same_and_refunds_once(
    storefront, received, named_seller
):
    body = {"seller": SELLER_ID, "lines": [{"line": "L1", "accepted": 2, "condition": "as_new"}]}
    first = post_json(storefront, return_url(received, "inspection"), body, HTTP_IDEMPOTENCY_KEY="inspect-1")

    again = post_json(storefront, return_url(received, "inspection"), body, HTTP_IDEMPOTENCY_KEY="inspect-1")

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert again.json() == first.json()
    assert LedgerEntry.objects.filter(order_id=received.order_id).count() == 1


def test_repeating_a_request_with_the_same_key_makes_one_return(storefront, delivered, buyer):
    body = {"buyer": buyer.external_id, "lines": [{"line": "L1", "quantity": 1}], "reason": "doesnt_fit"}
    first = post_json(storefront, request_url(delivered), body, HTTP_IDEMPOTENCY_KEY="return-1")

    again = post_json(storefront, request_url(delivered), body, HTTP_IDEMPOTENCY_KEY="return-1")

    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert Return.objects.count() == 1


def test_shipping_back_with_a_known_carrier_tracks_the_parcel(storefront, approved, buyer):
    carriers_ensure()
    carrier = Carrier.objects.order_by("code").first()
    body = {"buyer": buyer.external_id, "carrier": carrier.code, "tracking_number": "RR123456785GB"}

    response = post_json(storefront, return_url(approved, "shipped"), body)

    assert (response.status_code, response.json()["status"], response.json()["tracking_number"]) == (
        200,
        ReturnStatus.SHIPPED,
        "RR123456785GB",
    )
    shipment = Shipment.objects.get(order=approved.order, external_id=f"return-{approved.code}")
    assert (response.json()["return_shipment_id"], shipment.carrier_id) == (shipment.pk, carrier.pk)


def test_taking_the_offered_refund_pays_it_once(storefront, refund_offered, buyer):
    body = {"buyer": buyer.external_id}
    first = post_json(storefront, return_url(refund_offered, "take-refund"), body)

    again = post_json(storefront, return_url(refund_offered, "take-refund"), body)

    assert (first.status_code, again.status_code, again.json()["status"]) == (200, 200, ReturnStatus.REFUNDED)
    assert LedgerEntry.objects.filter(order_id=refund_offered.order_id).count() == 1


def test_a_refusal_taken_to_a_case_opens_it_for_the_buyer(storefront, refused, buyer):
    response = post_json(storefront, return_url(refused, "escalate"), {"buyer": buyer.external_id})

    ret = fresh(refused)
    assert (response.status_code, response.json()["status"]) == (200, ReturnStatus.ESCALATED)
    assert (ret.escalated_case.buyer_id, ret.escalated_case.reason_detail) == (buyer.pk, "return_refused")


def test_cancelling_a_shipped_return_is_a_409(storefront, approved, buyer):
    post_json(storefront, return_url(approved, "shipped"), {"buyer": buyer.external_id})

    response = post_json(storefront, return_url(approved, "cancel"), {"buyer": buyer.external_id})

    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")
