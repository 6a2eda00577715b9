"""The operators' queue: its saved views and filters, the open cases and returns' deadlines it shows, the counts of each view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import Case, Decision, InfoRequest
from marketdesk.cases.states import OPEN_STATUSES, CaseStatus
from marketdesk.console.deadlines import AT_RISK, PLATFORM_STATUSES
from marketdesk.console.models import QueueCount
from marketdesk.console.services.access import STAFF
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.deadlines import NO_DEADLINE
from marketdesk.core.parsing import int_or_none
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.returns.models import QUEUE_DEADLINE_FIELDS, Return

# The saved views of the queue: a name, its label, and the cases it keeps.
QUEUE_VIEWS: dict[str, Promise] = {
    "all": _("Every deadline"),
    "escalated": _("Escalated"),
    "awaiting_info": _("Awaiting information"),
    "at_risk": _("Deadlines at risk"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "returns": _("Returns"),
}
#: The saved views that show returns' deadlines next to the cases.
RETURN_VIEWS = ("all", "at_risk", "returns")
#: The kinds of rows in the merged queue.
CASE = "case"
RETURN = "return"


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: a saved view narrowed by category, seller, language and assignee."""

    view: str = "all"
    category: str = ""
    seller: int | None = None
    language: str = ""
    assignee: str = ""  # "", "me", "none" or an operator's id
    status: str = ""  # one open case status (the older case queue's tabs)

    @property
    def narrowed(self) -> bool:
        """Whether anything but the view narrows the rows."""
        return bool(self.category or self.seller is not None or self.language or self.assignee or self.status)

    def to_query(self) -> str:
        """Return the filters as the queue's query string (only what is set, in a fixed order)."""
        pairs = [("view", self.view), ("category", self.category), ("seller", self.seller or ""),
                 ("language", self.language), ("assignee", self.assignee), ("status", self.status)]  # fmt: skip
        return urlencode([(key, value) for key, value in pairs if value])

    @classmethod
    def from_query(cls, params: Any) -> QueueFilters:
        """Read the filters from a query string, ignoring what is not valid."""
        view = params.get("view", "all")
        seller = params.get("seller", "")
        assignee = params.get("assignee", "")
        status = params.get("status", "")
        return cls(
            view=view if view in QUEUE_VIEWS else "all",
            category=params.get("category", ""),
            seller=int_or_none(seller),
            language=params.get("language", "")[:8],
            assignee=assignee if assignee in ("me", "none") or int_or_none(assignee) is not None else "",
            status=status if status in OPEN_STATUSES else "",
        )


def _staff_open_cases(actor: Actor) -> QuerySet[Case]:
    """Return the open cases of the staff member's marketplace, for a read in deadline order.

    The marketplace is kept on the case: the (marketplace, ``is_open``, ``queue_due_at``, id) index hands its open
    cases over in deadline order and a page stops after 51 rows, however many cases this or any other marketplace
    holds, on SQLite and PostgreSQL alike (``test_the_scoped_deadline_ordered_read_is_served_by_the_index``).
    """
    qs = Case.objects.filter(is_open=True)
    if actor.role in STAFF and actor.marketplace_id is not None:
        return qs.filter(marketplace_id=actor.marketplace_id)
    return scope_to_actor(qs, actor, order_path="order__", shop_path="shop__")


def _open_cases(actor: Actor, filters: QueueFilters, *, now: dt.datetime) -> QuerySet[Case]:
    """Return the open cases the actor may see in the view and filters, unordered (by ``queue_due_at`` to sort)."""
    if actor.role not in STAFF or actor.user is None or filters.view == "returns":
        return Case.objects.none()
    qs = _staff_open_cases(actor)
    view = filters.view
    if view == "escalated":
        qs = qs.filter(status__in=(CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED))
    elif view == "awaiting_info":
        qs = qs.filter(status=CaseStatus.AWAITING_INFO)
    elif view == "mine":
        qs = qs.filter(assignee=actor.user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True, status__in=PLATFORM_STATUSES)
    elif view == "at_risk":
        qs = qs.filter(queue_due_at__lte=now + AT_RISK)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(case_type=filters.category)
    if filters.seller is not None:
        qs = qs.filter(shop_id=filters.seller)
    if filters.language:
        qs = qs.filter(buyer__language=filters.language)
    if filters.assignee == "me":
        qs = qs.filter(assignee=actor.user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    return qs


def _with_case_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("order__marketplace", "shop", "buyer", "assignee", "line").prefetch_related(
        Prefetch("info_requests", queryset=InfoRequest.objects.order_by("asked_at", "id")),
        Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "id")),
    )


