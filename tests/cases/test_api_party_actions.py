"""Headless mode for cases: the marketplace's key takes each party action of the case page for its buyer or seller."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from marketdesk.api.models import IdempotencyRecord
from marketdesk.cases.models import Case, CaseEvidence, CaseOffer, OfferKind, OfferStatus, Party
from marketdesk.cases.services.offers import case_offer_decline, case_offer_make
from marketdesk.cases.services.review import case_info_request
from marketdesk.cases.states import CaseStatus
from marketdesk.core.models import TimelineEvent
from marketdesk.ledger.models import LedgerEntry
from marketdesk.messaging.models import Message
from marketdesk.notifications.models import WebhookDelivery
from marketdesk.orders.models import Shop
from tests import factories
from tests.api.headless import REFUSED_CALLERS, SELLER_ID, post_json
from tests.api.helpers import PROBLEM
from tests.attachments.samples import stored_photo
from tests.cases.conftest import fresh, webhooks

pytestmark = pytest.mark.django_db


def act(client: Client, case: Case, route: str, body: dict[str, Any], **extra: Any):
    return post_json(client, f"/api/v1/cases/{case.pk}/{route}", body, **extra)


@pytest.fixture
def offered(opened_case, seller_actor) -> Case:
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)
    return fresh(opened_case)


@pytest.fixture
def declined(offered, buyer_actor) -> Case:
    case_offer_decline(actor=buyer_actor, case=offered)
    return fresh(offered)


@pytest.fixture
def asked_buyer(reviewed, operator_actor) -> Case:
    case_info_request(actor=operator_actor, case=reviewed, party=Party.BUYER, question="Was a signature taken?")
    return fresh(reviewed)


# Each route: the stage the case must be in (a fixture), which side acts, the rest of a valid body.
ROUTES = [
    ("offer", "opened_case", "seller", {"kind": "full_refund"}),
    ("offer/accept", "offered", "buyer", {}),
    ("offer/decline", "offered", "buyer", {}),
    ("escalate", "declined", "buyer", {}),
    ("evidence", "opened_case", "buyer", {"text": "The box came empty."}),
    ("answer", "asked_buyer", "buyer", {"answer": "No signature was taken."}),
    ("appeal", "decided", "buyer", {"reason": "The photos were missed.", "new_information": "A neighbour saw it."}),
    ("withdraw", "opened_case", "buyer", {}),
]
CALLERS = [("the key for the party", 200), *REFUSED_CALLERS]


@pytest.mark.parametrize(("route", "stage", "side", "body"), ROUTES)
@pytest.mark.parametrize(("caller", "status"), CALLERS)
def test_each_party_action_as_each_caller(request, party_callers, route, stage, side, body, caller, status):
    case = request.getfixturevalue(stage)
    client, named = party_callers[caller](side)
    events = TimelineEvent.objects.count()

    response = act(client, case, route, {**named, **body})

    assert response.status_code == status
    assert (TimelineEvent.objects.count() > events) is (status == 200)


@pytest.mark.parametrize(("route", "stage", "side", "body"), ROUTES)
@pytest.mark.parametrize(("caller", "status"), [row for row in CALLERS if row[1] != 200])
def test_a_refused_action_is_a_problem_document_and_changes_nothing(
    request, party_callers, route, stage, side, body, caller, status
):
    case = request.getfixturevalue(stage)
    client, named = party_callers[caller](side)

    response = act(client, case, route, {**named, **body})

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert fresh(case).status == case.status


# Each route with a body that is wrong in one field, and that field.
BAD_BODIES = [
    ("offer", "opened_case", {"seller": SELLER_ID, "kind": "gift"}, "kind"),
    ("offer", "opened_case", {"seller": SELLER_ID, "kind": "partial_refund", "amount_minor": 1.5}, "amount_minor"),
    ("offer/accept", "offered", {}, "buyer"),
    ("offer/decline", "offered", {"buyer": "B-X", "note": "no"}, "note"),
    ("escalate", "declined", {"buyer": "B-X", "seller": SELLER_ID}, "seller"),
    ("evidence", "opened_case", {"buyer": "B-X", "text": ""}, "text"),
    ("evidence", "opened_case", {"buyer": "B-X", "text": "x", "attachments": ["a"]}, "attachments.0"),
    ("answer", "asked_buyer", {"buyer": "B-X"}, "answer"),
    ("appeal", "decided", {"buyer": "B-X", "reason": "Missed."}, "new_information"),
    ("withdraw", "opened_case", {"buyer": 42}, "buyer"),
]


@pytest.mark.parametrize(("route", "stage", "body", "field"), BAD_BODIES)
def test_a_bad_body_is_a_422_naming_the_field_and_changes_nothing(
    request, storefront, named_seller, route, stage, body, field
):
    case = request.getfixturevalue(stage)

    response = act(storefront, case, route, body)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"][0]["field"] == field
    assert fresh(case).status == case.status


def test_naming_a_buyer_unknown_to_the_marketplace_is_a_422_naming_it(storefront, opened_case, other_marketplace):
    stranger = factories.BuyerFactory(marketplace=other_marketplace, external_id="B-STRANGER")

    response = act(storefront, opened_case, "withdraw", {"buyer": stranger.external_id})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "buyer")
    assert fresh(opened_case).status == CaseStatus.AWAITING_SELLER


def test_the_seller_cannot_be_named_where_only_the_buyer_acts(storefront, offered, named_seller):
    response = act(storefront, offered, "offer/accept", {"seller": SELLER_ID})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["buyer", "seller"]


# --- the seller's answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind", "amount"),
    [
        ({"kind": "full_refund"}, OfferKind.FULL_REFUND, 2500),
        ({"kind": "partial_refund", "amount_minor": 1000}, OfferKind.PARTIAL_REFUND, 1000),
        ({"kind": "replacement"}, OfferKind.REPLACEMENT, None),
        ({"kind": "return_and_refund"}, OfferKind.RETURN_AND_REFUND, 2500),
    ],
)
def test_the_seller_offers_each_kind(storefront, opened_case, named_seller, order, body, kind, amount):
    order.total_minor = 2500
    order.save(update_fields=["total_minor"])

    response = act(storefront, opened_case, "offer", {"seller": SELLER_ID, "message": "Sorry.", **body})

    offer = CaseOffer.objects.get(case=opened_case)
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.OFFER_MADE
    assert (offer.kind, offer.amount_minor, offer.made_by_id) == (kind, amount, named_seller.pk)
    assert response.json()["offers"][0]["kind"] == kind


def test_the_shop_itself_refuses_with_its_reason_and_evidence(storefront, opened_case, shop):
    response = act(
        storefront,
        opened_case,
        "offer",
        {
            "shop": shop.external_id,
            "kind": "refusal",
            "message": "Delivered to the door.",
            "evidence_note": "Carrier photo at the door.",
        },
    )

    offer = CaseOffer.objects.get(case=opened_case)
    assert response.status_code == 200
    assert (offer.kind, offer.message, offer.evidence_note, offer.made_by_id) == (
        OfferKind.REFUSAL,
        "Delivered to the door.",
        "Carrier photo at the door.",
        None,
    )


def test_a_refusal_without_its_reason_is_a_422_naming_message(storefront, opened_case, named_seller):
    response = act(storefront, opened_case, "offer", {"seller": SELLER_ID, "kind": "refusal"})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "message")
    assert CaseOffer.objects.count() == 0


def test_another_shop_of_the_marketplace_is_a_404(storefront, opened_case, marketplace):
    other = Shop.objects.create(marketplace=marketplace, external_id="S-OTHER", name="Other")

    response = act(storefront, opened_case, "offer", {"shop": other.external_id, "kind": "full_refund"})

    assert response.status_code == 404
    assert CaseOffer.objects.count() == 0


def test_a_partial_refund_over_the_order_total_is_a_422_naming_amount(storefront, opened_case, named_seller, order):
    body = {"seller": SELLER_ID, "kind": "partial_refund", "amount_minor": order.total_minor + 1}

    response = act(storefront, opened_case, "offer", body)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "amount")


def test_an_offer_on_an_escalated_case_is_a_409(storefront, escalated, named_seller):
    response = act(storefront, escalated, "offer", {"seller": SELLER_ID, "kind": "full_refund"})

    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


def test_the_seller_answers_a_question_put_to_the_seller(storefront, reviewed, operator_actor, named_seller):
    case_info_request(actor=operator_actor, case=reviewed, party=Party.SELLER, question="Tracking number?")

    response = act(storefront, reviewed, "answer", {"seller": SELLER_ID, "answer": "RR123456785GB"})

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.UNDER_REVIEW
    assert response.json()["info_requests"][0]["answer"] == "RR123456785GB"


def test_the_party_not_asked_cannot_answer(storefront, asked_buyer, named_seller):
    response = act(storefront, asked_buyer, "answer", {"seller": SELLER_ID, "answer": "Me too."})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert fresh(asked_buyer).status == CaseStatus.AWAITING_INFO


# --- the buyer's actions --------------------------------------------------------------------------------


def test_accepting_a_refund_offer_resolves_the_case_with_one_ledger_entry(storefront, offered, buyer):
    response = act(storefront, offered, "offer/accept", {"buyer": buyer.external_id})

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.RESOLVED
    assert response.json()["offers"][0]["status"] == OfferStatus.ACCEPTED
    assert LedgerEntry.objects.filter(case_id=offered.pk).count() == 1


def test_escalating_before_the_sellers_deadline_is_a_409_saying_until_when(storefront, opened_case, buyer):
    response = act(storefront, opened_case, "escalate", {"buyer": buyer.external_id})

    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert response.json()["detail"] == "The seller has until Tue 1 Dec, 12:00 to answer; you can escalate after that."


def test_evidence_with_the_buyers_own_uploads_is_attached_to_it(storefront, opened_case, buyer):
    photo = stored_photo(buyer)

    response = act(
        storefront, opened_case, "evidence", {"buyer": buyer.external_id, "text": "Crushed.", "attachments": [photo.pk]}
    )

    evidence = CaseEvidence.objects.get(case=opened_case)
    photo.refresh_from_db()
    assert response.status_code == 200
    assert (evidence.party, evidence.author_id, evidence.text) == (Party.BUYER, buyer.pk, "Crushed.")
    assert (photo.owner_type, photo.owner_id) == ("cases.caseevidence", evidence.pk)
    shown = response.json()["evidence"]
    assert [(item["party"], item["text"], [a["id"] for a in item["attachments"]]) for item in shown] == [
        ("buyer", "Crushed.", [photo.pk])
    ]


def test_evidence_with_someone_elses_upload_is_refused_and_adds_nothing(storefront, opened_case, buyer, other_buyer):
    photo = stored_photo(other_buyer)

    response = act(
        storefront, opened_case, "evidence", {"buyer": buyer.external_id, "text": "Mine.", "attachments": [photo.pk]}
    )

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "attachments")
    assert CaseEvidence.objects.count() == 0


def test_the_seller_adds_evidence_too(storefront, opened_case, named_seller):
    response = act(storefront, opened_case, "evidence", {"seller": SELLER_ID, "text": "Tracking shows delivered."})

    assert response.status_code == 200
    assert CaseEvidence.objects.get().party == Party.SELLER


def test_the_shop_itself_cannot_sign_evidence(storefront, opened_case, shop):
    response = act(storefront, opened_case, "evidence", {"shop": shop.external_id, "text": "Delivered."})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "shop")


def test_a_second_appeal_is_a_409(storefront, decided, buyer):
    body = {"buyer": buyer.external_id, "reason": "Missed.", "new_information": "A photo."}
    act(storefront, decided, "appeal", body)

    response = act(storefront, decided, "appeal", body)

    assert (response.status_code, response.json()["code"]) == (409, "conflict")


# --- Idempotency-Key ------------------------------------------------------------------------------------


def test_repeating_an_accept_with_the_same_key_answers_the_same_and_pays_once(storefront, offered, buyer):
    body = {"buyer": buyer.external_id}
    first = act(storefront, offered, "offer/accept", body, HTTP_IDEMPOTENCY_KEY="accept-1")
    messages = Message.objects.count()

    again = act(storefront, offered, "offer/accept", body, HTTP_IDEMPOTENCY_KEY="accept-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.filter(case_id=offered.pk).count() == 1
    assert Message.objects.count() == messages


def test_repeating_evidence_with_the_same_key_adds_it_once(storefront, opened_case, buyer):
    body = {"buyer": buyer.external_id, "text": "The box came empty."}
    first = act(storefront, opened_case, "evidence", body, HTTP_IDEMPOTENCY_KEY="evidence-1")

    again = act(storefront, opened_case, "evidence", body, HTTP_IDEMPOTENCY_KEY="evidence-1")

    assert (first.status_code, again.status_code, again.json()) == (200, 200, first.json())
    assert CaseEvidence.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(storefront, opened_case, buyer):
    act(storefront, opened_case, "evidence", {"buyer": buyer.external_id, "text": "One."}, HTTP_IDEMPOTENCY_KEY="k")

    response = act(
        storefront, opened_case, "evidence", {"buyer": buyer.external_id, "text": "Two."}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert (CaseEvidence.objects.count(), IdempotencyRecord.objects.count()) == (1, 1)


# --- the marketplace hears each step ---------------------------------------------------------------------


def test_withdrawing_tells_the_marketplace(storefront, opened_case, buyer, endpoint):
    act(storefront, opened_case, "withdraw", {"buyer": buyer.external_id})

    assert webhooks("case.withdrawn") == [f"case-{opened_case.pk}-withdrawn"]


def test_evidence_tells_the_marketplace_with_its_files(storefront, opened_case, buyer, endpoint):
    photo = stored_photo(buyer)

    act(storefront, opened_case, "evidence", {"buyer": buyer.external_id, "text": "Torn.", "attachments": [photo.pk]})

    evidence = CaseEvidence.objects.get()
    delivery = WebhookDelivery.objects.get(event_type="case.evidence_added")
    assert delivery.event_id == f"case-{opened_case.pk}-evidence-{evidence.pk}"
    assert {k: delivery.payload["data"][k] for k in ("party", "text", "attachments")} == {
        "party": "buyer",
        "text": "Torn.",
        "attachments": [photo.pk],
    }
