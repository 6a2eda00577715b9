"""Writes of returns: request, approve or refuse, ship back, receive, inspect, refund, exchange, lapse, escalate.

Each service is one transaction that locks the order, then the return (the fixed
order of CONTRIBUTING), checks who may act, changes the status only through
``transition()`` and writes its side effects (ledger entries, webhooks, notices)
in the same transaction. Money goes through ``ledger_record_decision`` under one
decision key per return (``return:<id>:refund``), so a refund is recorded once
however often a step is retried, and the platform's refund and the seller's can
never both happen. Parcels (the one sent back, an exchange's replacement) are
shipments of the shipping app, made by ``shipment_create`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for, due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.formatting import format_moment
from marketdesk.core.money import Money
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.transitions import transition
from marketdesk.disputes.notices import parties_notify
from marketdesk.disputes.text import text_checked
from marketdesk.ledger.models import EntryKind
from marketdesk.ledger.models import Payer as LedgerPayer
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.orders.situation import order_delivered_at
from marketdesk.orders.states import OrderStatus
from marketdesk.returns import events
from marketdesk.returns.models import (
    DEFAULT_AUTO_APPROVE,
    SELLER_FAULT_REASONS,
    Condition,
    RefundPayer,
    Resolution,
    Return,
    ReturnLine,
    ReturnReason,
    ShippingPayer,
    ShopReturnPolicy,
)
from marketdesk.returns.selectors import return_code_parse, returned_quantities, returns_for_actor
from marketdesk.returns.states import RECEIVABLE_STATUSES, ReturnStatus
from marketdesk.shipping.models import Carrier
from marketdesk.shipping.services import shipment_create

SELLER_SIDE = (Role.SELLER, Role.OPERATOR, Role.ADMIN)
WAREHOUSE = (*SELLER_SIDE, Role.MARKETPLACE)
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed without mistakes
MAX_TEXT = 4000


class ReturnNotAllowed(Conflict):
    """A return may not be requested (any more); the message says why and until when it could have been."""

    code = "return_not_allowed"


class ReturnCodeUnknown(NotFound):
    code = "return_code_unknown"


class NotReceivedYet(Conflict):
    code = "return_not_received"


@dataclass(frozen=True)
class LineInspection:
    """What the seller found for one returned line."""

    accepted: int
    condition: str
    notes: str = ""


# Helpers


def _calendar(order: Order) -> WorkCalendar:
    return calendar_for(order.marketplace.calendar_code or None)


def _require_role(actor: Actor, roles: Iterable[str]) -> None:
    if actor.role not in tuple(roles):
        raise PermissionDenied()


def _text(value: str, field: str, *, required: bool = False) -> str:
    return text_checked(value, field, required=required, limit=MAX_TEXT)


def _locked(actor: Actor, ret: Return) -> tuple[Order, Return]:
    """Check the actor may see the return, lock its order then the return, and return fresh copies."""
    if not returns_for_actor(actor).filter(pk=ret.pk).exists():
        raise NotFound()
    order = Order.objects.select_for_update().select_related("marketplace").get(pk=ret.order_id)
    locked = Return.objects.select_for_update().get(pk=ret.pk)
    locked.order = order
    return order, locked


def _code() -> str:
    return "RA-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _tell(ret: Return, kind: str, *, to_buyer: bool, to_seller: bool, actor: Actor, **data: Any) -> None:
    """Notify the parties (in the transaction: the bell and the email outbox commit with the change)."""
    parties_notify(
        buyer_id=ret.buyer_id,
        shop_id=ret.shop_id,
        actor_id=actor.user.pk if actor.user is not None else None,
        to_buyer=to_buyer,
        to_seller=to_seller,
        kind=kind,
        data={"code": ret.code, "order": ret.order.external_id, **data},
        url=reverse("returns:return_detail", args=[ret.pk]),
    )


def return_event_data(ret: Return, **extra: Any) -> dict[str, Any]:
    """Return the ``data`` of a ``return.*`` webhook event (the shape is defined here only)."""
    return {
        "return_id": ret.pk,
        "code": ret.code,
        "order": ret.order.external_id,
        "status": ret.status,
        "reason": ret.reason,
        "resolution": ret.resolution,
        "lines": [{"line": rl.order_line.external_id, "quantity": rl.quantity} for rl in ret.lines.all()],
        **extra,
    }


def _webhook(ret: Return, event_type: str, **extra: Any) -> None:
    webhook_event_emit(
        marketplace_id=ret.order.marketplace_id,
        event_type=event_type,
        data=return_event_data(ret, **extra),
        event_id=f"return-{ret.pk}-{event_type.rsplit('.', 1)[-1]}",
    )


def _save(ret: Return, now: dt.datetime, *fields: str) -> None:
    ret.updated_at = now
    ret.save(update_fields=[*fields, "updated_at"])


# Windows


def shop_return_policy(order: Order) -> ShopReturnPolicy | None:
    return ShopReturnPolicy.objects.filter(shop_id=order.shop_id).first()


def return_window_days(policy: Policy, shop_policy: ShopReturnPolicy | None) -> int:
    """Return how many calendar days after delivery items may be returned: the platform's or the seller's longer policy."""
    return max(policy.return_window_days, shop_policy.window_days if shop_policy else 0)


def return_window_closes(order: Order, *, policy: Policy | None = None) -> dt.datetime | None:
    """Return until when the order's items may be returned (None before delivery)."""
    delivered_at = order_delivered_at(order)
    if delivered_at is None:
        return None
    days = return_window_days(policy or policy_current(), shop_return_policy(order))
    return due_at(delivered_at, calendar_days=days, calendar=_calendar(order))


