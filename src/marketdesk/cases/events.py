"""Timeline event types of cases that are not status moves, one writer per type.

Status moves (``case.offer_made``, ``case.decided``, …) are declared with the
transition table in ``states.py`` and written by ``transition()``.
"""

from __future__ import annotations

from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, timeline_append


class CaseOpenedPayload(Payload):
    case_type: str
    line_id: int | None
    status: str
    seller_due_at: str
    policy_version: int
    referenced_case_id: int | None


class SellerContactedPayload(Payload):
    contact_id: int


class SellerRepliedPayload(Payload):
    contact_id: int


class EvidenceAddedPayload(Payload):
    evidence_id: int
    party: str


class NoteAddedPayload(Payload):
    note_id: int


CASE_OPENED = EventType("case.opened", Audience.PARTIES, CaseOpenedPayload)
EVIDENCE_ADDED = EventType("case.evidence_added", Audience.PARTIES, EvidenceAddedPayload)
# Only that a note was added, and only for staff: the note's text stays in CaseNote.
NOTE_ADDED = EventType("case.note_added", Audience.INTERNAL, NoteAddedPayload)
SELLER_CONTACTED = EventType("case.seller_contacted", Audience.PARTIES, SellerContactedPayload)
SELLER_REPLIED = EventType("case.seller_replied", Audience.PARTIES, SellerRepliedPayload)


def case_opened(*, case: object, actor: Actor, payload: CaseOpenedPayload) -> TimelineEvent:
    """Record that a buyer (or the marketplace for them) opened a case."""
    return timeline_append(subject=case, event=CASE_OPENED, actor=actor, payload=payload)  # type: ignore[arg-type]


def seller_contacted(*, order: object, actor: Actor, contact_id: int) -> TimelineEvent:
    """Record on the order that the buyer first contacted the seller about it."""
    return timeline_append(
        subject=order,  # type: ignore[arg-type]
        event=SELLER_CONTACTED,
        actor=actor,
        payload=SellerContactedPayload(contact_id=contact_id),
    )


def seller_replied(*, order: object, actor: Actor, contact_id: int) -> TimelineEvent:
    """Record on the order that the seller first replied to the buyer's contact."""
    return timeline_append(
        subject=order,  # type: ignore[arg-type]
        event=SELLER_REPLIED,
        actor=actor,
        payload=SellerRepliedPayload(contact_id=contact_id),
    )


def evidence_added(*, case: object, actor: Actor, evidence_id: int, party: str) -> TimelineEvent:
    """Record that a party added a statement to its side of the case."""
    return timeline_append(
        subject=case,  # type: ignore[arg-type]
        event=EVIDENCE_ADDED,
        actor=actor,
        payload=EvidenceAddedPayload(evidence_id=evidence_id, party=party),
    )


def note_added(*, case: object, actor: Actor, note_id: int) -> TimelineEvent:
    """Record (for staff only) that an operator added an internal note."""
    return timeline_append(
        subject=case,  # type: ignore[arg-type]
        event=NOTE_ADDED,
        actor=actor,
        payload=NoteAddedPayload(note_id=note_id),
    )
