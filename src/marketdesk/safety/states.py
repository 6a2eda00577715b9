"""A flagged message's review: held or delivered with a warning, then released or blocked by support."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.models import Audience
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class FlagStatus(models.TextChoices):
    HELD = "held", _("Held for review")
    WARNED = "warned", _("Delivered with a warning")
    RELEASED = "released", _("Released")
    BLOCKED = "blocked", _("Blocked")


class FlagAction(models.TextChoices):
    """What the policy does with a flagged message; blank in a marketplace's setting: as the policy says."""

    HOLD = "hold", _("Hold for review")
    WARN = "warn", _("Deliver with a warning")


class FlagKind(models.TextChoices):
    PAYMENT = "payment", _("Payment off the platform")
    CONTACT = "contact", _("Contact off the platform")


#: What a pattern (or the model) found, in words for support.
REASON_LABELS = {
    "phone": _("phone number"),
    "email": _("email address"),
    "messenger": _("messenger"),
    "handle": _("handle or link"),
    "card": _("card number"),
    "payment": _("payment off the platform"),
    "contact": _("invitation to talk elsewhere"),
    "model": _("wording (model)"),
}

STAFF = (Role.OPERATOR, Role.ADMIN)
# Operators only: the parties never learn that a message was flagged, only what the policy shows them.
FLAG_RELEASED = status_event("message_flag.released", Audience.INTERNAL)
FLAG_BLOCKED = status_event("message_flag.blocked", Audience.INTERNAL)

TRANSITIONS = TransitionTable(
    FlagStatus,
    (
        Move(FlagStatus.HELD, FlagStatus.RELEASED, STAFF, FLAG_RELEASED.name),
        Move(FlagStatus.HELD, FlagStatus.BLOCKED, STAFF, FLAG_BLOCKED.name),
        Move(FlagStatus.WARNED, FlagStatus.RELEASED, STAFF, FLAG_RELEASED.name),
        Move(FlagStatus.WARNED, FlagStatus.BLOCKED, STAFF, FLAG_BLOCKED.name),
    ),
)
