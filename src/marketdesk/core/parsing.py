"""Reading numbers that arrive as text (query strings, form fields, headers) without trusting them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses. At most 18 of them,
# so the value always fits a 64-bit database column.
_ID = re.compile(r"[0-9]{1,18}")


def int_or_none(value: object) -> int | None:
    """Return ``value`` as a non-negative integer if it is one written in plain digits, else None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None


def _iso_8601_only(value: object) -> object:
    """Refuse what pydantic would otherwise read as a Unix timestamp (``0.5``, ``1700000000``)."""
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        raise PydanticCustomError("datetime_parsing", "Input should be an ISO 8601 date and time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]")

#: A moment a client sends: ISO 8601 with a time zone, as the schema's ``date-time`` says; never a number.
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_8601_only)]
