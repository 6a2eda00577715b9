"""What a case puts at stake of the seller's payout: held when it opens, released when it ends.

Registered on the case's timeline events (apps.py), so the services only append their events: the
hold is written in the same transaction as the step, and the ledger's hold is one per case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from marketdesk.cases.models import REFUND_OUTCOMES, Case, CaseOffer, Decision, OfferKind, Payer
from marketdesk.core.money import Money
from marketdesk.ledger.models import HoldReason
from marketdesk.ledger.payouts import payout_hold, payout_release

OPENED = ("case.opened",)
# A decided case is released at the decision (the refund it orders is what is kept); the others end it.
ENDED = ("case.offer_accepted", "case.decided", "case.appeal_decided", "case.withdrawn", "case.expired", "case.closed")


def case_at_stake(case: Case) -> Money:
    """Return what the case puts at stake: its line's total, or the whole order's."""
    order = case.order
    return Money(case.line.total_minor if case.line_id is not None else order.total_minor, order.currency)


def _kept(case: Case, payload: dict[str, Any]) -> int:
    """The seller's refunds on the case: an accepted refund offer, or refunds decided against the seller."""
    offer_id = payload.get("extra", {}).get("offer_id")
    offered = (
        CaseOffer.objects.filter(
            pk=offer_id, case=case, kind__in=(OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND)
        ).values_list("amount_minor", flat=True)
        if offer_id is not None
        else []
    )
    decided = Decision.objects.filter(case=case, outcome__in=REFUND_OUTCOMES, payer=Payer.SELLER).aggregate(
        total=Sum("amount_minor")
    )["total"]
    return sum(a or 0 for a in offered) + (decided or 0)


def case_payout_listen(subject: Any, event: str, payload: dict[str, Any]) -> None:
    """Hold the amount at stake when a case opens; release it, keeping the seller's refunds, when it ends."""
    case: Case = subject
    if event in OPENED:
        payout_hold(order=case.order, reason_type=HoldReason.CASE, reason_id=case.pk, amount=case_at_stake(case))
        return
    payout_release(reason_type=HoldReason.CASE, reason_id=case.pk, kept_minor=_kept(case, payload))
