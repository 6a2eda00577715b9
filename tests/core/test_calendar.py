"""``due_at``: business days and hours over weekends, holidays and DST; wall-clock spans."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from marketdesk.core.calendar import WorkCalendar, calendar_for, default_calendar, due_at
from marketdesk.core.models import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
MOSCOW = ZoneInfo("Europe/Moscow")
GB = WorkCalendar(country="GB", tz=LONDON, opens=dt.time(9), closes=dt.time(18))
RU = WorkCalendar(country="RU", tz=MOSCOW, opens=dt.time(9), closes=dt.time(18))


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def moscow(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(london(2026, 11, 27, 17), 2, london(2026, 11, 30, 10), id="friday-17h-plus-2h-is-monday-10h"),
        pytest.param(london(2026, 11, 28, 11), 2, london(2026, 11, 30, 11), id="saturday-snaps-to-monday-opening"),
        pytest.param(london(2026, 12, 1, 7, 30), 1, london(2026, 12, 1, 10), id="before-opening-snaps-to-opening"),
        pytest.param(london(2026, 12, 1, 18), 1, london(2026, 12, 2, 10), id="start-exactly-at-closing"),
        pytest.param(london(2026, 12, 1, 16), 2, london(2026, 12, 1, 18), id="ends-exactly-at-closing"),
        pytest.param(london(2026, 12, 1, 9), 9, london(2026, 12, 1, 18), id="whole-day-from-opening"),
        pytest.param(london(2026, 11, 30, 9), 20, london(2026, 12, 2, 11), id="spans-two-nights"),
        pytest.param(london(2026, 12, 1, 10, 15), 1.5, london(2026, 12, 1, 11, 45), id="fractional-hours"),
        pytest.param(london(2026, 12, 24, 17), 2, london(2026, 12, 29, 10), id="christmas-boxing-day-observed"),
        pytest.param(london(2026, 12, 31, 17), 2, london(2027, 1, 4, 10), id="new-year-across-the-year"),
        pytest.param(london(2026, 3, 27, 17), 2, london(2026, 3, 30, 10), id="dst-starts-over-the-weekend"),
        pytest.param(london(2026, 10, 23, 17), 2, london(2026, 10, 26, 10), id="dst-ends-over-the-weekend"),
        pytest.param(utc(2026, 11, 27, 17), 2, london(2026, 11, 30, 10), id="utc-start-in-winter"),
        pytest.param(utc(2026, 6, 5, 16), 2, london(2026, 6, 8, 10), id="utc-start-in-summer"),
    ],
)
def test_business_hours_in_london(start, hours, expected):
    assert due_at(start, hours=hours, calendar=GB) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(london(2026, 11, 27, 14), 3, london(2026, 12, 2, 14), id="friday-14h-plus-3-is-wednesday-14h"),
        pytest.param(london(2026, 11, 28, 14), 1, london(2026, 12, 1, 9), id="saturday-snaps-then-counts"),
        pytest.param(london(2026, 12, 1, 19), 1, london(2026, 12, 3, 9), id="after-closing-snaps-then-counts"),
        pytest.param(london(2026, 12, 24, 14), 1, london(2026, 12, 29, 14), id="over-christmas"),
        pytest.param(london(2026, 12, 31, 14), 1, london(2027, 1, 4, 14), id="over-new-year"),
        pytest.param(london(2026, 3, 27, 14), 1, london(2026, 3, 30, 14), id="keeps-local-time-over-dst-start"),
        pytest.param(london(2026, 10, 23, 14), 1, london(2026, 10, 26, 14), id="keeps-local-time-over-dst-end"),
    ],
)
def test_business_days_in_london_keep_the_time_of_day(start, days, expected):
    assert due_at(start, business_days=days, calendar=GB) == expected


def test_business_days_then_hours_add_up():
    assert due_at(london(2026, 11, 27, 17), business_days=1, hours=2, calendar=GB) == london(2026, 12, 1, 10)


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        pytest.param(
            moscow(2026, 12, 30, 17), {"hours": 2}, moscow(2027, 1, 11, 10), id="hours-over-new-year-holidays"
        ),
        pytest.param(
            moscow(2026, 12, 30, 12), {"business_days": 1}, moscow(2027, 1, 11, 12), id="day-over-new-year-holidays"
        ),
        pytest.param(moscow(2027, 1, 5, 12), {"hours": 1}, moscow(2027, 1, 11, 10), id="start-inside-the-holidays"),
        pytest.param(utc(2026, 12, 1, 14), {"hours": 2}, moscow(2026, 12, 2, 10), id="utc-start-is-moscow-17h"),
    ],
)
def test_russian_calendar(start, kwargs, expected):
    assert due_at(start, calendar=RU, **kwargs) == expected


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        pytest.param(
            london(2026, 11, 27, 17), {"calendar_hours": 72}, london(2026, 11, 30, 17), id="72h-over-a-weekend"
        ),
        pytest.param(london(2026, 11, 28, 3), {"calendar_days": 2}, london(2026, 11, 30, 3), id="days-ignore-hours"),
        pytest.param(
            london(2026, 12, 24, 12), {"calendar_days": 1}, london(2026, 12, 25, 12), id="days-ignore-holidays"
        ),
        pytest.param(london(2026, 3, 28, 12), {"calendar_hours": 24}, utc(2026, 3, 29, 12), id="24h-over-dst-start"),
        pytest.param(utc(2026, 3, 28, 12), {"calendar_hours": 24}, utc(2026, 3, 29, 12), id="24h-over-dst-start-utc"),
        pytest.param(london(2026, 10, 24, 12), {"calendar_hours": 24}, utc(2026, 10, 25, 11), id="24h-over-dst-end"),
        pytest.param(london(2026, 3, 28, 12), {"calendar_days": 1}, london(2026, 3, 29, 12), id="day-over-dst-start"),
        pytest.param(utc(2026, 3, 28, 12), {"calendar_days": 1}, london(2026, 3, 29, 12), id="day-over-dst-start-utc"),
        pytest.param(london(2026, 10, 24, 12), {"calendar_days": 1}, london(2026, 10, 25, 12), id="day-over-dst-end"),
    ],
)
def test_wall_clock_spans(start, kwargs, expected):
    """calendar_hours is elapsed time; calendar_days keeps the local time of day, whatever the input's zone."""
    assert due_at(start, calendar=GB, **kwargs) == expected


