"""A batched outbox topic (a case's fan-out): one drain per window instead of a delivery task per row."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from marketdesk.core import outbox
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import BATCH_WINDOW, outbox_drain, outbox_handler, outbox_put
from marketdesk.core.tasks import drain_outbox_topic

pytestmark = pytest.mark.django_db

BATCHED = "test.batched"
DRAIN = "marketdesk.core.tasks.drain_outbox_topic"
DELIVER = "marketdesk.core.tasks.deliver_outbox_message"
SENT: list[int] = []


@outbox_handler(BATCHED, batched=True)
def _sent(message: OutboxMessage) -> None:
    SENT.append(message.payload["n"])


@outbox_handler("test.each")
def _each(message: OutboxMessage) -> None:
    SENT.append(message.payload["n"])


@pytest.fixture(autouse=True)
def _no_drain_asked_yet(monkeypatch):
    SENT.clear()
    monkeypatch.setattr(outbox, "_drain_asked_until", {})


def committed(topic: str, n: int) -> OutboxMessage:
    with transaction.atomic():
        return outbox_put(topic=topic, payload={"n": n})


def test_three_commits_within_the_window_ask_for_one_drain_after_it_and_no_task_per_row(
    frozen_clock, django_capture_on_commit_callbacks
):
    # given three changes that each put a row of a batched topic, committed one after another
    with django_capture_on_commit_callbacks(execute=True):
        committed(BATCHED, 1)
    with django_capture_on_commit_callbacks(execute=True):
        committed(BATCHED, 2)
        committed(BATCHED, 3)

    # then one drain of the topic is queued, to run once the window is over, and no row has a task of its own
    drains = DBTaskResult.objects.filter(task_path=DRAIN)
    assert [(t.args_kwargs["args"], t.run_after) for t in drains] == [([BATCHED], frozen_clock.now() + BATCH_WINDOW)]
    assert DBTaskResult.objects.filter(task_path=DELIVER).count() == 0


def test_a_commit_after_the_window_asks_for_another_drain(django_capture_on_commit_callbacks, monkeypatch):
    # given a drain asked for whose window is over (it may have started already)
    monkeypatch.setattr(outbox, "_drain_asked_until", {BATCHED: time.monotonic() - 0.001})

    # when another row commits
    with django_capture_on_commit_callbacks(execute=True):
        committed(BATCHED, 1)

    # then a drain is asked for again
    assert DBTaskResult.objects.filter(task_path=DRAIN).count() == 1


def test_a_row_of_another_topic_still_gets_its_own_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = committed("test.each", 1)

    assert [t.args_kwargs["args"] for t in DBTaskResult.objects.filter(task_path=DELIVER)] == [[message.pk]]
    assert DBTaskResult.objects.filter(task_path=DRAIN).count() == 0


def test_the_drain_delivers_every_due_row_of_its_topic_in_order_and_leaves_others(frozen_clock):
    # given three rows of the batched topic and one of another
    rows = [committed(BATCHED, n) for n in (1, 2, 3)]
    other = committed("test.each", 4)

    # when the drain runs
    sent = drain_outbox_topic.call(BATCHED)

    # then it delivered its topic's rows, oldest first, and nothing else
    assert (sent, SENT) == (3, [1, 2, 3])
    assert all(OutboxMessage.objects.get(pk=r.pk).delivered_at is not None for r in rows)
    assert OutboxMessage.objects.get(pk=other.pk).delivered_at is None


def test_a_drain_with_more_than_its_batch_hands_the_rest_to_another(frozen_clock):
    # given three rows and a batch of two
    for n in (1, 2, 3):
        committed(BATCHED, n)

    # when one drain runs
    sent = outbox_drain(BATCHED, limit=2)

    # then it sent two and queued another drain for the third
    assert (sent, SENT) == (2, [1, 2])
    assert [t.args_kwargs["args"] for t in DBTaskResult.objects.filter(task_path=DRAIN)] == [[BATCHED]]


def test_a_drain_run_again_sends_nothing_twice(frozen_clock):
    committed(BATCHED, 1)
    outbox_drain(BATCHED)

    again = outbox_drain(BATCHED)

    assert (again, SENT) == (0, [1])


def test_on_a_backend_that_runs_tasks_at_once_each_commit_drains_at_once(
    settings, frozen_clock, django_capture_on_commit_callbacks
):
    # given the immediate task backend (it cannot wait for a window)
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }

    # when two changes commit one after the other
    with django_capture_on_commit_callbacks(execute=True):
        committed(BATCHED, 1)
    with django_capture_on_commit_callbacks(execute=True):
        committed(BATCHED, 2)

    # then each was delivered by its own commit's drain
    assert SENT == [1, 2]
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 0
