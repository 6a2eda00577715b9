"""Template helpers of conversations: message text made safe, links clickable and marked as external."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.html import Urlizer
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import calendar_for
from marketdesk.messaging.selectors import unread_kept, unread_total
from marketdesk.messaging.services import unread_counts_ensure
from marketdesk.messaging.system import system_text
from marketdesk.web.presenters import business_wait

register = template.Library()


class _ExternalLinks(Urlizer):
    """Django's urlizer, with every link opening apart and telling search engines it is user content."""

    url_template = (
        '<a href="{href}" class="link-external" target="_blank" rel="nofollow noopener noreferrer ugc"{attrs}>{url}</a>'
    )


_urlize = _ExternalLinks()


@register.filter(needs_autoescape=False)
def message_html(body: str) -> SafeString:
    """Escape a message's text and make its links clickable (external, never trusted)."""
    # autoescape=True escapes every word and link text, as Django's own urlize filter does.
    return mark_safe(_urlize(str(body), trim_url_limit=60, nofollow=False, autoescape=True))


@register.simple_tag
def system_message(message: Any) -> str:
    """Word a system message in the reader's language."""
    return system_text(message.event, message.data)


@register.simple_tag
def owed_note(thread: Any) -> str:
    """Say since when the seller owes the buyer a reply, and for how long in business time."""
    if not thread.reply_owed_since:
        return ""
    calendar = calendar_for(thread.order.marketplace.calendar_code or None)
    since = formats.date_format(localtime(thread.reply_owed_since, calendar.tz), "D j M, H:i")
    return _("Reply owed by the seller since %(since)s (%(waited)s)") % {
        "since": since,
        "waited": business_wait(thread.reply_owed_since, calendar=calendar),
    }


@register.simple_tag(takes_context=True)
def unread_messages(context: template.Context) -> int:
    """How many messages wait unread for the signed-in buyer or seller (for the navigation).

    The person's first page (ever, or after joining a shop) counts their threads once; from then on
    the count is kept, and this reads a few rows whatever the number of threads.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.BUYER, Role.SELLER):
        return 0
    actor = Actor.for_user(user)
    # Whether their counts are kept, read once for both; read again only if the first count just made them kept.
    kept = unread_kept(actor)
    if unread_counts_ensure(actor=actor, kept=kept):
        kept = unread_kept(actor)
    return unread_total(actor, kept=kept)


@register.simple_tag
def attachments_for(page: Any, message: Any) -> list[dict[str, Any]]:
    """The attachments of one message on a conversation page (read once for the page)."""
    return page.attachments.get(message.pk, []) if page is not None else []


@register.simple_tag
def notes_for(page: Any, message: Any) -> list[Any]:
    """The notes a registered guard shows this reader beside one message (read once for the page)."""
    return page.notes.get(message.pk, []) if page is not None else []
