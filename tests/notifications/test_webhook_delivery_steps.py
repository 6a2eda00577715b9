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
from marketdesk.notifications.models import AttemptOutcome, DeliveryStatus, WebhookAttempt, WebhookDelivery
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
def test_an_attempt_whose_round_was_restarted_while_in_flight_is_logged_and_the_new_round_sends(
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

    # then the stale round's request is logged but moved nothing, and the new round sent the same id and
    # was recorded: two requests, two attempts.
    assert (restarted, first, after_first) == ([2], 1, (2, 1, DeliveryStatus.PENDING, 1))
    assert (second, verified_ids(receiver, endpoint.secret)) == (1, [EVENT_ID, EVENT_ID])
    delivery.refresh_from_db()
    assert (delivery.round, delivery.attempts, delivery.status) == (2, 2, DeliveryStatus.DELIVERED)
    assert list(WebhookAttempt.objects.values_list("outcome", "status_code")) == [
        (AttemptOutcome.DELIVERED, 200),
        (AttemptOutcome.DELIVERED, 200),
    ]


@pytest.mark.django_db
def test_an_event_that_arrived_twice_because_the_worker_died_before_recording_is_logged_as_two_attempts(
    marketplace, endpoint, receiver, frozen_clock
):
    # Given a committed event and a worker that dies right after its POST (the receiver got it), before recording,
    emit(marketplace)
    sweep_dying_after(webhooks, "webhook_send")
    while_dead = list(WebhookAttempt.objects.values_list("outcome", flat=True))

    # when the sweep runs while the dead worker's lease lasts, once it has expired, and once more for the retry,
    during_lease, after_lease = sweep_during_and_after_lease(frozen_clock)
    retry = outbox_sweep(older_than=AT_ONCE)

    # then the event was sent again with the same webhook-id (the receiver de-duplicates on it), and the log
    # counts both requests: the first of unknown outcome (the worker stopped), the second delivered.
    assert (while_dead, during_lease, after_lease, retry) == ([AttemptOutcome.SENDING], 0, 1, 1)
    assert verified_ids(receiver, endpoint.secret) == [EVENT_ID, EVENT_ID]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
        DeliveryStatus.DELIVERED,
        2,
        NOW + CLAIM_LEASE,
    )
    assert list(WebhookAttempt.objects.values_list("outcome", "status_code", "attempted_at")) == [
        (AttemptOutcome.UNKNOWN, None, NOW),
        (AttemptOutcome.DELIVERED, 200, NOW + CLAIM_LEASE),
    ]


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "unknown", "delivered"),
    [
        ("en", "Outcome unknown (the worker stopped)", "Accepted by the receiver"),
        ("ru", "Исход неизвестен (обработчик остановился)", "Принято получателем"),
    ],
)
def test_the_api_delivery_log_tells_an_attempt_of_unknown_outcome_in_words(
    marketplace, endpoint, receiver, frozen_clock, key_client, language, unknown, delivered
):
    # Given an event sent twice because the first worker died between sending and recording,
    emit(marketplace)
    sweep_dying_after(webhooks, "webhook_send")
    sweep_during_and_after_lease(frozen_clock)
    outbox_sweep(older_than=AT_ONCE)

    # when the marketplace reads the delivery log in its language,
    response = key_client.get(
        f"/api/v1/webhooks/endpoints/{endpoint.pk}/deliveries", headers={"accept-language": language}
    )

    # then the delivery counts two attempts, the first of unknown outcome, in words.
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["attempts"] == 2
    assert [(a["outcome"], a["outcome_text"], a["status_code"]) for a in item["attempt_log"]] == [
        ("unknown", unknown, None),
        ("delivered", delivered, 200),
    ]
