"""The returns API: reading as each party, and receipts from a warehouse system with Idempotency-Key."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.ledger.models import LedgerEntry
from marketdesk.returns.states import ReturnStatus
from tests import factories
from tests.returns.conftest import client_as, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_client(marketplace, admin_user) -> Client:
    from marketdesk.core.actors import Actor

    _key, secret = api_key_create(actor=Actor.for_user(admin_user), marketplace=marketplace, name="warehouse")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_the_buyer_reads_their_returns_in_a_fixed_number_of_queries(
    approved, requested, buyer, django_assert_num_queries
):
    client = client_as(buyer)
    with django_assert_num_queries(5):
        response = client.get("/api/v1/returns")
    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == [requested.code, approved.code]


def test_another_buyer_reads_none_and_gets_404_for_one(approved, other_buyer):
    client = client_as(other_buyer)
    assert client.get("/api/v1/returns").json()["items"] == []
    assert client.get(f"/api/v1/returns/{approved.pk}").status_code == 404


def test_anonymous_is_refused(approved):
    assert Client().get("/api/v1/returns").status_code == 401


def test_the_warehouse_records_receipt_once_with_an_idempotency_key(approved, key_client):
    first = key_client.post(
        "/api/v1/returns/receipts",
        {"code": f"MDRA:{approved.code}"},
        content_type="application/json",
        headers={"Idempotency-Key": "scan-1"},
    )
    again = key_client.post(
        "/api/v1/returns/receipts",
        {"code": f"MDRA:{approved.code}"},
        content_type="application/json",
        headers={"Idempotency-Key": "scan-1"},
    )
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert first.json()["status"] == ReturnStatus.RECEIVED
    assert first.json()["refund_due_at"] is not None


def test_a_receipt_sent_twice_without_a_key_refunds_nothing_twice(received, key_client, seller_actor, order):
    from tests.returns.conftest import inspect_all

    inspect_all(seller_actor, received)
    again = key_client.post("/api/v1/returns/receipts", {"code": received.code}, content_type="application/json")
    assert (again.status_code, again.json()["status"]) == (200, ReturnStatus.REFUNDED)
    assert LedgerEntry.objects.filter(order=order).count() == 1


def test_a_seller_records_receipt_of_their_own_return(approved, seller):
    response = client_as(seller).post(
        "/api/v1/returns/receipts", {"code": approved.code}, content_type="application/json"
    )
    assert response.status_code == 200


def test_another_sellers_code_is_a_404(approved, marketplace):
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    response = client_as(stranger).post(
        "/api/v1/returns/receipts", {"code": approved.code}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "return_code_unknown")
    assert fresh(approved).status == ReturnStatus.APPROVED


def test_a_buyer_may_not_record_receipts(approved, buyer):
    response = client_as(buyer).post(
        "/api/v1/returns/receipts", {"code": approved.code}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_refused_return_cannot_be_received(requested, seller_actor, key_client):
    from marketdesk.returns.services.approval import return_refuse

    return_refuse(actor=seller_actor, ret=requested, reason="Final sale.")
    response = key_client.post("/api/v1/returns/receipts", {"code": requested.code}, content_type="application/json")
    assert response.status_code == 409
