"""The one way a status changes: ``transition()`` over a per-model table.

A model lists its moves as data (``Move(source, target, roles, event)``);
``transition()`` locks the row, checks the move and the actor's role, sets the
status and appends the timeline event in the same transaction. Any other write
of a status field is refused by ``StatefulModel.save``.

A move whose ``event`` is ``None`` is a machine's own bookkeeping (a webhook
delivery, a standards job, an offer or refund instruction settled with the case
that records its own event): it is checked the same way and records nothing on
a timeline. ``transition_bulk()`` is the set-based form for such moves, for hot
paths that cannot afford a row at a time: its WHERE clause holds the allowed
from-states, so a row in any other state is left alone.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from marketdesk.core.timeline import registered_event_types

_transitioning: contextvars.ContextVar[bool] = contextvars.ContextVar("transitioning", default=False)


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed change of status and the roles that may make it."""

    source: str
    target: str
    roles: frozenset[str]
    #: The timeline event the move appends; None for bookkeeping moves that record none.
    event: str | None

    def __init__(self, source: str, target: str, roles: Iterable[str], event: str | None) -> None:
        object.__setattr__(self, "source", str(source))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "roles", frozenset(str(r) for r in roles))
        object.__setattr__(self, "event", event)


@dataclass(frozen=True)
class TransitionTable:
    """All moves of one model's status, as data."""

    states: type[models.TextChoices]
    moves: tuple[Move, ...]
    #: The model field holding the status.
    field: str = "status"
    _index: dict[tuple[str, str], Move] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], Move] = {}
        valid = {str(v) for v in self.states.values}
        for move in self.moves:
            if move.source not in valid or move.target not in valid:
                raise ValueError(f"unknown state in {move}")
            if move.event is not None and move.event not in registered_event_types():
                raise ValueError(f"{move} writes an undeclared event {move.event}")
            if (move.source, move.target) in index:
                raise ValueError(f"duplicate move {move.source} -> {move.target}")
            index[(move.source, move.target)] = move
        object.__setattr__(self, "_index", index)

    def find(self, source: str, target: str) -> Move | None:
        return self._index.get((str(source), str(target)))

    def sources(self, target: str, role: str) -> list[str]:
        """Return the states from which ``role`` may move to ``target`` in one move."""
        return [m.source for m in self.moves if m.target == str(target) and str(role) in m.roles]

    def targets(self, source: str, role: str | None = None) -> list[str]:
        """Return the states reachable in one move (by ``role`` when given)."""
        return [m.target for m in self.moves if m.source == str(source) and (role is None or str(role) in m.roles)]

    def mermaid(self) -> str:
        """Return the table as a Mermaid state diagram (generated, never hand-drawn)."""
        lines = ["stateDiagram-v2"]
        lines.extend(f"    {move.source} --> {move.target}: {', '.join(sorted(move.roles))}" for move in self.moves)
        return "\n".join(lines) + "\n"


class StatefulModel(models.Model):
    """A model whose ``status`` only ``transition()`` may change."""

    TRANSITIONS: ClassVar[TransitionTable]
    # Declared for the type checker only: each concrete subclass defines the field with its choices.
    status: str
    _loaded_status: str | None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        name = type(self).TRANSITIONS.field
        loaded = getattr(self, "_loaded_status", None)
        if not self._state.adding and loaded != self.__dict__.get(name) and not _transitioning.get():
            raise TransitionNotAllowed(_("A status is changed only through its transition table."))
        super().save(*args, **kwargs)
        self.status_stored()

    def status_stored(self) -> None:
        """Note the status as the one stored (``save()`` does; a row stored by a plain insert calls it)."""
        self._loaded_status = self.__dict__.get(type(self).TRANSITIONS.field)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        # **kwargs: Django 6.1 passes fetch_mode= and deprecates from_db() without it.
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_status = instance.__dict__.get(cls.TRANSITIONS.field)
        return instance

    def refresh_from_db(self, using: Any = None, fields: Any = None, from_queryset: Any = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # The reloaded status is the stored one (also when a deferred status is fetched lazily).
        name = type(self).TRANSITIONS.field
        if fields is None or name in fields:
            self._loaded_status = self.__dict__.get(name)


def transition(
    obj: StatefulModel,
    *,
    to: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> Move:
    """Move ``obj`` to status ``to`` if the table allows it for ``actor``; record the event.

    ``fields`` names other columns the caller set on ``obj`` for this move (``answered_at``, ...):
    they are saved in the same UPDATE as the status.
    """
    from marketdesk.core.timeline import status_changed

    table = type(obj).TRANSITIONS
    name = table.field
    with transaction.atomic():
        rows = type(obj)._default_manager.select_for_update().filter(pk=obj.pk)
        current = rows.values_list(name, flat=True).first()
        if current is None:
            raise Conflict(_("This record no longer exists."))
        if current != getattr(obj, name):
            raise Conflict(_("Someone else changed this a moment ago. Reload and try again."))
        move = table.find(current, to)
        if move is None:
            raise TransitionNotAllowed(
                _("Cannot change the status from %(source)s to %(target)s.")
                % {"source": _label(table, current), "target": _label(table, to)}
            )
        if actor.role not in move.roles:
            raise PermissionDenied(
                _("Your role cannot change the status from %(source)s to %(target)s.")
                % {"source": _label(table, current), "target": _label(table, to)}
            )
        token = _transitioning.set(True)
        try:
            setattr(obj, name, move.target)
            saved = [name, *fields]
            if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
                obj.updated_at = clock.now()  # type: ignore[attr-defined]
                saved.append("updated_at")
            obj.save(update_fields=list(dict.fromkeys(saved)))
        finally:
            _transitioning.reset(token)
        if move.event is not None:
            status_changed(
                subject=obj, event_type=move.event, actor=actor, source=move.source, target=move.target, extra=payload
            )
    return move


def transition_bulk(rows: models.QuerySet[Any], *, to: str, actor: Actor, **values: Any) -> int:
    """Move every row of ``rows`` that the table lets ``actor`` move to ``to``; return how many moved.

    The set-based form of ``transition()`` for bookkeeping moves (no timeline event) on hot paths:
    one UPDATE whose WHERE clause holds the from-states the table allows for the actor, so a row in
    any other state (moved meanwhile by someone else) is left as it is. ``values`` are other columns
    set in the same UPDATE.
    """
    table: TransitionTable = rows.model.TRANSITIONS
    moves = [m for m in table.moves if m.target == str(to)]
    if any(m.event is not None for m in moves):
        raise ValueError(f"{rows.model.__name__} -> {to} records a timeline event: use transition()")
    sources = table.sources(to, actor.role)
    if not sources:
        raise PermissionDenied(_("Your role cannot change the status to %(target)s.") % {"target": _label(table, to)})
    return rows.filter(**{f"{table.field}__in": sources}).update(**{table.field: to}, **values)


def _label(table: TransitionTable, value: str) -> str:
    try:
        return str(table.states(value).label)
    except ValueError:
        return value
