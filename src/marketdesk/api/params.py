"""Parameters every router shares: the id in an address, bounded so no number reaches the database unchecked."""

from __future__ import annotations

from typing import Annotated

from ninja import Path

#: The largest id a 64-bit database column holds; a longer number in an address names nothing.
MAX_ID = 2**63 - 1

#: A numeric id in the address. Out of range or not a number, the address names nothing: 404 (``api.errors``).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
