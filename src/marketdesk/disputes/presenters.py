"""What a dispute's page shows alike for cases and returns: its status badge and a deadline in its calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django import template
from django.db import models
from django.db.models import QuerySet

from marketdesk.core.actors import Actor
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.orders.models import Order
from marketdesk.web.presenters import Countdown, deadline_countdown


def status_badge(choices: type[models.TextChoices], tones: Mapping[str, str], status: str) -> dict[str, Any]:
    """A status of these choices as a badge's label and tone (an unknown one as it is, in a neutral tone)."""
    label = choices(status).label if status in choices.values else status
    return {"label": label, "tone": tones.get(status, "neutral")}


def status_badge_register(
    register: template.Library, name: str, choices: type[models.TextChoices], tones: Mapping[str, str]
) -> None:
    """Register the tag ``name`` that renders a status of these choices as a badge (an unknown one as it is)."""

    def badge(status: str) -> dict[str, Any]:
        return status_badge(choices, tones, status)

    register.inclusion_tag("web/_status_badge.html", name=name)(badge)


def order_disputes_for_viewer[M: models.Model](
    context: template.Context, order: Order, rows_for_actor: Callable[[Actor], QuerySet[M]]
) -> tuple[Actor | None, list[M]]:
    """Return who reads the order page a tag renders in and the order's rows they may see (none for a visitor)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None, []
    actor = Actor.for_user(request.user)
    return actor, list(rows_for_actor(actor).filter(order_id=order.pk))


def countdown_in_calendar(context: template.Context, order: Order, at: dt.datetime, *, key: str) -> Countdown:
    """Return the countdown to ``at`` in the order's marketplace calendar, each calendar read once per page."""
    if key not in context.render_context:
        context.render_context[key] = {}
    calendars: dict[str, WorkCalendar] = context.render_context[key]
    code = order.marketplace.calendar_code or ""
    if code not in calendars:
        calendars[code] = calendar_for(code or None)
    return deadline_countdown(at, calendar=calendars[code])
