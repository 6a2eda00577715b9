"""The projection of tracking events onto the shipment (one parcel or a batch), and care started by an exception.

The batch ingest of carrier events lives in ``shipping.ingest``: it stores a batch and leaves one outbox row naming
the events it stored for known parcels (``tracking_projection_put``). After commit the worker's drain of that topic
folds them into their parcels with ``shipments_apply_events``, a batch at a time (ADR 0025).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple, Protocol

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.bulk import rows_read, rows_update_values
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import Record, outbox_handler, outbox_put
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.timeline import timeline_append_many
from marketdesk.shipping import events
from marketdesk.shipping.models import Shipment, TrackingEvent
from marketdesk.shipping.services.care import _care_start, actor_of, actor_payload, care_put
from marketdesk.shipping.services.flags import FLAG_NAMES, _flags_set, _flags_write
from marketdesk.shipping.states import BEFORE_HANDOVER, CareTrigger, ExceptionReason, TrackingStatus

#: Exceptions that start proactive care the moment the carrier reports them.
CARE_EXCEPTIONS: dict[str, str] = {
    ExceptionReason.DAMAGED: CareTrigger.DAMAGED,
    ExceptionReason.LOST: CareTrigger.LOST,
    ExceptionReason.REFUSED: CareTrigger.REFUSED,
}
#: Flags that start proactive care when they are raised, in the order they are started.
CARE_FLAGS = (CareTrigger.LIKELY_LOST, CareTrigger.STALLED)


HANDED_OVER = frozenset(set(TrackingStatus.values) - set(BEFORE_HANDOVER) - {TrackingStatus.EXPIRED})


def _event_key(event: EventFacts) -> tuple[dt.datetime, str]:
    return (event.event_at, event.carrier_event_id)


class EventFacts(Protocol):
    """What the projection reads of an event: a stored ``TrackingEvent`` or the ingest's plain row."""

    @property
    def event_at(self) -> dt.datetime: ...
    @property
    def carrier_event_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def exception_reason(self) -> str: ...


def _absorb(shipment: Shipment | ParcelState, batch: Iterable[EventFacts]) -> tuple[str, str] | None:
    """Fold events into the shipment's projection; return (old status, its event time) if the status moved.

    Only order-independent folds: the maximum event (by time, then the carrier's id) gives the
    status, the minimum handover time and the maximum scan time. Any arrival order ends the same.
    """
    source = shipment.tracking_status
    latest: EventFacts | None = None
    for event in batch:
        if shipment.last_scan_at is None or event.event_at > shipment.last_scan_at:
            shipment.last_scan_at = event.event_at
        if not event.status:
            continue
        if event.status in HANDED_OVER and (
            shipment.handed_over_at is None or event.event_at < shipment.handed_over_at
        ):
            shipment.handed_over_at = event.event_at
        if latest is None or _event_key(event) > _event_key(latest):
            latest = event
    current = (shipment.last_event_at, shipment.last_event_ref) if shipment.last_event_at else None
    if latest is not None and (current is None or _event_key(latest) > current):
        shipment.tracking_status = latest.status
        shipment.exception_reason = latest.exception_reason
        shipment.last_event_at, shipment.last_event_ref = _event_key(latest)
        shipment.delivered_at = latest.event_at if latest.status == TrackingStatus.DELIVERED else None
    if shipment.tracking_status != source:
        return source, shipment.last_event_at.isoformat() if shipment.last_event_at else ""
    return None


PROJECTION_FIELDS = [
    "tracking_status",
    "exception_reason",
    "last_event_at",
    "last_event_ref",
    "last_scan_at",
    "handed_over_at",
    "delivered_at",
    "updated_at",
]


#: What the batch projection reads of a parcel, besides its id: the projection, the flags and their inputs.
PARCEL_FIELDS = (*PROJECTION_FIELDS, *FLAG_NAMES, "flags_at", "ship_by", "estimated_to")


@dataclass(slots=True)
class ParcelState:
    """A parcel's projection and flags as plain values: what the batch folds events into, without a model instance."""

    pk: int
    tracking_status: str
    exception_reason: str
    last_event_at: dt.datetime | None
    last_event_ref: str
    last_scan_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    delivered_at: dt.datetime | None
    updated_at: dt.datetime
    late_to_ship: bool
    delayed: bool
    stalled: bool
    likely_lost: bool
    flags_at: dt.datetime | None
    ship_by: dt.datetime | None
    estimated_to: dt.datetime | None


