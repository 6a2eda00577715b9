"""Inspection and money: what was accepted, the refund (by the seller or the platform), an exchange's replacement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict, DomainValidationError
from marketdesk.core.money import Money
from marketdesk.core.policies import Policy, policy_at
from marketdesk.core.transitions import transition
from marketdesk.ledger.models import EntryKind
from marketdesk.ledger.models import Payer as LedgerPayer
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.returns import events
from marketdesk.returns.economics import restocking_fee_minor
from marketdesk.returns.models import Condition, RefundPayer, Resolution, Return, ReturnLine
from marketdesk.returns.services.common import (
    SELLER_SIDE,
    WAREHOUSE,
    _locked,
    _require_role,
    _save,
    _tell,
    _text,
    _webhook,
)
from marketdesk.returns.states import ReturnStatus
from marketdesk.shipping.models import Carrier
from marketdesk.shipping.services import shipment_create


class NotReceivedYet(Conflict):
    code = "return_not_received"


@dataclass(frozen=True)
class LineInspection:
    """What the seller found for one returned line."""

    accepted: int
    condition: str
    notes: str = ""


def _requested_amount(ret: Return) -> Money:
    total = sum(rl.order_line.unit_price_minor * rl.quantity for rl in ret.lines.select_related("order_line"))
    return Money(int(total), ret.order.currency)


def _net(lines: Iterable[ReturnLine]) -> int:
    """What the inspected lines refund: the accepted items at the prices paid, less their restocking fees."""
    return sum(rl.order_line.unit_price_minor * (rl.accepted_quantity or 0) - rl.restocking_fee_minor for rl in lines)


def accepted_amount(ret: Return) -> Money:
    """Return what inspection accepted, at the prices paid less restocking fees (what a refund of this return pays)."""
    return Money(_net(ret.lines.select_related("order_line")), ret.order.currency)


def _refund(ret: Return, *, actor: Actor, amount: Money, by_platform: bool, now: dt.datetime) -> None:
    """Record the refund once in the ledger (the platform's comes with a recovery from the seller)."""
    if by_platform:
        entries = [
            EntrySpec(EntryKind.REFUND, LedgerPayer.PLATFORM, amount, "return_refund_late"),
            EntrySpec(EntryKind.RECOVERY, LedgerPayer.SELLER, amount, "return_refund_late"),
        ]
    else:
        entries = [EntrySpec(EntryKind.REFUND, LedgerPayer.SELLER, amount, "return")]
    ledger_record_decision(
        decision_key=f"return:{ret.pk}:refund", order=ret.order, case_id=None, entries=entries, actor=actor
    )
    transition(ret, to=ReturnStatus.REFUNDED, actor=actor, payload={"refund_minor": amount.amount})
    ret.refund_minor = amount.amount
    ret.refund_paid_by = RefundPayer.PLATFORM if by_platform else RefundPayer.SELLER
    ret.resolved_at = now
    _save(ret, now, "refund_minor", "refund_paid_by", "resolved_at")
    _webhook(
        ret,
        "return.refunded",
        refund_minor=amount.amount,
        currency=amount.currency,
        paid_by=ret.refund_paid_by,
        partial_reason=ret.partial_reason,
    )
    _tell(
        ret,
        "return.refunded",
        to_buyer=True,
        # The seller hears of a refund they did not make themselves (the platform's, the buyer's taking, or one
        # the system paid at once without the item back).
        to_seller=by_platform or actor.role in (Role.BUYER, Role.SYSTEM),
        actor=actor,
        amount_minor=amount.amount,
        currency=amount.currency,
    )


def _replace(ret: Return, *, actor: Actor) -> None:
    """Note that the replacement is due: the seller sends it and records its tracking number."""
    transition(ret, to=ReturnStatus.REPLACEMENT_REQUESTED, actor=actor)
    _webhook(ret, "return.replacement_requested")


def _offer_refund(ret: Return, *, actor: Actor, now: dt.datetime, amount: Money) -> None:
    """The replacement is out of stock: offer the buyer the refund (they take it on the return's page)."""
    transition(ret, to=ReturnStatus.REFUND_OFFERED, actor=actor, payload={"refund_minor": amount.amount})
    ret.replacement_out_of_stock = True
    ret.refund_offered_at = now
    _save(ret, now, "replacement_out_of_stock", "refund_offered_at")
    _webhook(ret, "return.refund_offered", refund_minor=amount.amount, currency=amount.currency)
    _tell(
        ret,
        "return.refund_offered",
        to_buyer=True,
        to_seller=False,
        actor=actor,
        amount_minor=amount.amount,
        currency=amount.currency,
    )


def _line_inspected(rl: ReturnLine, found: LineInspection, *, ret: Return, policy: Policy, now: dt.datetime) -> int:
    """Check and record one line's inspection with its restocking fee; return the fee."""
    if isinstance(found.accepted, bool) or not 0 <= found.accepted <= rl.quantity:
        raise DomainValidationError(
            _("Accept between 0 and %(count)s of %(item)s.") % {"count": rl.quantity, "item": rl.order_line.title},
            field="lines",
        )
    if found.condition not in Condition.values:
        raise DomainValidationError(
            _("Choose the condition of %(item)s.") % {"item": rl.order_line.title}, field="lines"
        )
    rl.accepted_quantity = found.accepted
    rl.condition = found.condition
    rl.notes = _text(found.notes, "lines")
    rl.inspected_at = now
    rl.restocking_fee_minor = restocking_fee_minor(
        line=rl.order_line,
        accepted=found.accepted,
        reason=rl.reason or ret.reason,
        condition=found.condition,
        policy=policy,
    )
    rl.restocking_fee_currency = ret.order.currency if rl.restocking_fee_minor else ""
    rl.save(
        update_fields=[
            "accepted_quantity",
            "condition",
            "notes",
            "inspected_at",
            "restocking_fee_minor",
            "restocking_fee_currency",
        ]
    )
    return rl.restocking_fee_minor


def return_inspect(
    *,
    actor: Actor,
    ret: Return,
    results: Mapping[int, LineInspection],
    partial_reason: str = "",
    replacement_in_stock: bool = True,
) -> Return:
    """Record the inspection of each returned line, then refund what was accepted (or ask for the replacement).

    An exchange accepted in full waits for the seller to send the replacement; out of stock, the buyer
    is offered the refund instead.
    """
    _require_role(actor, SELLER_SIDE)
    partial_reason = _text(partial_reason, "partial_reason")
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        if ret.status in (ReturnStatus.APPROVED, ReturnStatus.SHIPPED, ReturnStatus.REQUESTED):
            raise NotReceivedYet(_("Record the receipt of the parcel before inspecting it."))
        if ret.status != ReturnStatus.RECEIVED:
            raise Conflict(_("This return was already settled."))
        lines = list(ret.lines.select_related("order_line").select_for_update())
        if set(results) != {rl.pk for rl in lines}:
            raise DomainValidationError(_("Inspect every returned item."), field="lines")
        now = clock.now()
        # The fees of the policy the buyer read when asking (the version the return records).
        policy = policy_at(ret.policy_version)
        accepted_total = fees = 0
        for rl in lines:
            fees += _line_inspected(rl, results[rl.pk], ret=ret, policy=policy, now=now)
            accepted_total += results[rl.pk].accepted * rl.order_line.unit_price_minor
        requested = _requested_amount(ret)
        partial = accepted_total < requested.amount
        if partial and not partial_reason:
            raise DomainValidationError(
                _("Say why not everything is accepted: the buyer reads it."), field="partial_reason"
            )
        ret.partial_reason = partial_reason if partial else ""
        _save(ret, now, "partial_reason")
        events.return_inspected(
            ret=ret,
            actor=actor,
            payload=events.ReturnInspectedPayload(
                accepted={rl.order_line.external_id: rl.accepted_quantity or 0 for rl in lines},
                refund_minor=accepted_total - fees,
                partial_reason=ret.partial_reason,
                restocking_fee_minor=fees,
            ),
        )
        if accepted_total == 0:
            transition(ret, to=ReturnStatus.CLOSED, actor=actor, payload={"reason": ret.partial_reason})
            ret.resolved_at = now
            _save(ret, now, "resolved_at")
            _webhook(ret, "return.closed", partial_reason=ret.partial_reason)
            _tell(ret, "return.closed", to_buyer=True, to_seller=False, actor=actor)
        elif ret.resolution == Resolution.EXCHANGE and not partial and replacement_in_stock:
            _replace(ret, actor=actor)
        elif ret.resolution == Resolution.EXCHANGE and not partial:
            _offer_refund(ret, actor=actor, now=now, amount=Money(accepted_total - fees, ret.order.currency))
        else:
            if ret.resolution == Resolution.EXCHANGE and not replacement_in_stock:
                ret.replacement_out_of_stock = True
                _save(ret, now, "replacement_out_of_stock")
            _refund(
                ret, actor=actor, amount=Money(accepted_total - fees, ret.order.currency), by_platform=False, now=now
            )
        return ret


def return_replacement_ship(*, actor: Actor, ret: Return, carrier: Carrier | str, tracking_number: str) -> Return:
    """Record the replacement parcel of an accepted exchange (carrier and tracking number); a repeat changes nothing."""
    _require_role(actor, WAREHOUSE)
    tracking_number = _text(tracking_number, "tracking_number", required=True)
    carrier_code = carrier.code if isinstance(carrier, Carrier) else _text(carrier, "carrier", required=True)
    with transaction.atomic():
        order, ret = _locked(actor, ret)
        if ret.status == ReturnStatus.REPLACEMENT_SHIPPED:
            sent = ret.replacement_shipment
            if sent is not None and (sent.carrier.code, sent.tracking_number) == (carrier_code, tracking_number):
                return ret  # submitted twice: the first parcel stands
            raise Conflict(
                _("The replacement was already sent with tracking number %(number)s.")
                % {"number": sent.tracking_number if sent else ""},
                field="tracking_number",
            )
        if ret.status != ReturnStatus.REPLACEMENT_REQUESTED:
            raise Conflict(_("Only an exchange accepted at inspection waits for a replacement."))
        lines = [
            (rl.order_line, rl.accepted_quantity)
            for rl in ret.lines.select_related("order_line")
            if rl.accepted_quantity
        ]
        shipment = shipment_create(
            actor=actor,
            order=order,
            carrier=carrier_code,
            tracking_number=tracking_number,
            external_id=f"replacement-{ret.code}",
            lines=lines,
        )
        now = clock.now()
        transition(
            ret,
            to=ReturnStatus.REPLACEMENT_SHIPPED,
            actor=actor,
            payload={"shipment_id": shipment.pk, "carrier": carrier_code, "tracking_number": tracking_number},
        )
        ret.replacement_shipment = shipment
        ret.resolved_at = now
        _save(ret, now, "replacement_shipment", "resolved_at")
        _webhook(
            ret,
            "return.replacement_shipped",
            shipment_id=shipment.pk,
            carrier=carrier_code,
            tracking_number=tracking_number,
        )
        _tell(ret, "return.replaced", to_buyer=True, to_seller=False, actor=actor)
        return ret


def return_refund_take(*, actor: Actor, ret: Return) -> Return:
    """Let the buyer take the refund offered when the replacement is out of stock; a repeat changes nothing."""
    _require_role(actor, (Role.BUYER,))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        if ret.status == ReturnStatus.REFUNDED:
            return ret  # a double click: the refund was recorded once
        if ret.status != ReturnStatus.REFUND_OFFERED:
            raise Conflict(_("No refund is offered on this return."))
        _refund(ret, actor=actor, amount=accepted_amount(ret), by_platform=False, now=clock.now())
        return ret


def return_platform_refund(*, actor: Actor, ret: Return) -> Return:
    """Refund the buyer from the platform when the seller is late, and recover the amount from the seller."""
    _require_role(actor, (Role.SYSTEM, Role.OPERATOR, Role.ADMIN))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        now = clock.now()
        if ret.status != ReturnStatus.RECEIVED or ret.refund_due_at is None or now <= ret.refund_due_at:
            return ret  # settled meanwhile, or not late: nothing to do
        inspected = [rl for rl in ret.lines.select_related("order_line") if rl.accepted_quantity is not None]
        amount = Money(_net(inspected), ret.order.currency) if inspected else _requested_amount(ret)
        _refund(ret, actor=actor, amount=amount, by_platform=True, now=now)
        return ret
