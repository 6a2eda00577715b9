"""The periodic outbox sweep queues each leftover on its own kind's queue instead of sending it inline."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import outbox_put
from marketdesk.core.tasks import sweep_outbox
from marketdesk.notifications.inbox import EMAIL_TOPIC
from marketdesk.notifications.webhooks import TOPIC as WEBHOOK_TOPIC

pytestmark = pytest.mark.django_db

DELIVER = "marketdesk.core.tasks.deliver_outbox_message"
SWEEP_AGE = dt.timedelta(seconds=30)  # the sweep leaves younger messages to their own delivery task


def test_the_sweep_queues_a_leftover_webhook_on_webhooks_and_an_email_on_email(frozen_clock):
    # given a webhook and an email whose own delivery tasks were lost (never queued: the test never commits)
    webhook = outbox_put(topic=WEBHOOK_TOPIC, payload={"delivery": 1})
    email = outbox_put(topic=EMAIL_TOPIC, payload={"notification": 1})
    frozen_clock.advance(SWEEP_AGE)

    # when the periodic sweep runs (on the default queue, among the other periodic tasks)
    queued = sweep_outbox.call()

    # then each leftover waits on its own kind's queue, and the sweep itself sent nothing
    assert queued == 2
    tasks = DBTaskResult.objects.filter(task_path=DELIVER).order_by("queue_name")
    assert [(t.queue_name, t.args_kwargs["args"]) for t in tasks] == [
        ("email", [email.pk]),
        ("webhooks", [webhook.pk]),
    ]
    assert list(OutboxMessage.objects.order_by("pk").values_list("attempts", "delivered_at", "claimed_until")) == [
        (0, None, None),
        (0, None, None),
    ]


def test_the_sweep_leaves_a_message_younger_than_its_age_to_its_own_task(frozen_clock):
    outbox_put(topic=WEBHOOK_TOPIC, payload={"delivery": 1})
    frozen_clock.advance(SWEEP_AGE - dt.timedelta(seconds=1))

    queued = sweep_outbox.call()

    assert (queued, DBTaskResult.objects.filter(task_path=DELIVER).count()) == (0, 0)
