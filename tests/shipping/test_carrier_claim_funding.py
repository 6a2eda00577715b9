"""A lost parcel the carrier is liable for: the refund is funded by the carrier claim, recovered when it is paid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.accounts.services import api_key_create
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


# --- recording the carrier's payment: the operator's form and the marketplace's API ----------------------


def client_for(person, language: str = "en") -> Client:
    person.language = language
    person.save(update_fields=["language"])
    client = Client()
    client.force_login(person)
    return client


def pay_by_form(client: Client, claim: CarrierClaim, amount: str):
    return client.post(
        reverse("shipping:console_claim_pay", args=[claim.investigation.shipment_id]), {"amount": amount}
    )


def recovered() -> tuple[int | None, int]:
    return CarrierClaim.objects.get().paid_minor, funding_of_refund()[2]


@pytest.mark.parametrize(
    ("who", "status", "paid"),
    [
        ("buyer", 404, (None, 0)),
        ("seller", 404, (None, 0)),
        ("operator", 302, (2000, 2000)),
        ("admin_user", 302, (2000, 2000)),
    ],
)
def test_the_form_records_the_payment_for_staff_only(claim, request, who, status, paid):
    response = pay_by_form(client_for(request.getfixturevalue(who)), claim, "20.00")

    assert response.status_code == status
    assert recovered() == paid


def test_an_operator_of_another_marketplace_cannot_record_the_payment(claim, other_marketplace):
    stranger = factories.OperatorFactory(marketplace=other_marketplace)

    response = pay_by_form(client_for(stranger), claim, "20.00")

    assert response.status_code == 404
    assert recovered() == (None, 0)


@pytest.mark.parametrize(("language", "typed"), [("en", "19.99"), ("ru", "19,99"), ("ru", "19.99")])
def test_the_amount_is_typed_in_the_languages_money_style(claim, operator, language, typed):
    client = client_for(operator, language)

    response = pay_by_form(client, claim, typed)
    page = client.get(response.headers["Location"]).content.decode()

    assert response.status_code == 302
    assert recovered() == (1999, 1999)
    assert "data-claim-paid" in page
    assert "data-claim-pay " not in page


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "", "This field is required."),
        ("en", "twenty", "Enter an amount such as 12.50."),
        ("en", "0", "Amounts must be greater than zero."),
        ("en", "-5", "Amounts must be greater than zero."),
        ("en", "20.001", "Too many decimal places for GBP."),
        ("en", "25.01", "The carrier pays at most the claim: £25.00."),
        ("ru", "", "Обязательное поле."),
        ("ru", "двадцать", "Введите сумму, например 12,50."),
        ("ru", "0", "Сумма должна быть больше нуля."),
        ("ru", "20,001", "Слишком много знаков после запятой для GBP."),
        ("ru", "25,01", "Перевозчик выплачивает не больше суммы претензии: 25,00\xa0£."),
    ],
)
def test_a_bad_amount_is_answered_beside_the_field_and_nothing_is_written(claim, operator, language, typed, message):
    response = pay_by_form(client_for(operator, language), claim, typed)

    assert response.status_code == 422
    assert f'id="id_amount-error">{message} </p>' in response.content.decode()
    assert recovered() == (None, 0)


def test_a_second_payment_by_form_is_refused(claim, operator):
    client = client_for(operator)
    pay_by_form(client, claim, "20.00")

    response = pay_by_form(client, claim, "5.00")

    assert response.status_code == 409
    assert "This carrier claim is already paid." in response.content.decode()
    assert recovered() == (2000, 2000)


def test_a_parcel_without_a_claim_has_no_payment_to_record(parcel, operator):
    client = client_for(operator)

    response = client.post(reverse("shipping:console_claim_pay", args=[parcel.pk]), {"amount": "20.00"})

    assert response.status_code == 404


def api_pay(client: Client, claim_id: int, body: dict, **headers: str):
    return client.post(
        f"/api/v1/carrier-claims/{claim_id}/payment", body, content_type="application/json", headers=headers
    )


def key_client(marketplace) -> Client:
    _key, secret = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Claims desk")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_the_marketplace_records_the_payment_by_api(claim, marketplace):
    with clock.frozen(START + 40 * DAY):
        response = api_pay(key_client(marketplace), claim.pk, {"amount_minor": 2000, "currency": "GBP"})

    assert response.status_code == 200
    assert response.json() == {
        "id": claim.pk,
        "shipment": claim.investigation.shipment.external_id,
        "carrier": "evri",
        "amount_minor": 2500,
        "currency": "GBP",
        "filed_at": "2026-11-28T09:00:00Z",
        "paid_minor": 2000,
        "paid_at": "2026-12-26T09:00:00Z",
    }
    assert recovered() == (2000, 2000)


@pytest.mark.parametrize(
    ("who", "status", "paid"),
    [("buyer", 403, None), ("seller", 403, None), ("operator", 403, None), ("admin_user", 200, 2000)],
)
def test_the_api_by_session_is_for_administrators(claim, request, who, status, paid):
    client = Client(enforce_csrf_checks=False)
    client.force_login(request.getfixturevalue(who))

    response = api_pay(client, claim.pk, {"amount_minor": 2000, "currency": "GBP"})

    assert response.status_code == status
    assert recovered()[0] == paid


def test_the_api_without_a_key_is_401_and_another_marketplaces_claim_is_404(claim, other_marketplace):
    anonymous = api_pay(Client(), claim.pk, {"amount_minor": 2000, "currency": "GBP"})
    stranger = api_pay(key_client(other_marketplace), claim.pk, {"amount_minor": 2000, "currency": "GBP"})
    missing = api_pay(key_client(other_marketplace), claim.pk + 1000, {"amount_minor": 2000, "currency": "GBP"})

    assert (anonymous.status_code, stranger.status_code, missing.status_code) == (401, 404, 404)
    assert stranger.headers["Content-Type"] == "application/problem+json"
    assert recovered() == (None, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_minor": 0, "currency": "GBP"}, "amount_minor"),
        ({"amount_minor": -100, "currency": "GBP"}, "amount_minor"),
        ({"amount_minor": 2501, "currency": "GBP"}, "amount_minor"),
        ({"amount_minor": "2000", "currency": "GBP"}, "amount_minor"),
        ({"amount_minor": 20.5, "currency": "GBP"}, "amount_minor"),
        ({"currency": "GBP"}, "amount_minor"),
        ({"amount_minor": 2000, "currency": "EUR"}, "currency"),
    ],
)
def test_a_bad_payment_by_api_names_the_field_and_writes_nothing(claim, marketplace, body, field):
    response = api_pay(key_client(marketplace), claim.pk, body)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert recovered() == (None, 0)


def test_a_repeat_with_the_same_key_replays_and_a_new_payment_is_refused(claim, marketplace):
    client = key_client(marketplace)
    body = {"amount_minor": 2000, "currency": "GBP"}

    first = api_pay(client, claim.pk, body, **{"Idempotency-Key": "pay-1"})
    again = api_pay(client, claim.pk, body, **{"Idempotency-Key": "pay-1"})
    other_body = api_pay(client, claim.pk, {**body, "amount_minor": 100}, **{"Idempotency-Key": "pay-1"})
    second = api_pay(client, claim.pk, {**body, "amount_minor": 100}, **{"Idempotency-Key": "pay-2"})

    assert (first.status_code, again.status_code, other_body.status_code, second.status_code) == (200, 200, 422, 409)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert second.json()["code"] == "carrier_claim_paid"
    assert recovered() == (2000, 2000)
