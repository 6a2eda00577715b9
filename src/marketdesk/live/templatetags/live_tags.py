"""Template helpers of live updates."""

from __future__ import annotations

from django import template

from marketdesk.core import clock

register = template.Library()


@register.simple_tag
def live_since() -> int:
    """Return the render time in Unix seconds: the page's first stream starts from it."""
    return int(clock.now().timestamp())
