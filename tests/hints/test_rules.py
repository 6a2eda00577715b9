"""The hints rules over an order's live state: each rule's reason, severity and action."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import SellerContact
from marketdesk.hints.rules import hints_evaluate, order_state_read, registered_rules
from marketdesk.ledger.models import InstructionStatus, LedgerEntry
from marketdesk.orders.states import OrderStatus
from tests import factories

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, estimated_delivery_at=NOW + 2 * DAY)


def hints(order, now=NOW):
    return [(h.code, h.severity, h.cause, h.action_url) for h in hints_evaluate(order_state_read(order, now=now))]


def test_every_rule_is_registered_from_its_own_file():
    assert sorted(registered_rules()) == [
        "change_address",
        "late_order",
        "protection_closing",
        "refund_due",
        "return_window",
        "seller_silent",
    ]


def test_order_not_shipped_past_its_estimate_says_so(order):
    assert hints(order, NOW + 3 * DAY) == [("late_order", "warning", "not_shipped", f"/messages/{order.pk}/")]


def test_nothing_to_say_on_a_fresh_order(order):
    assert hints(order) == []


def test_seller_silent_for_48_hours_suggests_a_case(order, buyer):
    SellerContact.objects.create(order=order, buyer=buyer, contacted_at=NOW - 49 * dt.timedelta(hours=1))

    assert ("seller_silent", "warning", "", f"/orders/{order.pk}/help/") in hints(order)


def test_seller_who_replied_is_not_silent(order, buyer):
    SellerContact.objects.create(order=order, buyer=buyer, contacted_at=NOW - 3 * DAY, seller_replied_at=NOW - 2 * DAY)

    assert [h[0] for h in hints(order)] == []


def test_protection_closing_within_three_days_is_urgent(marketplace, shop, buyer):
    late = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - 28 * DAY,
    )

    assert ("protection_closing", "urgent", "", f"/orders/{late.pk}/help/") in hints(late)


def test_return_window_open_after_delivery(marketplace, shop, buyer):
    delivered = factories.OrderFactory(
        marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.DELIVERED, delivered_at=NOW - 5 * DAY
    )

    assert hints(delivered)[-1][0] == "return_window"
    assert [h[0] for h in hints(delivered, NOW + 23 * DAY)] == ["protection_closing", "return_window"]


def refund(order, *, at, status=InstructionStatus.INSTRUCTED):
    return LedgerEntry.objects.create(
        order=order,
        decision_key=f"d-{at}",
        kind="refund",
        payer="seller",
        amount_minor=1000,
        currency="GBP",
        reason="test",
        created_at=at,
        created_by_role="system",
        instruction_status=status,
    )


def test_refund_promised_says_when_it_is_due(order):
    refund(order, at=NOW - 2 * DAY)

    assert hints(order) == [("refund_due", "info", "", f"/messages/{order.pk}/")]


def test_refund_late_and_unconfirmed_points_to_get_help(order):
    refund(order, at=NOW - 11 * DAY)

    assert hints(order) == [("refund_due", "warning", "", f"/orders/{order.pk}/help/")]


def test_refund_late_but_confirmed_says_nothing(order):
    refund(order, at=NOW - 11 * DAY, status=InstructionStatus.ACKNOWLEDGED)

    assert hints(order) == []
