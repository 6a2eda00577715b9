"""A lost parcel the carrier is liable for: the refund is funded by the carrier claim, recovered when it is paid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.money import Money
from marketdesk.ledger.models import FundingMonth, LedgerEntry
from marketdesk.shipping.models import CarrierClaim
from marketdesk.shipping.services import carrier_claim_pay, lost_parcel_investigate, lost_parcel_resolve
from marketdesk.shipping.states import InvestigationStatus
from tests import factories
from tests.core.transition_matrix import timeline_of
from tests.shipping.conftest import START
from tests.shipping.test_services import likely_lost

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def claim(parcel, operator) -> CarrierClaim:
    actor = Actor.for_user(operator)
    with clock.frozen(START + 12 * DAY):
        investigation = lost_parcel_investigate(actor=actor, shipment=likely_lost(parcel))
        lost_parcel_resolve(
            actor=actor, investigation=investigation, outcome=InvestigationStatus.REFUNDED, carrier_liable=True
        )
    return CarrierClaim.objects.get()


def funding_of_refund() -> tuple[str, str, int]:
    entry = LedgerEntry.objects.get(kind="refund")
    return entry.funding_source, entry.funding_reason, entry.carrier_recovered_minor


def carrier_month() -> tuple[int, int, int]:
    row = FundingMonth.objects.get(source="carrier_claim")
    return row.refunds, row.amount_minor, row.carrier_recovered_minor


def test_the_refund_of_a_parcel_the_carrier_lost_is_funded_by_its_claim(claim):
    assert funding_of_refund() == ("carrier_claim", "carrier_liable", 0)
    assert LedgerEntry.objects.count() == 1
    assert carrier_month() == (1, 2500, 0)


def test_a_paid_claim_is_recovered_against_the_refund_it_funds(claim, operator):
    with clock.frozen(START + 40 * DAY):
        paid = carrier_claim_pay(actor=Actor.for_user(operator), claim=claim, amount=Money(2000, "GBP"))

    assert (paid.paid_minor, paid.paid_at) == (2000, START + 40 * DAY)
    assert funding_of_refund() == ("carrier_claim", "carrier_liable", 2000)
    # Counted in the month of the refund it recovers, not the month it was paid.
    assert carrier_month() == (1, 2500, 2000)
    assert "lost_parcel.claim_paid" in list(
        timeline_of(claim.investigation.shipment).values_list("event_type", flat=True)
    )


def test_a_claim_is_paid_once(claim, operator):
    actor = Actor.for_user(operator)
    carrier_claim_pay(actor=actor, claim=claim, amount=Money(2500, "GBP"))

    with pytest.raises(Conflict):
        carrier_claim_pay(actor=actor, claim=claim, amount=Money(1, "GBP"))

    assert funding_of_refund()[2] == 2500


@pytest.mark.parametrize("amount", [0, 2501])
def test_a_zero_payment_or_one_above_the_claim_is_refused(claim, operator, amount):
    with pytest.raises(DomainValidationError) as error:
        carrier_claim_pay(actor=Actor.for_user(operator), claim=claim, amount=Money(amount, "GBP"))

    assert error.value.field == "amount"
    assert funding_of_refund()[2] == 0
    assert CarrierClaim.objects.get().paid_at is None


def test_a_seller_cannot_record_a_claim_paid(claim, seller):
    with pytest.raises(PermissionDenied):
        carrier_claim_pay(actor=Actor.for_user(seller), claim=claim, amount=Money(2500, "GBP"))


def test_an_operator_of_another_marketplace_does_not_find_the_claim(claim, other_marketplace):
    stranger = factories.OperatorFactory(marketplace=other_marketplace)

    with pytest.raises(NotFound):
        carrier_claim_pay(actor=Actor.for_user(stranger), claim=claim, amount=Money(2500, "GBP"))


@pytest.mark.parametrize(("language", "label"), [("en", "Paid by the carrier"), ("ru", "Выплачено перевозчиком")])
def test_the_parcel_page_shows_what_the_carrier_paid(claim, operator, language, label):
    carrier_claim_pay(actor=Actor.for_user(operator), claim=claim, amount=Money(2000, "GBP"))
    operator.language = language
    operator.save(update_fields=["language"])
    client = Client()
    client.force_login(operator)

    page = client.get(reverse("shipping:console_parcel", args=[claim.investigation.shipment_id])).content.decode()

    assert label in page
    assert "data-claim-paid" in page
