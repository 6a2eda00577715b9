"""The order's situation as pages show it: one card, the same on the order page, Get help and the returns page."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Actor, Role
from marketdesk.hints.rules import hints_evaluate, order_state_of
from marketdesk.orders.situation import order_situation
from marketdesk.situation.presenters import situation_card

register = template.Library()


@register.inclusion_tag("situation/_card.html", takes_context=True)
def order_situation_card(context: template.Context, order: Any) -> dict[str, Any]:
    """Where things stand and, for the buyer, what to do now (the hints), from the order's situation."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"card": None, "hints": []}
    if Actor.for_user(request.user).role != Role.BUYER:
        return {"card": None, "hints": []}
    situation = order_situation(order, known=context.get("situation"))
    return {"card": situation_card(situation), "hints": hints_evaluate(order_state_of(situation))}