def test_result_is_utc():
    assert due_at(london(2026, 6, 5, 16), hours=1, calendar=GB).tzinfo is dt.UTC


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(dt.datetime(2026, 11, 27, 17), hours=2, calendar=GB)  # noqa: DTZ001


@pytest.mark.parametrize("field", ["business_days", "hours", "calendar_days", "calendar_hours"])
def test_negative_span_is_refused(field):
    with pytest.raises(ValueError, match="forward only"):
        due_at(london(2026, 11, 27, 17), calendar=GB, **{field: -1})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "country", "tz"),
    [
        ("gb", "GB", "Europe/London"),
        ("ru", "RU", "Europe/Moscow"),
        ("de", "DE", "Europe/Berlin"),
        ("us", "US", "America/New_York"),
    ],
)
def test_calendar_for_reads_the_seeded_calendars(code, country, tz):
    assert calendar_for(code) == WorkCalendar(
        country=country, tz=ZoneInfo(tz), opens=dt.time(9), closes=dt.time(18), weekend=frozenset({5, 6})
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", [None, "", "atlantis"])
def test_calendar_for_falls_back_to_the_default(code):
    assert calendar_for(code) == default_calendar()


@pytest.mark.django_db
def test_extra_closed_days_are_skipped():
    BusinessCalendar.objects.filter(code="gb").update(extra_closed_days=["2026-12-01", "2026-12-02"])

    assert due_at(london(2026, 11, 30, 17), hours=2, calendar=calendar_for("gb")) == london(2026, 12, 3, 10)


@pytest.mark.django_db
def test_calendar_from_a_row_uses_its_hours_and_weekend():
    BusinessCalendar.objects.create(
        code="gulf",
        name="Gulf",
        country="AE",
        timezone="Asia/Dubai",
        opens_at="08:00",
        closes_at="16:00",
        weekend_days=[5, 6],
    )

    assert due_at(utc(2026, 11, 27, 11), hours=2, calendar=calendar_for("gulf")) == dt.datetime(
        2026, 11, 30, 9, tzinfo=ZoneInfo("Asia/Dubai")
    )
