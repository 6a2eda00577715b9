"""Who may call the API: marketplace keys, signed-in people (with CSRF), and who is refused.

Decision on writes across marketplaces: a key is bound to one marketplace and
order numbers are read within it, so a key cannot address another
marketplace's order at all. A PUT with a number that another marketplace also
uses creates a separate order in the key's own marketplace (201) and leaves
the other untouched; a GET of the other's order is a 404.
"""

from __future__ import annotations

import pytest
from django.middleware.csrf import get_token
from django.test import RequestFactory

from marketdesk.accounts.models import ApiKey
from marketdesk.orders.models import Order
from tests import factories
from tests.api.helpers import PROBLEM, authorization_client, put_order, session_client

pytestmark = pytest.mark.django_db


def test_without_a_key_or_session_reads_are_refused_with_401(anonymous_client):
    response = anonymous_client.get("/api/v1/orders")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="marketdesk"'
    assert response.json()["code"] == "not_authenticated"


def test_without_a_key_writes_are_refused_with_401_and_nothing_is_written(anonymous_client, payload, row_counts):
    before = row_counts()

    response = put_order(anonymous_client, "O-1", payload)

    assert response.status_code == 401
    assert row_counts() == before


def test_a_revoked_key_is_refused_with_401(revoked_api_key):
    client = authorization_client(f"Bearer {revoked_api_key[1]}")

    response = client.get("/api/v1/orders")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "The API key is not valid or has been revoked."


@pytest.mark.parametrize(
    "header",
    ["Bearer mdk_000000000000_forged", "Bearer not-a-key", "Basic dXNlcjpwYXNz", "Bearer "],
    ids=["forged", "no-prefix", "basic-scheme", "empty"],
)
def test_a_malformed_or_unknown_key_is_refused_with_401(header):
    response = authorization_client(header).get("/api/v1/orders")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_a_key_records_when_it_was_last_used(api_key, key_client):
    key_client.get("/api/v1/orders")

    assert ApiKey.objects.get(pk=api_key[0].pk).last_used_at is not None


def test_a_put_with_another_marketplaces_number_creates_a_separate_order(
    other_key_client, marketplace, other_marketplace, payload
):
    theirs = factories.OrderFactory(marketplace=marketplace, external_id="O-1", total_minor=2500)

    response = put_order(other_key_client, "O-1", payload)

    assert response.status_code == 201
    assert Order.objects.get(pk=theirs.pk).total_minor == 2500
    assert Order.objects.get(marketplace=other_marketplace, external_id="O-1").total_minor == 5450


@pytest.mark.parametrize("role_fixture", ["buyer", "seller", "operator"])
def test_signed_in_people_other_than_admins_may_not_write_orders(request, role_fixture, payload, row_counts):
    person = request.getfixturevalue(role_fixture)
    payload["total_minor"] = 12.5  # refused before the body is even read
    before = row_counts()

    response = put_order(session_client(person), "O-1", payload)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "forbidden"
    assert row_counts() == before


def test_an_admin_may_write_an_order_into_own_marketplace(admin_user, marketplace, payload):
    response = put_order(session_client(admin_user), "O-1", payload)

    assert response.status_code == 201
    assert Order.objects.get(external_id="O-1").marketplace == marketplace


def test_a_session_write_without_the_csrf_token_is_refused(admin_user, payload, row_counts):
    before = row_counts()

    response = put_order(session_client(admin_user, enforce_csrf=True), "O-1", payload)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "csrf_failed"
    assert row_counts() == before


def test_a_session_write_with_the_csrf_token_is_accepted(admin_user, payload):
    client = session_client(admin_user, enforce_csrf=True)
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token

    response = put_order(client, "O-1", payload, headers={"X-CSRFToken": token})

    assert response.status_code == 201


def test_a_session_read_needs_no_csrf_token(buyer):
    response = session_client(buyer, enforce_csrf=True).get("/api/v1/orders")

    assert response.status_code == 200


def test_a_signed_in_person_behind_a_basic_auth_proxy_still_reads(buyer):
    client = session_client(buyer)

    response = client.get("/api/v1/orders", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 200
