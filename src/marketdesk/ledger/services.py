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
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition
from marketdesk.ledger.funding import Funding, funding_decide, funding_month_add, month_of
from marketdesk.ledger.models import EntryKind, FundingSource, InstructionStatus, LedgerEntry, Payer
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
    funding: str = ""  # "carrier_claim" when a carrier claim is to recover the refund; else decided by policy


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
    # A recovery the funding added is not part of what the caller asked for.
    asked = [e for e in existing if not (e.kind == EntryKind.RECOVERY and e.funding_reason)]
    first = asked[0]
    recorded = _fingerprint(
        first.order_id,
        first.case_id,
        [(e.kind, e.payer, e.amount_minor, e.currency, e.reason) for e in asked],
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
        "funding": {"source": entry.funding_source, "reason": entry.funding_reason},
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
                created = _entries_create(locked, decision_key, case_id, entries, actor=actor, now=now)
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


def _entries_create(
    order: Order, decision_key: str, case_id: int | None, entries: list[EntrySpec], *, actor: Actor, now: dt.datetime
) -> list[LedgerEntry]:
    """Decide each refund's funding, add the recoveries it calls for, write the entries and count the month."""
    policy = policy_current()
    month = month_of(now)
    recovered = any(s.kind == EntryKind.RECOVERY and s.payer == Payer.SELLER for s in entries)
    planned: list[tuple[EntrySpec, Funding | None]] = []
    for spec in entries:
        if spec.kind != EntryKind.REFUND:
            planned.append((spec, None))
            continue
        funding = funding_decide(
            order=order,
            payer=spec.payer,
            amount=spec.amount.amount,
            hint=spec.funding,
            recovered_in_decision=recovered,
            policy=policy,
            month=month,
        )
        planned.append((spec, funding))
        if funding.recover_from_seller:
            planned.append((EntrySpec(EntryKind.RECOVERY, Payer.SELLER, spec.amount, spec.reason), funding))
        funding_month_add(
            marketplace_id=order.marketplace_id,
            month=month,
            source=funding.source,
            currency=spec.amount.currency,
            refunds=1,
            amount=spec.amount.amount,
            seller_recovered=spec.amount.amount
            if funding.source == FundingSource.SELLER and spec.payer != Payer.SELLER
            else 0,
        )
    return [
        LedgerEntry.objects.create(
            order=order,
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
                InstructionStatus.INSTRUCTED if spec.kind == EntryKind.REFUND else InstructionStatus.NOT_APPLICABLE
            ),
            instructed_at=now if spec.kind == EntryKind.REFUND else None,
            funding_source=funding.source if funding and spec.kind == EntryKind.REFUND else "",
            funding_reason=funding.reason if funding else "",
            funding_policy_version=policy.version if funding else None,
        )
        for spec, funding in planned
    ]


class NothingToRecover(Conflict):
    code = "nothing_to_recover"
    default_message = _("No refund funded by this carrier claim is recorded.")


def ledger_carrier_recovery_record(*, decision_key: str, amount: Money) -> LedgerEntry:
    """Record what a paid carrier claim recovered against the refund it funds (never more than the refund)."""
    if amount.amount <= 0:
        raise DomainValidationError(_("Amounts must be greater than zero."), field="amount")
    with transaction.atomic():
        entry = (
            LedgerEntry.objects.select_for_update()
            .filter(decision_key=decision_key, kind=EntryKind.REFUND, funding_source=FundingSource.CARRIER_CLAIM)
            .first()
        )
        if entry is None:
            raise NothingToRecover()
        if amount.currency != entry.currency:
            raise CurrencyMismatch(
                _("Amounts must be in the order's currency, %(currency)s.") % {"currency": entry.currency},
                field="amount",
            )
        if entry.carrier_recovered_minor + amount.amount > entry.amount_minor:
            raise DomainValidationError(
                _("The carrier cannot recover more than the refund: %(refund)s.") % {"refund": entry.amount.format()},
                field="amount",
            )
        entry.carrier_recovered_minor += amount.amount
        entry.save(update_fields=["carrier_recovered_minor"])
        funding_month_add(
            marketplace_id=entry.order.marketplace_id,
            month=month_of(entry.created_at),
            source=entry.funding_source,
            currency=entry.currency,
            carrier_recovered=amount.amount,
        )
        return entry


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