@dataclass(frozen=True, slots=True)
class ReturnEligibility:
    """Whether items of an order may be returned now, the words that say why (not), and until when."""

    allowed: bool
    reason: str
    closes_at: dt.datetime | None


def return_eligibility(
    *, order: Order, closes_at: dt.datetime | None, now: dt.datetime, left: int | None = None
) -> ReturnEligibility:
    """Decide whether items of ``order`` may be returned at ``now``.

    ``closes_at`` is the window's end (``return_window_closes``; None before delivery); ``left``, when
    given, is how many items are not in a return yet (the request itself checks each line instead).
    """
    if order.status == OrderStatus.CANCELLED:
        return ReturnEligibility(False, _("This order was cancelled: there is nothing to return."), None)
    if order.status == OrderStatus.REFUNDED:
        return ReturnEligibility(False, _("This order has been refunded in full: there is nothing to return."), None)
    if closes_at is None:
        return ReturnEligibility(False, _("Items can be returned once the order has been delivered."), None)
    when = format_moment(closes_at)
    if now > closes_at:
        reason = _("The time to return items of this order ended on %(when)s.") % {"when": when}
        return ReturnEligibility(False, reason, closes_at)
    if left is not None and left <= 0:
        return ReturnEligibility(False, _("Every item of this order is already in a return."), closes_at)
    return ReturnEligibility(True, _("You can return items of this order until %(when)s.") % {"when": when}, closes_at)


def _auto_approved(order: Order, reason: str) -> bool:
    shop_policy = shop_return_policy(order)
    reasons = shop_policy.auto_approve_reasons if shop_policy else [str(r) for r in DEFAULT_AUTO_APPROVE]
    return reason in reasons


def shipping_payer(reason: str, policy: Policy) -> str:
    """Who pays the return shipping: the seller for their own fault, otherwise as the policy says."""
    if reason in SELLER_FAULT_REASONS or not policy.return_buyer_pays_remorse_shipping:
        return ShippingPayer.SELLER
    return ShippingPayer.BUYER


