"""Template helpers of notifications: the bell in the top bar and each notification's line."""

from __future__ import annotations

from typing import Any

from django import template

from marketdesk.core.actors import Actor
from marketdesk.notifications.inbox import notifications_unread_count
from marketdesk.notifications.kinds import notification_text

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def bell(context: template.Context) -> dict[str, Any]:
    """The bell with the signed-in person's unread count."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"count": 0}
    return {"count": notifications_unread_count(Actor.for_user(user))}


@register.simple_tag
def notification_line(note: Any) -> str:
    """Word a notification in the reader's language."""
    return notification_text(note.kind, note.data)