def deadline_queue(actor: Actor, filters: QueueFilters, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Return the open cases the actor may see, the deadline that matters now first, with each view's filter."""
    qs = _with_case_rows(_open_cases(actor, filters, now=now or clock.now()))
    return qs.order_by("queue_due_at", "id")


def return_deadlines(actor: Actor, filters: QueueFilters, *, now: dt.datetime | None = None) -> QuerySet[Return]:
    """Return the actor's marketplace's returns with a party's deadline running, the earliest first.

    Returns have no category or assignee: a view or filter on those (escalated, mine, …) shows none.
    """
    rows = Return.objects.select_related("order__marketplace", "shop", "buyer")
    if actor.role not in STAFF or actor.user is None:
        return rows.none()
    if filters.view not in RETURN_VIEWS or filters.category or filters.assignee or filters.status:
        return rows.none()
    now = now or clock.now()
    running = rows.filter(status__in=list(QUEUE_DEADLINE_FIELDS), queue_due_at__lt=NO_DEADLINE)
    qs = scope_to_actor(running, actor, order_path="order__", shop_path="shop__")
    if filters.seller is not None:
        qs = qs.filter(shop_id=filters.seller)
    if filters.language:
        qs = qs.filter(buyer__language=filters.language)
    if filters.view == "at_risk":
        qs = qs.filter(queue_due_at__lte=now + AT_RISK)
    return qs.order_by("queue_due_at", "id")


#: How far the "deadlines at risk" tab counts (the only tab that depends on the time, so not kept as a count):
#: past it the tab says "100+". A page shows 50 rows; counting a thousand read a thousand rows on each request.
AT_RISK_COUNT_CAP = 100


def at_risk_reads(actor: Actor, *, now: dt.datetime) -> list[QuerySet[Any]]:
    """Return the reads that count "deadlines at risk": the first ``AT_RISK_COUNT_CAP`` ids of each kind in
    deadline order, so each walks its (``queue_due_at``, id) index and stops there, however long the queue
    (``test_the_at_risk_count_walks_the_deadline_index``); without the order PostgreSQL scanned the table.
    """
    at_risk = QueueFilters(view="at_risk")
    reads = (_open_cases(actor, at_risk, now=now), return_deadlines(actor, at_risk, now=now))
    return [qs.select_related(None).order_by("queue_due_at", "id").values("id")[:AT_RISK_COUNT_CAP] for qs in reads]


#: A kept count as ``queue_counts`` reads it: kind, status, assignee id (0: nobody), deadline running (1/0), count.
KeptCount = tuple[str, str, int, int, int]


def queue_counts_kept_for(actor: Actor) -> list[KeptCount]:
    """Return the actor's marketplace's kept queue counts (one query over a few rows per status and operator).

    The queue's tabs and its team strip both add these up: the page reads them once.
    """
    if actor.role not in STAFF or actor.user is None:
        return []
    kept = QueueCount.objects.filter(n__gt=0)
    if actor.marketplace_id is not None:
        kept = kept.filter(marketplace_id=actor.marketplace_id)
    return list(kept.values_list("kind", "status", "assignee_id", "running", "n"))


def queue_working_by_operator(kept: list[KeptCount]) -> dict[int, int]:
    """Return how many open cases each operator holds, by id, from the kept counts (as their "Mine" tab counts)."""
    working: dict[int, int] = {}
    for kind, status, assignee, _running, n in kept:
        if kind == CASE and assignee and status in OPEN_STATUSES:
            working[assignee] = working.get(assignee, 0) + n
    return working


def queue_counts(
    actor: Actor, *, now: dt.datetime | None = None, kept: list[KeptCount] | None = None
) -> dict[str, int]:
    """Return how many rows each saved view holds now, from the kept counts (three queries, none over every case).

    Every tab but "deadlines at risk" is a sum of ``QueueCount`` rows (a few per status and operator; ``kept``
    when the caller read them already); that one depends on the time, so it is counted on the deadline index and
    stops at ``AT_RISK_COUNT_CAP``.
    """
    counts = dict.fromkeys(QUEUE_VIEWS, 0)
    if actor.role not in STAFF or actor.user is None:
        return counts
    now = now or clock.now()
    escalated = {CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED}
    for kind, status, assignee, running, n in queue_counts_kept_for(actor) if kept is None else kept:
        if kind == RETURN:
            if status in QUEUE_DEADLINE_FIELDS and running:
                counts["all"] += n
                counts["returns"] += n
            continue
        if status not in OPEN_STATUSES:
            continue
        counts["all"] += n
        counts["escalated"] += n if status in escalated else 0
        counts["awaiting_info"] += n if status == CaseStatus.AWAITING_INFO else 0
        counts["mine"] += n if assignee == actor.user.pk else 0
        counts["unassigned"] += n if assignee == 0 and status in PLATFORM_STATUSES else 0
    counts["at_risk"] = min(sum(read.count() for read in at_risk_reads(actor, now=now)), AT_RISK_COUNT_CAP)
    return counts
