"""PUT /api/v1/orders/{id} with a payment fingerprint and a delivery address: kept as hashes, bad ones refused."""

from __future__ import annotations

import hashlib

import pytest

from marketdesk.orders.models import Order
from tests.api.helpers import PROBLEM, put_order
from tests.core.transition_matrix import timeline_of

pytestmark = pytest.mark.django_db

FINGERPRINT = hashlib.sha256(b"card-4242-marketplace-salt").hexdigest()
ADDRESS = {"line1": "Flat 2, 14 Rose Lane", "city": "London", "postcode": "N1 9GU", "country": "GB"}


def test_the_fingerprint_is_stored_lowercase_and_the_address_only_as_a_hash(key_client, payload):
    # given
    payload.update(payment_fingerprint=FINGERPRINT.upper(), delivery_address=ADDRESS)

    # when
    response = put_order(key_client, "O-1", payload)

    # then
    assert response.status_code == 201
    order = Order.objects.get(external_id="O-1")
    stored = " ".join(str(value) for value in Order.objects.filter(pk=order.pk).values().get().values())
    assert (order.payment_fingerprint, len(order.delivery_address_hash)) == (FINGERPRINT, 64)
    assert [part for part in ("Rose", "rose", "N1 9GU", "n19gu", "London", "london") if part in stored] == []
    assert "delivery_address" not in response.json()
    assert "payment_fingerprint" not in response.json()


def test_one_address_typed_two_ways_gives_one_hash(key_client, payload):
    # given
    put_order(key_client, "O-1", {**payload, "delivery_address": ADDRESS})
    other = {"line1": "FLAT 2 14 ROSE LANE.", "city": " london ", "postcode": "n19gu", "country": "GB"}

    # when
    put_order(key_client, "O-2", {**payload, "delivery_address": other})

    # then
    hashes = set(Order.objects.values_list("delivery_address_hash", flat=True))
    assert len(hashes) == 1


def test_a_fingerprint_and_an_address_sent_later_are_kept_and_the_buyer_reads_only_the_address_changed(
    key_client, payload
):
    # given
    put_order(key_client, "O-1", payload)

    # when
    response = put_order(
        key_client, "O-1", {**payload, "payment_fingerprint": FINGERPRINT, "delivery_address": ADDRESS}
    )

    # then
    order = Order.objects.get(external_id="O-1")
    assert response.status_code == 200
    assert (order.payment_fingerprint, len(order.delivery_address_hash)) == (FINGERPRINT, 64)
    assert list(timeline_of(order).values_list("event_type", "payload")) == [
        ("order.placed", {"status": "paid", "total_minor": 5450, "currency": "GBP", "lines": 2}),
        ("order.details_updated", {"changed": ["delivery_address"]}),
    ]


BAD_KEYS = [
    # (case id, field, value, the field named)
    ("empty-fingerprint", "payment_fingerprint", "", "payment_fingerprint"),
    ("whitespace-fingerprint", "payment_fingerprint", "   ", "payment_fingerprint"),
    ("not-hex-fingerprint", "payment_fingerprint", "z" * 64, "payment_fingerprint"),
    ("short-fingerprint", "payment_fingerprint", FINGERPRINT[:40], "payment_fingerprint"),
    ("too-long-fingerprint", "payment_fingerprint", FINGERPRINT + "00", "payment_fingerprint"),
    ("padded-fingerprint", "payment_fingerprint", f" {FINGERPRINT[1:]}", "payment_fingerprint"),
    ("hash-of-nothing", "payment_fingerprint", hashlib.sha256(b"").hexdigest(), "payment_fingerprint"),
    ("blank-address-line", "delivery_address", {**ADDRESS, "line1": "  ,  "}, "delivery_address.line1"),
    ("blank-address-city", "delivery_address", {**ADDRESS, "city": "   "}, "delivery_address.city"),
    ("no-address-country", "delivery_address", {**ADDRESS, "country": ""}, "delivery_address.country"),
    ("unknown-address-field", "delivery_address", {**ADDRESS, "floor": "3"}, "delivery_address.floor"),
]


@pytest.mark.parametrize(("key", "value", "field"), [c[1:] for c in BAD_KEYS], ids=[c[0] for c in BAD_KEYS])
def test_a_bad_fingerprint_or_address_is_a_422_naming_the_field_and_stores_nothing(
    key_client, payload, row_counts, key, value, field
):
    # given
    payload[key] = value
    before = row_counts()

    # when
    response = put_order(key_client, "O-1", payload)

    # then
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert field in [error["field"] for error in response.json()["errors"]]
    assert row_counts() == before


def test_a_batch_refuses_the_order_with_an_empty_fingerprint_alone(key_client, payload):
    # given
    good = {**payload, "external_id": "O-1", "payment_fingerprint": FINGERPRINT}
    bad = {**payload, "external_id": "O-2", "payment_fingerprint": " "}

    # when
    response = key_client.post("/api/v1/orders/batch", {"orders": [good, bad]}, content_type="application/json")

    # then
    results = response.json()["results"]
    assert response.status_code == 200
    assert [(r["result"], r["status"]) for r in results] == [("created", 201), ("failed", 422)]
    assert results[1]["problem"]["errors"][0]["field"] == "payment_fingerprint"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O-1"]
