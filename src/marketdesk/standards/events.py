"""Timeline event types of enforcements that are not status moves, one writer each.

Status moves (``enforcement.applied``, ``enforcement.appealed``, …) are declared
with the transition table in ``states.py`` and written by ``transition()``.
"""

from __future__ import annotations

from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, timeline_append


class EnforcementProposedPayload(Payload):
    kind: str
    level: str
    snapshot_id: int | None


# Proposals are the platform's own business until an operator applies one.
ENFORCEMENT_PROPOSED = EventType("enforcement.proposed", Audience.INTERNAL, EnforcementProposedPayload)


def enforcement_proposed(
    *, enforcement: object, actor: Actor, kind: str, level: str, snapshot_id: int | None
) -> TimelineEvent:
    """Record that a measure was proposed against a shop (by the standards run or an operator)."""
    return timeline_append(
        subject=enforcement,  # type: ignore[arg-type]
        event=ENFORCEMENT_PROPOSED,
        actor=actor,
        payload=EnforcementProposedPayload(kind=kind, level=level, snapshot_id=snapshot_id),
    )
