"""Reads of the console, scoped to the operator or administrator who asks (other roles read nothing)."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, Decision, InfoRequest
from marketdesk.cases.states import OPEN_STATUSES, CaseStatus
from marketdesk.console.deadlines import AT_RISK, PLATFORM_STATUSES
from marketdesk.console.models import AuditEntry, Macro, MacroUse, QueueCount, SatisfactionSurvey, SavedQueueView
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.deadlines import NO_DEADLINE
from marketdesk.core.parsing import int_or_none
from marketdesk.orders.models import Marketplace, Shop
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.returns.models import QUEUE_DEADLINE_FIELDS, Return

STAFF = (Role.OPERATOR, Role.ADMIN)

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

    The marketplace is the shop's. Scoped by a join, SQLite reads the marketplace's shops first and sorts every
    open case of theirs in a temporary B-tree; compared as ``shop_id + 0`` (which no index serves) against the
    marketplace's shops, the (``queue_due_at``, id) index is walked in order and a page stops after 51 rows, on
    SQLite and PostgreSQL alike (``test_the_scoped_deadline_ordered_read_is_served_by_the_index``).
    """
    qs = Case.objects.filter(is_open=True)
    if actor.role in STAFF and actor.marketplace_id is not None:
        shops = Shop.objects.filter(marketplace_id=actor.marketplace_id).values("id")
        return qs.alias(scope_shop=F("shop_id") + 0).filter(scope_shop__in=shops)
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


QueueKey = tuple[int, str, dt.datetime]
#: How far the "deadlines at risk" tab counts (the only tab that depends on the time, so not kept as a count).
AT_RISK_COUNT_CAP = 1000


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
    shops = Shop.objects.in_bulk({r.shop_id for r in rows})
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


def queue_counts(actor: Actor, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Return how many rows each saved view holds now, from the kept counts (three queries, none over every case).

    Every tab but "deadlines at risk" is a sum of ``QueueCount`` rows (a few per status and operator); that one
    depends on the time, so it is counted on the deadline index and stops at ``AT_RISK_COUNT_CAP``.
    """
    counts = dict.fromkeys(QUEUE_VIEWS, 0)
    if actor.role not in STAFF or actor.user is None:
        return counts
    now = now or clock.now()
    kept = QueueCount.objects.filter(n__gt=0)
    if actor.marketplace_id is not None:
        kept = kept.filter(marketplace_id=actor.marketplace_id)
    escalated = {CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED}
    for kind, status, assignee, running, n in kept.values_list("kind", "status", "assignee_id", "running", "n"):
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
    at_risk = QueueFilters(view="at_risk")
    for qs in (_open_cases(actor, at_risk, now=now), return_deadlines(actor, at_risk, now=now)):
        counts["at_risk"] += qs.select_related(None).order_by().values("id")[:AT_RISK_COUNT_CAP].count()
    counts["at_risk"] = min(counts["at_risk"], AT_RISK_COUNT_CAP)
    return counts


def saved_views_for_actor(actor: Actor) -> QuerySet[SavedQueueView]:
    """Return the operator's own saved views of the queue, by name (nobody else's)."""
    if actor.role not in STAFF or actor.user is None:
        return SavedQueueView.objects.none()
    return SavedQueueView.objects.filter(owner=actor.user).order_by("name", "id")


def operators_for_actor(actor: Actor) -> QuerySet[User]:
    """Return the operators (and administrators) of the actor's marketplace, with what each works on now."""
    if actor.role not in STAFF:
        return User.objects.none()
    qs = User.objects.filter(role__in=STAFF, is_active=True)
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    # Every open case they hold, as their "Mine" tab counts it: a sum of the kept ``QueueCount`` rows (a few per
    # operator), never a count of their cases, which grows with the queue.
    kept = QueueCount.objects.filter(kind=CASE, status__in=OPEN_STATUSES, assignee_id=OuterRef("pk"))
    if actor.marketplace_id is not None:
        kept = kept.filter(marketplace_id=actor.marketplace_id)
    working = kept.order_by().values("assignee_id").annotate(total=Sum("n")).values("total")
    return qs.annotate(working=Coalesce(Subquery(working), 0)).order_by("-working", "display_name", "id")


