"""Writes of delivery changes: the buyer asks, the seller or the carrier (through the marketplace) answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.transitions import transition
from marketdesk.orders.selectors import shop_member_ids
from marketdesk.shipping import events
from marketdesk.shipping.eligibility import delivery_change_verdict
from marketdesk.shipping.models import (
    DeliveryChangeRequest,
    Shipment,
)
from marketdesk.shipping.services.shipments import DeliveryChangeNotPossible
from marketdesk.shipping.states import (
    ChangeKind,
    ChangeRoute,
    ChangeStatus,
)


def _address_details(details: dict[str, Any]) -> dict[str, str]:
    cleaned = {
        key: str(details.get(key, "")).strip()
        for key in ("recipient_name", "line1", "line2", "city", "postcode", "country")
    }
    for key in ("line1", "city", "postcode", "country"):
        if not cleaned[key]:
            raise DomainValidationError(_("This part of the address is required."), field=key)
    if len(cleaned["country"]) != 2 or not cleaned["country"].isalpha():
        raise DomainValidationError(_("Give the country as its two-letter code, such as GB."), field="country")
    if any(len(value) > 200 or "\x00" in value for value in cleaned.values()):
        raise DomainValidationError(_("An address line is at most 200 characters."), field="line1")
    cleaned["country"] = cleaned["country"].upper()
    return cleaned


def _change_details(kind: str, details: dict[str, Any]) -> dict[str, str]:
    if kind == ChangeKind.ADDRESS:
        return _address_details(details)
    if kind == ChangeKind.DATE:
        try:
            day = dt.date.fromisoformat(str(details.get("date", "")))
        except ValueError as exc:
            raise DomainValidationError(_("Give the date as YYYY-MM-DD."), field="date") from exc
        today = clock.now().date()
        if not today < day <= today + dt.timedelta(days=30):
            raise DomainValidationError(_("Pick a day within the next 30 days."), field="date")
        return {"date": day.isoformat()}
    point = str(details.get("pickup_point", "")).strip()
    if not point or len(point) > 200 or "\x00" in point:
        raise DomainValidationError(_("Name the pickup point."), field="pickup_point")
    return {"pickup_point": point}


def delivery_change_request(
    *, actor: Actor, shipment: Shipment, kind: str, details: dict[str, Any]
) -> DeliveryChangeRequest:
    """Ask to change a parcel's delivery; refused with the reason when its stage does not allow it."""
    from marketdesk.notifications.inbox import notify
    from marketdesk.notifications.webhooks import webhook_event_emit

    if actor.role != Role.BUYER or actor.user is None:
        raise PermissionDenied(_("Only the buyer asks to change the delivery."))
    if kind not in ChangeKind.values:
        raise DomainValidationError(_("Pick what to change."), field="kind")
    cleaned = _change_details(kind, details)
    with transaction.atomic():
        locked = (
            Shipment.objects.select_for_update()
            .select_related("order", "carrier")
            .filter(pk=shipment.pk, order__buyer=actor.user)
            .first()
        )
        if locked is None:
            raise NotFound()
        verdict = delivery_change_verdict(locked)
        if not verdict.allowed:
            raise DeliveryChangeNotPossible(verdict.reason)
        if DeliveryChangeRequest.objects.filter(shipment=locked, status=ChangeStatus.REQUESTED).exists():
            raise Conflict(_("You already asked for a change of this delivery; wait for the answer."))
        request = DeliveryChangeRequest.objects.create(
            shipment=locked,
            requested_by=actor.user,
            kind=kind,
            route=verdict.route,
            details=cleaned,
            requested_at=clock.now(),
        )
        events.delivery_change_requested(
            shipment=locked, actor=actor, request_id=request.pk, kind=kind, route=verdict.route
        )
        order = locked.order
        notify(
            user_ids=shop_member_ids(order.shop_id),
            kind="delivery_change.requested",
            data={"order": order.external_id},
            url=reverse("web:seller_order_detail", args=[order.pk]),
        )
        if verdict.route == ChangeRoute.CARRIER:
            # The marketplace holds the carrier account: it forwards the redirect and reports the answer.
            webhook_event_emit(
                marketplace_id=order.marketplace_id,
                event_type="delivery_change.requested",
                data={
                    "request": request.pk,
                    "shipment": locked.external_id,
                    "carrier": locked.carrier.code,
                    "tracking_number": locked.tracking_number,
                    "kind": kind,
                    "details": cleaned,
                },
                event_id=f"delivery-change-{request.pk}",
            )
    return request


def delivery_change_answer(
    *, actor: Actor, request: DeliveryChangeRequest, accept: bool, answer: str = "", carrier: bool = False
) -> DeliveryChangeRequest:
    """Accept or decline a delivery change (the seller before handover, the marketplace for the carrier).

    ``carrier``: the answer is the carrier's, reported by the marketplace: only a change routed to the
    carrier takes one, and a refusal needs its reason (the buyer is shown it).
    """
    from marketdesk.notifications.inbox import notify

    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().select_related("order").get(pk=request.shipment_id)
        row = DeliveryChangeRequest.objects.select_for_update().get(pk=request.pk)
        order = shipment.order
        if actor.role == Role.SELLER and (actor.user is None or actor.user.pk not in shop_member_ids(order.shop_id)):
            raise NotFound()
        if actor.role == Role.SELLER and row.route != ChangeRoute.SELLER:
            raise PermissionDenied(_("The carrier answers this request."))
        if actor.marketplace_id is not None and actor.marketplace_id != order.marketplace_id:
            raise NotFound()
        if carrier and row.route != ChangeRoute.CARRIER:
            raise Conflict(_("The seller answers this change; only a carrier's answer is reported here."))
        if carrier and not accept and not answer.strip():
            raise DomainValidationError(_("Say why the carrier refused the change."), field="reason")
        transition(row, to=ChangeStatus.ACCEPTED if accept else ChangeStatus.DECLINED, actor=actor)
        row.answer, row.answered_at = answer[:2000], clock.now()
        row.save(update_fields=["answer", "answered_at"])
        if accept:
            _change_apply(shipment, row)
        notify(
            user_ids=[order.buyer_id],
            kind="delivery_change.answered",
            data={"order": order.external_id, "answer": row.get_status_display()},
            url=reverse("shipping:tracking", args=[shipment.pk]),
        )
    return row


def _change_apply(shipment: Shipment, request: DeliveryChangeRequest) -> None:
    details = request.details
    if request.kind == ChangeKind.ADDRESS:
        shipment.recipient_name = details.get("recipient_name") or shipment.recipient_name
        shipment.address_line1, shipment.address_line2 = details["line1"], details.get("line2", "")
        shipment.city, shipment.postcode, shipment.country = details["city"], details["postcode"], details["country"]
        shipment.pickup_point = ""
    elif request.kind == ChangeKind.PICKUP_POINT:
        shipment.pickup_point = details["pickup_point"]
    shipment.save(
        update_fields=[
            "recipient_name",
            "address_line1",
            "address_line2",
            "city",
            "postcode",
            "country",
            "pickup_point",
        ]
    )
