"""Risk signals on the operators' pages (queue badge, workspace panel), never on a buyer's or seller's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.accounts.models import MembershipRole, ShopMembership
from marketdesk.risk.models import RiskKind, RiskSignal
from marketdesk.risk.services import risk_signals_refresh
from tests import factories

pytestmark = pytest.mark.django_db

RISK_MARKS = ("data-risk", "Risk signals", "Buyer risk", "Seller risk", "risk/recompute")


@pytest.fixture
def computed(world):
    risk_signals_refresh()
    return world


@pytest.fixture
def operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace)


@pytest.fixture
def scam_seller(computed, marketplace):
    seller = factories.SellerFactory(marketplace=marketplace)
    ShopMembership.objects.create(user=seller, shop=computed["scam_shop"], role=MembershipRole.OWNER)
    return seller


def test_the_queue_shows_a_badge_next_to_each_risky_buyer_and_shop(client, computed, operator):
    # given
    client.force_login(operator)

    # when
    page = client.get(reverse("console:queue")).content.decode()

    # then the claimer's three cases, the quick claimer's two and the scam shop's three carry one badge each
    assert (page.count('data-risk="buyer"'), page.count('data-risk="seller"')) == (3 + 1 + 2, 3)


def test_the_workspace_lists_the_buyers_signal_with_the_orders_behind_it(client, computed, operator):
    # given
    client.force_login(operator)
    case = computed["claimer_cases"][0]

    # when
    page = client.get(reverse("cases:workspace", args=[case.pk])).content.decode()

    # then
    assert f'data-risk-kind="{RiskKind.CLAIM_RATE}"' in page
    assert all(c.order.external_id in page for c in computed["claimer_cases"])


def test_an_honest_buyers_case_shows_no_signal(client, computed, operator):
    # given
    client.force_login(operator)
    case = computed["honest"][0].cases.get()

    # when
    page = client.get(reverse("cases:workspace", args=[case.pk])).content.decode()

    # then
    assert ("data-risk-kind" in page, "No risk signals on this buyer or seller." in page) == (False, True)


def test_an_operator_recomputes_a_cases_parties_now(client, computed, operator):
    # given a signal gone stale
    client.force_login(operator)
    case = computed["claimer_cases"][0]
    RiskSignal.objects.filter(buyer=computed["claimer"]).update(case_ids=[])

    # when
    response = client.post(reverse("risk:case_recompute", args=[case.pk]))

    # then
    assert response.status_code == 302
    assert sorted(RiskSignal.objects.get(buyer=computed["claimer"]).case_ids) == sorted(
        c.pk for c in computed["claimer_cases"]
    )


def test_the_buyer_never_sees_their_signal(client, computed):
    # given
    client.force_login(computed["claimer"])
    case = computed["claimer_cases"][0]

    # when
    pages = [client.get(reverse("cases:case_detail", args=[case.pk])), client.get(reverse("cases:case_list"))]

    # then
    assert [p.status_code for p in pages] == [200, 200]
    assert [mark for p in pages for mark in RISK_MARKS if mark in p.content.decode()] == []


def test_the_seller_never_sees_their_signal(client, computed, scam_seller):
    # given
    client.force_login(scam_seller)
    case = computed["scam_cases"][0]

    # when
    pages = [client.get(reverse("cases:case_detail", args=[case.pk])), client.get(reverse("cases:case_list"))]

    # then
    assert [p.status_code for p in pages] == [200, 200]
    assert [mark for p in pages for mark in RISK_MARKS if mark in p.content.decode()] == []


def test_the_buyer_gets_404_on_the_risk_url(client, computed):
    # given
    client.force_login(computed["claimer"])

    # when
    response = client.post(reverse("risk:case_recompute", args=[computed["claimer_cases"][0].pk]))

    # then
    assert response.status_code == 404


def test_the_seller_gets_404_on_the_risk_url(client, computed, scam_seller):
    # given
    client.force_login(scam_seller)

    # when
    response = client.post(reverse("risk:case_recompute", args=[computed["scam_cases"][0].pk]))

    # then
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, computed):
    response = client.post(reverse("risk:case_recompute", args=[computed["claimer_cases"][0].pk]))

    assert response.status_code == 302
