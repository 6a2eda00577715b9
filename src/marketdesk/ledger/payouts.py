"""Money at stake: hold the part of an order a case or a return puts at stake, release it when that ends.

The marketplace hears ``payout.hold`` and ``payout.release`` (Standard Webhooks, through the outbox) and
holds the seller's payout of that amount meanwhile. One hold per case or return: a repeated opening
finds the first hold, a repeated ending finds it released, and nothing is sent twice.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.core.transitions import transition
from marketdesk.ledger.models import HoldStatus, PayoutHold
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Order

PAYOUT_HOLD = "payout.hold"
PAYOUT_RELEASE = "payout.release"


def payout_event_data(hold: PayoutHold) -> dict[str, Any]:
    """Return the ``data`` of a ``payout.hold`` or ``payout.release`` event (the shape is defined here only)."""
    return {
        "hold_id": hold.pk,
        "order": hold.order.external_id,
        "shop": hold.shop.external_id,
        "reason": {"type": hold.reason_type, "id": hold.reason_id},
        "status": hold.status,
        "amount_minor": hold.amount_minor,
        "currency": hold.currency,
        "held_at": hold.held_at,
        "released_at": hold.released_at,
        "released_minor": hold.released_minor,
        "kept_minor": hold.kept_minor,
    }


def _emit(hold: PayoutHold, event_type: str) -> None:
    webhook_event_emit(
        marketplace_id=hold.order.marketplace_id,
        event_type=event_type,
        data=payout_event_data(hold),
        event_id=f"payout-{hold.pk}-{event_type.rsplit('.', 1)[-1]}",
    )


def payout_hold(*, order: Order, reason_type: str, reason_id: int, amount: Money) -> PayoutHold | None:
    """Hold ``amount`` of the order for this case or return once; a repeat returns the first hold unchanged."""
    if amount.amount <= 0:
        return None  # nothing at stake (a line bought for nothing): nothing to hold
    with transaction.atomic():
        existing = PayoutHold.objects.filter(reason_type=reason_type, reason_id=reason_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                hold = PayoutHold.objects.create(
                    order=order,
                    shop_id=order.shop_id,
                    reason_type=reason_type,
                    reason_id=reason_id,
                    amount_minor=amount.amount,
                    currency=amount.currency,
                    held_at=clock.now(),
                )
        except IntegrityError:  # raced by the same opening: the other kept the one hold
            return PayoutHold.objects.get(reason_type=reason_type, reason_id=reason_id)
        _emit(hold, PAYOUT_HOLD)
        return hold


def payout_release(*, reason_type: str, reason_id: int, kept_minor: int) -> PayoutHold | None:
    """Release the hold of this case or return, keeping back ``kept_minor`` (refunded); once, later calls change nothing."""
    with transaction.atomic():
        hold = (
            PayoutHold.objects.select_for_update()
            .select_related("order", "shop")
            .filter(reason_type=reason_type, reason_id=reason_id)
            .first()
        )
        if hold is None or hold.status != HoldStatus.HELD:
            return hold
        kept = min(max(kept_minor, 0), hold.amount_minor)
        hold.kept_minor = kept
        hold.released_minor = hold.amount_minor - kept
        hold.released_at = clock.now()
        transition(
            hold,
            to=HoldStatus.RELEASED,
            actor=Actor.system(),
            fields=["kept_minor", "released_minor", "released_at"],
        )
        _emit(hold, PAYOUT_RELEASE)
        return hold
