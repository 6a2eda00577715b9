"""A page of the merged queue of cases and returns, walked by a cursor in one order (deadline, kind, id)."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, Decision, InfoRequest
from marketdesk.cases.states import CaseStatus
from marketdesk.console.selectors.queue import CASE, RETURN, QueueFilters, _open_cases, return_deadlines
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.parsing import int_or_none
from marketdesk.orders.models import Marketplace, Shop
from marketdesk.returns.models import QUEUE_DEADLINE_FIELDS, Return

QueueKey = tuple[int, str, dt.datetime]


@dataclass(frozen=True)
class QueueCursor:
    """A place in the queue's one order (deadline, kind, id): a page starts after it or ends before it."""

    due: dt.datetime
    kind: str
    pk: int

    def encode(self) -> str:
        """Return the cursor as it goes in a link."""
        return f"{self.due.astimezone(dt.UTC):%Y%m%d%H%M%S%f}.{self.kind[0]}.{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> QueueCursor | None:
        """Read a cursor from a link; anything else is no cursor (the first page)."""
        due, _sep, rest = (raw or "").partition(".")
        kind, _sep, pk = rest.partition(".")
        try:
            moment = dt.datetime.strptime(due, "%Y%m%d%H%M%S%f").replace(tzinfo=dt.UTC)
        except ValueError:
            return None
        number = int_or_none(pk)
        if kind not in ("c", "r") or number is None:
            return None
        return cls(moment, CASE if kind == "c" else RETURN, number)

    @classmethod
    def of(cls, key: QueueKey) -> QueueCursor:
        pk, kind, due = key
        return cls(due, kind, pk)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue's keys, and the cursors of its neighbours (None: there is none)."""

    keys: list[QueueKey]
    after: QueueCursor | None  # the next page starts after this
    before: QueueCursor | None  # the previous page ends before this


def _beyond(kind: str, cursor: QueueCursor, *, forward: bool) -> Q:
    """Rows of ``kind`` after (or before) the cursor in the order (deadline, kind, id), as a range on the index."""
    d, p = cursor.due, cursor.pk
    if forward:
        if kind == cursor.kind:
            return Q(queue_due_at__gte=d) & (Q(queue_due_at__gt=d) | Q(id__gt=p))
        return Q(queue_due_at__gte=d) if kind > cursor.kind else Q(queue_due_at__gt=d)
    if kind == cursor.kind:
        return Q(queue_due_at__lte=d) & (Q(queue_due_at__lt=d) | Q(id__lt=p))
    return Q(queue_due_at__lte=d) if kind < cursor.kind else Q(queue_due_at__lt=d)


def queue_page(
    actor: Actor,
    filters: QueueFilters,
    *,
    after: QueueCursor | None = None,
    before: QueueCursor | None = None,
    size: int = 50,
    now: dt.datetime | None = None,
) -> QueuePage:
    """Return one page of the queue's keys (cases and returns merged by deadline), found by keyset.

    Each kind is read from its (``queue_due_at``, id) index from the cursor on, ``size + 1`` rows at most, and
    the two are merged here: two queries of the same cost on the first page and the last, however long the queue.
    """
    now = now or clock.now()
    forward = before is None or after is not None
    cursor = after if forward else before
    order = ("queue_due_at", "id") if forward else ("-queue_due_at", "-id")
    parts: list[list[tuple[dt.datetime, str, int]]] = []
    for kind, qs in ((CASE, _open_cases(actor, filters, now=now)), (RETURN, return_deadlines(actor, filters, now=now))):
        rows = qs.select_related(None).order_by(*order)
        if cursor is not None:
            rows = rows.filter(_beyond(kind, cursor, forward=forward))
        parts.append([(due, kind, pk) for due, pk in rows.values_list("queue_due_at", "id")[: size + 1]])
    merged = list(islice(heapq.merge(*parts, reverse=not forward), size + 1))
    more = len(merged) > size
    keys = [(pk, kind, due) for due, kind, pk in merged[:size]]
    if not forward:
        keys.reverse()
    if not keys:
        return QueuePage(keys, None, None)
    first, last = QueueCursor.of(keys[0]), QueueCursor.of(keys[-1])
    if forward:
        return QueuePage(keys, last if more else None, first if cursor is not None else None)
    return QueuePage(keys, last, first if more else None)


