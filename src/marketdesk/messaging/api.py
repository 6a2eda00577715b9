"""REST endpoints of conversations: read an order's messages, post to it, mark it read.

For marketplaces that show the buyer–seller conversation in their own app: the
marketplace's key reads its orders' conversations and posts what its buyer
wrote there (the message is the buyer's). Signed-in buyers, sellers and support
use the same endpoints with their session.

Thin by design: posting goes through ``order_message_post``, the same service
as the web pages, so the buyer's first message counts as the contact with the
seller for buyer protection. Visibility is the selectors': another
marketplace's, buyer's or shop's order is a 404 whether it exists or not, and
support sees a conversation only once a case escalation brought it in.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja.responses import Status

from marketdesk.api.auth import READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, InvalidCursorError, KeysetPaginator
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound, PermissionDenied
from marketdesk.messaging.models import Message, Owes, Thread
from marketdesk.messaging.schemas import MessageOut, MessagePageOut, MessagePostIn, ThreadReadOut
from marketdesk.messaging.screening import messages_visible
from marketdesk.messaging.selectors import thread_of_order, threads_for_actor, with_unread
from marketdesk.messaging.services import order_message_post, thread_read
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor

router = Router(tags=["conversations"])

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=100, description="The marketplace's order number.")]

#: Support reads and writes a conversation only once a case escalation brought it in.
STAFF = (Role.OPERATOR, Role.ADMIN)

READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
}


class OldestFirst(KeysetPaginator):
    """Pages over messages in the order they were written: each page continues strictly after the last."""

    def after(self, values: Any) -> Q:
        created_at, pk = values
        return Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk)


MESSAGE_PAGES = OldestFirst(fields=("created_at", "id"))


def _thread_of(actor: Actor, external_id: str) -> Thread | None:
    """Return the order's thread as the actor sees it (None: nothing written yet), or raise NotFound."""
    threads = threads_for_actor(actor).filter(order__external_id=external_id)
    if actor.user is not None:
        threads = with_unread(threads, actor)
    thread = threads.first()
    if thread is None:
        if actor.role in STAFF:
            raise NotFound()  # support's view has no such conversation, whether the order exists or not
        order_get_for_actor(actor, external_id=external_id)  # the actor's order, yet without a message
    return thread


def _order_to_post(actor: Actor, external_id: str) -> Order:
    order = order_get_for_actor(actor, external_id=external_id)
    if actor.role in STAFF and thread_of_order(actor, order_id=order.pk) is None:
        raise NotFound()  # as on the web page: the conversation is not support's before an escalation
    return order


def _messages(actor: Actor, thread: Thread, *, after: int | None) -> QuerySet[Message]:
    messages = (
        Message.objects.filter(messages_visible(actor), thread=thread)
        .select_related("author")
        .order_by("created_at", "id")
    )
    if after is not None:
        last = Message.objects.filter(thread=thread, pk=after).values_list("created_at", "id").first()
        if last is None:
            raise InvalidCursorError(field="after")
        messages = messages.filter(MESSAGE_PAGES.after(last))
    return messages


@router.get(
    "/orders/{external_id}/messages",
    response={200: MessagePageOut, **READ_ERRORS},
    auth=READ_AUTH,
    summary="List an order's messages",
)
def message_list(
    request: HttpRequest,
    external_id: ExternalIdPath,
    after: int | None = Query(
        None, ge=1, description="Only the messages after this message id (the last one you have): for polling."
    ),
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Return the order's conversation oldest first, a page at a time, with who owes a reply.

    Poll for new messages with `after` = the id of the last message you have. Bodies are plain text exactly
    as written (a `<script>` stays those characters): escape them wherever you show them. System messages
    carry `event` and `data`, and `text` in the request's language (Accept-Language).
    """
    actor = request_actor(request)
    thread = _thread_of(actor, external_id)
    unread = None if actor.user is None else 0
    if thread is None:
        return {
            "items": [],
            "next_cursor": None,
            "order": external_id,
            "reply_owed_by": None,
            "reply_owed_since": None,
            "unread": unread,
        }
    page = MESSAGE_PAGES.paginate(_messages(actor, thread, after=after), cursor=cursor, limit=limit)
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "order": thread.order.external_id,
        "reply_owed_by": thread.reply_owed_by if thread.reply_owed_by != Owes.NOBODY else None,
        "reply_owed_since": thread.reply_owed_since,
        "unread": getattr(thread, "unread", unread),
    }


@router.post(
    "/orders/{external_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    auth=READ_AUTH,
    summary="Post a message to an order's conversation",
)
@idempotent
def message_post_view(request: HttpRequest, external_id: ExternalIdPath, payload: MessagePostIn) -> Status[Message]:
    """Post a message; the marketplace's key posts what its buyer wrote in the marketplace's own app.

    A message posted with the key is the buyer's; the buyer's first message counts as contacting the seller
    (buyer protection). Buyers and sellers may post with their session; support once a case is escalated.
    The body is plain text, kept as written: escape it wherever you show it. A repeated `client_token`
    returns the first message. Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    order = _order_to_post(actor, external_id)
    message = order_message_post(actor=actor, order=order, body=payload.body, client_token=payload.client_token)
    return Status(201, message)


@router.post(
    "/orders/{external_id}/messages/read",
    response={200: ThreadReadOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    auth=READ_AUTH,
    summary="Mark an order's conversation read",
)
def thread_read_view(request: HttpRequest, external_id: ExternalIdPath) -> dict[str, Any]:
    """Mark the conversation read up to its latest message for the signed-in caller (the other party's receipt).

    A person's read receipt: a marketplace key reads for nobody in particular and is refused (403).
    """
    actor = request_actor(request)
    if actor.user is None:
        raise PermissionDenied()
    thread = _thread_of(actor, external_id)
    read = thread_read(actor=actor, thread_id=thread.pk) if thread is not None else None
    return {
        "read_up_to": read.last_read_message_id if read is not None else None,
        "read_at": read.read_at if read is not None else None,
    }
