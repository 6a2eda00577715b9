"""The one injectable clock.

Every piece of code asks ``clock.now()`` for the time; tests move time with
``clock.frozen(...)`` / ``clock.travel(...)`` instead of sleeping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator


class Clock:
    """Source of the current, timezone-aware time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at = self.at + delta


_clock: Clock = Clock()


def now() -> dt.datetime:
    """Return the current time (UTC, timezone-aware) from the installed clock."""
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Install a clock and return the one it replaced."""
    global _clock
    previous, _clock = _clock, clock
    return previous


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[FrozenClock]:
    """Freeze time at ``at`` for the duration of the block."""
    clock = FrozenClock(at)
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
