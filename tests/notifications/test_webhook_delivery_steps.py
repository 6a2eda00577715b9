"""Webhook delivery in three steps: claim the message, POST outside any transaction, record the result.

The receiver is a real HTTP server on 127.0.0.1 (``tests/notifications/receiver.py``). Tests in
which another thread uses the database need real commits, so they run with ``transaction=True``;
each such thread has its own connection and closes it when done.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.db import connection, transaction
from standardwebhooks import Webhook

from marketdesk.accounts.models import ApiKey
from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.core.outbox import CLAIM_LEASE, outbox_sweep
from marketdesk.notifications import webhooks
from marketdesk.notifications.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from marketdesk.notifications.services import webhook_delivery_retry
from marketdesk.notifications.webhooks import webhook_event_emit
from tests.conftest import NOW
from tests.notifications.receiver import ReceivedRequest
from tests.workers import on_own_connection, sweep_at_once, sweep_during_and_after_lease, sweep_dying_after

EVENT_ID = "msg_case_1_decided"
AT_ONCE = dt.timedelta(0)  # sweep messages however young


def emit(marketplace, *, event_id: str = EVENT_ID) -> None:
    with transaction.atomic():
        webhook_event_emit(
            marketplace_id=marketplace.pk, event_type="case.decided", data={"case_id": 1, "at": NOW}, event_id=event_id
        )


def verified_ids(receiver, secret: str) -> list[str]:
    """Return each received request's webhook-id after checking its signature with standardwebhooks."""
    for request in receiver.received:
        Webhook(secret).verify(request.body, request.headers)
    return receiver.ids()


@pytest.mark.django_db(transaction=True)
def test_the_database_takes_writes_while_a_webhook_is_in_flight(marketplace, endpoint, receiver):
    # Given a committed event, and a receiver that creates an API key through the service, on its own
    # connection, while the webhook request waits for its answer,
    emit(marketplace)
    writes: list[str] = []

    def create_key(request: ReceivedRequest) -> str:
        name = f"written during {request.headers['webhook-id']}"
        return api_key_create(actor=Actor.system(), marketplace=marketplace, name=name)[0].name

    receiver.while_in_flight = lambda request: on_own_connection(partial(create_key, request), writes)

    # when the sweep delivers it,
    sent = outbox_sweep(older_than=AT_ONCE)

    # then the write went through at once, the event arrived signed, and its delivery is recorded delivered.
    assert writes == [f"written during {EVENT_ID}"]
    assert ApiKey.objects.filter(name=f"written during {EVENT_ID}").count() == 1
    assert (sent, verified_ids(receiver, endpoint.secret)) == (1, [EVENT_ID])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_sweeping_while_the_first_posts_sends_nothing(marketplace, endpoint, receiver):
    # Given a committed event, and a second worker (own thread, own connection) that sweeps while the
    # first worker's request is in flight,
    emit(marketplace)
    second_worker: list[int | str] = []
    receiver.while_in_flight = lambda _request: on_own_connection(
        partial(outbox_sweep, older_than=AT_ONCE), second_worker
    )

    # when the first worker sweeps,
    first_worker = outbox_sweep(older_than=AT_ONCE)

    # then the second found the message claimed and sent nothing: the receiver got the event once.
    assert (first_worker, second_worker) == (1, [0])
    assert verified_ids(receiver, endpoint.secret) == [EVENT_ID]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_an_attempt_whose_round_was_restarted_while_in_flight_records_nothing_and_the_new_round_sends(
    marketplace, endpoint, receiver
):
    # Given a committed event, and an administrator who starts a new round of its delivery while the
    # first request is in flight (on their own connection),
    emit(marketplace)
    delivery = WebhookDelivery.objects.get()
    restarted: list[int | str] = []
    receiver.while_in_flight = lambda _request: on_own_connection(
        lambda: webhook_delivery_retry(actor=None, delivery_id=delivery.pk).round, restarted
    )

    # when the first attempt finishes, and the sweep then runs again,
    first = outbox_sweep(older_than=AT_ONCE)
    receiver.while_in_flight = None
    delivery.refresh_from_db()
    after_first = (delivery.round, delivery.attempts, delivery.status, WebhookAttempt.objects.count())
    second = outbox_sweep(older_than=AT_ONCE)

    # then the stale round's attempt wrote nothing, and the new round sent the same id and was recorded.
    assert (restarted, first, after_first) == ([2], 1, (2, 0, DeliveryStatus.PENDING, 0))
    assert (second, verified_ids(receiver, endpoint.secret)) == (1, [EVENT_ID, EVENT_ID])
    delivery.refresh_from_db()
    assert (delivery.round, delivery.attempts, delivery.status) == (2, 1, DeliveryStatus.DELIVERED)
    assert WebhookAttempt.objects.count() == 1


@pytest.mark.django_db
def test_a_worker_dying_between_post_and_record_resends_the_same_id_once_its_lease_expires(
    marketplace, endpoint, receiver, frozen_clock
):
    # Given a committed event and a worker that dies right after its POST, before recording it,
    emit(marketplace)
    sweep_dying_after(webhooks, "webhook_send")

    # when the sweep runs while the dead worker's lease lasts, and once it has expired,
    during_lease, after_lease = sweep_during_and_after_lease(frozen_clock)

    # then the event is sent again with the same webhook-id (the receiver de-duplicates on it), and
    # the delivery is recorded once, delivered.
    assert (during_lease, after_lease) == (0, 1)
    assert verified_ids(receiver, endpoint.secret) == [EVENT_ID, EVENT_ID]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
        DeliveryStatus.DELIVERED,
        1,
        NOW + CLAIM_LEASE,
    )
    assert WebhookAttempt.objects.count() == 1


EVENTS = 30


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL's row locks")
def test_two_workers_sweeping_at_once_post_each_event_once(marketplace, endpoint, receiver):
    # Given many committed events,
    for n in range(EVENTS):
        emit(marketplace, event_id=f"msg_{n}")

    # when two workers, each with its own connection, sweep at the same moment,
    sent = sweep_at_once(workers=2)

    # then every event reached the receiver exactly once, and every delivery is recorded delivered.
    assert sorted(verified_ids(receiver, endpoint.secret)) == sorted(f"msg_{n}" for n in range(EVENTS))
    assert (all(isinstance(n, int) for n in sent), sum(sent)) == (True, EVENTS), sent
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}
