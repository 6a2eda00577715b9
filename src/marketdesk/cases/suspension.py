"""Whether a shop's suspension is in force, as cases need to know it, without importing the standards.

The seller standards sit above cases (they read cases to measure sellers); a case opening for a
suspended shop, or a suspension taking effect, still changes what happens to the case. The standards
app registers where the answer comes from in its ``AppConfig.ready()`` (as
``attachments.access.register_reader``); without it no shop is suspended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet


class Suspension(Protocol):
    """The measure in force: cases keep only its id (on the escalation event)."""

    @property
    def pk(self) -> Any: ...


class InForce(Protocol):
    def __call__(self, shop_id: int, *, now: dt.datetime | None = None) -> Suspension | None: ...


class SuspendedShopIds(Protocol):
    def __call__(self, *, now: dt.datetime | None = None) -> QuerySet[Any, Any]: ...


@dataclass(frozen=True, slots=True)
class SuspensionSource:
    in_force: InForce
    shop_ids: SuspendedShopIds


_SOURCES: dict[str, SuspensionSource] = {}


def register_suspension_source(*, in_force: InForce, shop_ids: SuspendedShopIds) -> None:
    """Register where cases read suspensions from (the standards app does, once)."""
    source = SuspensionSource(in_force=in_force, shop_ids=shop_ids)
    if _SOURCES.setdefault("suspension", source) != source:
        raise ValueError("a suspension source is registered already")


def suspension_in_force(shop_id: int, *, now: dt.datetime | None = None) -> Suspension | None:
    """Return the shop's suspension if one is in force now, else None."""
    source = _SOURCES.get("suspension")
    return None if source is None else source.in_force(shop_id, now=now)


def suspended_shop_ids(*, now: dt.datetime | None = None) -> QuerySet[Any, Any] | list[int]:
    """Return the ids of the shops whose suspension is in force now (a subquery when the standards answer)."""
    source = _SOURCES.get("suspension")
    return [] if source is None else source.shop_ids(now=now)