def _checked_lines(order: Order, lines: Mapping[int, int]) -> list[tuple[OrderLine, int]]:
    """Return the (order line, quantity) pairs asked for, refusing what cannot be returned."""
    wanted = {int(pk): qty for pk, qty in lines.items() if qty}
    if not wanted:
        raise DomainValidationError(_("Choose at least one item to return."), field="lines")
    by_pk = {line.pk: line for line in OrderLine.objects.filter(order=order, pk__in=wanted)}
    taken = returned_quantities(order.pk)
    checked = []
    for pk, qty in wanted.items():
        line = by_pk.get(pk)
        if line is None:
            raise DomainValidationError(_("This item is not part of the order."), field="lines")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise DomainValidationError(_("Quantities are whole numbers."), field="lines")
        left = line.quantity - taken.get(pk, 0)
        if left <= 0:
            raise DomainValidationError(
                _("%(item)s is already being returned or was returned.") % {"item": line.title}, field="lines"
            )
        if qty > line.quantity:
            raise DomainValidationError(
                _("You ordered %(count)s of %(item)s; you cannot return more.")
                % {"count": line.quantity, "item": line.title},
                field="lines",
            )
        if qty > left:
            raise DomainValidationError(
                _("Only %(count)s of %(item)s can still be returned.") % {"count": left, "item": line.title},
                field="lines",
            )
        checked.append((line, qty))
    return checked


# Requesting


def return_request(
    *,
    actor: Actor,
    order: Order,
    lines: Mapping[int, int],
    reason: str,
    resolution: str = Resolution.REFUND,
    description: str = "",
    photo_ids: Iterable[int] = (),
) -> Return:
    """Ask to return items of a delivered order; in policy, it is approved at once."""
    from marketdesk.attachments.services import attachments_claim
    from marketdesk.cases.services.contact import seller_contact_record

    _require_role(actor, (Role.BUYER,))
    order = order_get_for_actor(actor, pk=order.pk)
    if reason not in ReturnReason.values:
        raise DomainValidationError(_("Choose why you return the items."), field="reason")
    if resolution not in Resolution.values:
        raise DomainValidationError(_("Choose a refund or an exchange."), field="resolution")
    description = _text(description, "description", required=reason == ReturnReason.OTHER)
    photos = list(photo_ids)
    if reason in SELLER_FAULT_REASONS and not photos:
        raise DomainValidationError(_("Add at least one photo that shows the problem."), field="photos")
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("marketplace").get(pk=order.pk)
        now = clock.now()
        policy = policy_current()
        closes_at = return_window_closes(order, policy=policy)
        verdict = return_eligibility(order=order, closes_at=closes_at, now=now)
        if not verdict.allowed or closes_at is None:  # allowed means a window runs: the second test is for typing
            extra: dict[str, Any] = {"closes_at": closes_at.isoformat()} if closes_at is not None else {}
            raise ReturnNotAllowed(verdict.reason, **extra)
        checked = _checked_lines(order, lines)
        ret = None
        for _attempt in range(5):  # a code collision is astronomically rare; try a new one
            try:
                with transaction.atomic():
                    ret = Return.objects.create(
                        order=order,
                        buyer_id=order.buyer_id,
                        shop_id=order.shop_id,
                        code=_code(),
                        reason=reason,
                        resolution=resolution,
                        description=description,
                        shipping_paid_by=shipping_payer(reason, policy),
                        policy_version=policy.version,
                        window_closes_at=closes_at,
                        requested_at=now,
                        updated_at=now,
                    )
                break
            except IntegrityError:
                continue
        if ret is None:  # pragma: no cover - five collisions in a row
            raise Conflict(_("Please try again."))
        ReturnLine.objects.bulk_create([ReturnLine(ret=ret, order_line=line, quantity=qty) for line, qty in checked])
        if photos:
            attachments_claim(actor=actor, ids=photos, owner=ret)
        events.return_requested(
            ret=ret,
            actor=actor,
            payload=events.ReturnRequestedPayload(
                code=ret.code,
                reason=reason,
                resolution=resolution,
                lines={line.external_id: qty for line, qty in checked},
                window_closes_at=closes_at.isoformat(),
                policy_version=policy.version,
            ),
        )
        # A return request is the buyer's contact with the seller: a refusal can become a case later.
        seller_contact_record(actor=actor, order=order)
        _webhook(ret, "return.requested")
        if _auto_approved(order, reason):
            _approve(ret, actor=Actor.system(), now=now, policy=policy)
        else:
            ret.seller_due_at = due_at(
                now, business_days=policy.return_seller_decision_business_days, calendar=_calendar(order)
            )
            _save(ret, now, "seller_due_at")
            _tell(ret, "return.requested", to_buyer=False, to_seller=True, actor=actor)
        return ret


