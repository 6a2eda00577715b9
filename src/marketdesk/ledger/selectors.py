"""Reads of the ledger, scoped to the actor's marketplace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.money import Money
from marketdesk.ledger.funding import month_of
from marketdesk.ledger.models import (
    EntryKind,
    FundingMonth,
    FundingReason,
    FundingSource,
    LedgerEntry,
    Payer,
    PayoutHold,
)


def ledger_entries_for_actor(actor: Actor, *, order_external_id: str | None = None) -> QuerySet[LedgerEntry]:
    """Return the ledger entries of the actor's marketplace, newest first, optionally of one order."""
    if actor.marketplace_id is None:
        return LedgerEntry.objects.none()
    qs = LedgerEntry.objects.filter(order__marketplace_id=actor.marketplace_id).select_related("order")
    if order_external_id is not None:
        qs = qs.filter(order__external_id=order_external_id)
    return qs.order_by("-created_at", "-id")


def ledger_entries_for_order(order_id: int) -> QuerySet[LedgerEntry]:
    """Return every entry of one order, oldest first (for operators' screens and the cases app)."""
    return LedgerEntry.objects.filter(order_id=order_id).order_by("created_at", "id")


def payout_holds_for_actor(
    actor: Actor, *, order_external_id: str | None = None, status: str | None = None
) -> QuerySet[PayoutHold]:
    """Return the payout holds of the actor's marketplace, newest first, optionally of one order or status."""
    if actor.marketplace_id is None:
        return PayoutHold.objects.none()
    qs = PayoutHold.objects.filter(order__marketplace_id=actor.marketplace_id).select_related("order", "shop")
    if order_external_id is not None:
        qs = qs.filter(order__external_id=order_external_id)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("-held_at", "-id")


@dataclass(frozen=True)
class RefundFunding:
    """Who bears one refund of a case, and what the platform recovered of it from the seller or a carrier."""

    source: str
    reason: str
    amount: Money
    seller_recovered: Money | None
    carrier_recovered: Money | None

    @property
    def source_label(self) -> str:
        return str(FundingSource(self.source).label)

    @property
    def reason_label(self) -> str:
        return str(FundingReason(self.reason).label) if self.reason else ""


def refund_funding_for_case(actor: Actor, *, case_id: int) -> list[RefundFunding]:
    """Return who funds each refund recorded on a case and how much, oldest first (operators and admins).

    The parties read the decision's payer; the funding (the guarantee, its caps, the shop's standing behind it)
    is the platform's own, as the funding report is.
    """
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        raise PermissionDenied()
    qs = LedgerEntry.objects.filter(case_id=case_id, kind__in=[EntryKind.REFUND, EntryKind.RECOVERY])
    if actor.marketplace_id is not None:
        qs = qs.filter(order__marketplace_id=actor.marketplace_id)
    entries = list(qs.order_by("created_at", "id"))
    # A decision's recovery from the seller recovers that decision's refund (one refund per decision).
    recovered = {e.decision_key: e.amount for e in entries if e.kind == EntryKind.RECOVERY and e.payer == Payer.SELLER}
    return [
        RefundFunding(
            source=e.funding_source,
            reason=e.funding_reason,
            amount=e.amount,
            seller_recovered=recovered.get(e.decision_key),
            carrier_recovered=Money(e.carrier_recovered_minor, e.currency) if e.carrier_recovered_minor else None,
        )
        for e in entries
        if e.kind == EntryKind.REFUND and e.funding_source
    ]


@dataclass(frozen=True)
class FundingRow:
    """A month's refunds of one funding source in one currency (amounts in minor units)."""

    month: dt.date
    source: str
    currency: str
    refunds: int
    amount_minor: int
    seller_recovered_minor: int
    carrier_recovered_minor: int

    @property
    def source_label(self) -> str:
        return str(FundingSource(self.source).label)

    @property
    def platform_borne_minor(self) -> int:
        """What the platform bears in the end: nothing of the seller's; the rest less what a carrier paid back."""
        return 0 if self.source == FundingSource.SELLER else self.amount_minor - self.carrier_recovered_minor


def report_months(months: int) -> list[dt.date]:
    """Return the first days of the last ``months`` months, this one last."""
    current = month_of(clock.now())
    index = current.year * 12 + current.month - 1
    return [dt.date((i) // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def funding_report_for_actor(actor: Actor, *, months: int = 12) -> list[FundingRow]:
    """Return refunds per month, funding source and currency over the last ``months`` months (operators and admins).

    Read from the rows kept as each refund is recorded: its size follows months, sources and currencies, never refunds.
    """
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        raise PermissionDenied()
    qs = FundingMonth.objects.filter(month__gte=report_months(months)[0])
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    rows = (
        qs.values("month", "source", "currency")
        .annotate(
            n=Sum("refunds"),
            amount=Sum("amount_minor"),
            seller=Sum("seller_recovered_minor"),
            carrier=Sum("carrier_recovered_minor"),
        )
        .order_by("month", "source", "currency")
    )
    return [
        FundingRow(r["month"], r["source"], r["currency"], r["n"], r["amount"], r["seller"], r["carrier"]) for r in rows
    ]