def shipments_apply_events(
    *,
    actor: Actor,
    events_by_shipment: Mapping[int, Sequence[EventFacts]],
    policy: Policy | None = None,
) -> list[int]:
    """Fold newly stored events into their shipments (caller's transaction); flags and care follow; return their ids.

    Set-based whatever the batch holds: one locking read of plain values, one UPDATE of every parcel's projection
    (and of the flags when any moved), one insert of the timeline rows. Proactive care (it gathers evidence and
    tells people) starts after commit, from one outbox row for the batch.
    """
    policy = policy or policy_current()
    now = clock.now()
    # A fixed lock order (by id) so two batches touching the same parcels never deadlock.
    rows = rows_read(Shipment, PARCEL_FIELDS, events_by_shipment.keys(), lock=True)
    parcels = [ParcelState(*row) for row in rows]
    statuses: list[tuple[int, str, str, str, str]] = []
    flags: list[tuple[int, list[str], list[str]]] = []
    care: list[tuple[int, str]] = []
    flags_moved = False
    for parcel in parcels:
        moved = _absorb(parcel, events_by_shipment[parcel.pk])
        parcel.updated_at = now
        raised, cleared = _flags_set(parcel, now=now, policy=policy)
        if moved is not None:
            statuses.append((parcel.pk, moved[0], parcel.tracking_status, parcel.exception_reason, moved[1]))
            if parcel.tracking_status == TrackingStatus.EXCEPTION and parcel.exception_reason in CARE_EXCEPTIONS:
                care.append((parcel.pk, CARE_EXCEPTIONS[parcel.exception_reason]))
        if raised or cleared:
            flags_moved = True
            flags.append((parcel.pk, raised, cleared))
            care.extend((parcel.pk, name) for name in CARE_FLAGS if name in raised)
    # The flags' columns (and their index) are written only when some flag moved: most batches move none.
    fields = [*PROJECTION_FIELDS, *FLAG_NAMES, "flags_at"] if flags_moved else PROJECTION_FIELDS
    values = attrgetter("pk", *fields)
    rows_update_values(Shipment, fields, [values(parcel) for parcel in parcels])
    # Each parcel's status event before its flags' event, as when they were written one parcel at a time.
    timeline = [
        *events.shipment_status_changed_rows(actor=actor, items=statuses),
        *events.shipment_flags_changed_rows(actor=actor, items=flags),
    ]
    timeline.sort(key=lambda row: row.subject_id)
    timeline_append_many(timeline)
    care_put(actor=actor, items=care)
    return [parcel.pk for parcel in parcels]


PROJECTION_TOPIC = "shipping.projection"


def tracking_projection_put(*, actor: Actor, event_ids: Sequence[int]) -> None:
    """Leave one outbox row that folds these stored events into their parcels after commit (caller's transaction).

    The events must name their shipment. A batch's row costs one insert whatever it holds; the worker's drain reads
    the events back and projects them with ``shipments_apply_events``.
    """
    if event_ids:
        outbox_put(topic=PROJECTION_TOPIC, payload={**actor_payload(actor), "events": sorted(event_ids)})


class _StoredFacts(NamedTuple):
    """What the projection reads of a stored event (``EventFacts``), read back by id."""

    event_at: dt.datetime
    carrier_event_id: str
    status: str
    exception_reason: str


def tracking_events_project(*, actor: Actor, event_ids: Sequence[int]) -> None:
    """Fold these stored events into their parcels now (caller's transaction), read back by id in one query."""
    events_by_shipment: dict[int, list[_StoredFacts]] = defaultdict(list)
    read = ("shipment", "event_at", "carrier_event_id", "status", "exception_reason")
    for _pk, shipment_id, *facts in rows_read(TrackingEvent, read, event_ids):
        if shipment_id is not None:
            events_by_shipment[shipment_id].append(_StoredFacts(*facts))
    if events_by_shipment:
        shipments_apply_events(actor=actor, events_by_shipment=events_by_shipment)


def _project(payload: dict[str, Any]) -> None:
    tracking_events_project(actor=actor_of(payload), event_ids=payload["events"])


@outbox_handler(PROJECTION_TOPIC, queue="ingest", batched=True)
def _deliver_projection(message: OutboxMessage) -> Record:
    """Send nothing: the projection is all writes, done in the record step's transaction (its parcels locked there).

    Delivered exactly once (the record step marks the row delivered in the same transaction), and a repeat would
    change nothing: the fold is order-independent and keeps what it already holds.
    """
    payload = message.payload
    return lambda: _project(payload)


def _status_payload(
    shipment: Shipment | ParcelState, source: str, event_at: str
) -> events.ShipmentStatusChangedPayload:
    return events.ShipmentStatusChangedPayload(
        source=source, target=shipment.tracking_status, exception_reason=shipment.exception_reason, event_at=event_at
    )


def _status_recorded(shipment: Shipment, *, actor: Actor, source: str, event_at: str) -> None:
    events.shipment_status_changed(shipment=shipment, actor=actor, payload=_status_payload(shipment, source, event_at))
    trigger = CARE_EXCEPTIONS.get(shipment.exception_reason) if shipment.tracking_status == "exception" else None
    if trigger is not None:
        _care_start(shipment, trigger=trigger, actor=actor)


def _reproject(shipment: Shipment, *, actor: Actor, policy: Policy) -> None:
    """Rebuild a shipment's projection from all its stored events (after held events or a new mapping)."""
    source = shipment.tracking_status
    shipment.tracking_status = TrackingStatus.PENDING
    shipment.exception_reason = ""
    shipment.last_event_at = shipment.last_scan_at = shipment.handed_over_at = shipment.delivered_at = None
    shipment.last_event_ref = ""
    _absorb(shipment, TrackingEvent.objects.filter(shipment=shipment))
    shipment.updated_at = clock.now()
    shipment.save(update_fields=PROJECTION_FIELDS)
    if shipment.tracking_status != source:
        at = shipment.last_event_at.isoformat() if shipment.last_event_at else ""
        _status_recorded(shipment, actor=actor, source=source, event_at=at)
    _flags_write(shipment, actor=actor, now=clock.now(), policy=policy)
