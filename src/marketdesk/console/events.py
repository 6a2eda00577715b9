"""Timeline event types of the console, one writer each (internal: parties never see who works a case)."""

from __future__ import annotations

from marketdesk.cases.models import Case
from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, timeline_append


class AssignedPayload(Payload):
    assignee_id: int | None
    previous_id: int | None
    how: str  # "claim", "assign" or "round_robin"


CASE_ASSIGNED = EventType("case.assigned", Audience.INTERNAL, AssignedPayload)


def case_assigned(
    *, case: Case, actor: Actor, assignee_id: int | None, previous_id: int | None, how: str
) -> TimelineEvent:
    return timeline_append(
        subject=case,
        event=CASE_ASSIGNED,
        actor=actor,
        payload=AssignedPayload(assignee_id=assignee_id, previous_id=previous_id, how=how),
    )
