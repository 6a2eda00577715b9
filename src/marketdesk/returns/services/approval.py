"""The seller's decision: approve or refuse; the buyer cancels or escalates."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.transitions import transition
from marketdesk.returns.models import Return
from marketdesk.returns.services.common import (
    SELLER_SIDE,
    _calendar,
    _locked,
    _require_role,
    _save,
    _tell,
    _text,
    _webhook,
)
from marketdesk.returns.services.inspection import _refund, _requested_amount
from marketdesk.returns.states import ReturnStatus


def _approve(ret: Return, *, actor: Actor, now: dt.datetime, policy: Policy) -> None:
    if ret.keep_item:
        # Within the keep-the-item band: the approval is the refund, of what was asked for, with nothing to ship.
        _refund(ret, actor=actor, amount=_requested_amount(ret), by_platform=False, now=now)
        return
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
