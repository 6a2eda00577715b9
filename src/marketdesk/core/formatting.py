"""Moments shown to people, in the active language and time zone: one formatter for every app."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import pgettext


def format_moment(moment: dt.datetime) -> str:
    """Return a moment for people in the active language and time zone ("Fri 28 Nov, 14:00")."""
    # Translators: a Django date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date).
    return dateformat.format(timezone.localtime(moment), pgettext("case eligibility moment", "D j M, H:i"))
