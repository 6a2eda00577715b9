"""Writes of the ledger: record a decision's money movements once, acknowledge and re-send refunds.

Lock order follows CONTRIBUTING: the order row first, then ledger rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound
from marketdesk.core.money import CurrencyMismatch, Money
from marketdesk.core.transitions import transition
from marketdesk.ledger.models import EntryKind, InstructionStatus, LedgerEntry, Payer
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Order, PaymentStatus

REFUND_INSTRUCTED = "refund.instructed"
#: How long a refund instruction may stay unacknowledged before it is sent again. A module constant
#: rather than a policy value: it is an operational retry interval, not a rule parties rely on.
RESEND_UNACKNOWLEDGED_AFTER = dt.timedelta(hours=6)


@dataclass(frozen=True)
class EntrySpec:
    kind: str  # "refund" | "compensation" | "recovery"
    payer: str  # "seller" | "platform"
    amount: Money  # positive; currency must equal the order's
    reason: str  # short reason code, e.g. "item_not_received"


class DecisionAlreadyRecorded(Conflict):
    code = "decision_already_recorded"
    title = _("This decision is already recorded differently.")
    default_message = _("Money movements were already recorded for this decision with other amounts or parties.")


_Fingerprint = tuple[int, int | None, frozenset[tuple[str, str, int, str, str]]]


def _fingerprint(order_id: int, case_id: int | None, rows: list[tuple[str, str, int, str, str]]) -> _Fingerprint:
    return (order_id, case_id, frozenset(rows))


def _existing(decision_key: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(decision_key=decision_key).order_by("id"))


def _same_or_conflict(existing: list[LedgerEntry], wanted: _Fingerprint) -> list[LedgerEntry]:
    first = existing[0]
    recorded = _fingerprint(
        first.order_id,
        first.case_id,
        [(e.kind, e.payer, e.amount_minor, e.currency, e.reason) for e in existing],
    )
    if recorded != wanted:
        raise DecisionAlreadyRecorded()
    return existing


def _validate(order: Order, entries: list[EntrySpec]) -> None:
    if not entries:
        raise DomainValidationError(_("A decision records at least one money movement."), field="entries")
    seen: set[tuple[str, str]] = set()
    for spec in entries:
        if spec.kind not in EntryKind.values:
            raise DomainValidationError(_("Unknown kind of money movement."), field="kind")
        if spec.payer not in Payer.values:
            raise DomainValidationError(_("The payer is the seller or the platform."), field="payer")
        if spec.amount.currency != order.currency:
            raise CurrencyMismatch(
                _("Amounts must be in the order's currency, %(currency)s.") % {"currency": order.currency},
                field="amount",
            )
        if spec.amount.amount <= 0:
            raise DomainValidationError(_("Amounts must be greater than zero."), field="amount")
        if not spec.reason or len(spec.reason) > 64:
            raise DomainValidationError(_("Give a short reason code."), field="reason")
        if (spec.kind, spec.payer) in seen:
            raise DomainValidationError(
                _("One decision has at most one movement of each kind for each payer."), field="entries"
            )
        seen.add((spec.kind, spec.payer))


def _refundable(order: Order) -> Money:
    captured = order.payments.filter(status=PaymentStatus.CAPTURED, currency=order.currency).aggregate(
        total=Sum("amount_minor")
    )["total"]
    refunded = LedgerEntry.objects.filter(order=order, kind=EntryKind.REFUND).aggregate(total=Sum("amount_minor"))[
        "total"
    ]
    return Money((captured or 0) - (refunded or 0), order.currency)


def refund_event_data(entry: LedgerEntry) -> dict[str, Any]:
    """Return the ``data`` of a ``refund.instructed`` event (the shape is defined here only)."""
    return {
        "entry_id": entry.pk,
        "order": entry.order.external_id,
        "case_id": entry.case_id,
        "decision_key": entry.decision_key,
        "payer": entry.payer,
        "amount_minor": entry.amount_minor,
        "currency": entry.currency,
        "reason": entry.reason,
        "recorded_at": entry.created_at,
    }


def refund_event_id(entry: LedgerEntry) -> str:
    """Return the stable webhook id of an entry's refund instruction (re-sends reuse it)."""
    return f"msg_refund_{entry.pk}"


