"""Timeline event types of delivery, one writer per type (status moves are declared in ``states.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from marketdesk.core.actors import Actor
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import (
    EventType,
    Payload,
    TimelineRow,
    timeline_append,
    timeline_rows,
    timeline_rows_encoded,
)
from marketdesk.shipping.models import Shipment


class ShipmentCreatedPayload(Payload):
    external_id: str
    carrier: str
    tracking_number: str
    lines: list[int]
    held_events: int


class ShipmentStatusChangedPayload(Payload):
    source: str
    target: str
    exception_reason: str
    event_at: str


class ShipmentFlagsChangedPayload(Payload):
    raised: list[str]
    cleared: list[str]


class DeliveryChangeRequestedPayload(Payload):
    request_id: int
    kind: str
    route: str


class CareStartedPayload(Payload):
    trigger: str
    care_id: int


class InvestigationOpenedPayload(Payload):
    investigation_id: int
    due_at: str


class CarrierClaimFiledPayload(Payload):
    claim_id: int
    amount_minor: int
    currency: str


class CarrierClaimPaidPayload(Payload):
    claim_id: int
    amount_minor: int


SHIPMENT_CREATED = EventType("shipment.created", Audience.PARTIES, ShipmentCreatedPayload)
SHIPMENT_STATUS_CHANGED = EventType("shipment.status_changed", Audience.PARTIES, ShipmentStatusChangedPayload)
SHIPMENT_FLAGS_CHANGED = EventType("shipment.flags_changed", Audience.PARTIES, ShipmentFlagsChangedPayload)
DELIVERY_CHANGE_REQUESTED = EventType("delivery_change.requested", Audience.PARTIES, DeliveryChangeRequestedPayload)
CARE_STARTED = EventType("shipment.care_started", Audience.PARTIES, CareStartedPayload)
INVESTIGATION_OPENED = EventType("lost_parcel.opened", Audience.PARTIES, InvestigationOpenedPayload)
# What the platform recovers from a carrier is between the platform and the carrier.
CARRIER_CLAIM_FILED = EventType("lost_parcel.claim_filed", Audience.INTERNAL, CarrierClaimFiledPayload)
CARRIER_CLAIM_PAID = EventType("lost_parcel.claim_paid", Audience.INTERNAL, CarrierClaimPaidPayload)


def shipment_created(*, shipment: object, actor: Actor, payload: ShipmentCreatedPayload) -> TimelineEvent:
    """Record that a parcel of the order was handed to us with its tracking number."""
    return timeline_append(subject=shipment, event=SHIPMENT_CREATED, actor=actor, payload=payload)  # type: ignore[arg-type]


def shipment_status_changed(*, shipment: object, actor: Actor, payload: ShipmentStatusChangedPayload) -> TimelineEvent:
    """Record that the carrier's events put the parcel in another status."""
    return timeline_append(subject=shipment, event=SHIPMENT_STATUS_CHANGED, actor=actor, payload=payload)  # type: ignore[arg-type]


def shipment_flags_changed(*, shipment: object, actor: Actor, raised: list[str], cleared: list[str]) -> TimelineEvent:
    """Record which flags (late to ship, delayed, stalled, likely lost) went up or down."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=SHIPMENT_FLAGS_CHANGED,
        actor=actor,
        payload=ShipmentFlagsChangedPayload(raised=raised, cleared=cleared),
    )


def shipment_status_changed_rows(*, actor: Actor, items: Iterable[tuple[int, str, str, str, str]]) -> list[TimelineRow]:
    """Build (unsaved, for a batch's one insert) the events that parcels moved to another status.

    Each item is (parcel id, source, target, exception reason, event time in ISO 8601). The payload's JSON is
    written here, in ``ShipmentStatusChangedPayload``'s field order, without a model per parcel: a batch moves
    nearly every parcel it touches, and building and dumping a model each cost more than the row's insert.
    """
    return timeline_rows_encoded(
        subject_type=Shipment,
        event=SHIPMENT_STATUS_CHANGED,
        actor=actor,
        items=[
            (pk, _compact({"source": source, "target": target, "exception_reason": reason, "event_at": at}))
            for pk, source, target, reason, at in items
        ],
    )


#: JSON as pydantic's ``model_dump_json`` writes it: no spaces, text as UTF-8.
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def shipment_flags_changed_rows(
    *, actor: Actor, items: Iterable[tuple[int, list[str], list[str]]]
) -> list[TimelineRow]:
    """Build (unsaved, for a batch's one insert) the events that parcels' flags (raised, cleared) went up or down."""
    return timeline_rows(
        subject_type=Shipment,
        event=SHIPMENT_FLAGS_CHANGED,
        actor=actor,
        items=[(pk, ShipmentFlagsChangedPayload(raised=raised, cleared=cleared)) for pk, raised, cleared in items],
    )


def delivery_change_requested(
    *, shipment: object, actor: Actor, request_id: int, kind: str, route: str
) -> TimelineEvent:
    """Record that the buyer asked to change the delivery."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=DELIVERY_CHANGE_REQUESTED,
        actor=actor,
        payload=DeliveryChangeRequestedPayload(request_id=request_id, kind=kind, route=route),
    )


def care_started(*, shipment: object, actor: Actor, trigger: str, care_id: int) -> TimelineEvent:
    """Record that proactive care began for a parcel in trouble."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=CARE_STARTED,
        actor=actor,
        payload=CareStartedPayload(trigger=trigger, care_id=care_id),
    )


def investigation_opened(*, shipment: object, actor: Actor, investigation_id: int, due_at: str) -> TimelineEvent:
    """Record that the carrier was asked to look for a lost parcel."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=INVESTIGATION_OPENED,
        actor=actor,
        payload=InvestigationOpenedPayload(investigation_id=investigation_id, due_at=due_at),
    )


def carrier_claim_filed(
    *, shipment: object, actor: Actor, claim_id: int, amount_minor: int, currency: str
) -> TimelineEvent:
    """Record the claim filed against a liable carrier."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=CARRIER_CLAIM_FILED,
        actor=actor,
        payload=CarrierClaimFiledPayload(claim_id=claim_id, amount_minor=amount_minor, currency=currency),
    )


def carrier_claim_paid(*, shipment: object, actor: Actor, claim_id: int, amount_minor: int) -> TimelineEvent:
    """Record what the carrier paid on a claim (recovered against the refund it funds)."""
    return timeline_append(
        subject=shipment,  # type: ignore[arg-type]
        event=CARRIER_CLAIM_PAID,
        actor=actor,
        payload=CarrierClaimPaidPayload(claim_id=claim_id, amount_minor=amount_minor),
    )
