"""The clock drives returns: silence approves, reminders then lapse, and the platform refunds late returns."""

from __future__ import annotations

import pytest

from marketdesk.core.errors import Conflict
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import Notification
from marketdesk.returns.models import RefundPayer
from marketdesk.returns.services.deadlines import returns_approve_silent, returns_refund_late, returns_remind_and_lapse
from marketdesk.returns.services.receipt import return_mark_shipped
from marketdesk.returns.states import ReturnStatus
from tests.returns.conftest import MINUTE, REMIND_AT, SELLER_DUE, SHIP_BY, event_types, fresh, inspect_all, webhooks

pytestmark = pytest.mark.django_db


def test_the_seller_still_decides_at_the_deadline(requested, at_now):
    at_now.at = SELLER_DUE
    assert (returns_approve_silent(), fresh(requested).status) == (0, ReturnStatus.REQUESTED)


def test_silence_past_the_deadline_approves(requested, at_now, buyer):
    at_now.at = SELLER_DUE + MINUTE
    assert (returns_approve_silent(), fresh(requested).status) == (1, ReturnStatus.APPROVED)
    assert fresh(requested).ship_by is not None
    assert "return.approved" in Notification.objects.filter(user=buyer).values_list("kind", flat=True)


def test_no_reminder_before_its_time(approved, at_now):
    at_now.at = REMIND_AT - MINUTE
    assert returns_remind_and_lapse() == (0, 0)


def test_one_reminder_a_business_day_before_the_ship_by_date(approved, at_now, buyer):
    at_now.at = REMIND_AT
    assert returns_remind_and_lapse() == (1, 0)
    assert returns_remind_and_lapse() == (0, 0)
    assert event_types(approved).count("return.reminded") == 1
    assert list(Notification.objects.filter(user=buyer, kind="return.reminder").values_list("kind", flat=True)) == [
        "return.reminder"
    ]


def test_an_approved_return_is_still_open_at_the_ship_by_moment(approved, at_now):
    at_now.at = SHIP_BY
    returns_remind_and_lapse()
    assert fresh(approved).status == ReturnStatus.APPROVED


def test_an_approved_return_not_shipped_in_time_lapses(approved, at_now, endpoint):
    at_now.at = SHIP_BY + MINUTE
    assert returns_remind_and_lapse()[1] == 1
    assert fresh(approved).status == ReturnStatus.LAPSED
    assert ("return.lapsed", f"return-{approved.pk}-lapsed") in webhooks()


def test_a_shipped_return_never_lapses(approved, buyer_actor, at_now):
    return_mark_shipped(actor=buyer_actor, ret=approved)
    at_now.at = SHIP_BY + MINUTE
    assert returns_remind_and_lapse() == (0, 0)


def test_the_seller_may_refund_until_the_refund_deadline(received, at_now):
    at_now.at = received.refund_due_at
    assert (returns_refund_late(), fresh(received).status) == (0, ReturnStatus.RECEIVED)


def test_a_late_refund_is_paid_by_the_platform_and_recovered_from_the_seller_once(received, at_now, order, endpoint):
    at_now.at = received.refund_due_at + MINUTE

    assert returns_refund_late() == 1
    assert returns_refund_late() == 0

    ret = fresh(received)
    assert (ret.status, ret.refund_minor, ret.refund_paid_by) == (ReturnStatus.REFUNDED, 5000, RefundPayer.PLATFORM)
    entries = LedgerEntry.objects.filter(order=order).order_by("kind")
    assert [(e.kind, e.payer, e.amount_minor, e.reason) for e in entries] == [
        ("recovery", "seller", 5000, "return_refund_late"),
        ("refund", "platform", 5000, "return_refund_late"),
    ]
    assert [w[0] for w in webhooks()].count("return.refunded") == 1


def test_after_the_platform_refunded_the_seller_cannot_refund_again(received, at_now, seller_actor, order):
    at_now.at = received.refund_due_at + MINUTE
    returns_refund_late()
    with pytest.raises(Conflict):
        inspect_all(seller_actor, received)
    assert LedgerEntry.objects.filter(order=order, kind="refund").count() == 1
