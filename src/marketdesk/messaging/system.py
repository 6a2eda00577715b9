"""The system messages a thread can carry, worded in the reader's language when shown.

A system message is stored as its event and parameters (never as English text), so a
Russian reader sees it in Russian whoever caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SYSTEM_MESSAGES: dict[str, Promise] = {
    "case.opened": _("The buyer opened case %(case)s: %(reason)s."),
    "case.offer_made": _("The seller answered case %(case)s: %(offer)s."),
    "case.offer_accepted": _("The buyer accepted the seller's offer on case %(case)s."),
    "case.offer_declined": _("The buyer declined the seller's offer on case %(case)s."),
    "case.escalated": _("Case %(case)s was escalated: support joined this conversation."),
    "case.info_requested": _("Support asked the %(party)s for information on case %(case)s."),
    "case.decided": _("Support decided case %(case)s: %(outcome)s."),
    "case.appealed": _("Case %(case)s was appealed."),
    "case.appeal_decided": _("Support decided the appeal on case %(case)s: %(outcome)s."),
    "case.withdrawn": _("The buyer withdrew case %(case)s."),
}


# How a parameter's stored code reads in words ("reason": "item_not_received" → "Item not received"),
# registered by the app that owns the code (cases registers its reasons, offers and outcomes).
_LABELLERS: dict[str, Callable[[str], str]] = {}


def system_label_register(key: str, labeller: Callable[[str], str]) -> None:
    """Teach system messages to word the codes stored under ``key``."""
    _LABELLERS[key] = labeller


def system_text(event: str, data: dict[str, Any]) -> str:
    """Word a system message in the active language (an unknown event reads as its name)."""
    template = SYSTEM_MESSAGES.get(event)
    if template is None:
        return event
    values = {key: _LABELLERS[key](str(value)) if key in _LABELLERS else str(value) for key, value in data.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)
