"""Deadlines, run by the periodic tasks: approve the silent, remind and lapse, refund the late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.formatting import format_moment
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition
from marketdesk.returns import events
from marketdesk.returns.models import Return
from marketdesk.returns.services.approval import _approve
from marketdesk.returns.services.common import _locked, _require_role, _save, _tell, _webhook
from marketdesk.returns.services.inspection import return_platform_refund
from marketdesk.returns.states import ReturnStatus


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
