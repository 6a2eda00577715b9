"""The buyer requests a return."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError
from marketdesk.core.policies import policy_current
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.returns import events
from marketdesk.returns.models import SELLER_FAULT_REASONS, Resolution, Return, ReturnLine, ReturnReason
from marketdesk.returns.services.approval import _approve
from marketdesk.returns.services.common import _calendar, _code, _require_role, _save, _tell, _text, _webhook
from marketdesk.returns.services.windows import (
    ReturnNotAllowed,
    _auto_approved,
    _checked_lines,
    return_eligibility,
    return_window_closes,
    shipping_payer,
)


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
