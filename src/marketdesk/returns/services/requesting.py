"""The buyer requests a return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError
from marketdesk.core.policies import Policy, policy_current
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.returns import events
from marketdesk.returns.economics import final_sale_check, keep_item_allowed, postage_payer
from marketdesk.returns.models import (
    SELLER_FAULT_REASONS,
    Resolution,
    Return,
    ReturnLine,
    ReturnReason,
    ShippingPayer,
)
from marketdesk.returns.services.approval import _approve
from marketdesk.returns.services.common import _calendar, _code, _require_role, _save, _tell, _text, _webhook
from marketdesk.returns.services.windows import (
    ReturnNotAllowed,
    _auto_approved,
    _checked_lines,
    return_eligibility,
    return_window_closes,
)


def _terms(
    order: Order,
    checked: list[tuple[OrderLine, int]],
    reason: str,
    reasons: dict[int, str],
    *,
    resolution: str,
    policy: Policy,
    now: dt.datetime,
) -> tuple[dict[int, str], str, bool]:
    """Return each line's reason, who pays the postage and whether the buyer keeps the item; refuse final sale."""
    why = {line.pk: reasons.get(line.pk, reason) for line, _qty in checked}
    for line, _qty in checked:
        final_sale_check(line, why[line.pk])
    # One parcel: the seller pays it when any line comes back for a reason the seller pays.
    payers = {postage_payer(r, policy) for r in why.values()}
    payer = ShippingPayer.SELLER if ShippingPayer.SELLER in payers else ShippingPayer.BUYER
    keep = keep_item_allowed(
        buyer_id=order.buyer_id,
        currency=order.currency,
        amount_minor=sum(line.unit_price_minor * qty for line, qty in checked),
        resolution=resolution,
        policy=policy,
        now=now,
    )
    return why, payer, keep


def return_request(
    *,
    actor: Actor,
    order: Order,
    lines: Mapping[int, int],
    reason: str,
    resolution: str = Resolution.REFUND,
    description: str = "",
    photo_ids: Iterable[int] = (),
    line_reasons: Mapping[int, str] | None = None,
) -> Return:
    """Ask to return items of a delivered order; in policy, it is approved at once.

    Each line comes back for ``reason`` unless ``line_reasons`` (order line id → reason) names its own. A final-sale
    line is refused unless the seller is at fault; a refund within the policy's band for a buyer without risk is
    paid without the item sent back (``keep_item``).
    """
    from marketdesk.attachments.services import attachments_claim
    from marketdesk.cases.services.contact import seller_contact_record

    _require_role(actor, (Role.BUYER,))
    order = order_get_for_actor(actor, pk=order.pk)
    if reason not in ReturnReason.values:
        raise DomainValidationError(_("Choose why you return the items."), field="reason")
    reasons = {int(pk): why for pk, why in (line_reasons or {}).items()}
    if any(why not in ReturnReason.values for why in reasons.values()):
        raise DomainValidationError(_("Choose why you return the items."), field="lines")
    if resolution not in Resolution.values:
        raise DomainValidationError(_("Choose a refund or an exchange."), field="resolution")
    description = _text(description, "description", required=reason == ReturnReason.OTHER)
    photos = list(photo_ids)
    if {reason, *reasons.values()} & set(SELLER_FAULT_REASONS) and not photos:
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
        why, payer, keep = _terms(order, checked, reason, reasons, resolution=resolution, policy=policy, now=now)
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
                        shipping_paid_by=payer,
                        keep_item=keep,
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
        ReturnLine.objects.bulk_create(
            [ReturnLine(ret=ret, order_line=line, quantity=qty, reason=why[line.pk]) for line, qty in checked]
        )
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
                keep_item=keep,
                line_reasons={line.external_id: why[line.pk] for line, _qty in checked},
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
