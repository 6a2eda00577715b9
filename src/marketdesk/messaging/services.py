"""Writes of conversations: post a message, add a system line, let support join, mark as read, quick replies.

Each service is one transaction that locks the order first (CONTRIBUTING's fixed
order), then the thread. Messages are never edited or deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from marketdesk.accounts.models import ShopMembership
from marketdesk.attachments.services import attachments_claim
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from marketdesk.live.services import live_publish
from marketdesk.messaging.history_index import history_index_message
from marketdesk.messaging.models import Message, MessageKind, Owes, QuickReply, Thread, ThreadRead, UnreadCounted
from marketdesk.messaging.screening import message_screen, messages_visible
from marketdesk.messaging.selectors import (
    UnreadKept,
    thread_get_for_actor,
    threads_for_actor,
    unread_kept,
    unread_live_by_thread,
)
from marketdesk.messaging.system import SYSTEM_MESSAGES
from marketdesk.notifications.inbox import notify
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor, shop_member_ids

MAX_MESSAGE_LENGTH = 20_000  # as long as a Get help description, which becomes a message
MAX_TOKEN_LENGTH = 64
POSTERS = (Role.BUYER, Role.SELLER, Role.OPERATOR, Role.ADMIN, Role.MARKETPLACE)
STAFF = (Role.OPERATOR, Role.ADMIN)


def _thread_locked(order: Order) -> Thread:
    """Lock the order, then return its thread (created on first use), locked too."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    thread, created = Thread.objects.get_or_create(
        order=order, defaults={"buyer_id": order.buyer_id, "shop_id": order.shop_id, "created_at": clock.now()}
    )
    if created:
        _reads_open(thread)
    return Thread.objects.select_for_update().get(pk=thread.pk)


def _reads_open(thread: Thread) -> None:
    """Give each party of a new thread (its buyer, every member of its shop) the row that keeps their unread count."""
    people = {thread.buyer_id, *ShopMembership.objects.filter(shop_id=thread.shop_id).values_list("user_id", flat=True)}
    ThreadRead.objects.bulk_create(
        [ThreadRead(thread=thread, user_id=user_id, read_at=thread.created_at) for user_id in sorted(people)],
        ignore_conflicts=True,
    )


def _unread_change(thread: Thread, message: Message, *, by: int) -> None:
    """A message became visible (``by=1``) or was taken back (``by=-1``): count it for whoever has not read past it.

    Everyone's row but its author's (the thread is locked: a read or a first count waits).
    """
    rows = ThreadRead.objects.filter(thread=thread, last_read_message_id__lt=message.pk)
    if message.author_id is not None:
        rows = rows.exclude(user_id=message.author_id)
    if by < 0:
        rows = rows.filter(unread__gt=0)
    rows.update(unread=F("unread") + by)


def _body(value: str, *, optional: bool = False) -> str:
    body = (value or "").strip()
    if not body and not optional:
        raise DomainValidationError(_("Write a message."), field="body")
    if "\x00" in body:  # PostgreSQL cannot store it; no person types it
        raise DomainValidationError(_("The text contains a NUL character; remove it."), field="body")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise DomainValidationError(
            _("A message can be at most %(limit)s characters; this one has %(length)s.")
            % {"limit": f"{MAX_MESSAGE_LENGTH:,}", "length": f"{len(body):,}"},
            field="body",
        )
    return body


def _author_role(actor: Actor) -> str:
    # The marketplace posts what its buyer wrote in the marketplace's own app.
    return Role.BUYER if actor.role == Role.MARKETPLACE else actor.role


class OrderMessageListener(Protocol):
    """Told of each message posted to an order's conversation, inside the posting's transaction."""

    def __call__(self, *, actor: Actor, order: Order, message: Message) -> None: ...


# Apps above messaging that must hear of a party's message (cases: the buyer's contact with the seller,
# the seller's first reply) register here in their AppConfig.ready(), as attachments.access.register_reader.
_ORDER_MESSAGE_LISTENERS: list[OrderMessageListener] = []


def register_order_message_listener(listener: OrderMessageListener) -> OrderMessageListener:
    """Have ``listener`` told of every message posted through ``order_message_post`` (once per listener)."""
    if listener not in _ORDER_MESSAGE_LISTENERS:
        _ORDER_MESSAGE_LISTENERS.append(listener)
    return listener


def order_message_post(
    *, actor: Actor, order: Order, body: str, client_token: str = "", attachment_ids: Sequence[int] = ()
) -> Message:
    """Post to the order's conversation: the buyer's first message is the contact with the seller, whose first reply is noted."""
    with transaction.atomic():
        message = message_post(
            actor=actor, order=order, body=body, client_token=client_token, attachment_ids=attachment_ids
        )
        for listener in _ORDER_MESSAGE_LISTENERS:
            listener(actor=actor, order=order, message=message)
        return message


