"""Template helpers of the console."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """Return ``mapping[key]`` (a dict keyed by a loop variable)."""
    return mapping.get(key, "")
