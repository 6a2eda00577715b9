"""Reads of conversations, always scoped to the actor who asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.selectors import attachments_of_many
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound
from marketdesk.messaging.models import Message, Owes, QuickReply, Thread, ThreadRead, UnreadCounted
from marketdesk.messaging.screening import Note, message_notes, messages_visible
from marketdesk.orders.selectors import scope_to_actor


def threads_for_actor(actor: Actor) -> QuerySet[Thread]:
    """Return the threads this actor may see (support: only where a case brought it in)."""
    qs = scope_to_actor(
        Thread.objects.select_related("order__marketplace", "shop", "buyer"), actor, order_path="order__"
    )
    if actor.role in (Role.OPERATOR, Role.ADMIN):
        qs = qs.filter(operators_joined_at__isnull=False)
    return qs


def thread_get_for_actor(actor: Actor, *, pk: int) -> Thread:
    """Return one thread the actor may see, or raise NotFound."""
    thread = threads_for_actor(actor).filter(pk=pk).first()
    if thread is None:
        raise NotFound()
    return thread


def thread_of_order(actor: Actor, *, order_id: int) -> Thread | None:
    """Return the order's thread if it exists and the actor may see it."""
    return threads_for_actor(actor).filter(order_id=order_id).first()


def _last_read(actor: Actor) -> Subquery:
    user_id = actor.user.pk if actor.user is not None else 0
    return Subquery(
        ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user_id).values("last_read_message_id")[:1],
        output_field=IntegerField(),
    )


def _unread_live(actor: Actor) -> Coalesce:
    """Count, per thread, the messages of others after the actor's read mark that the actor may see (needs ``my_last_read``)."""
    user_id = actor.user.pk if actor.user is not None else 0
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), id__gt=Coalesce(OuterRef("my_last_read"), Value(0)))
        .filter(messages_visible(actor))
        .exclude(author_id=user_id)
        .order_by()
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class UnreadKept:
    """Whether the actor's unread counts are kept on their ``ThreadRead`` rows, and which shops' are not yet."""

    kept: bool  # False: not a party (support counts live), or a buyer whose threads are not counted yet
    live_shop_ids: tuple[int, ...] = ()  # a seller's shops whose threads are not counted yet


def unread_kept(actor: Actor) -> UnreadKept:
    """Return where the actor's unread counts can be read off their rows (one small query for a party)."""
    if actor.user is None:
        return UnreadKept(kept=False)
    if actor.role == Role.BUYER:
        return UnreadKept(kept=UnreadCounted.objects.filter(user=actor.user, membership=None).exists())
    if actor.role == Role.SELLER:
        live = actor.user.memberships.filter(unread_counted__isnull=True).values_list("shop_id", flat=True)
        return UnreadKept(kept=True, live_shop_ids=tuple(live))
    return UnreadKept(kept=False)


def with_unread(qs: QuerySet[Thread], actor: Actor) -> QuerySet[Thread]:
    """Annotate each thread with how many messages of others the actor has not read (kept on their row where counted)."""
    kept = unread_kept(actor)
    if not kept.kept:
        return _with_unread_live(qs, actor)
    user_id = actor.user.pk if actor.user is not None else 0
    row = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user_id).values("unread")[:1]
    unread: Any = Coalesce(Subquery(row, output_field=IntegerField()), Value(0))
    if kept.live_shop_ids:
        qs = qs.annotate(my_last_read=_last_read(actor))
        unread = Case(When(shop_id__in=kept.live_shop_ids, then=_unread_live(actor)), default=unread)
    return qs.annotate(unread=unread)


def inbox_for_actor(actor: Actor, *, owed_only: bool = False) -> QuerySet[Thread]:
    """Return the actor's conversations: for a seller, those owing the buyer a reply first, longest waiting first."""
    qs = with_unread(threads_for_actor(actor).filter(last_message_at__isnull=False), actor)
    if actor.role == Role.SELLER:
        if owed_only:
            qs = qs.filter(reply_owed_by=Owes.SELLER)
        far = Value(None, output_field=DateTimeField())
        return qs.annotate(
            owed_first=Coalesce(
                Subquery(
                    Thread.objects.filter(pk=OuterRef("pk"), reply_owed_by=Owes.SELLER).values("reply_owed_since")[:1]
                ),
                far,
            )
        ).order_by(F("owed_first").asc(nulls_last=True), "-last_message_at", "-id")
    return qs.order_by("-last_message_at", "-id")