# The seller's decision


def _approve(ret: Return, *, actor: Actor, now: dt.datetime, policy: Policy) -> None:
    transition(ret, to=ReturnStatus.APPROVED, actor=actor)
    cal = _calendar(ret.order)
    ret.decided_at = now
    ret.ship_by = due_at(now, business_days=policy.return_ship_business_days, calendar=cal)
    ret.remind_at = due_at(now, business_days=max(policy.return_ship_business_days - 1, 0), calendar=cal)
    _save(ret, now, "decided_at", "ship_by", "remind_at")
    _webhook(ret, "return.approved", ship_by=ret.ship_by, shipping_paid_by=ret.shipping_paid_by)
    _tell(ret, "return.approved", to_buyer=True, to_seller=actor.role == Role.SYSTEM, actor=actor)


def return_approve(*, actor: Actor, ret: Return) -> Return:
    """Approve a return that waits for the seller."""
    _require_role(actor, SELLER_SIDE)
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        _approve(ret, actor=actor, now=clock.now(), policy=policy_current())
        return ret


def return_refuse(*, actor: Actor, ret: Return, reason: str) -> Return:
    """Refuse a return, with the reason the buyer reads (and may take to a case)."""
    _require_role(actor, SELLER_SIDE)
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        now = clock.now()
        transition(ret, to=ReturnStatus.REFUSED, actor=actor, payload={"reason": reason})
        ret.decided_at = now
        ret.refusal_reason = reason
        _save(ret, now, "decided_at", "refusal_reason")
        _webhook(ret, "return.refused", refusal_reason=reason)
        _tell(ret, "return.refused", to_buyer=True, to_seller=False, actor=actor)
        return ret


def return_cancel(*, actor: Actor, ret: Return) -> Return:
    """Let the buyer call off a return that has not been sent."""
    _require_role(actor, (Role.BUYER,))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        transition(ret, to=ReturnStatus.CANCELLED, actor=actor)
        _save(ret, clock.now())
        _webhook(ret, "return.cancelled")
        return ret


def return_escalate(*, actor: Actor, ret: Return) -> Return:
    """Take a refused return to a case, where the platform decides."""
    from marketdesk.cases.models import CaseType
    from marketdesk.cases.services.opening import case_open

    _require_role(actor, (Role.BUYER,))
    with transaction.atomic():
        order, ret = _locked(actor, ret)
        if ret.status != ReturnStatus.REFUSED:
            raise Conflict(_("Only a refused return can be taken to a case."))
        case = case_open(
            actor=actor,
            order=order,
            case_type=CaseType.OTHER,
            reason_detail="return_refused",
            description=_("The seller refused return %(code)s: %(reason)s")
            % {"code": ret.code, "reason": ret.refusal_reason},
            line=ret.lines.first().order_line if ret.lines.count() == 1 else None,  # type: ignore[union-attr]
        )
        transition(ret, to=ReturnStatus.ESCALATED, actor=actor, payload={"case_id": case.pk})
        ret.escalated_case = case
        _save(ret, clock.now(), "escalated_case")
        _webhook(ret, "return.escalated", case_id=case.pk)
        return ret


# Shipping back and receipt


