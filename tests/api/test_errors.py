"""Every failure of the API is an RFC 9457 problem document, whatever raised it."""

from __future__ import annotations

import pytest

from marketdesk.orders import api as orders_api
from tests.api.helpers import PROBLEM, put_order

pytestmark = pytest.mark.django_db


def test_a_problem_has_type_title_status_detail_and_code(key_client):
    response = key_client.get("/api/v1/orders/NO-SUCH")

    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://marketdesk.dev/problems/not_found",
        "title": "Not found.",
        "status": 404,
        "detail": "Nothing was found here.",
        "code": "not_found",
    }


def test_a_validation_problem_lists_each_field_with_a_readable_message(key_client, payload):
    payload["lines"][0]["quantity"] = 1.5
    payload["placed_at"] = "2026-11-20T09:30:00"

    response = key_client.put("/api/v1/orders/O-1", payload, content_type="application/json")

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "https://marketdesk.dev/problems/invalid"
    assert body["code"] == "invalid"
    assert body["detail"] == "2 fields are not valid."
    assert body["errors"] == [
        {"field": "placed_at", "message": "Times must include a time zone."},
        {"field": "lines.0.quantity", "message": "Enter a whole number (amounts are integers in minor units)."},
    ]


def test_broken_json_is_a_400_saying_where(key_client):
    response = key_client.put("/api/v1/orders/O-1", '{"buyer": {', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "malformed_json"
    assert response.json()["detail"].startswith("The request body is not valid JSON: ")


def test_an_empty_body_is_a_422_for_the_body(key_client):
    response = put_order(key_client, "O-1", "")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_a_wrong_method_is_a_405_with_allow(key_client):
    response = key_client.delete("/api/v1/orders/O-1")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, PUT"
    assert response.json()["code"] == "method_not_allowed"


def test_an_unknown_address_under_the_api_is_a_404_problem(key_client):
    response = key_client.post("/api/v1/no/such/thing", {}, content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_an_unexpected_error_is_a_500_problem_without_internals(key_client, monkeypatch, caplog):
    def explode(actor):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(orders_api, "order_list_for_actor", explode)

    response = key_client.get("/api/v1/orders")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert "hunter2" in caplog.text
