"""Template helpers of the return pages: status badges, next deadlines, and the returns card of an order page."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Role
from marketdesk.disputes.presenters import countdown_in_calendar, order_disputes_for_viewer, status_badge_register
from marketdesk.orders.situation import order_situation
from marketdesk.returns.models import Return
from marketdesk.returns.presenters import STATUS_TONES, next_deadline
from marketdesk.returns.selectors import returns_for_actor
from marketdesk.returns.states import ReturnStatus

register = template.Library()

status_badge_register(register, "return_status_badge", ReturnStatus, STATUS_TONES)


@register.inclusion_tag("web/_deadline.html", takes_context=True)
def return_deadline(context: template.Context, ret: Return) -> dict[str, Any]:
    """Render a return's next deadline in its marketplace's business calendar (read once per page)."""
    at = next_deadline(ret)
    if at is None:
        return {"countdown": None}
    countdown = countdown_in_calendar(context, ret.order, at, key="return_calendars")
    return {"countdown": countdown, "fmt": "SHORT_DATETIME_FORMAT"}


@register.inclusion_tag("returns/_order_returns.html", takes_context=True)
def order_returns(context: template.Context, order: Any) -> dict[str, Any]:
    """The order's returns the signed-in user may see, and for the buyer a way to start one while allowed."""
    actor, returns = order_disputes_for_viewer(context, order, returns_for_actor)
    if actor is None:
        return {"returns": []}
    # The order page has read the situation already: the same one, not a second read.
    option = order_situation(order, known=context.get("situation")).return_option if actor.role == Role.BUYER else None
    return {
        "returns": returns,
        "can_start": option is not None and option.allowed,
        "closes_at": option.closes_at if option is not None else None,
        "order": order,
        "request": context["request"],
    }