def return_mark_shipped(*, actor: Actor, ret: Return, tracking_number: str = "", carrier: str = "") -> Return:
    """Record that the buyer sent the parcel back (with its tracking number, if any).

    With a carrier the shipping app knows, the parcel becomes a shipment: the carrier's events for its
    tracking number are ingested and shown on the return's page.
    """
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    tracking_number = _text(tracking_number, "tracking_number")[:64]
    carrier = _text(carrier, "carrier")
    with transaction.atomic():
        order, ret = _locked(actor, ret)
        now = clock.now()
        transition(ret, to=ReturnStatus.SHIPPED, actor=actor, payload={"tracking_number": tracking_number})
        ret.shipped_at = now
        ret.tracking_number = tracking_number
        fields = ["shipped_at", "tracking_number"]
        if tracking_number and carrier and Carrier.objects.filter(code=carrier).exists():
            # The buyer cannot add shipments; the platform records the return parcel on their behalf.
            ret.return_shipment = shipment_create(
                actor=Actor.system(),
                order=order,
                carrier=carrier,
                tracking_number=tracking_number,
                external_id=f"return-{ret.code}",
                lines=[(rl.order_line, rl.quantity) for rl in ret.lines.select_related("order_line")],
            )
            fields.append("return_shipment")
        _save(ret, now, *fields)
        _webhook(
            ret,
            "return.shipped",
            tracking_number=tracking_number,
            carrier=carrier if ret.return_shipment_id else "",
            shipment_id=ret.return_shipment_id,
        )
        return ret


def return_receive(*, actor: Actor, code: str) -> Return:
    """Record that the parcel with this return code arrived (scanned or typed); a repeat changes nothing."""
    _require_role(actor, WAREHOUSE)
    parsed = return_code_parse(code)
    if parsed is None:
        raise DomainValidationError(
            _("This is not a return code: it looks like RA- and eight letters or digits."), field="code"
        )
    found = returns_for_actor(actor).filter(code=parsed).first()
    if found is None:
        # Another shop's code answers like an unknown one: it says nothing about other sellers' returns.
        raise ReturnCodeUnknown(_("None of your returns has the code %(code)s.") % {"code": parsed}, field="code")
    with transaction.atomic():
        order, ret = _locked(actor, found)
        if ret.received_at is not None:
            return ret  # scanned twice, or a warehouse system retrying: the first receipt stands
        if ret.status not in RECEIVABLE_STATUSES:
            raise Conflict(
                _("Return %(code)s cannot be received: it is %(status)s.")
                % {"code": ret.code, "status": ret.get_status_display().lower()},
                field="code",
            )
        now = clock.now()
        transition(ret, to=ReturnStatus.RECEIVED, actor=actor)
        ret.received_at = now
        ret.refund_due_at = due_at(
            now, business_days=policy_current().return_refund_business_days, calendar=_calendar(order)
        )
        _save(ret, now, "received_at", "refund_due_at")
        _webhook(ret, "return.received", refund_due_at=ret.refund_due_at)
        _tell(ret, "return.received", to_buyer=True, to_seller=False, actor=actor)
        return ret


# Inspection and money


def _requested_amount(ret: Return) -> Money:
    total = sum(rl.order_line.unit_price_minor * rl.quantity for rl in ret.lines.select_related("order_line"))
    return Money(int(total), ret.order.currency)


