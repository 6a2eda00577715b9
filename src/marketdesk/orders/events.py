"""Timeline event types of orders, one writer per type."""

from __future__ import annotations

from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, timeline_append


class OrderPlacedPayload(Payload):
    status: str
    total_minor: int
    currency: str
    lines: int


class OrderDetailsUpdatedPayload(Payload):
    changed: list[str]


ORDER_PLACED = EventType("order.placed", Audience.PARTIES, OrderPlacedPayload)
ORDER_DETAILS_UPDATED = EventType("order.details_updated", Audience.PARTIES, OrderDetailsUpdatedPayload)


def order_placed(
    *, order: object, actor: Actor, status: str, total_minor: int, currency: str, lines: int
) -> TimelineEvent:
    """Record that the marketplace told us of a new order."""
    return timeline_append(
        subject=order,  # type: ignore[arg-type]
        event=ORDER_PLACED,
        actor=actor,
        payload=OrderPlacedPayload(status=status, total_minor=total_minor, currency=currency, lines=lines),
    )


def order_details_updated(*, order: object, actor: Actor, changed: list[str]) -> TimelineEvent:
    """Record which mutable details (delivery estimate, payments) the marketplace changed."""
    return timeline_append(
        subject=order,  # type: ignore[arg-type]
        event=ORDER_DETAILS_UPDATED,
        actor=actor,
        payload=OrderDetailsUpdatedPayload(changed=changed),
    )
