"""REST endpoints of delivery: the batch ingest of carrier events, shipments pushed and read.

Tenancy: a marketplace's key sees only its own orders' shipments; a tracking number that
belongs to another marketplace's shipment is refused row by row in the ingest.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.responses import Status

from marketdesk.api.auth import FEED_AUTH, READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.params import PathId
from marketdesk.core.errors import DomainValidationError, NotFound
from marketdesk.core.money import Money
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.shipping.ingest import tracking_events_ingest
from marketdesk.shipping.models import DeliveryChangeRequest, Shipment
from marketdesk.shipping.schemas import (
    CarrierClaimOut,
    CarrierClaimPaymentIn,
    DeliveryChangeAnswerIn,
    DeliveryChangeOut,
    ShipmentCreateIn,
    ShipmentOut,
    TrackingBatchIn,
    TrackingBatchOut,
)
from marketdesk.shipping.selectors import carrier_claim_get_for_actor, shipment_get_for_actor, shipments_for_actor
from marketdesk.shipping.services import AddressData, carrier_claim_pay, delivery_change_answer, shipment_upsert

router = Router(tags=["delivery"])

ERRORS: dict[int, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
}


def _shipment_out(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "external_id": shipment.external_id,
        "order": shipment.order.external_id,
        "carrier": shipment.carrier.code,
        "service": shipment.service,
        "tracking_number": shipment.tracking_number,
        "status": shipment.tracking_status,
        "exception_reason": shipment.exception_reason,
        "estimated_from": shipment.estimated_from,
        "estimated_to": shipment.estimated_to,
        "delivered_at": shipment.delivered_at,
        "last_scan_at": shipment.last_scan_at,
        "flags": shipment.flags,
        "lines": [{"line": sl.line.external_id, "quantity": sl.quantity} for sl in shipment.lines.all()],
        "events": [
            {
                "event_id": e.carrier_event_id,
                "occurred_at": e.event_at,
                "raw_status": e.raw_status,
                "description": e.raw_text,
                "location": e.location,
                "status": e.status,
                "exception_reason": e.exception_reason,
            }
            for e in shipment.events.all()
        ],
    }


@router.post(
    "/tracking-events",
    response={200: TrackingBatchOut, **ERRORS},
    auth=FEED_AUTH,
    summary="Send a batch of carrier tracking events",
)
def tracking_events_post(request: HttpRequest, payload: TrackingBatchIn) -> Any:
    """Store up to 1,000 carrier events; repeats are ignored, bad rows reported by index while good ones are kept.

    The parcels' status, flags and timeline follow moments later, once the worker has folded the batch in.
    """
    result = tracking_events_ingest(actor=request_actor(request), rows=payload.events)
    return {
        "received": result.received,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "held": result.held,
        "unmapped": result.unmapped,
        "errors": [{"index": e.index, "field": e.field, "reason": e.reason} for e in result.errors],
    }


@router.post(
    "/shipments", response={201: ShipmentOut, 200: ShipmentOut, **ERRORS}, auth=FEED_AUTH, summary="Add a shipment"
)
def shipment_post(request: HttpRequest, payload: ShipmentCreateIn) -> Any:
    """Add a parcel of an order; sending the same shipment again answers 200 with it."""
    actor = request_actor(request)
    order = order_get_for_actor(actor, external_id=payload.order)
    by_external = {line.external_id: line.pk for line in order.lines.all()}
    lines = None
    if payload.lines is not None:
        unknown = [i for i, item in enumerate(payload.lines) if item.line not in by_external]
        if unknown:
            raise DomainValidationError(_("This line is not part of the order."), field=f"lines.{unknown[0]}.line")
        lines = [(by_external[item.line], item.quantity) for item in payload.lines]
    upserted = shipment_upsert(
        actor=actor,
        order=order,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        external_id=payload.external_id,
        service=payload.service,
        lines=lines,
        address=AddressData(
            payload.recipient_name,
            payload.address_line1,
            payload.address_line2,
            payload.city,
            payload.postcode,
            payload.country,
        ),
        estimated_from=payload.estimated_from,
        estimated_to=payload.estimated_to,
        time_zone=payload.time_zone,
    )
    shipment = shipment_get_for_actor(actor, pk=upserted.shipment.pk)
    return Status(201 if upserted.created else 200, _shipment_out(shipment))


@router.get(
    "/shipments/{shipment_id}", response={200: ShipmentOut, **ERRORS}, auth=READ_AUTH, summary="Read a shipment"
)
def shipment_get(request: HttpRequest, shipment_id: PathId) -> Any:
    """One parcel with its lines and carrier events (newest first), if the caller may see its order."""
    return _shipment_out(shipment_get_for_actor(request_actor(request), pk=shipment_id))


@router.post(
    "/delivery-changes/{change_id}/answer",
    response={200: DeliveryChangeOut, **ERRORS},
    auth=FEED_AUTH,
    summary="Report the carrier's answer to a delivery change",
)
@idempotent
def delivery_change_answer_post(request: HttpRequest, change_id: PathId, payload: DeliveryChangeAnswerIn) -> Any:
    """Report whether the carrier accepted a redirect it was asked for (``delivery_change.requested`` webhook).

    A refusal needs its reason, which the buyer is shown. A change of another marketplace's parcel is a 404;
    one already answered, or one the seller answers, is a 409. Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    change = (
        DeliveryChangeRequest.objects.select_related("shipment")
        .filter(pk=change_id, shipment__in=shipments_for_actor(actor))
        .first()
    )
    if change is None:
        raise NotFound()
    accept = payload.outcome == "accepted"
    row = delivery_change_answer(
        actor=actor, request=change, accept=accept, answer=payload.reason.strip(), carrier=True
    )
    return {
        "id": row.pk,
        "shipment": change.shipment.external_id,
        "kind": row.kind,
        "route": row.route,
        "status": row.status,
        "details": row.details,
        "answer": row.answer,
        "requested_at": row.requested_at,
        "answered_at": row.answered_at,
    }


@router.post(
    "/carrier-claims/{claim_id}/payment",
    response={200: CarrierClaimOut, **ERRORS},
    auth=FEED_AUTH,
    summary="Record what the carrier paid on a claim",
)
@idempotent
def carrier_claim_payment_post(request: HttpRequest, claim_id: PathId, payload: CarrierClaimPaymentIn) -> Any:
    """Record that the carrier paid a claim filed for a lost parcel; the payment is recovered against the refund.

    At most the claim, more than zero, in the claim's currency, once (a second payment is a 409). A claim on
    another marketplace's parcel is a 404. Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    claim = carrier_claim_get_for_actor(actor, pk=claim_id)
    if payload.currency != claim.currency:
        raise DomainValidationError(_("The claim is in %(currency)s.") % {"currency": claim.currency}, field="currency")
    try:
        row = carrier_claim_pay(actor=actor, claim=claim, amount=Money(payload.amount_minor, claim.currency))
    except DomainValidationError as exc:
        raise DomainValidationError(exc.message, field="amount_minor") from exc
    return {
        "id": row.pk,
        "shipment": claim.investigation.shipment.external_id,
        "carrier": claim.carrier.code,
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "filed_at": row.filed_at,
        "paid_minor": row.paid_minor,
        "paid_at": row.paid_at,
    }
