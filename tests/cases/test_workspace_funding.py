"""Who funds a case's refund, on the operator's workspace: the seller, the platform's guarantee or the platform,
how much, and why, in the reader's language and money format. Operators and admins only: the parties read the
decision's payer, never the funding behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.cases.models import DecisionOutcome, Payer
from marketdesk.cases.services.decisions import case_decide
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.money import Money
from marketdesk.ledger.selectors import RefundFunding, refund_funding_for_case
from tests import factories
from tests.cases.conftest import client_as, fresh
from tests.ledger.test_funding import a_parcel, rated

pytestmark = pytest.mark.django_db

CARD = "data-refund-funding"


def decide(actor, case, *, payer: str):
    case_decide(
        actor=actor,
        case=case,
        outcome=DecisionOutcome.BUYER_FULL_REFUND,
        payer=payer,
        reason_code="not_received_no_proof",
        rationale="No proof of delivery was given.",
    )
    return fresh(case)


def workspace(user, case) -> str:
    response = client_as(user).get(reverse("cases:workspace", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def guaranteed(reviewed, operator_actor, shop):
    """The platform pays a refund on an order shipped on time with tracking by a shop in standard standing."""
    a_parcel(reviewed.order, left=reviewed.order.placed_at + dt.timedelta(days=1))
    rated(shop, "standard")
    return decide(operator_actor, reviewed, payer=Payer.PLATFORM)


@pytest.fixture
def charged_back(reviewed, operator_actor, shop):
    """The platform pays a refund on an order with no parcel: the seller funds it, the platform recovers it."""
    rated(shop, "top_rated")
    return decide(operator_actor, reviewed, payer=Payer.PLATFORM)


# The selector


def test_a_refund_the_seller_pays_is_funded_by_the_seller(decided, operator_actor):
    assert refund_funding_for_case(operator_actor, case_id=decided.pk) == [
        RefundFunding("seller", "seller_pays", Money(2500, "GBP"), None, None)
    ]


def test_the_guarantee_funds_a_refund_the_platform_pays_on_a_good_order(guaranteed, operator_actor):
    assert refund_funding_for_case(operator_actor, case_id=guaranteed.pk) == [
        RefundFunding("platform_guarantee", "guaranteed", Money(2500, "GBP"), None, None)
    ]


def test_a_refund_outside_the_guarantee_is_recovered_from_the_seller(charged_back, operator_actor):
    assert refund_funding_for_case(operator_actor, case_id=charged_back.pk) == [
        RefundFunding("seller", "no_tracking", Money(2500, "GBP"), Money(2500, "GBP"), None)
    ]


def test_an_undecided_case_has_no_funding(reviewed, operator_actor):
    assert refund_funding_for_case(operator_actor, case_id=reviewed.pk) == []


def test_an_admin_reads_it(decided, admin_user):
    assert [f.source for f in refund_funding_for_case(Actor.for_user(admin_user), case_id=decided.pk)] == ["seller"]


def test_support_of_another_marketplace_reads_nothing(decided, other_marketplace):
    stranger = Actor.for_user(factories.OperatorFactory(marketplace=other_marketplace))

    assert refund_funding_for_case(stranger, case_id=decided.pk) == []


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_the_parties_are_refused(decided, party, request):
    actor = Actor.for_user(request.getfixturevalue(party))

    with pytest.raises(PermissionDenied):
        refund_funding_for_case(actor, case_id=decided.pk)


def test_the_marketplace_is_refused(decided, marketplace_actor):
    with pytest.raises(PermissionDenied):
        refund_funding_for_case(marketplace_actor, case_id=decided.pk)


# The workspace


def test_the_operator_sees_the_guarantee_fund_the_refund(guaranteed, operator):
    page = workspace(operator, guaranteed)

    assert (
        'data-funding-source="platform_guarantee"><dt>Platform guarantee</dt><dd><span class="amount">£25.00</span>'
        in page
    )
    assert "Shipped on time with valid tracking by a shop in good standing, within the caps" in page


def test_the_operator_sees_what_is_recovered_from_the_seller(charged_back, operator):
    page = workspace(operator, charged_back)

    assert 'data-funding-source="seller"><dt>Seller</dt><dd><span class="amount">£25.00</span>' in page
    assert "No valid tracking: the parcel has no carrier scan" in page
    assert '<dt>Recovered from the seller</dt><dd class="amount">£25.00</dd>' in page


def test_it_reads_in_russian_with_russian_money(charged_back, operator):
    operator.language = "ru"
    operator.save(update_fields=["language"])

    page = workspace(operator, charged_back)

    assert "Кто оплачивает возврат денег" in page
    assert '<dt>Продавец</dt><dd><span class="amount">25,00\xa0£</span>' in page
    assert '<dt>Взыскано с продавца</dt><dd class="amount">25,00\xa0£</dd>' in page


def test_the_admin_sees_it(decided, admin_user):
    assert CARD in workspace(admin_user, decided)


def test_an_undecided_case_shows_no_funding(reviewed, operator):
    assert CARD not in workspace(operator, reviewed)


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_the_parties_see_the_payer_but_not_the_funding(charged_back, party, request):
    user = request.getfixturevalue(party)

    staff_page = client_as(user).get(reverse("cases:workspace", args=[charged_back.pk]))
    own_page = client_as(user).get(reverse("cases:case_detail", args=[charged_back.pk]))

    assert (staff_page.status_code, own_page.status_code) == (404, 200)
    text = own_page.content.decode()
    assert ("Paid by" in text, CARD in text, "Recovered from the seller" in text) == (True, False, False)
