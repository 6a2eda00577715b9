"""Opening a case writes the case, its timeline event and one outbox row; the rest follows from the outbox.

The fan-out (the conversation's line, the seller's notice, the webhook, the live push and the
history index) runs after commit as the worker runs it, exactly once however often it is tried,
and an open costs the same queries however many cases and orders exist.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketdesk.accounts.services import api_key_create
from marketdesk.cases.fanout import FANOUT_TOPIC
from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.services.opening import case_open
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import RETRY_BACKOFF, outbox_deliver
from marketdesk.disputes import notices
from marketdesk.ledger.models import PayoutHold
from marketdesk.messaging.models import Message
from marketdesk.notifications.models import Notification, WebhookDelivery
from marketdesk.orders.models import Order
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.cases.conftest import CONTACTED_AT, ESTIMATED_DELIVERY, late_order
from tests.cases.factories import SellerContactFactory
from tests.cases.test_api import CASES
from tests.workers import fan_out

pytestmark = pytest.mark.django_db


def told(case: Case) -> dict[str, list]:
    """What the parties and the marketplace have been told of the case so far."""
    return {
        "lines": list(Message.objects.filter(thread__order=case.order).values_list("event", "data")),
        "notices": list(Notification.objects.values_list("user_id", "kind")),
        "webhooks": list(WebhookDelivery.objects.values_list("event_id", flat=True)),
    }


def test_opening_leaves_one_fanout_row_and_tells_nobody_before_it_runs(order, buyer_actor, contacted, at_now, endpoint):
    # when
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel.")
    # then
    assert list(OutboxMessage.objects.values_list("topic", flat=True)) == [FANOUT_TOPIC]
    assert told(case) == {"lines": [], "notices": [], "webhooks": []}


def test_the_fanout_tells_the_seller_notes_the_conversation_and_queues_the_webhook(
    order, buyer_actor, seller, contacted, at_now, endpoint
):
    # given
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel.")
    # when
    ran = fan_out()
    # then
    assert ran == 1
    assert told(case) == {
        "lines": [("case.opened", {"case": case.pk, "reason": "item_not_received"})],
        "notices": [(seller.pk, "case.opened")],
        "webhooks": [f"case-{case.pk}-opened", f"payout-{PayoutHold.objects.get().pk}-hold"],
    }
    assert WebhookDelivery.objects.get(event_type="case.opened").payload["data"]["status"] == "awaiting_seller"


def test_a_fanout_run_again_tells_nobody_twice(order, buyer_actor, seller, contacted, at_now, endpoint):
    # given
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel.")
    fan_out()
    message = OutboxMessage.objects.get(topic=FANOUT_TOPIC)
    # when
    again = outbox_deliver(message.pk)
    # then
    assert again is False
    assert (len(told(case)["lines"]), len(told(case)["notices"]), len(told(case)["webhooks"])) == (1, 1, 2)


def test_a_fanout_that_fails_half_way_keeps_nothing_and_tells_once_on_retry(
    order, buyer_actor, seller, contacted, at_now, endpoint, monkeypatch
):
    # given: the seller's notice fails the first time, after the conversation's line was written
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel.")
    real_notify = notices.notify
    failures = iter([RuntimeError("the inbox is down")])

    def notify_failing_once(**kwargs):
        for exc in failures:
            raise exc
        return real_notify(**kwargs)

    monkeypatch.setattr("marketdesk.disputes.notices.notify", notify_failing_once)
    # when
    first = fan_out()
    kept_after_failure = told(case)
    at_now.advance(dt.timedelta(seconds=RETRY_BACKOFF[0] + 1))
    second = fan_out()
    # then
    assert (first, second) == (0, 1)
    assert kept_after_failure == {"lines": [], "notices": [], "webhooks": []}
    assert told(case) == {
        "lines": [("case.opened", {"case": case.pk, "reason": "item_not_received"})],
        "notices": [(seller.pk, "case.opened")],
        "webhooks": [f"case-{case.pk}-opened", f"payout-{PayoutHold.objects.get().pk}-hold"],
    }
    assert OutboxMessage.objects.get(topic=FANOUT_TOPIC).attempts == 2


# --- what one open costs ----------------------------------------------------------------------------


def _existing(marketplace, shop, n: int) -> None:
    """N more orders of other buyers, each with an open case: the data an open must not scale with."""
    buyer = factories.BuyerFactory(marketplace=marketplace)
    orders = Order.objects.bulk_create(
        Order(
            marketplace=marketplace,
            external_id=f"X-{n}-{i}",
            buyer=buyer,
            shop=shop,
            status=OrderStatus.SHIPPED,
            currency="GBP",
            total_minor=2500,
            placed_at=ESTIMATED_DELIVERY - dt.timedelta(days=5),
            content_hash="bulk",
        )
        for i in range(n)
    )
    Case.objects.bulk_create(
        Case(
            order=o,
            buyer=buyer,
            shop=shop,
            marketplace_id=o.marketplace_id,
            case_type=CaseType.ITEM_NOT_RECEIVED,
            description="Bulk.",
            opened_at=ESTIMATED_DELIVERY,
            last_activity_at=ESTIMATED_DELIVERY,
            updated_at=ESTIMATED_DELIVERY,
            seller_due_at=ESTIMATED_DELIVERY + dt.timedelta(days=3),
            policy_version=0,
        )
        for o in orders
    )


def _queries_to_open_through_the_api(raw: str, order, key: str) -> int:
    client = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": key})
    body = {"order": order.external_id, "case_type": "item_not_received", "description": "No parcel."}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(CASES, body, content_type="application/json")
    assert response.status_code == 201, response.content
    return len(captured)


def test_an_open_through_the_api_costs_the_same_queries_with_10_or_1000_cases_and_orders(
    marketplace, shop, seller, buyer, buyer_actor, at_now, endpoint
):
    # given: late orders the buyer contacted the seller about, and 10, then 1,000 more cases and orders
    def contacted_late_order():
        order = late_order(marketplace, shop, buyer)
        SellerContactFactory(order=order, contacted_at=CONTACTED_AT)
        return order

    warm_up, few_order, many_order = contacted_late_order(), contacted_late_order(), contacted_late_order()
    _existing(marketplace, shop, 10)
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    # the process's caches (content types) and the key's first use (its last_used_at, written once a minute)
    _queries_to_open_through_the_api(raw, warm_up, "warm-up")
    # when
    few = _queries_to_open_through_the_api(raw, few_order, "few")
    _existing(marketplace, shop, 990)
    many = _queries_to_open_through_the_api(raw, many_order, "many")
    # then: the same 14 however many cases exist (16 before, 17 before that, everything inline cost 63): the key
    # (1); the view's transaction (a savepoint of the test's: 2) with the Idempotency-Key's record (1: an insert
    # that skips a key already held, no savepoint of its own), no second transaction for the record; no read of the
    # order's id in the view (it named no line); no savepoint of case_open's own inside the view's transaction; its
    # order locked by its number as the marketplace sees it (1: a statement compiled once per actor, run each
    # time), the policy, the contact, an open case for the same thing, the buyer's protection restriction (4; no
    # shipments for a case not dated from delivery), the case (1, no savepoint of its own), its event (1), the
    # shop's suspension (1), the fan-out's row (1); the answer stored (1). The 201 is built from what was written.
    assert (few, many) == (14, 14)
