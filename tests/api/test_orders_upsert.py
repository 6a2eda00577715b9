"""PUT /api/v1/orders/{external_id}: the marketplace creates and updates orders, idempotently."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from marketdesk.core.models import TimelineEvent
from marketdesk.orders.models import Order
from tests.api.helpers import PROBLEM, put_order

pytestmark = pytest.mark.django_db


def test_first_put_creates_the_order_with_201(key_client, payload, marketplace):
    response = put_order(key_client, "O-1", payload)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["external_id"] == "O-1"
    assert body["status"] == "paid"
    assert body["total_minor"] == 5450
    assert body["buyer"] == {"external_id": "B-100", "name": "Ada Buyer"}
    assert [line["external_id"] for line in body["lines"]] == ["L1", "L2"]
    assert body["payments"][0]["amount_minor"] == 5450
    assert Order.objects.get(external_id="O-1").marketplace == marketplace


def test_a_line_carries_its_category_and_final_sale(key_client, payload):
    # given
    payload["lines"][1] |= {"category": "electronics", "final_sale": True}
    # when
    response = put_order(key_client, "O-1", payload)
    # then
    assert response.status_code == 201
    lines = [(line["category"], line["final_sale"]) for line in response.json()["lines"]]
    assert lines == [("", False), ("electronics", True)]


def test_repeating_the_same_put_answers_200_and_writes_nothing(key_client, payload, row_counts):
    first = put_order(key_client, "O-1", payload)
    before = row_counts()

    second = put_order(key_client, "O-1", payload)

    assert second.status_code == 200
    assert second.json() == first.json()
    assert row_counts() == before


def test_moving_from_paid_to_delivered_records_shipped_then_delivered(key_client, payload):
    put_order(key_client, "O-1", payload)
    payload["status"] = "delivered"
    payload["delivered_at"] = "2026-11-24T15:00:00+00:00"

    response = put_order(key_client, "O-1", payload)

    assert response.status_code == 200
    assert response.json()["status"] == "delivered"
    order = Order.objects.get(external_id="O-1")
    events = list(
        TimelineEvent.objects.filter(subject_type=ContentType.objects.get_for_model(Order), subject_id=order.pk)
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert events == ["order.placed", "order.details_updated", "order.shipped", "order.delivered"]


def _set(path: str, value):
    """Return a mutation that sets a dotted path (``lines.0.quantity``) of the payload."""

    def mutate(body):
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(key: str):
    def mutate(body):
        del body[key]

    return mutate


BAD_INPUT = [
    # (case id, mutation, status, field)
    ("float-amount", _set("lines.0.unit_price_minor", 12.5), 422, "lines.0.unit_price_minor"),
    ("string-amount", _set("total_minor", "5450"), 422, "total_minor"),
    ("boolean-amount", _set("shipping_minor", True), 422, "shipping_minor"),
    ("negative-shipping", _set("shipping_minor", -1), 422, "shipping_minor"),
    ("negative-line-total", _set("lines.1.total_minor", -2000), 422, "lines.1.total_minor"),
    ("zero-quantity", _set("lines.0.quantity", 0), 422, "lines.0.quantity"),
    ("naive-datetime", _set("placed_at", "2026-11-20T09:30:00"), 422, "placed_at"),
    ("not-a-datetime", _set("placed_at", "yesterday"), 422, "placed_at"),
    ("unknown-currency", _set("currency", "XYZ"), 422, "currency"),
    ("lowercase-currency", _set("currency", "gbp"), 422, "currency"),
    ("line-total-wrong", _set("lines.0.total_minor", 3001), 422, "lines.0.total_minor"),
    ("order-total-wrong", _set("total_minor", 9999), 422, "total_minor"),
    ("payment-other-currency", _set("payments.0.currency", "EUR"), 422, "payments.0.currency"),
    ("unknown-status", _set("status", "teleported"), 422, "status"),
    ("no-lines", _set("lines", []), 422, "lines"),
    ("missing-buyer", _delete("buyer"), 422, "buyer"),
    ("unknown-field", _set("colour", "red"), 422, "colour"),
    ("category-with-spaces", _set("lines.0.category", "Home & garden"), 422, "lines.0.category"),
    ("final-sale-not-a-boolean", _set("lines.0.final_sale", "maybe"), 422, "lines.0.final_sale"),
]


@pytest.mark.parametrize(("mutate", "status", "field"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    key_client, payload, row_counts, mutate, status, field
):
    mutate(payload)
    before = row_counts()

    response = put_order(key_client, "O-1", payload)

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert field in [error["field"] for error in response.json()["errors"]]
    assert row_counts() == before


def test_same_number_with_other_content_is_a_409_naming_the_field(key_client, payload, row_counts):
    put_order(key_client, "O-1", payload)
    before = row_counts()
    payload["lines"][1].update(quantity=2, total_minor=4000)
    payload["total_minor"] = 7450

    response = put_order(key_client, "O-1", payload)

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "conflict"
    assert response.json()["errors"][0]["field"] == "total_minor"
    assert row_counts() == before


def test_a_status_going_backwards_is_a_409_and_writes_nothing(key_client, payload, row_counts):
    put_order(key_client, "O-1", payload)
    before = row_counts()
    payload["status"] = "placed"

    response = put_order(key_client, "O-1", payload)

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "status"
    assert row_counts() == before


def test_a_payment_id_reused_with_other_content_rolls_back_the_whole_update(key_client, payload, row_counts):
    put_order(key_client, "O-1", payload)
    before = row_counts()
    payload["status"] = "shipped"
    payload["payments"][0]["method"] = "paypal"

    response = put_order(key_client, "O-1", payload)

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "payments.0"
    assert row_counts() == before
    assert Order.objects.get(external_id="O-1").status == "paid"
