"""Reads of message safety, scoped to the actor: only support sees flags, only of its marketplaces."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.states import STAFF, FlagStatus

PAGE_SIZE = 25
OPEN = (FlagStatus.HELD, FlagStatus.WARNED)


def flags_for_actor(actor: Actor) -> QuerySet[MessageFlag]:
    """Return the flags the actor may see: support's, of its marketplace; nobody else's."""
    if actor.role not in STAFF:
        return MessageFlag.objects.none()
    qs = MessageFlag.objects.select_related("message__author", "order__shop", "order__buyer")
    # The flag holds its marketplace: support's scope is read from it, without joining the order.
    return scope_to_actor(qs, actor, order_path="order__", shop_path="")


def flag_get_for_actor(actor: Actor, *, pk: int) -> MessageFlag:
    """Return one flag the actor may see, or raise NotFound."""
    flag = flags_for_actor(actor).filter(pk=pk).first()
    if flag is None:
        raise NotFound()
    return flag


def flags_page(
    actor: Actor, *, statuses: tuple[str, ...] = OPEN, before: tuple[dt.datetime, int] | None = None
) -> tuple[list[MessageFlag], tuple[dt.datetime, int] | None]:
    """Return a page of flags, newest first, after a keyset cursor (created_at, id); and the next cursor."""
    qs = flags_for_actor(actor).filter(status__in=statuses).order_by("-created_at", "-id")
    if before is not None:
        at, pk = before
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    rows = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, ((rows[-1].created_at, rows[-1].pk) if more else None)


def flags_of_messages(message_ids: list[int]) -> dict[int, MessageFlag]:
    """Return the flags of messages already read through the actor's scope, by message id (for the notes)."""
    if not message_ids:
        return {}
    return {f.message_id: f for f in MessageFlag.objects.filter(message_id__in=message_ids)}
