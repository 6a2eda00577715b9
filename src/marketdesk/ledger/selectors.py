"""Reads of the ledger, scoped to the actor's marketplace."""

from __future__ import annotations

from django.db.models import QuerySet

from marketdesk.core.actors import Actor
from marketdesk.ledger.models import LedgerEntry, PayoutHold


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
