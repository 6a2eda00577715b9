"""Conversation pages: the inbox, one order's conversation with its composer, and sellers' quick replies.

Thin: each view reads through a selector or runs one service; a refused post
re-renders the conversation with the reason and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.attachments.services import attachment_ingest
from marketdesk.attachments.uploads import files_refused
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, DomainValidationError, NotFound
from marketdesk.core.parsing import int_or_none
from marketdesk.messaging.forms import MessageForm, QuickReplyForm
from marketdesk.messaging.models import Thread
from marketdesk.messaging.selectors import (
    inbox_for_actor,
    quick_replies_for_actor,
    thread_of_order,
    thread_page,
)
from marketdesk.messaging.services import (
    order_message_post,
    quick_reply_delete,
    quick_reply_save,
    quick_reply_used,
    thread_read,
)
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.web.permissions import actor_of, role_required

READERS = (Role.BUYER, Role.SELLER, Role.OPERATOR, Role.ADMIN)


def _order(request: HttpRequest, pk: int) -> Order:
    actor = actor_of(request)
    try:
        order = order_get_for_actor(actor, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    if actor.role in (Role.OPERATOR, Role.ADMIN) and thread_of_order(actor, order_id=order.pk) is None:
        raise Http404  # support reads a conversation only once a case brought it in
    return order


def _context(request: HttpRequest, order: Order, form: MessageForm | None = None, error: str = "") -> dict[str, Any]:
    actor = actor_of(request)
    thread = thread_of_order(actor, order_id=order.pk)
    page = thread_page(actor, thread) if thread is not None else None
    return {
        "order": order,
        "thread": thread,
        "page": page,
        "form": form or MessageForm(initial={"client_token": uuid.uuid4().hex}),
        "error": error,
        "role": actor.role,
        # The buyer's language first: the reply most likely wanted is the one they can read.
        "quick_replies": sorted(
            quick_replies_for_actor(actor).filter(shop=order.shop_id),
            key=lambda reply: reply.language != order.buyer.language,
        ),
        "can_post": actor.role in (Role.BUYER, Role.SELLER) or (thread is not None and thread.operators_joined_at),
    }


@require_GET
@role_required(*READERS, object_page=True)
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """One order's conversation between buyer and seller (and support, once a case is escalated)."""
    return render(request, "messaging/conversation.html", _context(request, _order(request, pk)))


@require_GET
@role_required(*READERS, object_page=True)
def conversation_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The message list alone, for refreshing it in place when something new arrives."""
    return render(request, "messaging/_messages.html", _context(request, _order(request, pk)))


@require_POST
@role_required(*READERS, object_page=True)
def conversation_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a message; a double submit (same form token) posts once."""
    order = _order(request, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return render(request, "messaging/conversation.html", _context(request, order, form), status=422)
    actor = actor_of(request)
    try:
        if (refused := files_refused(request)) is not None:
            raise refused  # more files than a message takes: the extra ones were never read
        # Files come uploaded one by one by the page's script (ids), or with the form when scripts are off.
        ids = [*form.cleaned_data["attachment_ids"]]
        ids += [attachment_ingest(actor=actor, upload=f).pk for f in request.FILES.getlist("files")]
        order_message_post(
            actor=actor,
            order=order,
            body=form.cleaned_data["body"],
            client_token=form.cleaned_data["client_token"],
            attachment_ids=ids,
        )
    except DomainError as exc:
        if exc.field == "body":
            form.add_error("body", str(exc.message))
        context = _context(request, order, form, error="" if exc.field == "body" else str(exc.message))
        return render(request, "messaging/conversation.html", context, status=exc.status)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "messaging/_conversation_body.html", _context(request, order))
    return redirect("messaging:conversation", pk=order.pk)


@require_POST
@role_required(*READERS, object_page=True)
def conversation_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the conversation read up to its latest message (the other party sees the receipt)."""
    actor = actor_of(request)
    thread = thread_of_order(actor, order_id=_order(request, pk).pk)
    if thread is not None:
        thread_read(actor=actor, thread_id=thread.pk)
    return HttpResponse(status=204)


@require_GET
@role_required(Role.BUYER, Role.SELLER)
def inbox(request: HttpRequest) -> HttpResponse:
    """The actor's conversations: for a seller, those owing a reply first, longest waiting first."""
    actor = actor_of(request)
    owed_only = request.GET.get("owed") == "1" and actor.role == Role.SELLER
    threads: list[Thread] = list(inbox_for_actor(actor, owed_only=owed_only)[:200])
    return render(request, "messaging/inbox.html", {"threads": threads, "role": actor.role, "owed_only": owed_only})


@require_http_methods(["GET", "POST"])
@role_required(Role.SELLER)
def quick_replies(request: HttpRequest) -> HttpResponse:
    """The seller's quick replies in English and Russian: add one, change one (``?edit=``), or delete one."""
    actor = actor_of(request)
    shop_ids = list(actor.user.memberships.values_list("shop_id", flat=True))  # type: ignore[union-attr]
    replies = quick_replies_for_actor(actor).order_by("language", "-usage_count", "title")
    editing = None
    edit_id = request.POST.get("reply") or request.GET.get("edit") or ""
    if edit_id:
        editing = replies.filter(pk=int_or_none(edit_id) or 0).first()
        if editing is None:
            raise Http404
    initial = (
        {"title": editing.title, "language": editing.language, "body": editing.body}
        if editing
        else {"language": request.LANGUAGE_CODE}
    )
    form = QuickReplyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                quick_reply_delete(
                    actor=actor, shop_id=int(request.POST.get("shop", 0)), reply_id=int(request.POST["delete"])
                )
                messages.success(request, str(_("Quick reply deleted.")))
                return redirect("messaging:quick_replies")
            if form.is_valid():
                quick_reply_save(
                    actor=actor,
                    shop_id=editing.shop_id if editing else shop_ids[0],
                    reply_id=editing.pk if editing else None,
                    **form.cleaned_data,
                )
                messages.success(request, str(_("Quick reply saved.")))
                return redirect("messaging:quick_replies")
            status = 422
        except DomainValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = 422
        except (DomainError, ValueError, IndexError) as exc:
            raise Http404 from exc
    context = {"form": form, "replies": replies, "editing": editing}
    return render(request, "messaging/quick_replies.html", context, status=status)


@require_POST
@role_required(Role.SELLER)
def quick_reply_use(request: HttpRequest, reply_id: int) -> HttpResponse:
    """Count a use of a quick reply and answer its text for the composer."""
    try:
        reply = quick_reply_used(actor=actor_of(request), reply_id=reply_id)
    except NotFound as exc:
        raise Http404 from exc
    return HttpResponse(reply.body, content_type="text/plain; charset=utf-8")
