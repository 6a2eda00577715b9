"""The case pages of every role: who may open them, each action through the browser's forms, and bad input.

Parties use /cases/…; operators the queue and the workspace at /console/cases/….
Another party's case answers 404; every refusal re-renders the page with the
reason at a 4xx status and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from marketdesk.cases.models import (
    Case,
    CaseEvidence,
    CaseNote,
    CaseOffer,
    Decision,
    InfoRequest,
    OfferKind,
    OfferStatus,
    RationaleTemplate,
)
from marketdesk.cases.services.evidence import case_note_add
from marketdesk.cases.services.offers import case_offer_decline, case_offer_make
from marketdesk.cases.services.review import case_info_request
from marketdesk.cases.states import CaseStatus
from marketdesk.ledger.models import LedgerEntry
from tests import factories
from tests.cases.conftest import MINUTE, NOW, SELLER_DUE, client_as, fresh
from tests.cases.factories import CaseFactory

HOUR = dt.timedelta(hours=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def other_seller(marketplace):
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


@pytest.fixture
def other_operator(other_marketplace):
    return factories.OperatorFactory(marketplace=other_marketplace)


def party_url(case, action=None) -> str:
    if action is None:
        return reverse("cases:case_detail", args=[case.pk])
    return reverse("cases:case_act", args=[case.pk, action])


def staff_url(case, action=None) -> str:
    if action is None:
        return reverse("cases:workspace", args=[case.pk])
    return reverse("cases:workspace_act", args=[case.pk, action])


# Who may open which page


def test_case_page_by_role(opened_case, buyer, other_buyer, seller, other_seller, operator, other_operator, admin_user):
    url = party_url(opened_case)
    assert client_as(buyer).get(url).status_code == 200
    assert client_as(seller).get(url).status_code == 200
    for stranger in (other_buyer, other_seller, other_operator):
        assert client_as(stranger).get(url).status_code == 404
    for staff in (operator, admin_user):
        response = client_as(staff).get(url)
        assert response.status_code == 302
        assert response["Location"] == staff_url(opened_case)
    assert Client().get(url)["Location"].startswith(reverse("web:login"))


def test_workspace_by_role(escalated, buyer, seller, operator, other_operator, admin_user):
    url = staff_url(escalated)
    assert client_as(operator).get(url).status_code == 200
    assert client_as(admin_user).get(url).status_code == 200
    for refused in (buyer, seller, other_operator):
        assert client_as(refused).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_queue_and_lists_by_role(escalated, buyer, other_buyer, seller, other_seller, operator, other_operator):
    queue = reverse("console:queue")
    assert client_as(operator).get("/console/cases/?status=escalated")["Location"] == f"{queue}?status=escalated"
    assert f"#{escalated.pk}" in client_as(operator).get(queue).content.decode()
    assert f"#{escalated.pk}" not in client_as(other_operator).get(queue).content.decode()
    assert client_as(buyer).get(queue).status_code == 403
    assert client_as(seller).get(queue).status_code == 403
    mine = reverse("cases:case_list")
    assert f"#{escalated.pk}" in client_as(buyer).get(mine).content.decode()
    assert f"#{escalated.pk}" in client_as(seller).get(mine).content.decode()
    assert f"#{escalated.pk}" not in client_as(other_buyer).get(mine).content.decode()
    assert f"#{escalated.pk}" not in client_as(other_seller).get(mine).content.decode()
    assert client_as(operator).get(mine).status_code == 403


@pytest.mark.parametrize("action", ["accept", "decline", "escalate", "withdraw", "answer", "evidence", "appeal"])
def test_party_actions_on_another_partys_case_are_not_found(opened_case, other_buyer, other_seller, action):
    for stranger in (other_buyer, other_seller):
        assert client_as(stranger).post(party_url(opened_case, action), {}).status_code == 404
    assert fresh(opened_case).status == CaseStatus.AWAITING_SELLER


@pytest.mark.parametrize("action", ["review", "ask", "note", "decide"])
def test_operator_actions_refused_to_parties_and_other_marketplaces(escalated, buyer, seller, other_operator, action):
    for refused in (buyer, seller, other_operator):
        assert client_as(refused).post(staff_url(escalated, action), {}).status_code == 404
    assert fresh(escalated).status == CaseStatus.ESCALATED


def test_an_action_of_the_other_party_is_not_found(opened_case, buyer, seller):
    assert client_as(buyer).post(party_url(opened_case, "offer"), {"offer-kind": "full_refund"}).status_code == 404
    assert client_as(seller).post(party_url(opened_case, "withdraw")).status_code == 404
    assert client_as(buyer).post(party_url(opened_case, "no-such-action")).status_code == 404
    assert not CaseOffer.objects.exists()


def test_actions_refuse_get(opened_case, buyer):
    assert client_as(buyer).get(party_url(opened_case, "withdraw")).status_code == 405


# The buyer and the seller


def test_buyer_page_says_what_happens_next_with_a_business_time_countdown(opened_case, buyer, at_now):
    page = client_as(buyer).get(party_url(opened_case)).content.decode()
    assert "The seller has until the date below to answer" in page
    assert f'datetime="{SELLER_DUE.isoformat()}"' in page
    # Thu 12:00 UTC to Tue 12:00: Thu 12–18, Fri, Mon, Tue 9–12 (London, opening 9–18) = 3 business days.
    assert "3 business days left" in page
    assert "You can escalate the case after" in page


def test_seller_offers_a_partial_refund_typed_with_a_comma(opened_case, seller, at_now):
    response = client_as(seller).post(
        party_url(opened_case, "offer"),
        {"offer-kind": "partial_refund", "offer-amount": "5,50", "offer-message": "Sorry, half back?"},
    )
    assert response.status_code == 302
    offer = CaseOffer.objects.get(case=opened_case)
    assert (offer.kind, offer.amount_minor, offer.currency) == (
        OfferKind.PARTIAL_REFUND,
        550,
        opened_case.order.currency,
    )
    assert fresh(opened_case).status == CaseStatus.OFFER_MADE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offer-kind": "partial_refund"}, "Say how much you offer to refund."),
        ({"offer-kind": "partial_refund", "offer-amount": "abc"}, "Enter an amount such as 12.50."),
        ({"offer-kind": "partial_refund", "offer-amount": "1.005"}, "Too many decimal places"),
        ({"offer-kind": "partial_refund", "offer-amount": "-3"}, "Amounts must be greater than zero."),
        ({"offer-kind": "partial_refund", "offer-amount": "999999"}, "that can still be refunded on this order"),
        ({"offer-kind": "refusal"}, "This field is required."),
        ({"offer-kind": "replacement", "offer-amount": "3"}, "Only a refund offer has an amount."),
        ({"offer-kind": "gift"}, "Select a valid choice"),
    ],
)
def test_bad_offers_are_refused_next_to_the_field_and_change_nothing(opened_case, seller, at_now, data, message):
    response = client_as(seller).post(party_url(opened_case, "offer"), data)
    assert response.status_code == 422
    # once, beside the field: not a second time in the alert above the page
    assert response.content.decode().count(message) == 1
    assert not CaseOffer.objects.exists()
    assert fresh(opened_case).status == CaseStatus.AWAITING_SELLER


def test_buyer_accepts_the_offer_once(opened_case, seller_actor, buyer, at_now):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)
    client = client_as(buyer)
    page = client.get(party_url(opened_case)).content.decode()
    assert "The seller's offer" in page
    assert client.post(party_url(opened_case, "accept")).status_code == 302
    again = client.post(party_url(opened_case, "accept"))
    assert again.status_code == 409
    assert "There is no offer waiting for an answer." in again.content.decode()
    assert CaseOffer.objects.get().status == OfferStatus.ACCEPTED
    assert fresh(opened_case).status == CaseStatus.RESOLVED


def test_escalating_too_early_says_until_when_and_changes_nothing(opened_case, buyer, at_now):
    response = client_as(buyer).post(party_url(opened_case, "escalate"))
    assert response.status_code == 409
    assert "The seller has until" in response.content.decode()
    assert fresh(opened_case).status == CaseStatus.AWAITING_SELLER


def test_buyer_escalates_after_the_sellers_silence(opened_case, buyer, at_now):
    at_now.advance(SELLER_DUE - NOW + MINUTE)
    assert client_as(buyer).post(party_url(opened_case, "escalate")).status_code == 302
    assert fresh(opened_case).status == CaseStatus.ESCALATED


def test_seller_escalates_after_a_decline(opened_case, seller, seller_actor, buyer_actor, at_now):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)
    case_offer_decline(actor=buyer_actor, case=opened_case)
    assert client_as(seller).post(party_url(opened_case, "escalate")).status_code == 302
    assert fresh(opened_case).status == CaseStatus.ESCALATED


def test_withdraw(opened_case, buyer, at_now):
    assert client_as(buyer).post(party_url(opened_case, "withdraw")).status_code == 302
    assert fresh(opened_case).status == CaseStatus.WITHDRAWN
    page = client_as(buyer).get(party_url(opened_case)).content.decode()
    assert "You withdrew this case." in page
    assert "Withdraw the case" not in page


def test_evidence_shows_on_both_sides_and_empty_is_refused(opened_case, buyer, seller, at_now):
    assert (
        client_as(seller)
        .post(party_url(opened_case, "evidence"), {"evidence-text": "Tracking RM123 shows delivered."})
        .status_code
        == 302
    )
    empty = client_as(buyer).post(party_url(opened_case, "evidence"), {"evidence-text": "   "})
    assert empty.status_code == 422
    assert CaseEvidence.objects.count() == 1
    page = client_as(buyer).get(party_url(opened_case)).content.decode()
    assert "Tracking RM123 shows delivered." in page
    assert "It never came." in page


# The operator


def test_operator_reviews_asks_the_seller_who_answers(escalated, operator, seller, buyer):
    staff = client_as(operator)
    assert staff.post(staff_url(escalated, "review")).status_code == 302
    assert (
        staff.post(
            staff_url(escalated, "ask"), {"ask-party": "seller", "ask-question": "Proof of delivery?"}
        ).status_code
        == 302
    )
    assert fresh(escalated).status == CaseStatus.AWAITING_INFO
    buyer_page = client_as(buyer).get(party_url(escalated)).content.decode()
    assert "Support asks you" not in buyer_page  # the question is for the seller
    refused = client_as(buyer).post(party_url(escalated, "answer"), {"answer-answer": "me too"})
    assert refused.status_code == 403
    assert "The operator asked the other party." in refused.content.decode()
    seller_page = client_as(seller).get(party_url(escalated)).content.decode()
    assert "Support asks you" in seller_page
    assert "Proof of delivery?" in seller_page
    assert client_as(seller).post(party_url(escalated, "answer"), {"answer-answer": "None, sorry."}).status_code == 302
    assert InfoRequest.objects.get().answer == "None, sorry."
    assert fresh(escalated).status == CaseStatus.UNDER_REVIEW


def test_internal_notes_never_reach_a_party(reviewed, operator, operator_actor, buyer, seller):
    assert (
        client_as(operator).post(staff_url(reviewed, "note"), {"note-body": "Seller has 3 similar cases."}).status_code
        == 302
    )
    assert CaseNote.objects.get().body == "Seller has 3 similar cases."
    assert "Seller has 3 similar cases." in client_as(operator).get(staff_url(reviewed)).content.decode()
    for party in (buyer, seller):
        page = client_as(party).get(party_url(reviewed)).content.decode()
        assert "Seller has 3 similar cases." not in page
        assert "Internal note added" not in page


def test_decision_form_starts_from_the_rationale_template(reviewed, operator):
    page = client_as(operator).get(staff_url(reviewed)).content.decode()
    assert f"We reviewed order {reviewed.order.external_id}" in page
    RationaleTemplate.objects.create(outcome="buyer_full_refund", language="en", body="Refund {amount} to {buyer}.")
    page = client_as(operator).get(staff_url(reviewed)).content.decode()
    assert f"Refund {reviewed.order.total.format('en')} to {reviewed.buyer.name}." in page


def decision_data(**overrides) -> dict:
    data = {
        "decide-outcome": "buyer_full_refund",
        "decide-payer": "seller",
        "decide-amount": "",
        "decide-reason_code": "not_received_no_proof",
        "decide-rationale": "No proof of delivery.",
    }
    data.update(overrides)
    return data


def test_decision_through_the_workspace_once_and_the_parties_see_it(reviewed, operator, buyer, seller):
    staff = client_as(operator)
    assert staff.post(staff_url(reviewed, "decide"), decision_data()).status_code == 302
    again = staff.post(staff_url(reviewed, "decide"), decision_data())
    assert again.status_code == 409
    assert f"{operator.name} already decided this case" in again.content.decode()
    assert Decision.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    for party in (buyer, seller):
        page = client_as(party).get(party_url(reviewed)).content.decode()
        assert "Full refund to the buyer" in page
        assert "No proof of delivery." in page
        assert "Not received: no proof of delivery" in page
    assert "Appeal the decision" in client_as(buyer).get(party_url(reviewed)).content.decode()


def test_two_operators_deciding_the_second_is_told_who_decided(reviewed, operator, marketplace):
    second = factories.OperatorFactory(marketplace=marketplace, display_name="Olga Second")
    assert client_as(operator).post(staff_url(reviewed, "decide"), decision_data()).status_code == 302
    late = client_as(second).post(
        staff_url(reviewed, "decide"), decision_data(**{"decide-outcome": "seller_wins", "decide-payer": "none"})
    )
    assert late.status_code == 409
    assert f"{operator.name} already decided this case" in late.content.decode()
    assert Decision.objects.get().outcome == "buyer_full_refund"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"decide-reason_code": "because"}, "Select a valid choice"),
        ({"decide-rationale": ""}, "This field is required."),
        ({"decide-outcome": "buyer_partial_refund"}, "Say how much is refunded."),
        ({"decide-amount": "100000000"}, "that can still be refunded on this order"),
        ({"decide-payer": "none"}, "A refund is paid by the seller or the platform."),
        ({"decide-outcome": "seller_wins", "decide-amount": "3"}, "Only a refund decision has an amount."),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(reviewed, operator, overrides, message):
    response = client_as(operator).post(staff_url(reviewed, "decide"), decision_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert fresh(reviewed).status == CaseStatus.UNDER_REVIEW


def test_deciding_a_closed_case_is_refused(decided, operator):
    response = client_as(operator).post(staff_url(decided, "decide"), decision_data())
    assert response.status_code == 409
    assert Decision.objects.count() == 1


def test_appeal_is_decided_by_another_operator(decided, operator, buyer, marketplace):
    response = client_as(buyer).post(
        party_url(decided, "appeal"), {"appeal-reason": "The seller lied", "appeal-new_information": "New photo."}
    )
    assert response.status_code == 302
    assert fresh(decided).status == CaseStatus.APPEALED
    page = client_as(operator).get(staff_url(decided)).content.decode()
    assert "You made the first decision: another operator decides the appeal." in page
    refused = client_as(operator).post(
        staff_url(decided, "decide"), decision_data(**{"decide-reason_code": "appeal_upheld"})
    )
    assert refused.status_code == 403
    second = factories.OperatorFactory(marketplace=marketplace)
    upheld = decision_data(
        **{"decide-outcome": "no_fault", "decide-payer": "none", "decide-reason_code": "appeal_upheld"}
    )
    assert client_as(second).post(staff_url(decided, "decide"), upheld).status_code == 302
    assert fresh(decided).status == CaseStatus.DECIDED_ON_APPEAL
    twice = client_as(buyer).post(party_url(decided, "appeal"), {"appeal-reason": "x", "appeal-new_information": "y"})
    assert twice.status_code == 409


def test_queue_orders_by_deadline_and_filters_by_status(escalated, operator, marketplace, shop, buyer, at_now):
    later_order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)
    later = CaseFactory(
        order=later_order, status=CaseStatus.ESCALATED, decision_due_at=escalated.decision_due_at + HOUR
    )
    sooner = CaseFactory(
        order=later_order,
        case_type="other",
        status=CaseStatus.ESCALATED,
        decision_due_at=escalated.decision_due_at - HOUR,
    )
    page = client_as(operator).get(reverse("console:queue")).content.decode()
    positions = [page.index(f">#{case.pk}<") for case in (sooner, escalated, later)]
    assert positions == sorted(positions)
    assert "left" in page
    filtered = client_as(operator).get(reverse("console:queue") + "?status=awaiting_info").content.decode()
    assert f">#{escalated.pk}<" not in filtered
    assert "No open case or return matches this view and these filters." in filtered


def test_operator_question_shows_its_deadline_to_the_party(reviewed, operator_actor, buyer):
    case_info_request(actor=operator_actor, case=reviewed, party="buyer", question="A photo of the label?")
    page = client_as(buyer).get(party_url(reviewed)).content.decode()
    assert "A photo of the label?" in page
    assert "Without an answer, support decides on the evidence at hand." in page


def test_note_of_20000_characters_is_refused(reviewed, operator_actor, operator):
    response = client_as(operator).post(staff_url(reviewed, "note"), {"note-body": "x" * 20000})
    assert response.status_code == 422
    assert not CaseNote.objects.exists()
    case_note_add(actor=operator_actor, case=reviewed, body="ok")
    assert CaseNote.objects.count() == 1


def test_order_page_lists_its_cases_for_buyer_and_seller(opened_case, buyer, seller, other_buyer):
    page = client_as(buyer).get(reverse("web:order_detail", args=[opened_case.order_id])).content.decode()
    assert party_url(opened_case) in page
    page = client_as(seller).get(reverse("web:seller_order_detail", args=[opened_case.order_id])).content.decode()
    assert party_url(opened_case) in page


def test_case_is_unchanged_by_a_refused_action(opened_case, buyer, at_now):
    before = Case.objects.filter(pk=opened_case.pk).values().get()
    client_as(buyer).post(party_url(opened_case, "accept"))
    client_as(buyer).post(party_url(opened_case, "escalate"))
    client_as(buyer).post(party_url(opened_case, "appeal"), {"appeal-reason": "x", "appeal-new_information": "y"})
    assert Case.objects.filter(pk=opened_case.pk).values().get() == before


def test_a_new_case_follows_on_from_the_finished_one(opened_case, buyer, order, at_now):
    client = client_as(buyer)
    client.post(party_url(opened_case, "withdraw"))
    response = client.post(
        reverse("cases:get_help_open", args=[order.pk]), {"description": "Still nothing.", "detail": "not_arrived"}
    )
    follow_up = Case.objects.exclude(pk=opened_case.pk).get()
    assert response["Location"] == party_url(follow_up)
    assert follow_up.referenced_case_id == opened_case.pk
    assert party_url(opened_case) in client.get(party_url(follow_up)).content.decode()


def test_a_party_reads_only_the_answers_to_questions_put_to_it(reviewed, operator, buyer, seller):
    staff = client_as(operator)
    staff.post(staff_url(reviewed, "ask"), {"ask-party": "seller", "ask-question": "Courier receipt?"})
    client_as(seller).post(party_url(reviewed, "answer"), {"answer-answer": "Receipt number 88"})
    assert "Receipt number 88" in client_as(seller).get(party_url(reviewed)).content.decode()
    assert "Receipt number 88" in staff.get(staff_url(reviewed)).content.decode()
    buyer_page = client_as(buyer).get(party_url(reviewed)).content.decode()
    assert "Receipt number 88" not in buyer_page
    assert "Courier receipt?" not in buyer_page


def test_case_page_title_in_the_browser_tab_has_no_stray_div(opened_case, buyer):
    # when the buyer opens their case
    html = client_as(buyer).get(party_url(opened_case)).content.decode()

    # then the page title is the case's number and nothing else (no "</div>" in the tab)
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"Case {opened_case.pk} · marketdesk"
    assert "</div>\n" not in html.split("</head>", 1)[0]


def test_the_seller_is_not_given_the_buyers_escalation_advice(opened_case, seller, at_now):
    # when the seller opens a case the buyer may escalate later
    page = client_as(seller).get(party_url(opened_case)).content.decode()

    # then the advice speaks to the seller, not "if the seller has not answered"
    assert "if the seller has not answered" not in page
    assert "The buyer can ask the platform to step in after" in page
