"""The order page's delivery card: each parcel with its status and flags, and the hints for the buyer."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Actor, Role
from marketdesk.hints.rules import hints_evaluate, order_state_read
from marketdesk.shipping.presenters import FLAG_LABELS, status_tone
from marketdesk.shipping.selectors import shipments_of_order

register = template.Library()


@register.inclusion_tag("shipping/_order_delivery.html", takes_context=True)
def order_delivery(context: template.Context, order: Any) -> dict[str, Any]:
    """Parcels the signed-in user may see on this order; for the buyer, what to do now."""
    actor = Actor.for_user(context["request"].user)
    shipments = shipments_of_order(actor, order)
    hints = hints_evaluate(order_state_read(order)) if actor.role == Role.BUYER else []
    return {
        "shipments": [
            {"shipment": s, "tone": status_tone(s.tracking_status), "flags": [FLAG_LABELS[f] for f in s.flags]}
            for s in shipments
        ],
        "hints": hints,
    }


@register.inclusion_tag("shipping/_hints.html")
def order_hints(order: Any) -> dict[str, Any]:
    """The hints of an order for its buyer (the order comes from a selector)."""
    return {"hints": hints_evaluate(order_state_read(order))}
