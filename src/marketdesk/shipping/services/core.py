"""Writes of delivery: shipments, the projection of tracking events, flags, proactive care, mappings.

The batch ingest of carrier events lives in ``shipping.ingest``; it calls ``shipments_apply_events``
here for the parcels it touched.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import rows_read, rows_update_values
from marketdesk.core.calendar import calendar_for, due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.timeline import timeline_append_many
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import scope_to_actor, shop_member_ids
from marketdesk.shipping import events
from marketdesk.shipping.models import (
    CareAction,
    Carrier,
    CarrierStatusMapping,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from marketdesk.shipping.states import (
    BEFORE_HANDOVER,
    FINAL,
    CareTrigger,
    ExceptionReason,
    TrackingStatus,
)

FEEDERS = (Role.MARKETPLACE, Role.SYSTEM, Role.ADMIN, Role.OPERATOR)
FLAG_NAMES = ("late_to_ship", "delayed", "stalled", "likely_lost")
#: Exceptions that start proactive care the moment the carrier reports them.
CARE_EXCEPTIONS: dict[str, str] = {
    ExceptionReason.DAMAGED: CareTrigger.DAMAGED,
    ExceptionReason.LOST: CareTrigger.LOST,
    ExceptionReason.REFUSED: CareTrigger.REFUSED,
}
#: After these the carrier still has the parcel, so a silent carrier means trouble.
WITH_CARRIER = frozenset(
    {
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.EXCEPTION,
        TrackingStatus.RETURNING_TO_SENDER,
        TrackingStatus.FAILED_ATTEMPT,
    }
)
HANDED_OVER = frozenset(set(TrackingStatus.values) - set(BEFORE_HANDOVER) - {TrackingStatus.EXPIRED})


class DeliveryChangeNotPossible(Conflict):
    code = "delivery_change_not_possible"
    title = _("The delivery cannot be changed now.")
    default_message = _("The delivery cannot be changed at this stage.")


@dataclass(frozen=True, slots=True)
class AddressData:
    """Where a parcel goes."""

    recipient_name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""


# Shipments


def _carrier(carrier: Carrier | str) -> Carrier:
    if isinstance(carrier, Carrier):
        return carrier
    found = Carrier.objects.filter(code=carrier).first()
    if found is None:
        raise DomainValidationError(_("Unknown carrier %(code)s.") % {"code": carrier}, field="carrier")
    return found


def _may_ship(actor: Actor, order: Order) -> None:
    if actor.role == Role.SELLER and actor.user is not None:
        if actor.user.pk in shop_member_ids(order.shop_id):
            return
        raise NotFound()
    if actor.role not in FEEDERS:
        raise PermissionDenied(_("Only the seller or the marketplace adds shipments."))
    if actor.marketplace_id is not None and actor.marketplace_id != order.marketplace_id:
        raise NotFound()


def _shipment_lines(order: Order, lines: Sequence[tuple[OrderLine | int, int]] | None) -> list[tuple[OrderLine, int]]:
    by_id = {line.pk: line for line in order.lines.all()}
    if lines is None:
        return [(line, line.quantity) for line in by_id.values()]
    chosen: list[tuple[OrderLine, int]] = []
    for i, (ref, quantity) in enumerate(lines):
        line = by_id.get(ref.pk if isinstance(ref, OrderLine) else ref)
        if line is None:
            raise DomainValidationError(_("This line is not part of the order."), field=f"lines.{i}")
        if not 0 < quantity <= line.quantity:
            raise DomainValidationError(
                _("Ship between 1 and %(max)s of this line.") % {"max": line.quantity}, field=f"lines.{i}.quantity"
            )
        chosen.append((line, quantity))
    if len({line.pk for line, _q in chosen}) != len(chosen):
        raise DomainValidationError(_("List each line once."), field="lines")
    return chosen


def shipment_create(
    *,
    actor: Actor,
    order: Order,
    carrier: Carrier | str,
    tracking_number: str,
    external_id: str = "",
    service: str = "",
    lines: Sequence[tuple[OrderLine | int, int]] | None = None,
    address: AddressData | None = None,
    estimated_from: dt.datetime | None = None,
    estimated_to: dt.datetime | None = None,
    ship_by: dt.datetime | None = None,
    time_zone: str = "",
) -> Shipment:
    """Add a parcel of ``order`` (all its lines unless ``lines`` says which); a repeat returns the same one."""
    return shipment_upsert(
        actor=actor,
        order=order,
        carrier=carrier,
        tracking_number=tracking_number,
        external_id=external_id,
        service=service,
        lines=lines,
        address=address,
        estimated_from=estimated_from,
        estimated_to=estimated_to,
        ship_by=ship_by,
        time_zone=time_zone,
    ).shipment


@dataclass(frozen=True, slots=True)
class Upserted:
    shipment: Shipment
    #: False when the same shipment was sent before (a retry, or a concurrent twin that won).
    created: bool


def shipment_upsert(
    *,
    actor: Actor,
    order: Order,
    carrier: Carrier | str,
    tracking_number: str,
    external_id: str = "",
    service: str = "",
    lines: Sequence[tuple[OrderLine | int, int]] | None = None,
    address: AddressData | None = None,
    estimated_from: dt.datetime | None = None,
    estimated_to: dt.datetime | None = None,
    ship_by: dt.datetime | None = None,
    time_zone: str = "",
) -> Upserted:
    """Add a parcel of ``order``, or return the same one sent before, saying which, decided atomically.

    The order's row lock serializes two sends of one shipment: the second finds the first's row, so
    exactly one of them reports ``created``. A shipment number taken meanwhile by another order's
    parcel is refused by the unique constraint, as a conflict.
    Carrier events already received for its tracking number are attached and applied.
    ``lines`` holds (order line or its id, quantity) pairs.
    """
    _may_ship(actor, order)
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise DomainValidationError(_("Unknown time zone."), field="time_zone")
    carrier_row = _carrier(carrier)
    tracking_number = tracking_number.strip()
    if not tracking_number or len(tracking_number) > 64:
        raise DomainValidationError(_("Give the carrier's tracking number."), field="tracking_number")
    for name, moment in (("estimated_from", estimated_from), ("estimated_to", estimated_to), ("ship_by", ship_by)):
        if moment is not None and moment.tzinfo is None:
            raise DomainValidationError(_("Times must include a time zone."), field=name)
    if estimated_from and estimated_to and estimated_from > estimated_to:
        raise DomainValidationError(_("The delivery window ends before it starts."), field="estimated_to")
    external_id = external_id or f"{carrier_row.code}:{tracking_number}"
    address = address or AddressData()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        existing = Shipment.objects.filter(marketplace_id=locked.marketplace_id, external_id=external_id).first()
        if existing is not None:
            if (existing.order_id, existing.carrier_id, existing.tracking_number) != (
                locked.pk,
                carrier_row.pk,
                tracking_number,
            ):
                raise Conflict(_("This shipment number was already used for another parcel."), field="external_id")
            return Upserted(existing, created=False)
        if Shipment.objects.filter(carrier=carrier_row, tracking_number=tracking_number).exists():
            raise Conflict(_("This tracking number belongs to another parcel."), field="tracking_number")
        chosen = _shipment_lines(locked, lines)
        policy = policy_current()
        # The order's estimate is the promise for its first parcel. A later one (a replacement, a
        # reshipment, an exchange) is a new journey: inheriting the old date would flag it delayed at once.
        if estimated_to is None and not Shipment.objects.filter(order=locked).exists():
            estimated_to = locked.estimated_delivery_at
        if ship_by is None and locked.status == "paid":
            cal = calendar_for(locked.marketplace.calendar_code or None)
            ship_by = due_at(locked.placed_at, business_days=policy.ship_within_business_days, calendar=cal)
        shipment = _shipment_insert(
            marketplace_id=locked.marketplace_id,
            order=locked,
            external_id=external_id,
            carrier=carrier_row,
            service=service[:80],
            tracking_number=tracking_number,
            estimated_from=estimated_from,
            estimated_to=estimated_to,
            ship_by=ship_by,
            recipient_name=address.recipient_name,
            address_line1=address.line1,
            address_line2=address.line2,
            city=address.city,
            postcode=address.postcode,
            country=address.country.upper()[:2],
            time_zone=time_zone or "UTC",
        )
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, line=line, quantity=quantity) for line, quantity in chosen]
        )
        held = TrackingEvent.objects.filter(
            marketplace_id=locked.marketplace_id,
            carrier=carrier_row,
            tracking_number=tracking_number,
            shipment__isnull=True,
        ).update(shipment=shipment)
        events.shipment_created(
            shipment=shipment,
            actor=actor,
            payload=events.ShipmentCreatedPayload(
                external_id=external_id,
                carrier=carrier_row.code,
                tracking_number=tracking_number,
                lines=[line.pk for line, _q in chosen],
                held_events=held,
            ),
        )
        if held:
            _reproject(shipment, actor=actor, policy=policy)
        else:
            _flags_write(shipment, actor=actor, now=clock.now(), policy=policy)
    return Upserted(shipment, created=True)


def _shipment_insert(**values: Any) -> Shipment:
    # Another order's parcel may take the same number between our check and this insert (its order's
    # lock is not ours): the unique constraint decides, and the loser is told, not answered 500.
    try:
        with transaction.atomic():
            return Shipment.objects.create(**values)
    except IntegrityError as exc:
        raise Conflict(_("This shipment number was already used for another parcel."), field="external_id") from exc


# The projection of the events


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
    *, actor: Actor, events_by_shipment: Mapping[int, Sequence[EventFacts]], policy: Policy | None = None
) -> list[int]:
    """Fold newly stored events into their shipments (caller's transaction); flags and care follow; return their ids.

    Set-based whatever the batch holds: one locking read of plain values, one UPDATE of every parcel's
    projection (and of the flags when any moved), one insert of the timeline rows. A parcel whose change
    starts proactive care (rare) has its timeline written one by one instead, since care gathers evidence
    and notifies per parcel.
    """
    policy = policy or policy_current()
    now = clock.now()
    # A fixed lock order (by id) so two batches touching the same parcels never deadlock.
    parcels = [ParcelState(*row) for row in rows_read(Shipment, PARCEL_FIELDS, events_by_shipment.keys(), lock=True)]
    statuses: list[tuple[int, events.ShipmentStatusChangedPayload]] = []
    flags: list[tuple[int, list[str], list[str]]] = []
    cared: dict[int, tuple[tuple[str, str] | None, list[str], list[str]]] = {}
    flags_moved = False
    for parcel in parcels:
        moved = _absorb(parcel, events_by_shipment[parcel.pk])
        parcel.updated_at = now
        raised, cleared = _flags_set(parcel, now=now, policy=policy)
        flags_moved = flags_moved or bool(raised or cleared)
        if _starts_care(parcel, moved=moved, raised=raised):
            cared[parcel.pk] = (moved, raised, cleared)
            continue
        if moved is not None:
            statuses.append((parcel.pk, _status_payload(parcel, moved[0], moved[1])))
        if raised or cleared:
            flags.append((parcel.pk, raised, cleared))
    # The flags' columns (and their index) are written only when some flag moved: most batches move none.
    fields = [*PROJECTION_FIELDS, *FLAG_NAMES, "flags_at"] if flags_moved else PROJECTION_FIELDS
    rows_update_values(Shipment, fields, [[p.pk, *(getattr(p, name) for name in fields)] for p in parcels])
    # Each parcel's status event before its flags' event, as when they were written one parcel at a time.
    timeline = [
        *events.shipment_status_changed_rows(actor=actor, items=statuses),
        *events.shipment_flags_changed_rows(actor=actor, items=flags),
    ]
    timeline.sort(key=lambda row: row.subject_id)
    timeline_append_many(timeline)
    if cared:
        for shipment in Shipment.objects.filter(pk__in=cared).order_by("pk"):
            moved, raised, cleared = cared[shipment.pk]
            if moved is not None:
                _status_recorded(shipment, actor=actor, source=moved[0], event_at=moved[1])
            if raised or cleared:
                _flags_recorded(shipment, actor=actor, raised=raised, cleared=cleared)
    return [parcel.pk for parcel in parcels]


def _starts_care(shipment: Shipment | ParcelState, *, moved: tuple[str, str] | None, raised: list[str]) -> bool:
    exception_care = (
        moved is not None
        and shipment.tracking_status == TrackingStatus.EXCEPTION
        and shipment.exception_reason in CARE_EXCEPTIONS
    )
    return exception_care or "likely_lost" in raised or "stalled" in raised


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


# Flags


def shipment_flags(shipment: Shipment | ParcelState, *, now: dt.datetime, policy: Policy) -> dict[str, bool]:
    """Return the flags of a shipment at ``now`` from its projection and the policy's thresholds."""
    status = shipment.tracking_status
    silent = now - shipment.last_scan_at if shipment.last_scan_at else dt.timedelta(0)
    return {
        "late_to_ship": status in BEFORE_HANDOVER and shipment.ship_by is not None and now > shipment.ship_by,
        "delayed": status not in FINAL and shipment.estimated_to is not None and now > shipment.estimated_to,
        "stalled": status in WITH_CARRIER and silent >= dt.timedelta(days=policy.stalled_after_days),
        "likely_lost": status == TrackingStatus.IN_TRANSIT
        and silent >= dt.timedelta(days=policy.likely_lost_after_days),
    }


def _flags_set(shipment: Shipment | ParcelState, *, now: dt.datetime, policy: Policy) -> tuple[list[str], list[str]]:
    """Set the flags on the (unsaved) shipment; return those raised and those cleared."""
    flags = shipment_flags(shipment, now=now, policy=policy)
    raised = [name for name in FLAG_NAMES if flags[name] and not getattr(shipment, name)]
    cleared = [name for name in FLAG_NAMES if not flags[name] and getattr(shipment, name)]
    if raised or cleared:
        for name, value in flags.items():
            setattr(shipment, name, value)
        shipment.flags_at = now
    return raised, cleared


def _flags_recorded(shipment: Shipment, *, actor: Actor, raised: list[str], cleared: list[str]) -> None:
    events.shipment_flags_changed(shipment=shipment, actor=actor, raised=raised, cleared=cleared)
    for name in ("likely_lost", "stalled"):
        if name in raised:
            _care_start(shipment, trigger=CareTrigger(name), actor=actor)


def _flags_write(shipment: Shipment, *, actor: Actor, now: dt.datetime, policy: Policy) -> bool:
    raised, cleared = _flags_set(shipment, now=now, policy=policy)
    if not raised and not cleared:
        return False
    shipment.save(update_fields=[*FLAG_NAMES, "flags_at"])
    _flags_recorded(shipment, actor=actor, raised=raised, cleared=cleared)
    return True


def shipment_flags_recompute(*, actor: Actor, shipment_ids: Iterable[int] | None = None, chunk: int = 500) -> int:
    """Recompute the flags of every parcel still on its way (or of ``shipment_ids``); return how many changed."""
    if actor.role not in (Role.SYSTEM, Role.ADMIN, Role.OPERATOR):
        raise PermissionDenied()
    policy = policy_current()
    qs = scope_to_actor(Shipment.objects.exclude(tracking_status__in=FINAL), actor, order_path="order__")
    if shipment_ids is not None:
        qs = qs.filter(pk__in=list(shipment_ids))
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            rows = (
                Shipment.objects.select_for_update()
                .select_related("order", "carrier")
                .filter(pk__in=ids[start : start + chunk])
            )
            now = clock.now()
            changed += sum(_flags_write(s, actor=actor, now=now, policy=policy) for s in rows.order_by("pk"))
    return changed


# Proactive care


def _care_problem(trigger: str) -> str:
    return str(CareTrigger(trigger).label)


def _evidence(shipment: Shipment) -> dict[str, Any]:
    """The evidence a case would need, gathered now: the tracking timeline, messages and their files."""
    from marketdesk.attachments.models import Attachment
    from marketdesk.messaging.models import Message

    tracking = [
        {
            "event_id": e.carrier_event_id,
            "at": e.event_at.isoformat(),
            "raw_status": e.raw_status,
            "status": e.status,
            "text": e.raw_text,
            "location": e.location,
        }
        for e in TrackingEvent.objects.filter(shipment=shipment).order_by("event_at", "carrier_event_id")
    ]
    message_ids = list(Message.objects.filter(thread__order_id=shipment.order_id).values_list("pk", flat=True))
    attachment_ids = list(
        Attachment.objects.filter(owner_type="messaging.message", owner_id__in=message_ids).values_list("pk", flat=True)
    )
    return {"tracking": tracking, "message_ids": message_ids, "attachment_ids": attachment_ids}


def _care_start(shipment: Shipment, *, trigger: str, actor: Actor) -> CareAction | None:
    """Tell the buyer first with the fix on offer, prompt the seller, keep the evidence: once per trigger."""
    from marketdesk.notifications.inbox import notify

    care, created = CareAction.objects.get_or_create(
        shipment=shipment, trigger=trigger, defaults={"evidence": _evidence(shipment)}
    )
    if not created:
        return None
    order = shipment.order
    data = {"order": order.external_id, "problem": _care_problem(trigger)}
    notify(
        user_ids=[order.buyer_id], kind="shipment.care", data=data, url=reverse("shipping:tracking", args=[shipment.pk])
    )
    notify(
        user_ids=shop_member_ids(order.shop_id),
        kind="shipment.care",
        data=data,
        url=reverse("web:seller_order_detail", args=[order.pk]),
    )
    events.care_started(shipment=shipment, actor=actor, trigger=trigger, care_id=care.pk)
    return care


# Mappings


def carrier_mapping_save(
    *, actor: Actor, carrier: Carrier, raw_status: str, status: str, exception_reason: str = ""
) -> tuple[CarrierStatusMapping, int]:
    """Map a carrier's raw status and normalize every event waiting for it; return the row and the events fixed."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied(_("Only administrators change carrier mappings."))
    if status not in TrackingStatus.values:
        raise DomainValidationError(_("Unknown status %(status)s.") % {"status": status}, field="status")
    if (status == TrackingStatus.EXCEPTION) != bool(exception_reason) or exception_reason not in ExceptionReason.values:
        raise DomainValidationError(
            _("An exception needs its reason, and only an exception has one."), field="exception_reason"
        )
    with transaction.atomic():
        mapping, _created = CarrierStatusMapping.objects.update_or_create(
            carrier=carrier, raw_status=raw_status, defaults={"status": status, "exception_reason": exception_reason}
        )
        fixed = TrackingEvent.objects.filter(carrier=carrier, raw_status=raw_status)
        shipment_ids = sorted(set(fixed.exclude(shipment=None).values_list("shipment_id", flat=True)))
        count = fixed.update(status=status, exception_reason=exception_reason)
        policy = policy_current()
        for shipment in (
            Shipment.objects.select_for_update()
            .select_related("order", "carrier")
            .filter(pk__in=shipment_ids)
            .order_by("pk")
        ):
            _reproject(shipment, actor=actor, policy=policy)
    return mapping, count
