"""POST /api/v1/orders/batch: up to 500 orders, each upserted (or refused) on its own."""

from __future__ import annotations

import copy

import pytest

from marketdesk.orders.models import Order
from tests.api.helpers import ORDER_PAYLOAD, session_client

pytestmark = pytest.mark.django_db


def _item(external_id: str, **changes):
    return {**copy.deepcopy(ORDER_PAYLOAD), "external_id": external_id, **changes}


def _post(client, orders):
    return client.post("/api/v1/orders/batch", {"orders": orders}, content_type="application/json")


def test_each_order_of_a_batch_succeeds_or_fails_alone(key_client):
    orders = [_item("O-1"), _item("O-2", total_minor=12.5), _item("O-3", currency="XYZ"), _item("O-4")]

    response = _post(key_client, orders)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["external_id"], r["result"], r["status"]) for r in results] == [
        (0, "O-1", "created", 201),
        (1, "O-2", "failed", 422),
        (2, "O-3", "failed", 422),
        (3, "O-4", "created", 201),
    ]
    assert results[1]["problem"]["errors"][0]["field"] == "total_minor"
    assert results[2]["problem"]["errors"][0]["field"] == "currency"
    assert results[0]["order"]["external_id"] == "O-1"
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["O-1", "O-4"]


def test_sending_a_batch_again_reports_updated_and_writes_nothing(key_client, row_counts):
    _post(key_client, [_item("O-1"), _item("O-2")])
    before = row_counts()

    response = _post(key_client, [_item("O-1"), _item("O-2")])

    assert [r["result"] for r in response.json()["results"]] == ["updated", "updated"]
    assert row_counts() == before


def test_a_batch_over_500_is_refused_whole(key_client, row_counts):
    response = _post(key_client, [_item(f"O-{i}") for i in range(501)])

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "orders"
    assert row_counts()["orders"] == 0


def test_a_buyer_may_not_send_a_batch(buyer):
    response = _post(session_client(buyer), [_item("O-1")])

    assert response.status_code == 403
