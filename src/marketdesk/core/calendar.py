"""The business calendar and the one ``due_at`` every deadline uses.

Business days skip weekends, public holidays (the ``holidays`` package) and
extra closed days; business hours count only opening hours, in the calendar's
own time zone. Wall-clock spans (``calendar_days``/``calendar_hours``) are for
rules stated in plain hours, such as "72 h to answer".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from marketdesk.core.models import BusinessCalendar


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """The computing side of a business calendar."""

    country: str
    tz: ZoneInfo
    opens: dt.time
    closes: dt.time
    weekend: frozenset[int] = frozenset({5, 6})
    subdivision: str | None = None
    closed_days: frozenset[dt.date] = frozenset()

    @classmethod
    def from_model(cls, row: BusinessCalendar) -> WorkCalendar:
        return cls(
            country=row.country,
            subdivision=row.subdivision or None,
            tz=ZoneInfo(row.timezone),
            opens=_as_time(row.opens_at),
            closes=_as_time(row.closes_at),
            weekend=frozenset(int(d) for d in row.weekend_days),
            closed_days=frozenset(dt.date.fromisoformat(d) for d in row.extra_closed_days),
        )

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() in self.weekend or day in self.closed_days:
            return False
        return day not in _public_holidays(self.country, self.subdivision, day.year)

    def next_business_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def snap_open(self, moment: dt.datetime) -> dt.datetime:
        """Return ``moment`` if the business is open then, else the next opening time."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_business_day(day):
            if local.time() < self.opens:
                return self._at(day, self.opens)
            if local.time() < self.closes:
                return local
        return self._at(self.next_business_day(day), self.opens)


def _as_time(value: dt.time | str) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def default_calendar() -> WorkCalendar:
    return WorkCalendar(
        country=settings.MARKETDESK_DEFAULT_COUNTRY,
        tz=ZoneInfo(settings.TIME_ZONE),
        opens=dt.time(9),
        closes=dt.time(18),
    )


def calendar_for(code: str | None = None) -> WorkCalendar:
    """Return the calendar of that code, or the installation's default one."""
    row = BusinessCalendar.objects.filter(code=code).first() if code else None
    return WorkCalendar.from_model(row) if row else default_calendar()


def due_at(
    start: dt.datetime,
    *,
    business_days: int = 0,
    hours: float = 0,
    calendar_days: int = 0,
    calendar_hours: float = 0,
    calendar: WorkCalendar | None = None,
) -> dt.datetime:
    """Return the deadline that many business days / business hours / wall-clock time after ``start``.

    Calendar days keep the local time of day; calendar hours are elapsed time.
    Business days keep the time of day (snapped into opening hours first):
    Fri 14:00 + 3 business days is Wed 14:00. Business hours run only while
    open: Fri 17:00 + 2 h with 09:00–18:00 is Mon 10:00.
    """
    if start.tzinfo is None:
        raise ValueError("due_at needs a timezone-aware start")
    if min(business_days, hours, calendar_days, calendar_hours) < 0:
        raise ValueError("due_at counts forward only")
    cal = calendar or calendar_for()
    # Aware arithmetic is wall-clock arithmetic in the operand's own zone, so the result would
    # depend on the zone the caller happened to use: count calendar days in the calendar's
    # zone (same local time of day) and calendar hours as elapsed time (in UTC).
    moment = (start.astimezone(cal.tz) + dt.timedelta(days=calendar_days)).astimezone(dt.UTC)
    moment += dt.timedelta(hours=calendar_hours)
    if not business_days and not hours:
        return moment
    moment = cal.snap_open(moment)
    for _ in range(business_days):
        moment = cal._at(cal.next_business_day(moment.date()), moment.timetz().replace(tzinfo=None))
    remaining = dt.timedelta(hours=hours)
    while remaining > dt.timedelta(0):
        closing = cal._at(moment.date(), cal.closes)
        available = closing - moment
        if remaining <= available:
            moment = moment + remaining
            break
        remaining -= available
        moment = cal._at(cal.next_business_day(moment.date()), cal.opens)
    return moment.astimezone(dt.UTC)


def business_time_between(
    start: dt.datetime, end: dt.datetime, *, calendar: WorkCalendar | None = None
) -> dt.timedelta:
    """Return the opening hours between two moments (negative when ``end`` is before ``start``).

    The inverse of ``due_at`` with business hours: it is what a countdown to a
    deadline shows, so that a weekend or a holiday does not eat into it.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("business_time_between needs timezone-aware moments")
    if end < start:
        return -business_time_between(end, start, calendar=calendar)
    cal = calendar or calendar_for()
    total = dt.timedelta(0)
    moment = cal.snap_open(start)
    end = end.astimezone(cal.tz)
    while moment < end:
        closing = cal._at(moment.date(), cal.closes)
        total += min(closing, end) - moment
        moment = cal._at(cal.next_business_day(moment.date()), cal.opens)
    return total


def business_day_length(calendar: WorkCalendar | None = None) -> dt.timedelta:
    """Return how long one business day is open (what a countdown calls a day)."""
    cal = calendar or calendar_for()
    day = dt.date(2000, 1, 3)
    return cal._at(day, cal.closes) - cal._at(day, cal.opens)
