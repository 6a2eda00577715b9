"""The one way a status changes: ``transition()`` over a per-model table.

A model lists its moves as data (``Move(source, target, roles, event)``);
``transition()`` locks the row, checks the move and the actor's role, sets the
status and appends the timeline event in the same transaction. Any other write
of a status field is refused by ``StatefulModel.save``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, PermissionDenied, TransitionNotAllowed

_transitioning: contextvars.ContextVar[bool] = contextvars.ContextVar("transitioning", default=False)


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed change of status and the roles that may make it."""

    source: str
    target: str
    roles: frozenset[str]
    event: str

    def __init__(self, source: str, target: str, roles: Iterable[str], event: str) -> None:
        object.__setattr__(self, "source", str(source))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "roles", frozenset(str(r) for r in roles))
        object.__setattr__(self, "event", event)


@dataclass(frozen=True)
class TransitionTable:
    """All moves of one model's status, as data."""

    states: type[models.TextChoices]
    moves: tuple[Move, ...]
    _index: dict[tuple[str, str], Move] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], Move] = {}
        valid = {str(v) for v in self.states.values}
        for move in self.moves:
            if move.source not in valid or move.target not in valid:
                raise ValueError(f"unknown state in {move}")
            if (move.source, move.target) in index:
                raise ValueError(f"duplicate move {move.source} -> {move.target}")
            index[(move.source, move.target)] = move
        object.__setattr__(self, "_index", index)

    def find(self, source: str, target: str) -> Move | None:
        return self._index.get((str(source), str(target)))

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
        loaded = getattr(self, "_loaded_status", None)
        if not self._state.adding and loaded != self.status and not _transitioning.get():
            raise TransitionNotAllowed(_("A status is changed only through its transition table."))
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        # **kwargs: Django 6.1 passes fetch_mode= and deprecates from_db() without it.
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, using: Any = None, fields: Any = None, from_queryset: Any = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # The reloaded status is the stored one (also when a deferred status is fetched lazily).
        if fields is None or "status" in fields:
            self._loaded_status = self.__dict__.get("status")


def transition(
    obj: StatefulModel,
    *,
    to: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
) -> Move:
    """Move ``obj`` to status ``to`` if the table allows it for ``actor``; record the event."""
    from marketdesk.core.timeline import status_changed

    table = type(obj).TRANSITIONS
    with transaction.atomic():
        # The abstract base has no `status` field for django-stubs to resolve; every subclass does.
        rows = type(obj)._default_manager.select_for_update().filter(pk=obj.pk)
        current = rows.values_list("status", flat=True).first()  # type: ignore[misc]
        if current is None:
            raise Conflict(_("This record no longer exists."))
        if current != obj.status:
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
            obj.status = move.target
            fields = ["status"]
            if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
                obj.updated_at = clock.now()  # type: ignore[attr-defined]
                fields.append("updated_at")
            obj.save(update_fields=fields)
        finally:
            _transitioning.reset(token)
        status_changed(
            subject=obj, event_type=move.event, actor=actor, source=move.source, target=move.target, extra=payload
        )
    return move


def _label(table: TransitionTable, value: str) -> str:
    try:
        return str(table.states(value).label)
    except ValueError:
        return value
