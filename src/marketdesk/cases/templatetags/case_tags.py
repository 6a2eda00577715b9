"""Template helpers of the case pages: status badges and each case's next deadline (its clock) with its countdown."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.cases.models import Case
from marketdesk.cases.presenters import CASE_STATUS_TONES
from marketdesk.cases.selectors import cases_for_actor
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Role
from marketdesk.core.deadlines import no_deadline
from marketdesk.disputes.presenters import countdown_in_calendar, order_disputes_for_viewer, status_badge_register
from marketdesk.orders.situation import order_situation

register = template.Library()

status_badge_register(register, "case_status_badge", CaseStatus, CASE_STATUS_TONES)


@register.inclusion_tag("cases/_clock.html", takes_context=True)
def case_deadline(context: template.Context, case: Case) -> dict[str, Any]:
    """Render the deadline a case shows now: its clock in the order's situation, paused as paused, none once closed.

    The page reads the situations (``case_clocks`` for a list, ``situation`` on an order page); the
    operators' queue sorts by its own stored deadline and shows that one, so the order on screen makes sense.
    """
    queued: Any = getattr(case, "deadline", None)
    if not no_deadline(queued):
        return {"clock": None, "queued": countdown_in_calendar(context, case.order, queued, key="case_calendars")}
    clocks = context.get("case_clocks")
    if clocks is not None:
        return {"clock": clocks.get(case.pk)}
    return {"clock": order_situation(case.order, known=context.get("situation")).case_clock(case)}


@register.inclusion_tag("cases/_order_cases.html", takes_context=True)
def order_cases(context: template.Context, order: Any) -> dict[str, Any]:
    """The cases on an order that the signed-in user may see, for the order page."""
    actor, cases = order_disputes_for_viewer(context, order, cases_for_actor)
    if actor is None:
        return {"cases": []}
    detail = "cases:workspace" if actor.role in (Role.OPERATOR, Role.ADMIN) else "cases:case_detail"
    return {"cases": cases, "detail_url": detail, "request": context["request"], "situation": context.get("situation")}
