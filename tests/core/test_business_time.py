"""``business_time_between``: the countdown to a deadline counts opening hours only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from marketdesk.core.calendar import WorkCalendar, business_day_length, business_time_between, due_at

LONDON = ZoneInfo("Europe/London")
GB = WorkCalendar(country="GB", tz=LONDON, opens=dt.time(9), closes=dt.time(18))
H = dt.timedelta(hours=1)


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(london(2026, 12, 1, 10), london(2026, 12, 1, 12), 2 * H, id="same-day"),
        pytest.param(london(2026, 11, 27, 17), london(2026, 11, 30, 10), 2 * H, id="over-a-weekend"),
        pytest.param(london(2026, 11, 28, 11), london(2026, 11, 29, 11), 0 * H, id="inside-a-weekend"),
        pytest.param(london(2026, 12, 1, 20), london(2026, 12, 2, 8), 0 * H, id="overnight-while-closed"),
        pytest.param(london(2026, 12, 24, 17), london(2026, 12, 29, 10), 2 * H, id="over-christmas-holidays"),
        pytest.param(london(2026, 12, 1, 12), london(2026, 12, 1, 10), -2 * H, id="negative-when-past"),
    ],
)
def test_business_time_between(start, end, expected):
    assert business_time_between(start, end, calendar=GB) == expected


@pytest.mark.parametrize("hours", [1, 5, 9, 20, 47])
def test_business_time_is_the_inverse_of_due_at(hours):
    start = london(2026, 11, 27, 15, 30)
    assert business_time_between(start, due_at(start, hours=hours, calendar=GB), calendar=GB) == hours * H


def test_business_day_length():
    assert business_day_length(GB) == 9 * H


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(dt.datetime(2026, 12, 1, 10), london(2026, 12, 1, 12), calendar=GB)  # noqa: DTZ001
