"""Refund instructions reach the marketplace signed, and are sent again until acknowledged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.tasks import TaskResultStatus
from standardwebhooks import Webhook

from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.core.outbox import outbox_sweep
from marketdesk.ledger.services import (
    RESEND_UNACKNOWLEDGED_AFTER,
    EntrySpec,
    ledger_entry_acknowledge,
    ledger_record_decision,
    ledger_refunds_resend,
)
from marketdesk.ledger.tasks import ledger_resend_unacknowledged
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate

pytestmark = pytest.mark.django_db

SWEEP = dt.timedelta(0)


@pytest.fixture
def live_endpoint(marketplace, receiver):
    return WebhookEndpoint.objects.create(marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate())


def refund_decided(order):
    return ledger_record_decision(
        decision_key="case-3:decision",
        order=order,
        case_id=3,
        entries=[EntrySpec("refund", "seller", Money(2500, "GBP"), "item_not_received")],
        actor=Actor.system(),
    )[0]


def test_a_refund_instruction_arrives_signed(paid_order, live_endpoint, receiver, frozen_clock):
    entry = refund_decided(paid_order)

    outbox_sweep(older_than=SWEEP)

    request = receiver.received[0]
    event = Webhook(live_endpoint.secret).verify(request.body, request.headers)
    assert event["type"] == "refund.instructed"
    assert event["data"] == {
        "entry_id": entry.pk,
        "order": paid_order.external_id,
        "case_id": 3,
        "decision_key": "case-3:decision",
        "payer": "seller",
        "amount_minor": 2500,
        "currency": "GBP",
        "reason": "item_not_received",
        "funding": {"source": "seller", "reason": "seller_pays"},
        "recorded_at": "2026-11-26T12:00:00Z",
    }


def test_an_unacknowledged_instruction_is_sent_again_with_the_same_id(
    paid_order,
    live_endpoint,
    receiver,
    frozen_clock,
):
    entry = refund_decided(paid_order)
    outbox_sweep(older_than=SWEEP)
    frozen_clock.advance(RESEND_UNACKNOWLEDGED_AFTER - dt.timedelta(seconds=1))
    too_early = ledger_refunds_resend()
    frozen_clock.advance(dt.timedelta(seconds=1))

    on_time = ledger_refunds_resend()
    outbox_sweep(older_than=SWEEP)

    assert (too_early, on_time) == (0, 1)
    assert [r.headers["webhook-id"] for r in receiver.received] == [f"msg_refund_{entry.pk}"] * 2
    assert (WebhookDelivery.objects.count(), WebhookDelivery.objects.get().attempts) == (1, 2)


def test_an_acknowledged_instruction_is_not_sent_again(paid_order, live_endpoint, receiver, frozen_clock):
    entry = refund_decided(paid_order)
    outbox_sweep(older_than=SWEEP)
    ledger_entry_acknowledge(actor=Actor.marketplace(marketplace_id=paid_order.marketplace_id), entry_id=entry.pk)
    frozen_clock.advance(RESEND_UNACKNOWLEDGED_AFTER * 3)

    resent = ledger_refunds_resend()

    assert (resent, len(receiver.received)) == (0, 1)


def test_an_endpoint_added_later_gets_the_unacknowledged_instruction(paid_order, marketplace, receiver, frozen_clock):
    entry = refund_decided(paid_order)
    WebhookEndpoint.objects.create(marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate())
    frozen_clock.advance(RESEND_UNACKNOWLEDGED_AFTER)

    ledger_refunds_resend()
    outbox_sweep(older_than=SWEEP)

    assert [r.headers["webhook-id"] for r in receiver.received] == [f"msg_refund_{entry.pk}"]


def test_the_periodic_task_resends(paid_order, live_endpoint, settings, frozen_clock):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    refund_decided(paid_order)
    frozen_clock.advance(RESEND_UNACKNOWLEDGED_AFTER)

    result = ledger_resend_unacknowledged.enqueue()

    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
