"""Proactive care: open a care action with the parcel's evidence when trouble starts.

The batch ingest starts care after commit: it leaves one outbox row per batch naming the parcels and
their triggers (``care_put``), and the ``shipping.care`` handler gathers the evidence, tells the buyer
and the seller and records the event in the outbox's record step. The ingest's transaction then holds
only its own writes, and a rolled-back batch starts no care.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from marketdesk.accounts.models import User
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import Record, outbox_handler, outbox_put
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


CARE_TOPIC = "shipping.care"


def care_put(*, actor: Actor, items: Sequence[tuple[int, str]]) -> None:
    """Leave one outbox row that starts care for each (parcel id, trigger) after commit (caller's transaction)."""
    if not items:
        return
    payload = {**actor_payload(actor), "items": [[pk, str(trigger)] for pk, trigger in items]}
    outbox_put(topic=CARE_TOPIC, payload=payload)


def actor_payload(actor: Actor) -> dict[str, Any]:
    """Who acted, as an outbox row keeps it for the work it leaves after commit (``actor_of`` reads it back)."""
    return {
        "role": actor.role,
        "user": actor.user.pk if actor.user is not None else None,
        "marketplace": actor.marketplace_id,
    }


def actor_of(payload: dict[str, Any]) -> Actor:
    user = User.objects.get(pk=payload["user"]) if payload["user"] is not None else None
    return Actor(role=payload["role"], user=user, marketplace_id=payload["marketplace"])


def _care_fanout(payload: dict[str, Any]) -> None:
    actor = actor_of(payload)
    shipments = Shipment.objects.select_related("order").in_bulk({pk for pk, _trigger in payload["items"]})
    for pk, trigger in payload["items"]:
        # Once per (parcel, trigger): a care action already there makes a repeat tell nobody again.
        if pk in shipments:
            _care_start(shipments[pk], trigger=trigger, actor=actor)


@outbox_handler(CARE_TOPIC)
def _deliver_care(message: OutboxMessage) -> Record:
    """Send nothing now: care is all writes (evidence, notices, the event), done in the record step."""
    payload = message.payload
    return lambda: _care_fanout(payload)
