"""The webhooks API: the marketplace manages its endpoints and delivery log; others get 404, no key 401."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.outbox import outbox_sweep
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_event_emit

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/endpoints"


def create(client, body):
    return client.post(URL, body, content_type="application/json")


def test_the_marketplace_registers_an_endpoint_and_sees_the_secret_once(key_client, receiver, marketplace):
    response = create(key_client, {"url": receiver.url, "event_types": ["refund.instructed", "case.decided"]})

    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["event_types"], body["active"]) == (
        receiver.url,
        ["case.decided", "refund.instructed"],
        True,
    )
    listed = key_client.get(URL).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert WebhookEndpoint.objects.get().marketplace == marketplace


def test_a_private_address_is_refused_in_production(key_client, settings):
    settings.PRODUCTION = True

    response = create(key_client, {"url": "https://192.168.1.10/hooks"})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "url")
    assert WebhookEndpoint.objects.count() == 0


def test_an_unknown_event_type_shape_is_refused(key_client, receiver):
    response = create(key_client, {"url": receiver.url, "event_types": ["Not An Event"]})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "event_types.0")


def test_another_marketplace_sees_and_touches_none_of_the_endpoints(other_key_client, endpoint):
    listed = other_key_client.get(URL)
    deleted = other_key_client.delete(f"{URL}/{endpoint.pk}")
    deliveries = other_key_client.get(f"{URL}/{endpoint.pk}/deliveries")

    assert (listed.status_code, listed.json()) == (200, [])
    assert (deleted.status_code, deliveries.status_code) == (404, 404)
    endpoint.refresh_from_db()
    assert endpoint.active is True


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", ""), ("delete", "/1"), ("get", "/1/deliveries"), ("post", "/1/deliveries/1/retry")],
)
def test_without_a_key_everything_is_refused(anonymous_client, method, path):
    response = getattr(anonymous_client, method)(f"{URL}{path}")

    assert response.status_code == 401


def test_deleting_an_endpoint_stops_deliveries_and_hides_it(key_client, endpoint, marketplace):
    response = key_client.delete(f"{URL}/{endpoint.pk}")

    queued = webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")

    assert (response.status_code, queued, key_client.get(URL).json()) == (204, 0, [])
    assert key_client.delete(f"{URL}/{endpoint.pk}").status_code == 404


def test_the_delivery_log_lists_deliveries_newest_first(key_client, endpoint, marketplace, receiver, frozen_clock):
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    frozen_clock.advance(dt.timedelta(minutes=1))
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.decided", data={}, event_id="msg_2")
    outbox_sweep(older_than=dt.timedelta(0))

    response = key_client.get(f"{URL}/{endpoint.pk}/deliveries", {"limit": 1})
    rest = key_client.get(f"{URL}/{endpoint.pk}/deliveries", {"cursor": response.json()["next_cursor"]})

    assert response.status_code == 200
    assert [(d["event_id"], d["status"], d["attempts"]) for d in response.json()["items"] + rest.json()["items"]] == [
        ("msg_2", "delivered", 1),
        ("msg_1", "delivered", 1),
    ]


def test_a_manual_retry_sends_the_event_again_with_the_same_id(key_client, endpoint, marketplace, receiver):
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    outbox_sweep(older_than=dt.timedelta(0))
    delivery = WebhookDelivery.objects.get()

    response = key_client.post(f"{URL}/{endpoint.pk}/deliveries/{delivery.pk}/retry")
    outbox_sweep(older_than=dt.timedelta(0))

    assert (response.status_code, response.json()["status"]) == (202, "pending")
    assert [r.headers["webhook-id"] for r in receiver.received] == ["msg_1", "msg_1"]


def test_a_retry_of_another_endpoints_delivery_is_not_found(key_client, endpoint, marketplace, receiver):
    other = WebhookEndpoint.objects.create(marketplace=marketplace, url=receiver.url, secret=endpoint.secret)
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    delivery = WebhookDelivery.objects.get(endpoint=other)

    response = key_client.post(f"{URL}/{endpoint.pk}/deliveries/{delivery.pk}/retry")

    assert response.status_code == 404


def test_the_lists_take_the_same_queries_however_long(key_client, endpoint, marketplace, django_assert_num_queries):
    for n in range(5):
        webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id=f"msg_{n}")
    for _ in range(3):
        WebhookEndpoint.objects.create(marketplace=marketplace, url=endpoint.url, secret=endpoint.secret)

    # No query per row: the counts hold for any number of deliveries and endpoints (their attempts in one query).
    with django_assert_num_queries(5):
        deliveries = key_client.get(f"{URL}/{endpoint.pk}/deliveries")
    with django_assert_num_queries(2):
        endpoints = key_client.get(URL)

    assert (len(deliveries.json()["items"]), len(endpoints.json())) == (5, 4)
