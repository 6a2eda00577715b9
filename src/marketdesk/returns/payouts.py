"""What a return puts at stake of the seller's payout: held when it is requested, released when it ends.

Registered on the return's timeline events (apps.py): the hold is written in the same transaction as
the step, and the ledger's hold is one per return.
"""

from __future__ import annotations

from typing import Any

from marketdesk.core.money import Money
from marketdesk.ledger.models import HoldReason
from marketdesk.ledger.payouts import payout_hold, payout_release
from marketdesk.returns.models import Return

OPENED = ("return.requested",)
# An escalated return becomes a case, which holds its own amount.
ENDED = (
    "return.refused",
    "return.refunded",
    "return.replacement_shipped",
    "return.closed",
    "return.lapsed",
    "return.cancelled",
    "return.escalated",
)


def return_at_stake(ret: Return) -> Money:
    """Return what the return puts at stake: the refund of its lines at the prices paid."""
    total = sum(rl.order_line.unit_price_minor * rl.quantity for rl in ret.lines.select_related("order_line"))
    return Money(int(total), ret.order.currency)


def return_payout_listen(subject: Any, event: str, payload: dict[str, Any]) -> None:
    """Hold the lines' refund when a return is requested; release it, keeping what was refunded, when it ends."""
    ret: Return = subject
    if event in OPENED:
        payout_hold(order=ret.order, reason_type=HoldReason.RETURN, reason_id=ret.pk, amount=return_at_stake(ret))
        return
    kept = payload.get("extra", {}).get("refund_minor", 0) if event == "return.refunded" else 0
    payout_release(reason_type=HoldReason.RETURN, reason_id=ret.pk, kept_minor=int(kept))
