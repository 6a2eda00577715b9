"""What a case puts at stake of the seller's payout: held when it opens, released when it ends.

The opening's hold is written by the case's fan-out after commit (``case_payout_hold``), with the rest
of what an opening tells, so opening a case costs no more (docs/adr/0018); a case opened against a
suspended seller is escalated at once, and the escalation holds it. So is the release when the buyer
accepts an offer (``case_payout_release``, eight queries off that hot write). The other endings are heard
on the case's timeline events (registered in apps.py), in the same transaction as the step. The ledger keeps
one hold per case, so a retried fan-out or a second escalation holds nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from marketdesk.cases.models import REFUND_OUTCOMES, Case, CaseOffer, Decision, OfferKind, Payer
from marketdesk.cases.states import OPEN_STATUSES
from marketdesk.core.money import Money
from marketdesk.ledger.models import HoldReason
from marketdesk.ledger.payouts import payout_hold, payout_release

OPENED = ("case.escalated",)
# A decided case may still be appealed: it is released when it closes at the end of the appeal window, or when
# the appeal is decided, keeping every refund decided against the seller.
ENDED = ("case.appeal_decided", "case.withdrawn", "case.expired", "case.closed")


def case_at_stake(case: Case) -> Money:
    """Return what the case puts at stake: its line's total, or the whole order's."""
    order = case.order
    return Money(case.line.total_minor if case.line is not None else order.total_minor, order.currency)


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


def case_payout_hold(case: Case) -> None:
    """Hold what the case puts at stake, unless it ended before its opening was fanned out."""
    if case.status in OPEN_STATUSES:
        payout_hold(order=case.order, reason_type=HoldReason.CASE, reason_id=case.pk, amount=case_at_stake(case))


def case_payout_release(case: Case, *, offer_id: int | None = None) -> None:
    """Release what the case holds, keeping the seller's refunds (``offer_id``: the refund offer accepted)."""
    payout_release(
        reason_type=HoldReason.CASE, reason_id=case.pk, kept_minor=_kept(case, {"extra": {"offer_id": offer_id}})
    )


def case_payout_listen(subject: Any, event: str, payload: dict[str, Any]) -> None:
    """Hold the amount at stake when a case is escalated; release it, keeping the seller's refunds, when it ends."""
    case: Case = subject
    if event in OPENED:
        case_payout_hold(case)
        return
    case_payout_release(case, offer_id=payload.get("extra", {}).get("offer_id"))
