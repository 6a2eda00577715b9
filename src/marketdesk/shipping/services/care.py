"""Proactive care: open a care action with the parcel's evidence when trouble starts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.orders.selectors import shop_member_ids
from marketdesk.shipping import events
from marketdesk.shipping.models import CareAction, Shipment, TrackingEvent
from marketdesk.shipping.states import CareTrigger


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
