"""Shipments: who may ship, create one from the seller's form, upsert one from the marketplace's feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import calendar_for, due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import shop_member_ids
from marketdesk.shipping import events
from marketdesk.shipping.models import Carrier, Shipment, ShipmentLine, TrackingEvent
from marketdesk.shipping.services.flags import _flags_write
from marketdesk.shipping.services.projection import _reproject

FEEDERS = (Role.MARKETPLACE, Role.SYSTEM, Role.ADMIN, Role.OPERATOR)


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
