"""API calls per key: a key flooding the API is answered 429 with Retry-After, others are not slowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"


@pytest.fixture
def three_calls_a_minute(settings):
    settings.THROTTLES = {**settings.THROTTLES, "api_key": (3, 60)}


def test_a_key_flooding_the_api_gets_429_with_retry_after(key_client, frozen_clock, three_calls_a_minute):
    # given: the key has made its three calls this minute
    assert [key_client.get(ORDERS).status_code for _ in range(3)] == [200, 200, 200]
    frozen_clock.advance(dt.timedelta(seconds=15))
    # when
    response = key_client.get(ORDERS)
    # then
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "45"
    assert response.json()["code"] == "rate_limited"
    # and once the minute has turned the key is served again
    frozen_clock.advance(dt.timedelta(seconds=45))
    assert key_client.get(ORDERS).status_code == 200


def test_the_429_is_translated(key_client, frozen_clock, three_calls_a_minute):
    # given
    for _ in range(3):
        key_client.get(ORDERS)
    # when
    response = key_client.get(ORDERS, headers={"Accept-Language": "ru"})
    # then
    assert response.status_code == 429
    assert response.json()["title"] == "Слишком много запросов."


def test_a_flooding_key_does_not_slow_another_key(key_client, other_key_client, frozen_clock, three_calls_a_minute):
    # given
    for _ in range(4):
        key_client.get(ORDERS)
    # when
    response = other_key_client.get(ORDERS)
    # then
    assert response.status_code == 200


def test_a_signed_in_person_is_not_counted_as_a_key(admin_user, frozen_clock, three_calls_a_minute):
    # given
    client = Client()
    client.force_login(admin_user)
    # when
    statuses = [client.get(ORDERS).status_code for _ in range(5)]
    # then
    assert statuses == [200] * 5


def test_every_operation_documents_429_with_retry_after(client):
    # when
    schema = client.get("/api/v1/openapi.json").json()
    # then
    answers = [op["responses"].get("429", {}) for ops in schema["paths"].values() for op in ops.values()]
    assert answers
    assert all("Retry-After" in a.get("headers", {}) for a in answers)
