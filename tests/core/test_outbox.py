"""The outbox: nothing sent for a rolled-back change, everything committed sent exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from functools import partial

import pytest
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from marketdesk.core import tasks
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import (
    CLAIM_LEASE,
    RETRY_BACKOFF,
    WORKER_STOPPED,
    outbox_claim,
    outbox_deliver,
    outbox_handler,
    outbox_put,
    outbox_sweep,
)
from marketdesk.core.tasks import deliver_outbox_message, sweep_outbox
from marketdesk.orders.models import Marketplace
from tests.conftest import NOW
from tests.workers import WorkerDied, sweep_during_and_after_lease

pytestmark = pytest.mark.django_db

RECORDED: list[dict] = []
FAILURES: list[Exception] = []
SWEEP_AGE = dt.timedelta(seconds=30)  # outbox_sweep's default older_than


@outbox_handler("test.record")
def _record(message: OutboxMessage) -> None:
    RECORDED.append(message.payload)


@outbox_handler("test.flaky")
def _flaky(message: OutboxMessage) -> Callable[[], None]:
    # The handler's record (its own write) must commit with the delivery or not at all.
    RECORDED.append(message.payload)
    if FAILURES:
        raise FAILURES.pop(0)
    return partial(Marketplace.objects.create, slug=f"written-by-{message.pk}", name="Handler write")


SECOND_WORKER: list[bool] = []
MEANWHILE: list[Callable[[], object]] = []  # what happens while test.slow is sending
DEATHS: list[BaseException] = []


@outbox_handler("test.contended")
def _contended(message: OutboxMessage) -> Callable[[], None]:
    # While this worker is sending, a second worker tries the same message.
    RECORDED.append(message.payload)
    if len(RECORDED) == 1:  # only the first worker lets a second one in
        SECOND_WORKER.append(outbox_deliver(message.pk))
    return partial(Marketplace.objects.create, slug=f"recorded-{len(RECORDED)}", name="Record")


@outbox_handler("test.slow")
def _slow(message: OutboxMessage) -> Callable[[], None]:
    RECORDED.append(message.payload)
    while MEANWHILE:
        MEANWHILE.pop(0)()
    return partial(Marketplace.objects.create, slug=f"recorded-{len(RECORDED)}", name="Record")


@outbox_handler("test.dies")
def _dies(message: OutboxMessage) -> None:
    RECORDED.append(message.payload)
    if DEATHS:
        raise DEATHS.pop(0)


@pytest.fixture(autouse=True)
def _fresh_handlers():
    RECORDED.clear()
    FAILURES.clear()
    SECOND_WORKER.clear()
    MEANWHILE.clear()
    DEATHS.clear()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }


def put_and_fail(**kwargs) -> None:
    with transaction.atomic():
        outbox_put(**kwargs)
        raise RuntimeError("the change failed")


def put_and_commit(**kwargs) -> OutboxMessage:
    with transaction.atomic():
        return outbox_put(**kwargs)


def reloaded(message: OutboxMessage) -> tuple:
    message.refresh_from_db()
    return (message.attempts, message.delivered_at, message.last_error, message.available_at)


def test_message_of_a_rolled_back_change_is_never_delivered(
    frozen_clock, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        put_and_fail(topic="test.record", payload={"n": 1})
    frozen_clock.advance(dt.timedelta(days=1))

    swept = outbox_sweep()

    assert (callbacks, OutboxMessage.objects.count(), swept, RECORDED) == ([], 0, 0, [])


def test_committed_message_is_delivered_exactly_once(frozen_clock, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = put_and_commit(topic="test.record", payload={"n": 1})

    again = outbox_deliver(message.pk)
    frozen_clock.advance(dt.timedelta(days=1))
    swept = outbox_sweep()

    assert len(callbacks) == 1
    assert (again, swept, RECORDED) == (False, 0, [{"n": 1}])
    assert reloaded(message) == (1, NOW, "", NOW)


def test_commit_enqueues_the_delivery_task_on_the_configured_backend(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = put_and_commit(topic="test.record", payload={"n": 1})

    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("marketdesk.core.tasks.deliver_outbox_message", {"args": [message.pk], "kwargs": {}})
    ]
    assert (RECORDED, reloaded(message)[:2]) == ([], (0, None))


def test_failing_handler_is_recorded_backed_off_and_delivered_by_a_later_sweep(frozen_clock):
    FAILURES.append(RuntimeError("carrier down"))
    message = outbox_put(topic="test.flaky", payload={"n": 1})

    sent = outbox_deliver(message.pk)

    assert sent is False
    assert reloaded(message) == (1, None, "RuntimeError: carrier down", NOW + dt.timedelta(seconds=RETRY_BACKOFF[0]))
    assert Marketplace.objects.filter(slug=f"written-by-{message.pk}").count() == 0

    frozen_clock.advance(dt.timedelta(seconds=RETRY_BACKOFF[0] - 1))
    too_early = outbox_sweep()
    frozen_clock.advance(dt.timedelta(seconds=1))
    on_time = outbox_sweep()

    assert (too_early, on_time) == (0, 1)
    assert reloaded(message) == (2, NOW + dt.timedelta(seconds=30), "", NOW + dt.timedelta(seconds=30))
    assert RECORDED == [{"n": 1}, {"n": 1}]
    assert Marketplace.objects.filter(slug=f"written-by-{message.pk}").count() == 1


@pytest.mark.parametrize(
    ("attempts_before", "wait_seconds"),
    [(0, 30), (1, 120), (2, 600), (3, 3600), (4, 6 * 3600), (5, 6 * 3600), (12, 6 * 3600)],
)
def test_each_failed_attempt_waits_per_the_backoff(frozen_clock, attempts_before, wait_seconds):
    FAILURES.append(ValueError("bad gateway"))
    message = OutboxMessage.objects.create(topic="test.flaky", payload={}, attempts=attempts_before)

    outbox_deliver(message.pk)

    assert reloaded(message) == (
        attempts_before + 1,
        None,
        "ValueError: bad gateway",
        NOW + dt.timedelta(seconds=wait_seconds),
    )


def test_message_not_yet_due_is_not_delivered(frozen_clock):
    message = OutboxMessage.objects.create(topic="test.record", available_at=NOW + dt.timedelta(seconds=1))

    sent = outbox_deliver(message.pk)

    assert (sent, RECORDED, reloaded(message)[:2]) == (False, [], (0, None))


def test_unknown_message_id_is_not_delivered():
    assert outbox_deliver(987654) is False


def test_crash_before_enqueue_loses_nothing(frozen_clock, django_capture_on_commit_callbacks):
    """The transaction committed, then the process died before its on-commit enqueue ran."""
    with django_capture_on_commit_callbacks(execute=False) as never_run:
        message = put_and_commit(topic="test.record", payload={"n": 1})

    too_early = outbox_sweep()
    frozen_clock.advance(SWEEP_AGE)
    swept = outbox_sweep()

    assert (len(never_run), too_early, swept, RECORDED) == (1, 0, 1, [{"n": 1}])
    assert reloaded(message)[:2] == (1, NOW + SWEEP_AGE)


class _QueueDown:
    def enqueue(self, *args, **kwargs):
        raise ConnectionError("task queue unavailable")


def test_failed_enqueue_is_logged_and_the_sweep_delivers(
    frozen_clock, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "deliver_outbox_message", _QueueDown())
    with (
        caplog.at_level(logging.ERROR, logger="marketdesk.core.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = put_and_commit(topic="test.record", payload={"n": 1})
    frozen_clock.advance(SWEEP_AGE)

    swept = outbox_sweep()

    assert caplog.messages == [f"could not enqueue outbox message {message.pk}"]
    assert (swept, RECORDED) == (1, [{"n": 1}])


def test_dedupe_key_returns_the_existing_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = put_and_commit(topic="test.record", payload={"n": 1}, dedupe_key="order-1-paid")
        second = put_and_commit(topic="test.record", payload={"n": 2}, dedupe_key="order-1-paid")

    assert second.pk == first.pk
    assert list(OutboxMessage.objects.values_list("dedupe_key", "payload")) == [("order-1-paid", {"n": 1})]
    assert len(callbacks) == 1


def test_topic_without_a_handler_is_refused():
    with pytest.raises(ValueError, match=re.escape("no outbox handler for 'test.nobody'")):
        outbox_put(topic="test.nobody", payload={})

    assert OutboxMessage.objects.count() == 0


def test_deliver_task_works_on_the_immediate_backend(immediate_tasks):
    message = outbox_put(topic="test.record", payload={"n": 1})

    result = deliver_outbox_message.enqueue(message.pk)

    assert (result.status, result.return_value, RECORDED) == (TaskResultStatus.SUCCESSFUL, True, [{"n": 1}])


def test_sweep_task_works_on_the_immediate_backend(frozen_clock, immediate_tasks):
    outbox_put(topic="test.record", payload={"n": 1})
    outbox_put(topic="test.record", payload={"n": 2})
    frozen_clock.advance(SWEEP_AGE)

    result = sweep_outbox.enqueue()

    assert (result.status, result.return_value, RECORDED) == (TaskResultStatus.SUCCESSFUL, 2, [{"n": 1}, {"n": 2}])


@pytest.mark.django_db(transaction=True)
def test_database_worker_delivers_a_committed_message():
    # Given a committed change whose delivery task was queued in the database on commit
    # (a real commit: the worker closes its connections, which a test transaction cannot survive),
    message = put_and_commit(topic="test.record", payload={"n": 7})

    # when the real database-backed worker runs one batch,
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # then the message is delivered once and the task finished successfully.
    message.refresh_from_db()
    assert (message.delivered_at is not None, RECORDED) == (True, [{"n": 7}])
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == [TaskResultStatus.SUCCESSFUL]


def test_a_second_worker_does_not_deliver_a_message_the_first_is_sending(frozen_clock):
    # Given a message whose handler, while sending, lets a second worker try the same message,
    message = outbox_put(topic="test.contended", payload={"n": 1})

    # when the first worker delivers it,
    sent = outbox_deliver(message.pk)

    # then the second worker found it claimed; it was sent and recorded once.
    assert (sent, SECOND_WORKER, RECORDED) == (True, [False], [{"n": 1}])
    assert list(Marketplace.objects.filter(name="Record").values_list("slug", flat=True)) == ["recorded-1"]
    assert reloaded(message) == (1, NOW, "", NOW)


def test_a_worker_whose_lease_ran_out_and_was_claimed_by_another_records_nothing(frozen_clock):
    # Given a worker so slow that its lease runs out and a second worker claims the message meanwhile,
    message = outbox_put(topic="test.slow", payload={"n": 1})
    MEANWHILE.extend([partial(frozen_clock.advance, CLAIM_LEASE), partial(outbox_claim, message.pk)])

    # when the slow worker finishes,
    first = outbox_deliver(message.pk)

    # then it records nothing: the message stays with the second worker, undelivered until that one records;
    # both claims counted their attempt, and the second says the first one's outcome is unknown.
    assert (first, RECORDED, Marketplace.objects.filter(name="Record").count()) == (False, [{"n": 1}], 0)
    message.refresh_from_db()
    assert (message.attempts, message.delivered_at, message.claimed_until, message.last_error) == (
        2,
        None,
        NOW + 2 * CLAIM_LEASE,
        WORKER_STOPPED,
    )


def test_a_worker_dying_after_sending_leaves_the_message_to_a_sweep_after_its_lease(frozen_clock):
    # Given a worker that dies after its handler sent, before recording,
    DEATHS.append(WorkerDied())
    message = put_and_commit(topic="test.dies", payload={"n": 1})
    with pytest.raises(WorkerDied):
        outbox_deliver(message.pk)

    # when the sweep runs while the lease lasts, then after it expired,
    during_lease, after_lease = sweep_during_and_after_lease(frozen_clock)

    # then it is sent again once the lease expired, recorded delivered once, and both sends are counted.
    assert (during_lease, after_lease, RECORDED) == (0, 1, [{"n": 1}, {"n": 1}])
    assert reloaded(message)[:3] == (2, NOW + CLAIM_LEASE, "")


def test_delivery_inside_a_transaction_is_refused_and_claims_nothing(frozen_clock):
    message = outbox_put(topic="test.record", payload={"n": 1})

    with (
        transaction.atomic(),
        pytest.raises(RuntimeError, match="outbox delivery must not run inside a transaction"),
    ):
        outbox_deliver(message.pk)

    message.refresh_from_db()
    assert (RECORDED, message.claimed_until, message.delivered_at) == ([], None, None)