def unread_total(actor: Actor, *, kept: UnreadKept | None = None) -> int:
    """Return how many messages of others wait unread in all of the actor's threads.

    A party's counts are kept on their rows: the sum of the few with something unread (off the
    (user, unread) index), whatever the number of threads; threads not counted yet are counted live.
    """
    if actor.user is None:
        return 0
    kept = kept or unread_kept(actor)  # the caller's, if it read it already
    if not kept.kept:
        return _unread_live_total(threads_for_actor(actor), actor)
    rows = scope_to_actor(ThreadRead.objects.filter(user=actor.user, unread__gt=0), actor, order_path="thread__order__")
    if not kept.live_shop_ids:
        return _sum_unread(rows)
    live = threads_for_actor(actor).filter(shop_id__in=kept.live_shop_ids)
    return _sum_unread(rows.exclude(thread__shop_id__in=kept.live_shop_ids)) + _unread_live_total(live, actor)


def _sum_unread(qs: QuerySet[Any]) -> int:
    return int(qs.aggregate(total=Coalesce(Sum("unread"), Value(0)))["total"])


def _with_unread_live(threads: QuerySet[Thread], actor: Actor) -> QuerySet[Thread]:
    return threads.annotate(my_last_read=_last_read(actor)).annotate(unread=_unread_live(actor))


def _unread_live_total(threads: QuerySet[Thread], actor: Actor) -> int:
    return _sum_unread(_with_unread_live(threads.select_related(None), actor))


def unread_live_by_thread(actor: Actor, threads: QuerySet[Thread]) -> dict[int, int]:
    """Return the live count of each given thread's unread messages for the actor (to count them once)."""
    counted: QuerySet[Any] = _with_unread_live(threads.select_related(None), actor)
    return dict(counted.order_by().values_list("pk", "unread"))


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    messages: list[Message]
    other_read_up_to: int
    attachments: dict[int, list[dict[str, Any]]]
    notes: dict[int, list[Note]]


def message_attachment_readable(actor: Actor, attachment: Any) -> bool:
    """Whether the actor may read an attachment of a message: exactly who may read its thread."""
    return Message.objects.filter(pk=attachment.owner_id, thread__in=threads_for_actor(actor)).exists()


def thread_page(actor: Actor, thread: Thread) -> ThreadPage:
    """Return the messages of a thread the actor may see, and how far the other party has read."""
    messages = list(Message.objects.filter(messages_visible(actor), thread=thread).select_related("author"))
    user_id = actor.user.pk if actor.user is not None else 0
    if actor.role == Role.BUYER:
        others = Q(user__memberships__shop=thread.shop_id)
    elif actor.role == Role.SELLER:
        others = Q(user_id=thread.buyer_id)
    else:
        others = ~Q(user_id=user_id)
    read = ThreadRead.objects.filter(others, thread=thread).exclude(user_id=user_id)
    other_read_up_to = max((r.last_read_message_id for r in read), default=0)
    attachments = {
        owner_id: [attachment_view(a) for a in items] for owner_id, items in attachments_of_many(messages).items()
    }
    return ThreadPage(
        thread=thread,
        messages=messages,
        other_read_up_to=other_read_up_to,
        attachments=attachments,
        notes=message_notes(actor, messages),
    )


def quick_replies_for_actor(actor: Actor) -> QuerySet[QuickReply]:
    """Return the quick replies of the seller's shops (nobody else has any)."""
    if actor.role != Role.SELLER or actor.user is None:
        return QuickReply.objects.none()
    return QuickReply.objects.filter(shop__memberships__user=actor.user)
