"""What schemathesis found, each named after the input that broke the API, now answered as documented."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from ninja import Schema

from marketdesk.notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_multipart_upload_without_a_boundary_is_a_400_problem_not_a_server_error(api_key):
    # given: a request as uvicorn hands it to Django (ASGI), Content-Type multipart without its boundary
    async def post() -> object:
        return await AsyncClient().post(
            "/api/v1/attachments",
            b"--x\r\n",
            content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {api_key[1]}"},
        )

    # when
    response = async_to_sync(post)()
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "malformed_body"


def test_retry_with_a_20_digit_endpoint_id_is_404_not_a_server_error(key_client):
    # when
    response = key_client.post("/api/v1/webhooks/endpoints/52937465804302985923/deliveries/1/retry")
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_an_address_id_that_is_no_number_is_404(key_client):
    # when
    response = key_client.get("/api/v1/cases/None")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-11-24"])
def test_updated_since_as_a_number_is_refused_as_a_date_time(key_client, value):
    # when
    response = key_client.get("/api/v1/cases", {"updated_since": value})
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "updated_since"


def test_order_time_sent_as_a_unix_number_is_refused(key_client, payload):
    # given
    payload["placed_at"] = 1764158400
    # when
    response = key_client.put("/api/v1/orders/MD-1", payload, content_type="application/json")
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "placed_at"


@pytest.mark.parametrize("url", ["http://user:secret@127.0.0.1:9/hook", "http://user@127.0.0.1:9/hook"])
def test_webhook_url_with_userinfo_is_refused(key_client, url):
    # when
    response = key_client.post("/api/v1/webhooks/endpoints", {"url": url}, content_type="application/json")
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert WebhookEndpoint.objects.count() == 0


def test_no_two_api_schemas_share_a_name(client):
    # given: OpenAPI keeps one component per name, so a second schema of the same name silently replaced
    # the first (an order's change_delivery was documented as a shipping delivery change)
    client.get("/api/v1/openapi.json")  # every router imported
    names: dict[str, set[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("marketdesk."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    # then
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}


def test_a_malformed_json_body_to_returns_receipts_is_a_documented_400(key_client):
    # given: schemathesis sent bodies that are not JSON to /returns/receipts and /returns/{id}/replacement;
    # the API answered 400 malformed_json, which their operations did not document
    schema = key_client.get("/api/v1/openapi.json").json()
    # when
    response = key_client.post("/api/v1/returns/receipts", b"{not json", content_type="application/json")
    # then: the answer is the 400 problem, and every operation that takes JSON documents it
    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (400, PROBLEM, "malformed_json")
    taking_json = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    undocumented = [(m, p) for m, p in taking_json if "400" not in schema["paths"][p][m]["responses"]]
    assert (len(taking_json) > 10, undocumented) == (True, [])
