"""Template helpers of the web layout: status badges and navigation state."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from marketdesk.core.calendar import WorkCalendar
from marketdesk.orders.states import OrderStatus
from marketdesk.web.presenters import deadline_countdown, status_tone

register = template.Library()


@register.inclusion_tag("web/_status_badge.html")
def status_badge(status: str) -> dict[str, Any]:
    """Render an order status as a coloured badge."""
    label = OrderStatus(status).label if status in OrderStatus.values else status
    return {"label": label, "tone": status_tone(status)}


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, url: str) -> SafeString:
    """Return ``aria-current="page"`` when the page is within ``url``'s section."""
    request: HttpRequest | None = context.get("request")
    if request is not None and request.path.startswith(url):
        return mark_safe('aria-current="page"')  # a constant, nothing user-supplied
    return mark_safe("")


@register.inclusion_tag("web/_deadline.html")
def deadline(at: Any, calendar: WorkCalendar | None = None, fmt: str = "DATETIME_FORMAT") -> dict[str, Any]:
    """Render a deadline as its date and a countdown in the owner's business time."""
    if at is None:
        return {"countdown": None}
    return {"countdown": deadline_countdown(at, calendar=calendar), "fmt": fmt}


@register.simple_tag(takes_context=True)
def nav_exact(context: template.Context, url: str) -> SafeString:
    """Return ``aria-current="page"`` on exactly ``url`` (a section home whose sub-pages have their own link)."""
    request: HttpRequest | None = context.get("request")
    if request is not None and request.path == url:
        return mark_safe('aria-current="page"')  # a constant, nothing user-supplied
    return mark_safe("")
