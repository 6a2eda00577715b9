"""Template helpers of the case pages: status badges and each case's next deadline with its countdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from marketdesk.cases.models import Case
from marketdesk.cases.presenters import CASE_STATUS_TONES
from marketdesk.cases.selectors import cases_for_actor
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.deadlines import no_deadline
from marketdesk.web.presenters import deadline_countdown

register = template.Library()


@register.inclusion_tag("web/_status_badge.html")
def case_status_badge(status: str) -> dict[str, Any]:
    label = CaseStatus(status).label if status in CaseStatus.values else status
    return {"label": label, "tone": CASE_STATUS_TONES.get(status, "neutral")}


def next_deadline(case: Case) -> dt.datetime | None:
    """The deadline that matters now: the seller's answer, the information asked, or the decision."""
    if case.status == CaseStatus.AWAITING_SELLER:
        return case.seller_due_at
    if case.status == CaseStatus.AWAITING_INFO:
        return case.info_due_at
    if case.status in (CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED):
        return case.decision_due_at
    return None


@register.inclusion_tag("web/_deadline.html", takes_context=True)
def case_deadline(context: template.Context, case: Case) -> dict[str, Any]:
    """Render a case's next deadline in its marketplace's business calendar (read once per page)."""
    # A queue sorts by its own deadline (annotated): show that one, so the order on screen makes sense.
    queued = getattr(case, "deadline", None)
    at = queued if not no_deadline(queued) else next_deadline(case)
    if at is None:
        return {"countdown": None}
    if "case_calendars" not in context.render_context:
        context.render_context["case_calendars"] = {}
    calendars: dict[str, WorkCalendar] = context.render_context["case_calendars"]
    code = case.order.marketplace.calendar_code or ""
    if code not in calendars:
        calendars[code] = calendar_for(code or None)
    return {"countdown": deadline_countdown(at, calendar=calendars[code]), "fmt": "SHORT_DATETIME_FORMAT"}


@register.inclusion_tag("cases/_order_cases.html", takes_context=True)
def order_cases(context: template.Context, order: Any) -> dict[str, Any]:
    """The cases on an order that the signed-in user may see, for the order page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"cases": []}
    actor = Actor.for_user(request.user)
    cases = list(cases_for_actor(actor).filter(order_id=order.pk))
    detail = "cases:workspace" if actor.role in (Role.OPERATOR, Role.ADMIN) else "cases:case_detail"
    return {"cases": cases, "detail_url": detail, "request": request}