def message_post(
    *, actor: Actor, order: Order, body: str, client_token: str = "", attachment_ids: Sequence[int] = ()
) -> Message:
    """Post a party's (or support's) message to the order's thread; a repeated client token posts once."""
    if actor.role not in POSTERS:
        raise PermissionDenied()
    order = order_get_for_actor(actor, pk=order.pk, details=False)
    body = _body(body, optional=bool(attachment_ids))
    client_token = (client_token or "")[:MAX_TOKEN_LENGTH]
    author = actor.user if actor.role != Role.MARKETPLACE else order.buyer
    with transaction.atomic():
        thread = _thread_locked(order)
        if actor.role in STAFF and thread.operators_joined_at is None:
            raise PermissionDenied(_("Support joins this conversation when a case is escalated."))
        if client_token:
            earlier = Message.objects.filter(thread=thread, author=author, client_token=client_token).first()
            if earlier is not None:
                return earlier
        now = clock.now()
        role = _author_role(actor)
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    thread=thread,
                    author=author,
                    author_role=role,
                    body=body,
                    created_at=now,
                    client_token=client_token,
                )
        except IntegrityError:
            return Message.objects.get(thread=thread, author=author, client_token=client_token)
        if attachment_ids:
            # Only the poster's own, unattached uploads, within the policy's count (else nothing is posted).
            attachments_claim(actor=actor, ids=attachment_ids, owner=message)
        thread.last_message_at = now
        # A registered guard (message safety) may hold the message back until support releases it:
        # then only its author (and support) see it, and nobody is told of it yet.
        if not message_screen(message=message, order=order):
            thread.save(update_fields=["last_message_at"])
            if author is not None:
                _live(thread, "message.posted", message, parties={author.pk})
            return message
        _owed_update(thread, role=role, now=now)
        thread.save(update_fields=["last_message_at", "reply_owed_by", "reply_owed_since"])
        if author is not None:
            _read_past_own(thread, user_id=author.pk, message_id=message.pk, now=now)
        _deliver(thread, message, order=order)
        return message


def message_deliver(*, message: Message) -> Message:
    """Deliver a message that was held back (released by support): index, webhook, notifications, live."""
    with transaction.atomic():
        thread = _thread_locked(message.thread.order)
        _deliver(thread, message, order=thread.order)
    return message


def message_withdraw(*, message: Message) -> Message:
    """Take back a delivered message (support blocked it): it no longer waits unread for anyone."""
    with transaction.atomic():
        thread = _thread_locked(message.thread.order)
        _unread_change(thread, message, by=-1)
    return message


def _deliver(thread: Thread, message: Message, *, order: Order) -> None:
    """Tell everyone who should know of a message now delivered (inside the caller's transaction)."""
    _unread_change(thread, message, by=1)
    history_index_message(message)
    # The body goes with the event: the marketplace is the platform both parties use, already reads
    # every message of its orders through the API, and needs the text to show or announce it in its
    # own app. (PRODUCT's "never a message body in an email to anyone but its parties" is about mail
    # to people.) Only people's messages are sent: a system line repeats a case's change, which has
    # its own event (case.opened, case.decided …); thread_system_post therefore emits nothing.
    webhook_event_emit(
        marketplace_id=order.marketplace_id,
        event_type="message.posted",
        data={
            "order": order.external_id,
            "message_id": message.pk,
            "author_role": message.author_role,
            "body": message.body,
            "created_at": message.created_at,
        },
        event_id=f"message-{message.pk}",
    )
    parties = _parties(thread)
    _notify_parties(thread, message, order=order, parties=parties)
    _live(thread, "message.posted", message, parties=parties)


def _parties(thread: Thread) -> set[int]:
    """Return the people of a thread: its buyer and everyone acting for its shop."""
    return {thread.buyer_id, *shop_member_ids(thread.shop_id)}


def _notify_parties(thread: Thread, message: Message, *, order: Order, parties: set[int]) -> None:
    """Tell the other party (both, when support writes); the text goes only to the message's parties."""
    recipients = parties - {message.author_id}
    if message.author_role == Role.BUYER:
        recipients.discard(thread.buyer_id)
    elif message.author_role == Role.SELLER:
        recipients = {thread.buyer_id}
    author = message.author.name if message.author is not None else ""
    notify(
        user_ids=recipients,
        kind="message.posted",
        data={"author": author, "order": order.external_id},
        url=reverse("messaging:conversation", args=[order.pk]),
        message_body=message.body,
    )


