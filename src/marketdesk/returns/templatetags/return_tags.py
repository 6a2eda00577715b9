"""Template helpers of the return pages: status badges, next deadlines, and the returns card of an order page."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.orders.situation import order_situation
from marketdesk.returns.models import Return
from marketdesk.returns.presenters import STATUS_TONES, next_deadline
from marketdesk.returns.selectors import returns_for_actor
from marketdesk.returns.states import ReturnStatus
from marketdesk.web.presenters import deadline_countdown

register = template.Library()


@register.inclusion_tag("web/_status_badge.html")
def return_status_badge(status: str) -> dict[str, Any]:
    label = ReturnStatus(status).label if status in ReturnStatus.values else status
    return {"label": label, "tone": STATUS_TONES.get(status, "neutral")}


@register.inclusion_tag("web/_deadline.html", takes_context=True)
def return_deadline(context: template.Context, ret: Return) -> dict[str, Any]:
    """Render a return's next deadline in its marketplace's business calendar (read once per page)."""
    at = next_deadline(ret)
    if at is None:
        return {"countdown": None}
    if "return_calendars" not in context.render_context:
        context.render_context["return_calendars"] = {}
    calendars: dict[str, WorkCalendar] = context.render_context["return_calendars"]
    code = ret.order.marketplace.calendar_code or ""
    if code not in calendars:
        calendars[code] = calendar_for(code or None)
    return {"countdown": deadline_countdown(at, calendar=calendars[code]), "fmt": "SHORT_DATETIME_FORMAT"}


@register.inclusion_tag("returns/_order_returns.html", takes_context=True)
def order_returns(context: template.Context, order: Any) -> dict[str, Any]:
    """The order's returns the signed-in user may see, and for the buyer a way to start one while allowed."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"returns": []}
    actor = Actor.for_user(request.user)
    returns = list(returns_for_actor(actor).filter(order_id=order.pk))
    # The order page has read the situation already: the same one, not a second read.
    option = order_situation(order, known=context.get("situation")).return_option if actor.role == Role.BUYER else None
    return {
        "returns": returns,
        "can_start": option is not None and option.allowed,
        "closes_at": option.closes_at if option is not None else None,
        "order": order,
        "request": request,
    }
