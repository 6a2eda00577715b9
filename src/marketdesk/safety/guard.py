"""Message safety as messaging's guard: flag on posting, hide what is held or blocked, note for each reader.

Who sees what: support sees every flag (a red note with what was found and the review link); the
author of a held or blocked message is told it is under review or was not delivered; the buyer sees
the warning under a message delivered with one (whoever wrote it). The other party never learns of a
flag: a held message simply does not exist for them until it is released.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from marketdesk.core.actors import Actor, Role
from marketdesk.messaging.models import Message
from marketdesk.messaging.screening import Note, NoteAction
from marketdesk.orders.models import Order
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.selectors import flags_of_messages
from marketdesk.safety.services import message_flag_screen
from marketdesk.safety.states import STAFF, FlagKind, FlagStatus

NOT_DELIVERED = (FlagStatus.HELD, FlagStatus.BLOCKED)
DELIVERED = (FlagStatus.WARNED, FlagStatus.RELEASED)


def buyer_warning() -> str:
    """Return the warning a buyer sees under a message that tries to take payment or contact off the platform."""
    return _(
        "Only payments made on the platform are protected. Never pay by card transfer or in a messenger: "
        "money sent outside the platform cannot be refunded."
    )


def _staff_note(flag: MessageFlag) -> Note:
    text = _("Flagged: %(kind)s (%(reasons)s) · %(status)s") % {
        "kind": FlagKind(flag.kind).label,
        "reasons": ", ".join(flag.reason_words),
        "status": FlagStatus(flag.status).label,
    }
    actions: tuple[NoteAction, ...] = ()
    if flag.status in (FlagStatus.HELD, FlagStatus.WARNED):
        release = _("Release: deliver it") if flag.status == FlagStatus.HELD else _("Release: it is fine")
        actions = (
            NoteAction(label=release, url=reverse("safety:release", args=[flag.pk])),
            NoteAction(label=_("Block"), url=reverse("safety:block", args=[flag.pk]), primary=True),
        )
    return Note(text=text, tone="flag", url=reverse("safety:flag", args=[flag.pk]), actions=actions)


class SafetyGuard:
    """The guard registered with messaging (see ``messaging.screening``)."""

    def screen(self, *, message: Message, order: Order) -> bool:
        flag = message_flag_screen(message=message, order=order)
        return flag is None or flag.status != FlagStatus.HELD

    def hidden(self, actor: Actor) -> Q:
        if actor.role in STAFF:
            return Q(pk__in=[])
        hidden = Q(safety_flag__status__in=NOT_DELIVERED)
        return hidden & ~Q(author_id=actor.user.pk) if actor.user is not None else hidden

    def notes(self, actor: Actor, messages: Sequence[Message]) -> dict[int, list[Note]]:
        flags = flags_of_messages([m.pk for m in messages if m.author_role in (Role.BUYER, Role.SELLER)])
        notes: dict[int, list[Note]] = {}
        user_id = actor.user.pk if actor.user is not None else None
        authors = {m.pk: m.author_id for m in messages}
        for message_id, flag in flags.items():
            if actor.role in STAFF:
                notes[message_id] = [_staff_note(flag)]
            elif flag.status == FlagStatus.HELD and authors[message_id] == user_id:
                text = _("Under review: support checks messages about paying or talking outside the platform.")
                notes[message_id] = [Note(text=text)]
            elif flag.status == FlagStatus.BLOCKED and authors[message_id] == user_id:
                notes[message_id] = [Note(text=_("Not delivered: support blocked this message."))]
            elif flag.status in DELIVERED and actor.role == Role.BUYER:
                notes[message_id] = [Note(text=buyer_warning(), tone="warning")]
        return notes
