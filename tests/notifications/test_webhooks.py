"""Outgoing webhooks: queued with the change, signed per Standard Webhooks, retried until a 2xx, once per id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from marketdesk.core.errors import DomainValidationError
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import outbox_sweep
from marketdesk.notifications.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.services import webhook_delivery_retry, webhook_event_redeliver
from marketdesk.notifications.webhooks import WEBHOOK_RETRY_SCHEDULE, webhook_event_emit, webhook_url_validate
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

SWEEP_AGE = dt.timedelta(seconds=30)  # outbox_sweep only takes messages at least this old


def emit(marketplace, *, event_id: str = "msg_case_1_decided", event_type: str = "case.decided") -> int:
    return webhook_event_emit(
        marketplace_id=marketplace.pk, event_type=event_type, data={"case_id": 1, "at": NOW}, event_id=event_id
    )


def test_a_committed_event_reaches_the_receiver_signed_per_the_standard(marketplace, endpoint, receiver):
    queued = emit(marketplace)

    sent = outbox_sweep(older_than=dt.timedelta(0))

    assert (queued, sent, len(receiver.received)) == (1, 1, 1)
    request = receiver.received[0]
    verified = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert (verified["type"], verified["data"]) == ("case.decided", {"case_id": 1, "at": "2026-11-26T12:00:00Z"})
    assert (request.headers["webhook-id"], request.headers["content-type"]) == (
        "msg_case_1_decided",
        "application/json",
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)


def test_a_receiver_failing_n_times_gets_the_event_once_after_n_plus_one_attempts(
    marketplace, endpoint, receiver, frozen_clock
):
    receiver.statuses = [500, 502, 503]
    emit(marketplace)

    outbox_sweep(older_than=dt.timedelta(0))
    for wait in WEBHOOK_RETRY_SCHEDULE[:3]:
        frozen_clock.advance(max(dt.timedelta(seconds=wait), SWEEP_AGE))
        outbox_sweep()
    frozen_clock.advance(dt.timedelta(days=2))
    outbox_sweep()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 4)
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [500, 502, 503, 200]
    assert [r.headers["webhook-id"] for r in receiver.received] == ["msg_case_1_decided"] * 4


def test_an_endpoint_down_for_an_hour_gets_everything_afterwards_each_event_once(
    marketplace, endpoint, receiver, frozen_clock
):
    receiver.statuses = [503] * 6  # the first rounds of attempts of both events fail
    emit(marketplace, event_id="msg_a")
    emit(marketplace, event_id="msg_b")

    while frozen_clock.now() < NOW + dt.timedelta(hours=1):
        outbox_sweep(older_than=dt.timedelta(0))
        frozen_clock.advance(dt.timedelta(minutes=1))
    receiver.statuses = []
    frozen_clock.advance(dt.timedelta(hours=3))
    outbox_sweep()
    outbox_sweep()

    delivered = [r.headers["webhook-id"] for r in receiver.received[-2:]]
    assert sorted(delivered) == ["msg_a", "msg_b"]
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == [DeliveryStatus.DELIVERED] * 2


def test_a_repeated_event_id_queues_nothing_new(marketplace, endpoint):
    first = emit(marketplace)
    again = emit(marketplace)

    assert (first, again, WebhookDelivery.objects.count(), OutboxMessage.objects.count()) == (1, 0, 1, 1)


def test_only_active_subscribed_endpoints_of_the_marketplace_get_the_event(marketplace, other_marketplace, endpoint):
    WebhookEndpoint.objects.create(
        marketplace=marketplace, url=endpoint.url, secret="whsec_x", event_types=["case.opened"]
    )
    WebhookEndpoint.objects.create(marketplace=marketplace, url=endpoint.url, secret="whsec_x", active=False)
    WebhookEndpoint.objects.create(marketplace=other_marketplace, url=endpoint.url, secret="whsec_x")
    subscribed = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=endpoint.url, secret="whsec_x", event_types=["case.decided"]
    )

    queued = emit(marketplace)

    assert queued == 2
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {endpoint.pk, subscribed.pk}


def test_an_event_of_a_rolled_back_change_is_never_queued(marketplace, endpoint):
    def emit_then_fail() -> None:
        with transaction.atomic():
            emit(marketplace)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        emit_then_fail()

    assert (WebhookDelivery.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_a_manual_retry_sends_a_delivered_event_again_with_the_same_id(marketplace, endpoint, receiver):
    emit(marketplace)
    outbox_sweep(older_than=dt.timedelta(0))

    webhook_delivery_retry(actor=None, delivery_id=WebhookDelivery.objects.get().pk)
    outbox_sweep(older_than=dt.timedelta(0))

    assert [r.headers["webhook-id"] for r in receiver.received] == ["msg_case_1_decided"] * 2
    assert WebhookDelivery.objects.get().attempts == 2


def test_redelivery_of_an_event_skips_deliveries_still_being_tried(marketplace, endpoint, receiver):
    emit(marketplace)

    restarted = webhook_event_redeliver(marketplace_id=marketplace.pk, event_id="msg_case_1_decided")
    outbox_sweep(older_than=dt.timedelta(0))

    assert (restarted, len(receiver.received)) == (0, 1)


def test_a_delivery_failing_past_the_schedule_is_marked_failed(marketplace, endpoint, receiver, frozen_clock):
    receiver.statuses = [500] * (len(WEBHOOK_RETRY_SCHEDULE) + 1)
    emit(marketplace)

    for _ in range(len(WEBHOOK_RETRY_SCHEDULE) + 2):
        outbox_sweep(older_than=dt.timedelta(0))
        frozen_clock.advance(dt.timedelta(hours=11))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, len(WEBHOOK_RETRY_SCHEDULE) + 1)


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://169.254.169.254/latest", "https://[::1]/x"],
)
def test_a_private_address_is_refused_in_production(settings, url):
    settings.PRODUCTION = True

    with pytest.raises(DomainValidationError) as caught:
        webhook_url_validate(url)

    assert caught.value.field == "url"


def test_plain_http_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(DomainValidationError):
        webhook_url_validate("http://93.184.215.14/hooks")


def test_a_public_https_address_is_accepted_in_production(settings):
    settings.PRODUCTION = True

    assert webhook_url_validate("https://93.184.215.14/hooks") == "https://93.184.215.14/hooks"


def test_a_loopback_http_address_is_accepted_in_development(settings):
    settings.PRODUCTION = False

    assert webhook_url_validate("http://127.0.0.1:8001/hooks") == "http://127.0.0.1:8001/hooks"
