"""Timeline event types of returns that are not status moves, one writer per type.

Status moves (``return.approved``, ``return.refunded``, …) are declared with the
transition table in ``states.py`` and written by ``transition()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, timeline_append

if TYPE_CHECKING:
    from marketdesk.returns.models import Return


class ReturnRequestedPayload(Payload):
    code: str
    reason: str
    resolution: str
    lines: dict[str, int]
    window_closes_at: str
    policy_version: int
    keep_item: bool = False
    line_reasons: dict[str, str] = {}


class ReturnRemindedPayload(Payload):
    ship_by: str


class ReturnInspectedPayload(Payload):
    accepted: dict[str, int]
    refund_minor: int
    partial_reason: str
    restocking_fee_minor: int = 0


RETURN_REQUESTED = EventType("return.requested", Audience.PARTIES, ReturnRequestedPayload)
RETURN_REMINDED = EventType("return.reminded", Audience.PARTIES, ReturnRemindedPayload)
RETURN_INSPECTED = EventType("return.inspected", Audience.PARTIES, ReturnInspectedPayload)


def return_requested(*, ret: Return, actor: Actor, payload: ReturnRequestedPayload) -> TimelineEvent:
    """Record that the buyer asked to return items."""
    return timeline_append(subject=ret, event=RETURN_REQUESTED, actor=actor, payload=payload)


def return_reminded(*, ret: Return, actor: Actor, ship_by: str) -> TimelineEvent:
    """Record that the buyer was reminded to ship the return."""
    return timeline_append(
        subject=ret, event=RETURN_REMINDED, actor=actor, payload=ReturnRemindedPayload(ship_by=ship_by)
    )


def return_inspected(*, ret: Return, actor: Actor, payload: ReturnInspectedPayload) -> TimelineEvent:
    """Record what the seller's inspection accepted."""
    return timeline_append(subject=ret, event=RETURN_INSPECTED, actor=actor, payload=payload)
