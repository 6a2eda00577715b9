"""An operator restricts a buyer's protection (risk): from its effective date the buyer opens no case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.cases.models import CaseType
from marketdesk.cases.services.opening import CaseNotEligible, case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, NotFound, PermissionDenied
from marketdesk.risk.models import BuyerRestriction
from marketdesk.risk.services import (
    buyer_restrict,
    buyer_restriction_appeal,
    buyer_restriction_appeal_decide,
    buyer_restriction_lift,
)
from marketdesk.risk.states import RestrictionStatus
from tests import factories
from tests.cases.conftest import NOW, client_as, event_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def restriction(buyer, operator_actor):
    """Restricted 8 days before NOW with the policy's 7 days of notice: in force from a day before NOW."""
    with clock.frozen(NOW - dt.timedelta(days=8)):
        return buyer_restrict(actor=operator_actor, buyer=buyer, reason="Claims on parcels signed for.")


def test_a_restricted_buyer_cannot_open_a_case_from_the_effective_date(
    order, buyer_actor, contacted, restriction, at_now
):
    with pytest.raises(CaseNotEligible) as refused:
        case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="It never came.")

    assert "Buyer protection is restricted on your account since" in refused.value.message
    assert (restriction.effective_at, event_types(restriction)) == (
        NOW - dt.timedelta(days=1),
        ["buyer_restriction.applied"],
    )


def test_before_the_effective_date_the_buyer_still_opens_a_case(
    order, buyer, buyer_actor, contacted, operator_actor, at_now
):
    # given notice given now: the restriction starts in 7 days
    buyer_restrict(actor=operator_actor, buyer=buyer, reason="Many claims.")

    # when
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost.")

    # then
    assert case.pk is not None


def test_the_buyer_appeals_once_and_another_operator_revokes_it(
    order, buyer_actor, contacted, restriction, second_operator_actor, at_now
):
    # when
    buyer_restriction_appeal(actor=buyer_actor, restriction=restriction, text="The neighbour signed, not me.")
    with pytest.raises(Conflict):
        buyer_restriction_appeal(actor=buyer_actor, restriction=BuyerRestriction.objects.get(), text="Again.")
    decided = buyer_restriction_appeal_decide(
        actor=second_operator_actor, restriction=BuyerRestriction.objects.get(), accept=True, answer="Fair enough."
    )
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost.")

    # then
    assert (decided.status, case.pk is not None) == (RestrictionStatus.REVOKED, True)
    assert event_types(decided) == [
        "buyer_restriction.applied",
        "buyer_restriction.appealed",
        "buyer_restriction.appeal_accepted",
    ]


def test_the_operator_who_restricted_does_not_hear_the_appeal(buyer_actor, operator_actor, restriction, at_now):
    buyer_restriction_appeal(actor=buyer_actor, restriction=restriction, text="Not me.")

    with pytest.raises(PermissionDenied):
        buyer_restriction_appeal_decide(
            actor=operator_actor, restriction=BuyerRestriction.objects.get(), accept=False, answer="No."
        )


def test_a_lifted_restriction_lets_the_buyer_open_cases_again(
    order, buyer_actor, contacted, operator_actor, restriction, at_now
):
    buyer_restriction_lift(actor=operator_actor, restriction=restriction)

    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost.")

    assert case.pk is not None


def test_parties_may_not_restrict(buyer, buyer_actor, seller_actor, at_now):
    with pytest.raises(PermissionDenied):
        buyer_restrict(actor=buyer_actor, buyer=buyer, reason="No.")
    with pytest.raises(PermissionDenied):
        buyer_restrict(actor=seller_actor, buyer=buyer, reason="No.")


def test_another_buyer_may_not_appeal(restriction, marketplace, at_now):
    other = Actor.for_user(factories.BuyerFactory(marketplace=marketplace))

    with pytest.raises(NotFound):
        buyer_restriction_appeal(actor=other, restriction=restriction, text="Me too.")


def test_a_second_restriction_while_one_binds_is_refused(buyer, operator_actor, restriction, at_now):
    with pytest.raises(Conflict):
        buyer_restrict(actor=operator_actor, buyer=buyer, reason="Again.")


def test_get_help_tells_the_restricted_buyer_why_in_their_language(order, buyer, contacted, restriction, at_now):
    # given
    buyer.language = "ru"
    buyer.save(update_fields=["language"])

    # when
    response = client_as(buyer).post(
        reverse("cases:get_help_open", args=[order.pk]),
        {"case_type": CaseType.ITEM_NOT_RECEIVED, "description": "Посылка не пришла."},
    )

    # then
    assert (
        response.status_code,
        "Защита покупателя для вашей учётной записи ограничена" in response.content.decode(),
    ) == (
        422,
        True,
    )