def _live(thread: Thread, event: str, message: Message, *, parties: set[int]) -> None:
    """Push the news to the parties' open pages after commit (ids only: each page re-reads through its view)."""
    live_publish(user_ids=parties, event=event, data={"order": thread.order_id, "message": message.pk})


def _owed_update(thread: Thread, *, role: str, now: Any) -> None:
    """The buyer's message puts the seller in their debt (from the first unanswered one); the seller's clears it."""
    if role == Role.BUYER:
        if thread.reply_owed_by != Owes.SELLER:
            thread.reply_owed_by = Owes.SELLER
            thread.reply_owed_since = now
    elif role == Role.SELLER:
        thread.reply_owed_by = Owes.NOBODY
        thread.reply_owed_since = None


def thread_system_post(*, order: Order, event: str, data: dict[str, Any]) -> Message:
    """Add a system line about the order or its case to the thread (inside the caller's transaction)."""
    if event not in SYSTEM_MESSAGES:
        raise ValueError(f"unknown system message {event!r}")
    thread = _thread_locked(order)
    now = clock.now()
    message = Message.objects.create(
        thread=thread, kind=MessageKind.SYSTEM, author_role=Role.SYSTEM, event=event, data=data, created_at=now
    )
    thread.last_message_at = now
    thread.save(update_fields=["last_message_at"])
    _unread_change(thread, message, by=1)
    _live(thread, "message.posted", message, parties=_parties(thread))
    return message


def thread_operators_join(*, order: Order) -> Thread:
    """Let support into the order's thread (when a case is escalated); both parties see that they joined."""
    thread = _thread_locked(order)
    if thread.operators_joined_at is None:
        thread.operators_joined_at = clock.now()
        thread.save(update_fields=["operators_joined_at"])
    return thread


def _read_to(thread: Thread, *, user_id: int, message_id: int, now: Any, reader: Actor | None = None) -> ThreadRead:
    """Move the person's read mark up to ``message_id``; a ``reader`` also has their unread count taken anew.

    Without one (the author past their own new message) the count stays: nothing of others lies between.
    """
    read, created = ThreadRead.objects.get_or_create(
        thread=thread, user_id=user_id, defaults={"last_read_message_id": message_id, "read_at": now}
    )
    if not created and message_id <= read.last_read_message_id:
        return read
    read.last_read_message_id = message_id
    read.read_at = now
    fields = ["last_read_message_id", "read_at"]
    if reader is not None:
        # Exact, whatever happened meanwhile: what the reader may see of others' after the new mark.
        later = Message.objects.filter(messages_visible(reader), thread=thread, id__gt=message_id)
        read.unread = later.exclude(author_id=user_id).count()
        fields.append("unread")
    if not created or reader is not None:
        read.save(update_fields=fields)
    return read


def _read_past_own(thread: Thread, *, user_id: int, message_id: int, now: Any) -> None:
    """Move the author's read mark past their own new message only if nothing of others waited unread before it.

    Posting is not reading: a message sent from another page (Get help, the API) must not mark the
    other party's earlier messages read, nor show them a "Seen" they have not earned.
    """
    read = ThreadRead.objects.filter(thread=thread, user_id=user_id).first()
    up_to = read.last_read_message_id if read is not None else 0
    unread = Message.objects.filter(thread=thread, id__gt=up_to, id__lt=message_id).exclude(author_id=user_id)
    if not unread.exists():
        _read_to(thread, user_id=user_id, message_id=message_id, now=now)


def thread_read(*, actor: Actor, thread_id: int) -> ThreadRead | None:
    """Mark the thread read up to its latest message for the actor (a read receipt for the other party)."""
    if actor.user is None:
        raise PermissionDenied()
    thread = thread_get_for_actor(actor, pk=thread_id)
    last = Message.objects.filter(thread=thread).order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return None
    with transaction.atomic():
        thread = _thread_locked(thread.order)  # every change of an unread count holds the thread
        read = _read_to(thread, user_id=actor.user.pk, message_id=last, now=clock.now(), reader=actor)
        # The other party's open page shows "Seen".
        others = _parties(thread) - {actor.user.pk}
        live_publish(user_ids=others, event="message.read", data={"order": thread.order_id, "message": last})
        return read


