"""Reads of delivery, always scoped to the actor who asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Count, F, Max, Prefetch, Q, QuerySet, When

from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from marketdesk.core.policies import policy_current
from marketdesk.ledger.funding import ShippingFacts
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.shipping.models import CarrierClaim, DeliveryChangeRequest, Shipment, ShipmentLine, TrackingEvent
from marketdesk.shipping.states import BEFORE_HANDOVER, InvestigationStatus, TrackingStatus


def shipments_for_actor(actor: Actor) -> QuerySet[Shipment]:
    """Return the shipments of the orders this actor may see, newest first."""
    qs = Shipment.objects.select_related("carrier", "order")
    return scope_to_actor(qs, actor, order_path="order__").order_by("-created_at", "-id")


def shipment_get_for_actor(actor: Actor, *, pk: int | None = None, external_id: str | None = None) -> Shipment:
    """Return one shipment the actor may see with its lines and events, or raise NotFound."""
    lookup = {"pk": pk} if pk is not None else {"external_id": external_id}
    shipment = (
        shipments_for_actor(actor)
        .select_related("order__shop", "order__marketplace", "order__buyer")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("line")),
            Prefetch("events", queryset=TrackingEvent.objects.order_by("-event_at", "-carrier_event_id")),
        )
        .filter(**lookup)
        .first()
    )
    if shipment is None:
        raise NotFound()
    return shipment


def carrier_claim_get_for_actor(actor: Actor, *, pk: int) -> CarrierClaim:
    """Return one carrier claim on a parcel the actor may see, or raise NotFound."""
    claim = (
        CarrierClaim.objects.select_related("investigation__shipment", "carrier")
        .filter(pk=pk, investigation__shipment__in=shipments_for_actor(actor))
        .first()
    )
    if claim is None:
        raise NotFound()
    return claim


def shipments_of_order(actor: Actor, order: Order) -> list[Shipment]:
    """Return the parcels of an order the actor may see (the order comes from a selector)."""
    return list(
        shipments_for_actor(actor)
        .filter(order=order)
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.select_related("line")))
        .order_by("created_at", "id")
    )


def change_requests_of(shipment: Shipment) -> list[DeliveryChangeRequest]:
    """Return a parcel's delivery change requests, newest first (the shipment comes from a selector)."""
    return list(DeliveryChangeRequest.objects.filter(shipment=shipment).order_by("-requested_at", "-id"))


def unmapped_statuses(*, marketplace_id: int | None = None, carrier_id: int | None = None) -> list[dict[str, Any]]:
    """Return each carrier's raw statuses that no mapping covers yet, with how many events wait.

    Narrowed to one marketplace's events and one carrier when given (an example text comes along).
    """
    events = TrackingEvent.objects.filter(status="")
    if marketplace_id is not None:
        events = events.filter(marketplace_id=marketplace_id)
    if carrier_id is not None:
        events = events.filter(carrier_id=carrier_id)
    return [
        dict(row)
        for row in events.values("carrier__code", "carrier__name", "carrier_id", "raw_status")
        .annotate(events=Count("id"), example=Max("raw_text"), last_seen=Max("event_at"))
        .order_by("carrier__code", "raw_status")
    ]


#: The list's filters: each narrows the parcels needing attention to one reason.
FILTERS: dict[str, Q] = {
    "stalled": Q(stalled=True),
    "likely_lost": Q(likely_lost=True),
    "exception": Q(tracking_status=TrackingStatus.EXCEPTION),
    "investigating": Q(investigation__status=InvestigationStatus.OPEN),
}


def parcels_needing_attention(actor: Actor, flag: str = "") -> QuerySet[Shipment]:
    """Parcels of the actor's marketplace that are stalled, likely lost, in exception or under inquiry.

    Open inquiries come first, the nearest carrier deadline first; then the longest silent parcels.
    """
    attention = Q()
    for condition in FILTERS.values():
        attention |= condition
    qs = shipments_for_actor(actor).filter(attention)
    if flag in FILTERS:
        qs = qs.filter(FILTERS[flag])
    return (
        qs.select_related("investigation")
        .annotate(
            inquiry_due=Case(
                When(investigation__status=InvestigationStatus.OPEN, then=F("investigation__due_at")), default=None
            )
        )
        .order_by(F("inquiry_due").asc(nulls_last=True), F("last_scan_at").asc(nulls_first=True), "id")
    )


def parcels_delivered_at(shipments: Iterable[Shipment]) -> dt.datetime | None:
    """Return when the last of these parcels was delivered, or None while any is not (or there are none)."""
    moments = [s.delivered_at if s.tracking_status == TrackingStatus.DELIVERED else None for s in shipments]
    if not moments or None in moments:
        return None
    return max(m for m in moments if m is not None)


def order_parcels_delivered_at(order: Order) -> dt.datetime | None:
    """Return when the order's parcels were all delivered (the reader ``orders.situation`` asks)."""
    return parcels_delivered_at(Shipment.objects.filter(order_id=order.pk).only("tracking_status", "delivered_at"))


def order_guarantee_facts(order_id: int) -> ShippingFacts | None:
    """Return whether an order's parcels all have a carrier scan and left by their ship-by time (None: no parcel).

    As the seller standards count them: a parcel left at its first scan, else when the seller confirmed it;
    its ship-by time is the marketplace's, else the order's placing plus ``ship_within_business_days`` days.
    """
    parcels = list(
        Shipment.objects.filter(order_id=order_id).values(
            "tracking_number", "tracking_status", "handed_over_at", "created_at", "ship_by", "order__placed_at"
        )
    )
    if not parcels:
        return None
    allowance = dt.timedelta(days=policy_current().ship_within_business_days)
    return ShippingFacts(
        valid_tracking=all(p["tracking_number"] and p["tracking_status"] not in BEFORE_HANDOVER for p in parcels),
        shipped_on_time=all(
            (p["handed_over_at"] or p["created_at"]) <= (p["ship_by"] or p["order__placed_at"] + allowance)
            for p in parcels
        ),
    )
