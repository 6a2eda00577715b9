"""Headless mode end to end: a whole case through the API alone, each step heard by webhook.

The marketplace's key acts for its buyer and its seller; support's steps (review, a question, the
decisions) are the console's services, since operators are not the marketplace's people. After each
step the outbox runs as the worker would, and a real receiver on 127.0.0.1 must get the step's
events, each verified with the ``standardwebhooks`` library against the endpoint's secret.
"""

from __future__ import annotations

import pytest

from marketdesk.cases.models import Case, DecisionOutcome, Party, Payer
from marketdesk.cases.services.decisions import case_appeal_decide, case_decide
from marketdesk.cases.services.review import case_info_request, case_review_start
from marketdesk.core import clock
from tests.api.headless import SELLER_ID
from tests.cases.conftest import CONTACTED_AT, NOW

pytestmark = pytest.mark.django_db

FOR_THE_SELLER = {
    "outcome": DecisionOutcome.SELLER_WINS,
    "payer": Payer.NONE,
    "reason_code": "delivered_with_proof",
    "rationale": "The carrier's photo shows the parcel at the door.",
}
ON_APPEAL_FOR_THE_BUYER = {
    "outcome": DecisionOutcome.BUYER_FULL_REFUND,
    "payer": Payer.SELLER,
    "reason_code": "appeal_overturned",
    "rationale": "The photo shows another door.",
}


def test_a_whole_case_through_the_api_heard_step_by_step(
    backend, order, buyer, named_seller, operator_actor, second_operator_actor
):
    as_buyer, as_seller = {"buyer": buyer.external_id}, {"seller": SELLER_ID}

    # The buyer contacts the seller, and three days later opens the case.
    with clock.frozen(CONTACTED_AT) as at:
        backend.post(f"/orders/{order.external_id}/seller-contact", {})
        at.advance(NOW - CONTACTED_AT)
        opening = {"order": order.external_id, "case_type": "item_not_received", "description": "No parcel."}
        case = backend.post("/cases", opening, 201)
        heard = backend.hears()
        assert [kind for kind, _data in heard] == ["payout.hold", "case.opened"]
        assert (heard[0][1]["amount_minor"], heard[0][1]["reason"]) == (
            order.total_minor,
            {"type": "case", "id": case["id"]},
        )
        assert heard[1:] == [
            (
                "case.opened",
                {
                    "case_id": case["id"],
                    "order": order.external_id,
                    "case_type": "item_not_received",
                    "status": "awaiting_seller",
                    "seller_due_at": "2026-12-01T12:00:00Z",
                },
            )
        ]
        url = f"/cases/{case['id']}"

        # The seller offers a part; the buyer declines and escalates.
        offer = {**as_seller, "kind": "partial_refund", "amount_minor": 1000, "message": "Ten back?"}
        assert backend.post(f"{url}/offer", offer)["status"] == "offer_made"
        assert [(kind, data["offer"], data["amount_minor"]) for kind, data in backend.hears()] == [
            ("case.offer_made", "partial_refund", 1000)
        ]
        assert backend.post(f"{url}/offer/decline", as_buyer)["status"] == "declined"
        assert [kind for kind, _data in backend.hears()] == ["case.offer_declined"]
        assert backend.post(f"{url}/escalate", as_buyer)["status"] == "escalated"
        assert [kind for kind, _data in backend.hears()] == ["case.escalated"]

        # Support asks the buyer a question in the console; the buyer answers through the API.
        the_case = Case.objects.get(pk=case["id"])
        case_review_start(actor=operator_actor, case=the_case)
        case_info_request(actor=operator_actor, case=the_case, party=Party.BUYER, question="Did a neighbour take it?")
        assert [(kind, data["party"], data["question"]) for kind, data in backend.hears()] == [
            ("case.info_requested", "buyer", "Did a neighbour take it?")
        ]
        answered = backend.post(f"{url}/answer", {**as_buyer, "answer": "No, I asked them all."})
        assert answered["status"] == "under_review"
        assert [(kind, data["answer"]) for kind, data in backend.hears()] == [
            ("case.info_provided", "No, I asked them all.")
        ]

        # Support decides for the seller; the buyer appeals through the API.
        case_decide(actor=operator_actor, case=the_case, **FOR_THE_SELLER)
        assert [(kind, data["outcome"]) for kind, data in backend.hears()] == [("case.decided", "seller_wins")]
        appeal = {**as_buyer, "reason": "That is not my door.", "new_information": "My door is blue."}
        assert backend.post(f"{url}/appeal", appeal)["status"] == "appealed"
        assert [(kind, data["party"], data["status"]) for kind, data in backend.hears()] == [
            ("case.appealed", "buyer", "appealed")
        ]

        # Another operator decides the appeal in the console: the marketplace hears it, with the refund.
        case_appeal_decide(actor=second_operator_actor, case=the_case, **ON_APPEAL_FOR_THE_BUYER)
        heard = dict(backend.hears())
        assert sorted(heard) == ["case.decided", "payout.release", "refund.instructed"]
        assert (heard["payout.release"]["kept_minor"], heard["payout.release"]["released_minor"]) == (
            order.total_minor,
            0,
        )
        assert (heard["case.decided"]["appeal"], heard["refund.instructed"]["amount_minor"]) == (
            True,
            order.total_minor,
        )