def accepted_amount(ret: Return) -> Money:
    """Return what inspection accepted, at the prices paid (what a refund of this return pays)."""
    total = sum(
        rl.order_line.unit_price_minor * (rl.accepted_quantity or 0) for rl in ret.lines.select_related("order_line")
    )
    return Money(int(total), ret.order.currency)


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
        to_seller=by_platform or actor.role == Role.BUYER,
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
        accepted_total = 0
        for rl in lines:
            found = results[rl.pk]
            if isinstance(found.accepted, bool) or not 0 <= found.accepted <= rl.quantity:
                raise DomainValidationError(
                    _("Accept between 0 and %(count)s of %(item)s.")
                    % {"count": rl.quantity, "item": rl.order_line.title},
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
            rl.save(update_fields=["accepted_quantity", "condition", "notes", "inspected_at"])
            accepted_total += found.accepted * rl.order_line.unit_price_minor
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
                refund_minor=accepted_total,
                partial_reason=ret.partial_reason,
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
            _offer_refund(ret, actor=actor, now=now, amount=Money(accepted_total, ret.order.currency))
        else:
            if ret.resolution == Resolution.EXCHANGE and not replacement_in_stock:
                ret.replacement_out_of_stock = True
                _save(ret, now, "replacement_out_of_stock")
            _refund(ret, actor=actor, amount=Money(accepted_total, ret.order.currency), by_platform=False, now=now)
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
        amount = (
            Money(
                sum(rl.order_line.unit_price_minor * (rl.accepted_quantity or 0) for rl in inspected),
                ret.order.currency,
            )
            if inspected
            else _requested_amount(ret)
        )
        _refund(ret, actor=actor, amount=amount, by_platform=True, now=now)
        return ret


# Deadlines (run by the periodic tasks)


def return_auto_approve(*, actor: Actor, ret: Return) -> Return:
    """Approve a request the seller left unanswered past the deadline (silence approves)."""
    _require_role(actor, (Role.SYSTEM,))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        now = clock.now()
        if ret.status == ReturnStatus.REQUESTED and ret.seller_due_at is not None and now > ret.seller_due_at:
            _approve(ret, actor=actor, now=now, policy=policy_current())
        return ret


def return_remind(*, actor: Actor, ret: Return) -> Return:
    """Remind the buyer once to ship an approved return before it lapses."""
    _require_role(actor, (Role.SYSTEM,))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        now = clock.now()
        if ret.status != ReturnStatus.APPROVED or ret.reminded_at is not None or ret.remind_at is None:
            return ret
        if now < ret.remind_at or ret.ship_by is None:
            return ret
        ret.reminded_at = now
        _save(ret, now, "reminded_at")
        events.return_reminded(ret=ret, actor=actor, ship_by=ret.ship_by.isoformat())
        _tell(ret, "return.reminder", to_buyer=True, to_seller=False, actor=actor, ship_by=format_moment(ret.ship_by))
        return ret


def return_lapse(*, actor: Actor, ret: Return) -> Return:
    """Close an approved return that was not shipped back in time."""
    _require_role(actor, (Role.SYSTEM,))
    with transaction.atomic():
        _order, ret = _locked(actor, ret)
        now = clock.now()
        if ret.status != ReturnStatus.APPROVED or ret.ship_by is None or now <= ret.ship_by:
            return ret
        transition(ret, to=ReturnStatus.LAPSED, actor=actor)
        _save(ret, now)
        _webhook(ret, "return.lapsed")
        _tell(ret, "return.lapsed", to_buyer=True, to_seller=True, actor=actor)
        return ret


def _apply(due: Any, service: Any, *, changed: Any) -> int:
    system = Actor.system()
    count = 0
    for ret in due.order_by("id")[:500]:
        if changed(ret, service(actor=system, ret=ret)):
            count += 1
    return count


def _moved(before: Return, after: Return) -> bool:
    return before.status != after.status


def returns_approve_silent(*, now: dt.datetime | None = None) -> int:
    """Approve every request the seller left unanswered past the deadline; return how many."""
    now = now or clock.now()
    due = Return.objects.filter(status=ReturnStatus.REQUESTED, seller_due_at__lt=now)
    return _apply(due, return_auto_approve, changed=_moved)


def returns_remind_and_lapse(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind buyers whose ship-back deadline is near, lapse those past it; return (reminded, lapsed)."""
    now = now or clock.now()
    lapsed = _apply(Return.objects.filter(status=ReturnStatus.APPROVED, ship_by__lt=now), return_lapse, changed=_moved)
    reminded = _apply(
        Return.objects.filter(status=ReturnStatus.APPROVED, reminded_at__isnull=True, remind_at__lte=now),
        return_remind,
        changed=lambda before, after: after.reminded_at is not None and before.reminded_at is None,
    )
    return reminded, lapsed


def returns_refund_late(*, now: dt.datetime | None = None) -> int:
    """Refund from the platform every received return the seller has not refunded in time; return how many."""
    now = now or clock.now()
    due = Return.objects.filter(status=ReturnStatus.RECEIVED, refund_due_at__lt=now)
    return _apply(due, return_platform_refund, changed=_moved)
