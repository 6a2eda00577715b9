"""Whether a buyer's protection is restricted, as cases need to know it, without importing the risk app.

Risk signals sit above cases (they read cases to measure buyers); an operator's restriction of a buyer's
protection still stops the buyer opening cases from its effective date. The risk app registers where the
answer comes from in its ``AppConfig.ready()`` (as ``cases.suspension`` for the standards); without it
no buyer is restricted.

The two hooks look alike but ask different questions, so they stay apart: a restriction refuses the
buyer's case (``cases.eligibility``); a suspension refuses nothing: the case opens and goes straight to
support, and the periodic escalation asks for all suspended shops in one query (``suspended_shop_ids``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Restriction(Protocol):
    """The restriction in force: cases read its effective date to say since when."""

    @property
    def effective_at(self) -> dt.datetime: ...


class InForce(Protocol):
    def __call__(self, buyer_id: int, *, now: dt.datetime) -> Restriction | None: ...


_SOURCES: dict[str, InForce] = {}


def register_protection_source(in_force: InForce) -> None:
    """Register where cases read buyers' protection restrictions from (the risk app does, once)."""
    if _SOURCES.setdefault("protection", in_force) != in_force:
        raise ValueError("a protection source is registered already")


def protection_restriction(buyer_id: int, *, now: dt.datetime) -> Restriction | None:
    """Return the buyer's protection restriction in force at ``now``, else None."""
    source = _SOURCES.get("protection")
    return None if source is None else source(buyer_id, now=now)


@dataclass(frozen=True, slots=True)
class ProtectionNotice:
    """A buyer's binding restriction as Get help shows it: since or from when, and the page that explains it."""

    effective_at: dt.datetime
    in_force: bool
    url: str


class NoticeSource(Protocol):
    def __call__(self, buyer_id: int, *, now: dt.datetime) -> ProtectionNotice | None: ...


_NOTICES: dict[str, NoticeSource] = {}


def register_protection_notice(source: NoticeSource) -> None:
    """Register where Get help reads a buyer's restriction notice from (the risk app does, once)."""
    if _NOTICES.setdefault("notice", source) != source:
        raise ValueError("a protection notice source is registered already")


def protection_notice(buyer_id: int, *, now: dt.datetime) -> ProtectionNotice | None:
    """Return the buyer's restriction in force or announced (with its page), else None."""
    source = _NOTICES.get("notice")
    return None if source is None else source(buyer_id, now=now)
