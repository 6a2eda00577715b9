"""Dates read the same way on every page of a language, and end a sentence with one period."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.formats import date_format


def test_a_russian_date_at_the_end_of_a_sentence_has_one_period():
    # given a sentence ending in a date, in Russian
    with translation.override("ru"):
        sentence = translation.gettext("You can open a case until %(date)s.") % {
            "date": date_format(dt.date(2026, 12, 5), "DATE_FORMAT")
        }

    # then it ends "5 декабря 2026." and not "2026 г.."
    assert sentence.endswith("5 декабря 2026.")


def test_a_russian_date_and_time_reads_as_one_format():
    with translation.override("ru"):
        shown = date_format(dt.datetime(2026, 12, 5, 14, 30, tzinfo=dt.UTC), "DATETIME_FORMAT")

    assert shown == "5 декабря 2026, 14:30"
