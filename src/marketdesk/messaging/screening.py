"""The hook through which an upper app (message safety) screens messages, hides them and notes on them.

Messaging knows no such app: one guard registers at start-up (``register_guard``), and messaging asks
it when a person's message is posted (deliver it now, or hold it back), which messages an actor may not
see, and which notes to show beside the messages a page lists. With no guard registered, every message
is delivered, none hidden, none noted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.db.models import Q

from marketdesk.core.actors import Actor

if TYPE_CHECKING:
    from marketdesk.messaging.models import Message
    from marketdesk.orders.models import Order


@dataclass(frozen=True, slots=True)
class NoteAction:
    """A button under a note: it posts to ``url`` (a page that shows it passes ``next`` to come back)."""

    label: str
    url: str
    primary: bool = False


@dataclass(frozen=True, slots=True)
class Note:
    """A line shown under a message to one reader; ``tone`` is ``warning``, ``flag`` or ``info``."""

    text: str
    tone: str = "info"
    url: str = ""
    actions: tuple[NoteAction, ...] = ()


class Guard(Protocol):
    def screen(self, *, message: Message, order: Order) -> bool:
        """Return whether the new message goes to the other party now (False: held back)."""

    def hidden(self, actor: Actor) -> Q:
        """Return the messages the actor may not see (``Q(pk__in=[])`` for none)."""

    def notes(self, actor: Actor, messages: Sequence[Message]) -> dict[int, list[Note]]:
        """Return the notes to show the actor beside each listed message, by message id."""


_GUARDS: list[Guard] = []


def register_guard(guard: Guard) -> None:
    """Register a guard (once per process, from an ``AppConfig.ready()``)."""
    if any(type(g) is type(guard) for g in _GUARDS):
        return
    _GUARDS.append(guard)


def message_screen(*, message: Message, order: Order) -> bool:
    """Return whether the message is delivered now: every guard must agree (and every guard sees it)."""
    delivered = True
    for guard in _GUARDS:
        delivered = guard.screen(message=message, order=order) and delivered
    return delivered


def messages_visible(actor: Actor) -> Q:
    """Return the filter keeping only the messages the actor may see."""
    q = Q()
    for guard in _GUARDS:
        q &= ~guard.hidden(actor)
    return q


def message_notes(actor: Actor, messages: Sequence[Message]) -> dict[int, list[Note]]:
    """Return every guard's notes for the actor, by message id."""
    notes: dict[int, list[Note]] = {}
    for guard in _GUARDS:
        for message_id, items in guard.notes(actor, messages).items():
            notes.setdefault(message_id, []).extend(items)
    return notes
