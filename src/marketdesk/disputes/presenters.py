"""What a dispute's page shows alike for cases and returns: its status badge and a deadline in its calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import template
from django.db import models

from marketdesk.core.actors import Actor
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.orders.models import Order
from marketdesk.web.presenters import Countdown, deadline_countdown


def status_badge_register(
    register: template.Library, name: str, choices: type[models.TextChoices], tones: Mapping[str, str]
) -> None:
    """Register the tag ``name`` that renders a status of these choices as a badge (an unknown one as it is)."""

    def badge(status: str) -> dict[str, Any]:
        label = choices(status).label if status in choices.values else status
        return {"label": label, "tone": tones.get(status, "neutral")}

    register.inclusion_tag("web/_status_badge.html", name=name)(badge)


def request_actor_of(context: template.Context) -> Actor | None:
    """Return the signed-in person of the page a tag renders in, or None for a visitor (a tag shows them nothing)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return Actor.for_user(request.user)


def countdown_in_calendar(context: template.Context, order: Order, at: dt.datetime, *, key: str) -> Countdown:
    """Return the countdown to ``at`` in the order's marketplace calendar, each calendar read once per page."""
    if key not in context.render_context:
        context.render_context[key] = {}
    calendars: dict[str, WorkCalendar] = context.render_context[key]
    code = order.marketplace.calendar_code or ""
    if code not in calendars:
        calendars[code] = calendar_for(code or None)
    return deadline_countdown(at, calendar=calendars[code])
