"""What a step of a case tells others: the webhook, the line in the conversation, the notices and live pushes.

A service calls these inline (the step's own transaction), or, on the hot paths of
opening a case and making or answering an offer, leaves one outbox row (``case_fanout_put``) and lets the
``case.fanout`` handler do the same work after commit, on the task queue: the
history index write, the webhook, the conversation's system line, the
notifications and the live pushes (docs/adr/0018). The handler sends nothing itself;
its writes run in the outbox's record step, in the transaction that marks the
row delivered, so a retry after a failure repeats nothing that was kept and a
delivered row is never fanned out twice.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from marketdesk.cases.history_index import history_index_case
from marketdesk.cases.models import Case, Party
from marketdesk.cases.payouts import case_payout_hold, case_payout_release
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import Record, outbox_handler, outbox_put
from marketdesk.disputes.notices import parties_notify
from marketdesk.live.services import live_publish
from marketdesk.messaging.services import thread_system_post
from marketdesk.notifications.webhooks import webhook_event_emit

FANOUT_TOPIC = "case.fanout"

# Who hears of each step of a case, besides the line in the conversation: the notification kind, and whether
# the buyer and the seller are told (the person who acted never is).
CASE_NOTICES: dict[str, tuple[str, bool, bool]] = {
    "case.opened": ("case.opened", False, True),
    "case.offer_made": ("case.offer_made", True, False),
    "case.offer_accepted": ("case.offer_answered", False, True),
    "case.offer_declined": ("case.offer_answered", False, True),
    "case.escalated": ("case.escalated", True, True),
    "case.info_requested": ("case.info_requested", True, True),
    "case.decided": ("case.decided", True, True),
    "case.appealed": ("case.appealed", True, True),
    "case.appeal_decided": ("case.decided", True, True),
    "case.withdrawn": ("case.withdrawn", False, True),
}


def _webhook_data(case: Case, status: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case.pk, "order": case.order.external_id, "case_type": case.case_type, "status": status, **data}


def case_webhook(case: Case, event_type: str, event_id: str, **data: Any) -> None:
    """Queue the marketplace's webhook about this step of the case (in the caller's transaction)."""
    webhook_event_emit(
        marketplace_id=case.order.marketplace_id,
        event_type=event_type,
        data=_webhook_data(case, case.status, data),
        event_id=event_id,
    )


def case_thread_note(case: Case, event: str, *, actor: Actor, tell_seller: bool = True, **data: Any) -> None:
    """Add the system line about this case to the order's conversation and tell the parties (same transaction)."""
    actor_id = actor.user.pk if actor.user is not None else None
    _note_and_tell(case, event, actor_id=actor_id, tell_seller=tell_seller, status=case.status, data=data)


def _note_and_tell(
    case: Case, event: str, *, actor_id: int | None, tell_seller: bool, status: str, data: dict[str, Any]
) -> None:
    thread_system_post(order=case.order, event=event, data={"case": case.pk, **data})
    kind, to_buyer, to_seller = CASE_NOTICES[event]
    to_seller = to_seller and tell_seller
    if event == "case.info_requested":  # only the party asked
        to_buyer, to_seller = data.get("party") == Party.BUYER, data.get("party") == Party.SELLER
    case_tell(case, kind, actor_id=actor_id, to_buyer=to_buyer, to_seller=to_seller, status=status)


def case_tell(
    case: Case, kind: str, *, actor_id: int | None, to_buyer: bool, to_seller: bool, status: str | None = None
) -> None:
    """Notify the parties named (never the actor) and refresh every party's open page of the case."""
    sellers = parties_notify(
        buyer_id=case.buyer_id,
        shop_id=case.shop_id,
        actor_id=actor_id,
        to_buyer=to_buyer,
        to_seller=to_seller,
        kind=kind,
        data={"case": case.pk, "order": case.order.external_id},
        url=reverse("cases:case_detail", args=[case.pk]),
    )
    # Every party's open case page refreshes (the actor's own too: another tab may be open).
    live_publish(
        user_ids={case.buyer_id, *sellers},
        event="case.changed",
        data={"case": case.pk, "status": status or case.status},
    )


def case_fanout_put(
    case: Case,
    event: str,
    *,
    actor: Actor,
    webhook: tuple[str, str, dict[str, Any]],
    index: bool = False,
    release_offer: int | None = None,
    **note: Any,
) -> OutboxMessage:
    """Leave one outbox row that, after commit, indexes the case, sends the webhook, notes the step and tells the parties.

    An accepted offer (``release_offer``, its id) also releases the case's payout hold there, keeping its refund.

    Everything the row needs is taken now: the case's status as it is at this step, the
    webhook's data, the actor (never told) and the note's data, so what follows later in
    this transaction does not change what is said about this step.
    """
    event_type, event_id, data = webhook
    payload = {
        "case": case.pk,
        "event": event,
        "status": case.status,
        "actor": actor.user.pk if actor.user is not None else None,
        "index": index,
        "release_offer": release_offer,
        "webhook": {"type": event_type, "id": event_id, "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder))},
        "note": note,
    }
    # No dedupe key (its look-up is a query per step): each step puts its row once, in its own transaction,
    # and the row is fanned out once (see the module's docstring).
    return outbox_put(topic=FANOUT_TOPIC, payload=payload)


def _fanout(payload: dict[str, Any]) -> None:
    case = Case.objects.select_related("order").get(pk=payload["case"])
    status = payload["status"]
    if payload["index"]:
        history_index_case(case)
    if payload["event"] == "case.opened":
        case_payout_hold(case)  # money at stake, told before the opening itself
    if payload.get("release_offer") is not None:
        case_payout_release(case, offer_id=payload["release_offer"])  # told before the resolution itself
    hook = payload["webhook"]
    webhook_event_emit(
        marketplace_id=case.order.marketplace_id,
        event_type=hook["type"],
        data=_webhook_data(case, status, hook["data"]),
        event_id=hook["id"],
    )
    note = dict(payload["note"])
    tell_seller = note.pop("tell_seller", True)
    _note_and_tell(case, payload["event"], actor_id=payload["actor"], tell_seller=tell_seller, status=status, data=note)


@outbox_handler(FANOUT_TOPIC, batched=True)
def _deliver_fanout(message: OutboxMessage) -> Record:
    """Send nothing now: the fan-out is all writes, done in the record step with the row marked delivered."""
    payload = message.payload
    return lambda: _fanout(payload)