def ledger_record_decision(
    *, decision_key: str, order: Order, case_id: int | None, entries: list[EntrySpec], actor: Actor
) -> list[LedgerEntry]:
    """Record the money movements of one decision exactly once; a repeat returns the first set."""
    if not decision_key or len(decision_key) > 200:
        raise DomainValidationError(_("A decision needs a key of at most 200 characters."), field="decision_key")
    with transaction.atomic():
        # Serialises decisions on one order, so the refund cap below is checked against committed rows.
        locked = Order.objects.select_for_update().get(pk=order.pk)
        _validate(locked, entries)
        wanted = _fingerprint(
            locked.pk,
            case_id,
            [(s.kind, s.payer, s.amount.amount, s.amount.currency, s.reason) for s in entries],
        )
        existing = _existing(decision_key)
        if existing:
            return _same_or_conflict(existing, wanted)
        refunds = sum(s.amount.amount for s in entries if s.kind == EntryKind.REFUND)
        available = _refundable(locked)
        if refunds > available.amount:
            raise DomainValidationError(
                _("The refund exceeds what is left to refund on this order: %(available)s.")
                % {"available": available.format()},
                field="amount",
            )
        now = clock.now()
        try:
            with transaction.atomic():
                created = [
                    LedgerEntry.objects.create(
                        order=locked,
                        case_id=case_id,
                        decision_key=decision_key,
                        kind=spec.kind,
                        payer=spec.payer,
                        amount_minor=spec.amount.amount,
                        currency=spec.amount.currency,
                        reason=spec.reason,
                        created_at=now,
                        created_by_role=str(actor.role),
                        created_by_user=actor.user,
                        instruction_status=(
                            InstructionStatus.INSTRUCTED
                            if spec.kind == EntryKind.REFUND
                            else InstructionStatus.NOT_APPLICABLE
                        ),
                        instructed_at=now if spec.kind == EntryKind.REFUND else None,
                    )
                    for spec in entries
                ]
        except IntegrityError:
            # Raced by the same decision on another order row (the lock above covers only this order).
            existing = _existing(decision_key)
            if not existing:
                raise
            return _same_or_conflict(existing, wanted)
        for entry in created:
            if entry.kind == EntryKind.REFUND:
                webhook_event_emit(
                    marketplace_id=locked.marketplace_id,
                    event_type=REFUND_INSTRUCTED,
                    data=refund_event_data(entry),
                    event_id=refund_event_id(entry),
                )
        return created


def ledger_entry_acknowledge(*, actor: Actor, entry_id: int) -> LedgerEntry:
    """Mark a refund instruction as carried out by the marketplace (repeating it changes nothing)."""
    if actor.marketplace_id is None:
        raise NotFound()
    with transaction.atomic():
        entry = (
            LedgerEntry.objects.select_for_update()
            .filter(pk=entry_id, order__marketplace_id=actor.marketplace_id)
            .select_related("order")
            .first()
        )
        if entry is None:
            raise NotFound()
        if entry.kind != EntryKind.REFUND:
            raise Conflict(_("Only refunds are instructed and acknowledged."))
        if entry.instruction_status == InstructionStatus.INSTRUCTED:
            entry.acknowledged_at = clock.now()
            transition(entry, to=InstructionStatus.ACKNOWLEDGED, actor=actor, fields=["acknowledged_at"])
        return entry


def ledger_refunds_resend(*, older_than: dt.timedelta = RESEND_UNACKNOWLEDGED_AFTER) -> int:
    """Send again every refund instruction unacknowledged for ``older_than``; return how many."""
    from marketdesk.notifications.services import webhook_event_redeliver

    due = clock.now() - older_than
    ids = list(
        LedgerEntry.objects.filter(instruction_status=InstructionStatus.INSTRUCTED, instructed_at__lte=due)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    resent = 0
    for entry_id in ids:
        with transaction.atomic():
            entry = (
                LedgerEntry.objects.select_for_update()
                .select_related("order")
                .filter(pk=entry_id, instruction_status=InstructionStatus.INSTRUCTED)
                .first()
            )
            if entry is None:
                continue
            event_id = refund_event_id(entry)
            # New endpoints get it for the first time; endpoints that had it get a new round, same id.
            webhook_event_emit(
                marketplace_id=entry.order.marketplace_id,
                event_type=REFUND_INSTRUCTED,
                data=refund_event_data(entry),
                event_id=event_id,
            )
            webhook_event_redeliver(marketplace_id=entry.order.marketplace_id, event_id=event_id)
            entry.instructed_at = clock.now()
            entry.save(update_fields=["instructed_at"])
            resent += 1
    return resent
