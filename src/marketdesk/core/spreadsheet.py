"""CSV that a spreadsheet opens as data: no cell from a person's text is ever run as a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return, which they strip first) as a formula: ``=HYPERLINK(...)`` in a shop name
would become a live link in an operator's export. OWASP's advice is followed: such a text cell is
prefixed with a single quote, which the spreadsheet shows as text. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def csv_cell(value: Any) -> Any:
    """Return ``value`` as it may go into a CSV cell: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell goes through ``csv_cell``; use it for every export."""

    def __init__(self, target: _Writable) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row (returns what the target's ``write`` returned, as ``csv.writer`` does)."""
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)