def audit_for_actor(
    actor: Actor,
    *,
    q: str = "",
    who: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Return the audit trail the actor may read (their marketplace's), newest first, filtered."""
    if actor.role not in STAFF:
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    if q:
        qs = qs.filter(
            Q(actor_label__icontains=q) | Q(action__icontains=q) | Q(object_label__icontains=q) | Q(object_id=q)
        )
    if who is not None:
        qs = qs.filter(actor_user_id=who)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since is not None:
        qs = qs.filter(occurred_at__date__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__date__lte=until)
    return qs.select_related("actor_user").order_by("-occurred_at", "-id")


def audit_actions(actor: Actor) -> list[str]:
    """Return the distinct actions in the actor's trail (for the filter)."""
    return sorted(set(audit_for_actor(actor).order_by().values_list("action", flat=True).distinct()))


def macros_for_actor(actor: Actor, *, use: str = "", active_only: bool = False) -> QuerySet[Macro]:
    """Return the macros an operator may use: the installation's and their marketplace's."""
    if actor.role not in STAFF:
        return Macro.objects.none()
    qs = Macro.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(Q(marketplace_id=actor.marketplace_id) | Q(marketplace__isnull=True))
    if use:
        qs = qs.filter(use__in=(use, MacroUse.BOTH))
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("language", "title", "id")


def macro_get_for_actor(actor: Actor, pk: int) -> Macro | None:
    """Return one macro the operator may use, or None."""
    return macros_for_actor(actor).filter(pk=pk).select_related("translation_of").first()


@dataclass(frozen=True)
class MacroFamily:
    """One macro and its translations: the text in each language, or None where none is written yet."""

    original: Macro
    texts: dict[str, Macro | None]
    shown: Macro  # the text in the reader's language where there is one

    @property
    def usage_count(self) -> int:
        return sum(macro.usage_count for macro in self.texts.values() if macro is not None)

    @property
    def active(self) -> bool:
        return any(macro.active for macro in self.texts.values() if macro is not None)


def macro_families_for_actor(actor: Actor, *, language: str = "") -> list[MacroFamily]:
    """Return the operator's macros, each with its translations beside it, titled in ``language`` (one query)."""
    macros = list(macros_for_actor(actor))
    by_pk = {macro.pk: macro for macro in macros}
    families: dict[int, dict[str, Macro | None]] = {}
    for macro in macros:
        root = macro.translation_of_id if macro.translation_of_id in by_pk else macro.pk
        texts = families.setdefault(root, dict.fromkeys(dict(settings.LANGUAGES)))
        texts[macro.language] = macro
    rows = [MacroFamily(by_pk[root], texts, texts.get(language) or by_pk[root]) for root, texts in families.items()]
    return sorted(rows, key=lambda row: (not row.active, row.shown.title.casefold()))


MACRO_PREVIEW_CASES = 30


def macro_preview_cases(actor: Actor) -> list[Case]:
    """Return the cases a macro may be previewed on: the operator's most recent ones."""
    if actor.role not in STAFF:
        return []
    return list(
        scope_to_actor(Case.objects.select_related("order", "buyer"), actor, order_path="order__").order_by(
            "-opened_at", "-id"
        )[:MACRO_PREVIEW_CASES]
    )


def survey_for_actor(actor: Actor, pk: int) -> SatisfactionSurvey | None:
    """Return the survey put to this person (nobody else's)."""
    if actor.user is None:
        return None
    return SatisfactionSurvey.objects.filter(pk=pk, user=actor.user).select_related("case__order", "case__shop").first()


def surveys_for_actor(actor: Actor) -> QuerySet[SatisfactionSurvey]:
    """Return the satisfaction surveys of the actor's marketplace (staff only)."""
    if actor.role not in STAFF:
        return SatisfactionSurvey.objects.none()
    return scope_to_actor(SatisfactionSurvey.objects.all(), actor, order_path="case__order__")


@dataclass(frozen=True)
class SatisfactionRow:
    label: str
    asked: int
    answered: int
    average: float | None


def satisfaction_results(actor: Actor, *, since: dt.datetime, until: dt.datetime) -> dict[str, list[SatisfactionRow]]:
    """Return ratings per operator, per reason and per seller over a period (three queries)."""
    from marketdesk.cases.models import CaseType

    qs = surveys_for_actor(actor).filter(asked_at__gte=since, asked_at__lt=until)

    def rows(key: str, label: Any) -> list[SatisfactionRow]:
        found = (
            qs.values(key)
            .annotate(asked=Count("id"), answered=Count("id", filter=Q(score__isnull=False)), average=Avg("score"))
            .order_by(key)
        )
        return [SatisfactionRow(label(r[key]), r["asked"], r["answered"], r["average"]) for r in found]

    names = dict(User.objects.filter(role__in=STAFF).values_list("pk", "display_name"))
    return {
        "operator": rows(
            "operator_id", lambda pk: names.get(pk) or (str(_("Settled without support")) if pk is None else f"#{pk}")
        ),
        "reason": rows("case__case_type", lambda code: str(CaseType(code).label) if code in CaseType.values else code),
        "seller": rows("case__shop__name", str),
    }