def unread_counts_ensure(*, actor: Actor, kept: UnreadKept | None = None) -> int:
    """Count once, and keep from now on, the person's unread messages in threads whose counts are not kept yet.

    A buyer's threads before the counts existed, a seller's shop they joined after its conversations
    began (or before the counts existed): each is counted live once, in one transaction, with its
    threads locked so no message slips between the count and the rows. Return how many scopes were counted.
    Nothing is written while there is nothing to count, so a person's first pages cost no more than the rest.
    """
    if actor.user is None or actor.role not in (Role.BUYER, Role.SELLER):
        return 0
    kept = kept or unread_kept(actor)  # the caller's, if it read it already (the badge reads it once a page)
    if kept.kept and not kept.live_shop_ids:
        return 0
    pending = threads_for_actor(actor)
    if kept.live_shop_ids:
        pending = pending.filter(shop_id__in=kept.live_shop_ids)
    if not pending.exists():
        return 0  # nothing to count (and nothing written): a thread to come keeps their count from its start
    user = actor.user
    counted = 0
    with transaction.atomic():
        scopes: list[tuple[ShopMembership | None, QuerySet[Thread]]]
        if actor.role == Role.BUYER:
            scopes = [(None, threads_for_actor(actor))]
        else:
            members = user.memberships.filter(shop_id__in=kept.live_shop_ids)
            scopes = [(m, threads_for_actor(actor).filter(shop_id=m.shop_id)) for m in members]
        for membership, threads in scopes:
            _mark, created = UnreadCounted.objects.get_or_create(user=user, membership=membership)
            if created:  # else another request of theirs counted it a moment ago
                _unread_count(actor, threads)
                counted += 1
    return counted


def unread_counts_ensure_all() -> int:
    """Count everyone whose counts are not kept yet and who has threads (after an upgrade, so no first page waits).

    One person at a time, each in their own transaction (``unread_counts_ensure``); return how many scopes were counted.
    """
    buyers = Thread.objects.exclude(
        buyer__in=UnreadCounted.objects.filter(membership=None).values("user_id")
    ).values_list("buyer_id", flat=True)
    members = ShopMembership.objects.filter(unread_counted__isnull=True, shop__threads__isnull=False)
    people = {*buyers.distinct(), *members.values_list("user_id", flat=True).distinct()}
    users = get_user_model().objects.filter(pk__in=people, role__in=(Role.BUYER, Role.SELLER)).order_by("pk")
    return sum(unread_counts_ensure(actor=Actor.for_user(user)) for user in users.iterator())


def _unread_count(actor: Actor, threads: QuerySet[Thread]) -> None:
    list(threads.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    now = clock.now()
    ThreadRead.objects.bulk_create(
        [
            ThreadRead(thread_id=thread_id, user=actor.user, unread=unread, read_at=now)
            for thread_id, unread in unread_live_by_thread(actor, threads).items()
        ],
        update_conflicts=True,
        unique_fields=["thread", "user"],
        update_fields=["unread"],
        batch_size=500,
    )


# Quick replies


def _own_shop_id(actor: Actor, shop_id: int) -> int:
    if actor.role != Role.SELLER or actor.user is None:
        raise PermissionDenied()
    if not actor.user.memberships.filter(shop_id=shop_id).exists():
        raise NotFound()
    return shop_id


def quick_reply_save(
    *, actor: Actor, shop_id: int, title: str, body: str, language: str = "en", reply_id: int | None = None
) -> QuickReply:
    """Create or change one of the shop's quick replies, in English or Russian."""
    shop_id = _own_shop_id(actor, shop_id)
    title = (title or "").strip()
    if not title:
        raise DomainValidationError(_("Give the reply a short title."), field="title")
    if language not in dict(settings.LANGUAGES):
        raise DomainValidationError(_("Choose a language."), field="language")
    body = _body(body)
    with transaction.atomic():
        if reply_id is None:
            return QuickReply.objects.create(
                shop_id=shop_id, title=title[:80], body=body, language=language, created_at=clock.now()
            )
        reply = QuickReply.objects.select_for_update().filter(pk=reply_id, shop_id=shop_id).first()
        if reply is None:
            raise NotFound()
        reply.title, reply.body, reply.language = title[:80], body, language
        reply.save(update_fields=["title", "body", "language"])
        return reply


def quick_reply_delete(*, actor: Actor, shop_id: int, reply_id: int) -> None:
    """Delete one of the shop's quick replies."""
    shop_id = _own_shop_id(actor, shop_id)
    deleted, _rows = QuickReply.objects.filter(pk=reply_id, shop_id=shop_id).delete()
    if not deleted:
        raise NotFound()


def quick_reply_used(*, actor: Actor, reply_id: int) -> QuickReply:
    """Count one use of a quick reply (the seller inserted it into a message)."""
    if actor.role != Role.SELLER or actor.user is None:
        raise PermissionDenied()
    reply = QuickReply.objects.filter(pk=reply_id, shop__memberships__user=actor.user).first()
    if reply is None:
        raise NotFound()
    QuickReply.objects.filter(pk=reply.pk).update(usage_count=F("usage_count") + 1)
    reply.refresh_from_db(fields=["usage_count"])
    return reply
