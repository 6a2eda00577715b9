"""Case selectors: each role sees exactly its cases; the operator queue is ordered by deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.selectors import case_get_for_actor, cases_for_actor, operator_queue
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from tests import factories
from tests.cases.factories import OPENED_AT, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(order):
    return CaseFactory(order=order)


@pytest.fixture
def elsewhere(other_marketplace):
    return CaseFactory(order=factories.OrderFactory(marketplace=other_marketplace))


def ids(qs) -> set[int]:
    return set(qs.values_list("id", flat=True))


def test_a_buyer_sees_only_own_cases(mine, elsewhere, buyer, other_buyer):
    assert ids(cases_for_actor(Actor.for_user(buyer))) == {mine.pk}
    assert ids(cases_for_actor(Actor.for_user(other_buyer))) == set()


def test_a_seller_sees_only_own_shops_cases(mine, elsewhere, seller, marketplace):
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user

    assert ids(cases_for_actor(Actor.for_user(seller))) == {mine.pk}
    assert ids(cases_for_actor(Actor.for_user(stranger))) == set()


def test_operators_and_the_marketplace_see_their_marketplace(mine, elsewhere, operator, marketplace):
    assert ids(cases_for_actor(Actor.for_user(operator))) == {mine.pk}
    assert ids(cases_for_actor(Actor.marketplace(marketplace_id=marketplace.pk))) == {mine.pk}


def test_a_case_out_of_sight_is_not_found(elsewhere, buyer):
    with pytest.raises(NotFound):
        case_get_for_actor(Actor.for_user(buyer), pk=elsewhere.pk)


def test_the_queue_puts_the_nearest_deadline_first(order, operator, buyer):
    late = CaseFactory(order=order, status=CaseStatus.ESCALATED, decision_due_at=OPENED_AT + dt.timedelta(hours=40))
    soon = CaseFactory(
        order=factories.OrderFactory(marketplace=order.marketplace),
        status=CaseStatus.AWAITING_INFO,
        decision_due_at=OPENED_AT + dt.timedelta(hours=48),
        info_due_at=OPENED_AT + dt.timedelta(hours=10),
    )
    undated = CaseFactory(order=factories.OrderFactory(marketplace=order.marketplace), status=CaseStatus.APPEALED)
    CaseFactory(order=factories.OrderFactory(marketplace=order.marketplace))  # still with the seller

    assert list(operator_queue(Actor.for_user(operator)).values_list("id", flat=True)) == [
        soon.pk,
        late.pk,
        undated.pk,
    ]
    assert list(operator_queue(Actor.for_user(buyer))) == []
