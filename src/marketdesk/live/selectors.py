"""Reads of the live event log: a user's own events only, or the ids a process fans out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from marketdesk.live.models import LiveEvent


@dataclass(frozen=True, slots=True)
class Delivery:
    """One stored event on its way to one user's open pages."""

    id: int
    user_id: int
    event: str
    data: dict[str, Any]


_FIELDS = ("id", "user_id", "event", "data")


def live_high_water() -> int:
    """Return the id of the newest stored event (0 when there is none)."""
    return LiveEvent.objects.aggregate(last=Max("id"))["last"] or 0


def live_events_after(after_id: int, *, limit: int) -> list[Delivery]:
    """Return up to ``limit`` events of every user stored after ``after_id``, oldest first."""
    rows = LiveEvent.objects.filter(id__gt=after_id).order_by("id").values_list(*_FIELDS)[:limit]
    return [Delivery(*row) for row in rows]


def live_backlog_for_user(
    user_id: int, *, from_id: int | None = None, since: dt.datetime | None = None, limit: int
) -> list[Delivery]:
    """Return up to ``limit`` of this user's events from ``from_id`` (included) or created since ``since``."""
    qs = LiveEvent.objects.filter(user_id=user_id)
    if from_id is not None:
        qs = qs.filter(id__gte=from_id)
    elif since is not None:
        qs = qs.filter(created_at__gte=since)
    else:
        return []
    return [Delivery(*row) for row in qs.order_by("id").values_list(*_FIELDS)[:limit]]
