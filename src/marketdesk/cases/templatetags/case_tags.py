"""Template helpers of the case pages: status badges and each case's next deadline (its clock) with its countdown."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.cases.models import Case
from marketdesk.cases.presenters import CASE_STATUS_TONES
from marketdesk.cases.selectors import cases_for_actor
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.deadlines import no_deadline
from marketdesk.orders.situation import order_situation
from marketdesk.web.presenters import deadline_countdown

register = template.Library()


@register.inclusion_tag("web/_status_badge.html")
def case_status_badge(status: str) -> dict[str, Any]:
    label = CaseStatus(status).label if status in CaseStatus.values else status
    return {"label": label, "tone": CASE_STATUS_TONES.get(status, "neutral")}


@register.inclusion_tag("cases/_clock.html", takes_context=True)
def case_deadline(context: template.Context, case: Case) -> dict[str, Any]:
    """Render the deadline a case shows now: its clock in the order's situation, paused as paused, none once closed.

    The page reads the situations (``case_clocks`` for a list, ``situation`` on an order page); the
    operators' queue sorts by its own stored deadline and shows that one, so the order on screen makes sense.
    """
    queued = getattr(case, "deadline", None)
    if not no_deadline(queued):
        return {"clock": None, "queued": _queued_countdown(context, case, queued)}
    clocks = context.get("case_clocks")
    if clocks is not None:
        return {"clock": clocks.get(case.pk)}
    return {"clock": order_situation(case.order, known=context.get("situation")).case_clock(case)}


def _queued_countdown(context: template.Context, case: Case, at: Any) -> Any:
    if "case_calendars" not in context.render_context:
        context.render_context["case_calendars"] = {}
    calendars: dict[str, WorkCalendar] = context.render_context["case_calendars"]
    code = case.order.marketplace.calendar_code or ""
    if code not in calendars:
        calendars[code] = calendar_for(code or None)
    return deadline_countdown(at, calendar=calendars[code])


@register.inclusion_tag("cases/_order_cases.html", takes_context=True)
def order_cases(context: template.Context, order: Any) -> dict[str, Any]:
    """The cases on an order that the signed-in user may see, for the order page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"cases": []}
    actor = Actor.for_user(request.user)
    cases = list(cases_for_actor(actor).filter(order_id=order.pk))
    detail = "cases:workspace" if actor.role in (Role.OPERATOR, Role.ADMIN) else "cases:case_detail"
    return {"cases": cases, "detail_url": detail, "request": request, "situation": context.get("situation")}
