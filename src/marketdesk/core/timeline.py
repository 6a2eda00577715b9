"""Writers of the append-only timeline.

Each event type is declared once with its audience and payload shape
(a pydantic model); one writer function per event type appends it. Apps keep
their event types in their own ``events.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import models
from pydantic import BaseModel, ConfigDict

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.bulk import instance_insert, rows_insert
from marketdesk.core.models import Audience, TimelineEvent

_REGISTRY: dict[str, EventType] = {}
#: Who hears of an appended event, by event type (registered by upper apps at start-up, called in the same
#: transaction): the subject, the event's name and its payload as stored.
TimelineListener = Callable[[models.Model, str, dict[str, Any]], None]
_LISTENERS: dict[str, list[TimelineListener]] = {}


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusChanged(Payload):
    source: str
    target: str
    extra: dict[str, Any] = {}


@dataclass(frozen=True)
class EventType:
    """A kind of timeline event: a past-tense name, who may see it, its payload shape."""

    name: str
    audience: str
    payload: type[Payload]

    def __post_init__(self) -> None:
        if self.name in _REGISTRY and _REGISTRY[self.name] != self:
            raise ValueError(f"event type {self.name} declared twice")
        _REGISTRY[self.name] = self


def event_type(name: str) -> EventType:
    """Return the declared event type of that name."""
    return _REGISTRY[name]


def registered_event_types() -> dict[str, EventType]:
    return dict(_REGISTRY)


def _payload_check(event: EventType, payload: Payload) -> None:
    if not isinstance(payload, event.payload):
        raise TypeError(f"{event.name} takes {event.payload.__name__}, not {type(payload).__name__}")


class TimelineRow(NamedTuple):
    """An event built but not yet stored (``timeline_append_many`` stores a batch's rows in one insert).

    A tuple in the order of the table's columns, so a batch's rows go to the insert as they are.
    """

    subject_type_id: int
    subject_id: int
    event_type: str
    actor_user_id: int | None
    actor_role: str
    occurred_at: dt.datetime
    audience: str
    #: The payload as JSON text: encoded once by pydantic, stored as it is.
    payload: str


def timeline_build(*, subject: models.Model, event: EventType, actor: Actor, payload: Payload) -> TimelineRow:
    """Return one event about ``subject``, not yet stored; the payload must be of the event's declared shape."""
    return timeline_row(subject_type=type(subject), subject_id=subject.pk, event=event, actor=actor, payload=payload)


def timeline_row(
    *, subject_type: type[models.Model], subject_id: int, event: EventType, actor: Actor, payload: Payload
) -> TimelineRow:
    """Return one event about the ``subject_type`` row ``subject_id``, not yet stored (a batch needs no instances)."""
    _payload_check(event, payload)
    return TimelineRow(
        subject_type_id=ContentType.objects.get_for_model(subject_type).pk,
        subject_id=subject_id,
        event_type=event.name,
        actor_user_id=actor.user.pk if actor.user is not None else None,
        actor_role=actor.role,
        occurred_at=clock.now(),
        audience=event.audience,
        payload=payload.model_dump_json(),
    )


def timeline_rows(
    *, subject_type: type[models.Model], event: EventType, actor: Actor, items: Iterable[tuple[int, Payload]]
) -> list[TimelineRow]:
    """Return one event of ``event``'s type per (subject id, payload), not yet stored: a batch's rows, built at once."""
    type_id = ContentType.objects.get_for_model(subject_type).pk
    user_id = actor.user.pk if actor.user is not None else None
    now = clock.now()
    rows = []
    for subject_id, payload in items:
        _payload_check(event, payload)
        rows.append(
            TimelineRow(
                type_id, subject_id, event.name, user_id, actor.role, now, event.audience, payload.model_dump_json()
            )
        )
    return rows


def timeline_rows_encoded(
    *, subject_type: type[models.Model], event: EventType, actor: Actor, items: Iterable[tuple[int, str]]
) -> list[TimelineRow]:
    """Like ``timeline_rows``, with each payload already JSON text of the event's shape (a hot batch writer's own)."""
    type_id = ContentType.objects.get_for_model(subject_type).pk
    user_id = actor.user.pk if actor.user is not None else None
    now = clock.now()
    return [
        TimelineRow(type_id, subject_id, event.name, user_id, actor.role, now, event.audience, payload)
        for subject_id, payload in items
    ]


def timeline_append(*, subject: models.Model, event: EventType, actor: Actor, payload: Payload) -> TimelineEvent:
    """Append one event about ``subject``; the payload must be of the event's declared shape."""
    _payload_check(event, payload)
    row = TimelineEvent(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        event_type=event.name,
        actor_user=actor.user,
        actor_role=actor.role,
        audience=event.audience,
        payload=payload.model_dump(mode="json"),
    )
    # Every write appends one or more: a plain insert (its save() only refuses a rewrite).
    instance_insert(row)
    for listener in _LISTENERS.get(event.name, ()):
        listener(subject, event.name, row.payload)
    return row


def timeline_listener_register(event_names: Iterable[str], listener: TimelineListener) -> None:
    """Call ``listener`` after each event of these types is appended, in the same transaction (register once)."""
    for name in event_names:
        _LISTENERS.setdefault(name, []).append(listener)


def timeline_append_many(rows: Sequence[TimelineRow]) -> None:
    """Append built events in one insert (a batch's events, in the order given).

    Plain rows, not model instances: the ORM's per-instance work cost more than the insert itself.
    """
    rows_insert(
        TimelineEvent,
        _COLUMNS,
        rows,
        encoded=("payload",),
    )


#: The columns of a ``TimelineRow``, in its order.
_COLUMNS = tuple(name.removesuffix("_id") if name != "subject_id" else name for name in TimelineRow._fields)


def status_changed(
    *, subject: models.Model, event_type: str, actor: Actor, source: str, target: str, extra: dict[str, Any] | None
) -> TimelineEvent:
    """Append the event a transition table names for one move."""
    event = _REGISTRY[event_type]
    return timeline_append(
        subject=subject,
        event=event,
        actor=actor,
        payload=StatusChanged(source=source, target=target, extra=extra or {}),
    )


def status_event(name: str, audience: str = Audience.PARTIES) -> EventType:
    """Declare an event type written by a status transition."""
    return EventType(name=name, audience=audience, payload=StatusChanged)


def status_events(prefix: str, names: Iterable[str], *, public: Iterable[str] = ()) -> None:
    """Declare the events a transition table's moves write, ``prefix.name`` each.

    ``names`` are seen by the parties, ``public`` ones by everyone; a move naming an undeclared event is refused
    when its table is built.
    """
    for name in names:
        status_event(f"{prefix}.{name}")
    for name in public:
        status_event(f"{prefix}.{name}", Audience.PUBLIC)
