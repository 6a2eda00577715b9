"""Reading numbers that arrive as text (query strings, form fields, headers) without trusting them."""

from __future__ import annotations

import re

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses. At most 18 of them,
# so the value always fits a 64-bit database column.
_ID = re.compile(r"[0-9]{1,18}")


def int_or_none(value: object) -> int | None:
    """Return ``value`` as a non-negative integer if it is one written in plain digits, else None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None
