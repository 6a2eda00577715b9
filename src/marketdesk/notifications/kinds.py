"""The kinds of notification, each worded once for the bell and the email, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise  # for the preferences page
    text: Promise  # one line, %(name)s parameters from the notification's data


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("message.posted", _("New messages"), _("New message from %(author)s about order %(order)s")),
        Kind("case.opened", _("Cases opened"), _("A case was opened on order %(order)s")),
        Kind("case.offer_made", _("Seller's answers"), _("The seller answered case %(case)s")),
        Kind("case.offer_answered", _("Answers to offers"), _("The buyer answered your offer on case %(case)s")),
        Kind("case.escalated", _("Escalations"), _("Case %(case)s was escalated to the platform")),
        Kind("case.info_requested", _("Questions from support"), _("Support asked a question on case %(case)s")),
        Kind("case.decided", _("Decisions"), _("Case %(case)s was decided")),
        Kind("case.appealed", _("Appeals"), _("Case %(case)s was appealed")),
        Kind("case.withdrawn", _("Withdrawn cases"), _("Case %(case)s was withdrawn")),
    )
}


def notification_text(kind: str, data: dict[str, Any]) -> str:
    """Word a notification in the active language (an unknown kind reads as its code)."""
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    try:
        return str(spec.text) % {key: str(value) for key, value in data.items()}
    except (KeyError, TypeError, ValueError):
        return str(spec.label)
