"""Russian dates without Django's trailing "г.": a date ends many sentences, and "2026 г.." read as a slip."""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, G:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j F"
