"""What every case service shares: who is staff, the lock on order and case, the checks of actor and text."""

from __future__ import annotations

import datetime as dt

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, CaseOffer, OfferStatus
from marketdesk.cases.selectors import case_visible_to
from marketdesk.cases.states import BEFORE_ESCALATION
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for, due_at
from marketdesk.core.errors import NotFound, PermissionDenied
from marketdesk.core.policies import Policy
from marketdesk.core.transitions import transition
from marketdesk.disputes.text import text_checked
from marketdesk.orders.models import Order

STAFF = (Role.OPERATOR, Role.ADMIN)


def _calendar(order: Order) -> WorkCalendar:
    return calendar_for(order.marketplace.calendar_code or None)


def _locked(case: Case) -> tuple[Order, Case]:
    """Lock the case's order, then the case, and return fresh copies of both."""
    order = Order.objects.select_for_update().select_related("marketplace").get(pk=case.order_id)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked.order = order
    return order, locked


def _require_visible(actor: Actor, case: Case) -> None:
    if not case_visible_to(actor, case.pk):
        raise NotFound()


def _require_role(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise PermissionDenied()


def _user(actor: Actor) -> User:
    if actor.user is None:
        raise PermissionDenied()
    return actor.user


def _require_text(value: str, field: str) -> str:
    return text_checked(value, field, required=True)


def _touch(case: Case, *, now: dt.datetime, policy: Policy) -> None:
    """Note activity on the case; before escalation this pushes back its expiry."""
    case.last_activity_at = now
    case.updated_at = now
    fields = ["last_activity_at", "updated_at"]
    if case.status in BEFORE_ESCALATION:
        case.expires_at = due_at(now, business_days=policy.case_expiry_business_days, calendar=_calendar(case.order))
        fields.append("expires_at")
    case.save(update_fields=fields)


def _pending_offers_withdraw(case: Case, *, now: dt.datetime, actor: Actor) -> None:
    """An offer nobody can answer any more (the case was withdrawn or expired) is withdrawn with it."""
    for offer in CaseOffer.objects.select_for_update().filter(case=case, status=OfferStatus.PENDING):
        offer.answered_at = now
        transition(offer, to=OfferStatus.WITHDRAWN, actor=actor, fields=["answered_at"])