def queue_keys(actor: Actor, filters: QueueFilters, *, now: dt.datetime | None = None) -> list[QueueKey]:
    """Return the keys of every case and return in the queue, in its one order (page by page; for checks)."""
    found: list[QueueKey] = []
    after: QueueCursor | None = None
    while True:
        page = queue_page(actor, filters, after=after, size=500, now=now)
        found += page.keys
        if page.after is None:
            return found
        after = page.after


#: The columns a row of the queue draws (and its clocks read), and nothing else: a page reads 50 narrow rows.
QUEUE_CASE_COLUMNS = (
    "id", "status", "case_type", "shop_id", "assignee_id", "buyer_id", "order_id", "line_id", "queue_due_at",
    "seller_due_at", "decision_due_at", "info_due_at", "expires_at", "appeal_due_at",
    "order__external_id", "order__currency", "order__total_minor", "order__marketplace_id", "line__total_minor",
)  # fmt: skip
QUEUE_RETURN_COLUMNS = (
    "id", "code", "status", "reason", "resolution", "shop_id", "buyer_id", "order_id", "refund_minor", "queue_due_at",
    *QUEUE_DEADLINE_FIELDS.values(), "order__external_id", "order__currency", "order__total_minor",
    "order__marketplace_id",
)  # fmt: skip
PEOPLE_COLUMNS = ("id", "language", "display_name", "first_name", "last_name", "username")


def _page_lookups(rows: list[Any]) -> None:
    """Hand a page's rows their shops, people and marketplaces, each read once for the page by id.

    A join of the page's cases with every buyer, shop and user let the planner hash whole tables (and plan a
    six-way join each time); these are three reads by primary key, the same cost at 10k or 1M rows.
    """
    shops = Shop.objects.only("id", "name").in_bulk({r.shop_id for r in rows})
    people_ids = {r.buyer_id for r in rows} | {r.assignee_id for r in rows if getattr(r, "assignee_id", None)}
    people = User.objects.only(*PEOPLE_COLUMNS).in_bulk(people_ids)
    marketplaces = Marketplace.objects.only("id", "calendar_code").in_bulk({r.order.marketplace_id for r in rows})
    for row in rows:
        row.shop = shops[row.shop_id]
        row.buyer = people[row.buyer_id]
        row.order.marketplace = marketplaces[row.order.marketplace_id]
        if isinstance(row, Case):
            row.assignee = people[row.assignee_id] if row.assignee_id else None


def queue_rows(keys: list[QueueKey]) -> list[Case | Return]:
    """Read a page of ``queue_page()``: its cases (with what their clocks need) and its returns, in order.

    Only the columns the rows draw are read; what the rows refer to is read once per page (``_page_lookups``).
    A case's questions and decisions are read only for the cases whose clock depends on them (awaiting
    information, decided): a prefetch builds a queryset per case, which cost more than the page's queries together.
    """
    case_ids = [pk for pk, kind, _due in keys if kind == CASE]
    return_ids = [pk for pk, kind, _due in keys if kind == RETURN]
    cases: dict[int, Case] = {}
    if case_ids:
        found = Case.objects.filter(pk__in=case_ids).select_related("order", "line").only(*QUEUE_CASE_COLUMNS)
        cases = {c.pk: c for c in found}
        prefetch_related_objects(
            [c for c in cases.values() if c.status == CaseStatus.AWAITING_INFO],
            Prefetch("info_requests", queryset=InfoRequest.objects.order_by("asked_at", "id")),
        )
        prefetch_related_objects(
            [c for c in cases.values() if c.status == CaseStatus.DECIDED],
            Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "id")),
        )
    returns: dict[int, Return] = {}
    if return_ids:
        found_returns = Return.objects.filter(pk__in=return_ids).select_related("order").only(*QUEUE_RETURN_COLUMNS)
        returns = {r.pk: r for r in found_returns}
    rows: list[Case | Return] = []
    for pk, kind, _due in keys:
        row = (cases if kind == CASE else returns).get(pk)
        if row is not None:
            rows.append(row)
    if rows:
        _page_lookups(rows)
    return rows
