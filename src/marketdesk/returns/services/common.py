"""What every return service shares: who acts for the seller, the lock on order and return, notices and webhooks."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.errors import NotFound, PermissionDenied
from marketdesk.disputes.notices import parties_notify
from marketdesk.disputes.text import text_checked
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Order
from marketdesk.returns.models import Return
from marketdesk.returns.selectors import returns_for_actor

SELLER_SIDE = (Role.SELLER, Role.OPERATOR, Role.ADMIN)
WAREHOUSE = (*SELLER_SIDE, Role.MARKETPLACE)
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed without mistakes
MAX_TEXT = 4000


def _calendar(order: Order) -> WorkCalendar:
    return calendar_for(order.marketplace.calendar_code or None)


def _require_role(actor: Actor, roles: Iterable[str]) -> None:
    if actor.role not in tuple(roles):
        raise PermissionDenied()


def _text(value: str, field: str, *, required: bool = False) -> str:
    return text_checked(value, field, required=required, limit=MAX_TEXT)


def _locked(actor: Actor, ret: Return) -> tuple[Order, Return]:
    """Check the actor may see the return, lock its order then the return, and return fresh copies."""
    if not returns_for_actor(actor).filter(pk=ret.pk).exists():
        raise NotFound()
    order = Order.objects.select_for_update().select_related("marketplace").get(pk=ret.order_id)
    locked = Return.objects.select_for_update().get(pk=ret.pk)
    locked.order = order
    return order, locked


def _code() -> str:
    return "RA-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _tell(ret: Return, kind: str, *, to_buyer: bool, to_seller: bool, actor: Actor, **data: Any) -> None:
    """Notify the parties (in the transaction: the bell and the email outbox commit with the change)."""
    parties_notify(
        buyer_id=ret.buyer_id,
        shop_id=ret.shop_id,
        actor_id=actor.user.pk if actor.user is not None else None,
        to_buyer=to_buyer,
        to_seller=to_seller,
        kind=kind,
        data={"code": ret.code, "order": ret.order.external_id, **data},
        url=reverse("returns:return_detail", args=[ret.pk]),
    )


def return_event_data(ret: Return, **extra: Any) -> dict[str, Any]:
    """Return the ``data`` of a ``return.*`` webhook event (the shape is defined here only)."""
    return {
        "return_id": ret.pk,
        "code": ret.code,
        "order": ret.order.external_id,
        "status": ret.status,
        "reason": ret.reason,
        "resolution": ret.resolution,
        "lines": [{"line": rl.order_line.external_id, "quantity": rl.quantity} for rl in ret.lines.all()],
        **extra,
    }


def _webhook(ret: Return, event_type: str, **extra: Any) -> None:
    webhook_event_emit(
        marketplace_id=ret.order.marketplace_id,
        event_type=event_type,
        data=return_event_data(ret, **extra),
        event_id=f"return-{ret.pk}-{event_type.rsplit('.', 1)[-1]}",
    )


def _save(ret: Return, now: dt.datetime, *fields: str) -> None:
    ret.updated_at = now
    ret.save(update_fields=[*fields, "updated_at"])
