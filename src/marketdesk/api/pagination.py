"""Cursor pagination: stable pages over a keyset, however many rows arrive meanwhile.

The cursor is opaque to clients: base64url of the last row's ordering key
(e.g. ``placed_at`` and ``id``). The next page continues strictly after it,
so rows inserted or changed between requests never shift a page, and no row
is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from marketdesk.core.errors import DomainError

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InvalidCursorError(DomainError):
    status = 400
    code = "invalid_cursor"
    title = _("The page cursor is not valid.")
    default_message = _("This cursor was not issued by this list; start again without a cursor.")


class CursorPage[T](Schema):
    """One page of a list and the cursor of the next (null on the last page)."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next_cursor: str | None


@dataclass(frozen=True)
class PageAt[M: Model]:
    """A page of a list read both ways: the cursors of the pages before and after it (None at either end)."""

    items: list[M]
    newer_cursor: str | None
    older_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return self.newer_cursor is not None or self.older_cursor is not None


@dataclass(frozen=True)
class KeysetPaginator:
    """Paginate a queryset ordered by ``fields`` descending (the last field must be unique, e.g. ``id``)."""

    fields: Sequence[str]

    def encode(self, row: Model) -> str:
        values = [_jsonable(getattr(row, name)) for name in self.fields]
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, model: type[Model], cursor: str) -> list[Any]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidCursorError(field="cursor") from exc
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise InvalidCursorError(field="cursor")
        decoded = []
        for name, value in zip(self.fields, values, strict=True):
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise InvalidCursorError(field="cursor")
            try:
                python = model._meta.get_field(name).to_python(value)  # type: ignore[union-attr]
            except (DjangoValidationError, ValueError, TypeError) as exc:
                raise InvalidCursorError(field="cursor") from exc
            if python is None or (hasattr(python, "tzinfo") and python.tzinfo is None):
                raise InvalidCursorError(field="cursor")
            decoded.append(python)
        return decoded

    def after(self, values: Sequence[Any]) -> Q:
        """Rows strictly after the given key in descending order: (a < x) or (a = x and b < y) …"""
        return self._beyond(values, "lt")

    def before(self, values: Sequence[Any]) -> Q:
        """Rows strictly before the given key in descending order: (a > x) or (a = x and b > y) …"""
        return self._beyond(values, "gt")

    def _beyond(self, values: Sequence[Any], op: str) -> Q:
        condition = Q()
        for i, name in enumerate(self.fields):
            step = Q(**{f"{name}__{op}": values[i]})
            for prior, value in zip(self.fields[:i], values[:i], strict=True):
                step &= Q(**{prior: value})
            condition |= step
        # The same rows, with the first field's bound said on its own: the database starts its index
        # range there instead of reading every row up to the cursor and filtering on the OR.
        return Q(**{f"{self.fields[0]}__{op}e": values[0]}) & condition

    def page_at(
        self, qs: QuerySet[M], *, after: str | None = None, before: str | None = None, last: bool = False, limit: int
    ) -> PageAt[M]:
        """Return a page of ``qs`` (ordered by ``fields`` descending) for a person paging both ways.

        The first page by default; the page after the row ``after``; the page before the row
        ``before``; or the last page. Each is one read of ``limit + 1`` rows from one end of the
        index that serves the order, however deep the page lies.
        """
        backwards = last or bool(before)
        if after:
            qs = qs.filter(self.after(self.decode(qs.model, after)))
        elif before:
            qs = qs.filter(self.before(self.decode(qs.model, before)))
        if backwards:
            qs = qs.reverse()
        rows = list(qs[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        newer = more if backwards else bool(after)
        older = bool(before) if backwards else more
        return PageAt(
            items=rows,
            newer_cursor=self.encode(rows[0]) if newer and rows else None,
            older_cursor=self.encode(rows[-1]) if older and rows else None,
        )

    def paginate(self, qs: QuerySet[M], *, cursor: str | None, limit: int) -> Page[M]:
        """Return one page of ``qs`` (already ordered by ``fields`` descending) after ``cursor``."""
        if cursor:
            qs = qs.filter(self.after(self.decode(qs.model, cursor)))
        rows = list(qs[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(items=rows, next_cursor=self.encode(rows[-1]) if more and rows else None)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
