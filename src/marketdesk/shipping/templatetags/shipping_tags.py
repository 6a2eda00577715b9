"""The order page's delivery card: each parcel with its status and flags (what to do now is the situation card's)."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Actor
from marketdesk.shipping.presenters import FLAG_LABELS, status_tone
from marketdesk.shipping.selectors import shipments_of_order

register = template.Library()


@register.inclusion_tag("shipping/_order_delivery.html", takes_context=True)
def order_delivery(context: template.Context, order: Any) -> dict[str, Any]:
    """Parcels the signed-in user may see on this order."""
    actor = Actor.for_user(context["request"].user)
    shipments = shipments_of_order(actor, order)
    return {
        "shipments": [
            {"shipment": s, "tone": status_tone(s.tracking_status), "flags": [FLAG_LABELS[f] for f in s.flags]}
            for s in shipments
        ],
    }
