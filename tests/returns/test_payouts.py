"""Money at stake on returns: the lines' refund is held from the request and released once at the end."""

from __future__ import annotations

import pytest

from marketdesk.core.money import Money
from marketdesk.ledger.models import PayoutHold
from marketdesk.ledger.payouts import payout_hold, payout_release
from marketdesk.notifications.models import WebhookDelivery
from marketdesk.returns.services.approval import return_cancel, return_refuse
from tests.returns.conftest import fresh, inspect_all

pytestmark = pytest.mark.django_db


def holds() -> list[tuple[str, int, str, int, int | None, int | None]]:
    return list(
        PayoutHold.objects.order_by("id").values_list(
            "reason_type", "amount_minor", "status", "reason_id", "released_minor", "kept_minor"
        )
    )


def payout_webhooks() -> list[tuple[str, str, int, int | None, int | None]]:
    return [
        (
            d.event_type,
            d.payload["data"]["status"],
            d.payload["data"]["amount_minor"],
            d.payload["data"]["released_minor"],
            d.payload["data"]["kept_minor"],
        )
        for d in WebhookDelivery.objects.filter(event_type__startswith="payout.").order_by("id")
    ]


def test_a_requested_return_holds_its_lines_refund(endpoint, requested):
    assert holds() == [("return", 1500, "held", requested.pk, None, None)]
    assert payout_webhooks() == [("payout.hold", "held", 1500, None, None)]


def test_two_scarves_hold_both(endpoint, approved):
    assert holds() == [("return", 5000, "held", approved.pk, None, None)]


def test_a_cancelled_return_releases_everything(endpoint, requested, buyer_actor):
    return_cancel(actor=buyer_actor, ret=requested)

    assert holds() == [("return", 1500, "released", requested.pk, 1500, 0)]
    assert payout_webhooks() == [
        ("payout.hold", "held", 1500, None, None),
        ("payout.release", "released", 1500, 1500, 0),
    ]


def test_a_refused_return_releases_everything(endpoint, requested, seller_actor):
    return_refuse(actor=seller_actor, ret=requested, reason="Worn.")

    assert holds() == [("return", 1500, "released", requested.pk, 1500, 0)]


def test_a_refunded_return_keeps_the_refund(endpoint, received, seller_actor):
    inspect_all(seller_actor, received)

    assert fresh(received).status == "refunded"
    assert holds() == [("return", 5000, "released", received.pk, 0, 5000)]
    assert payout_webhooks()[-1] == ("payout.release", "released", 5000, 0, 5000)


def test_a_partly_accepted_return_keeps_only_what_was_refunded(endpoint, received, seller_actor):
    inspect_all(seller_actor, received, accepted=1, reason="One scarf was worn.")

    assert holds() == [("return", 5000, "released", received.pk, 2500, 2500)]


def test_a_repeated_request_and_end_change_nothing_and_send_nothing_more(endpoint, requested, buyer_actor, order):
    return_cancel(actor=buyer_actor, ret=requested)

    again = payout_hold(order=order, reason_type="return", reason_id=requested.pk, amount=Money(9999, "GBP"))
    payout_release(reason_type="return", reason_id=requested.pk, kept_minor=1500)

    assert again is not None
    assert again.amount_minor == 1500
    assert holds() == [("return", 1500, "released", requested.pk, 1500, 0)]
    assert [kind for kind, *_rest in payout_webhooks()] == ["payout.hold", "payout.release"]
