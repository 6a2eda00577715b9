"""The console's dashboard: what happened over a period, as figures, charts and a CSV.

Every figure is scoped to the operator's marketplace and narrowed by team (the cases
its members hold) and category. The closed days come from the daily rollups, today from
the rows (``console.rollups``, ADR 0019): a fixed number of queries, and rows read that
grow with the days of the period, not with the cases. Durations are shown to the tenth
of an hour, rounded half up from the exact duration, the same on the page and in the CSV.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.cases.models import Case, CaseType
from marketdesk.console.charts import BarChart, Row, bar_chart, ranked
from marketdesk.console.deadlines import PLATFORM_STATUSES
from marketdesk.console.funding import REPORT_MONTHS, funding_chart
from marketdesk.console.models import QueueCount, Team
from marketdesk.console.rollups import (
    DECIDED,
    DECISION,
    FIRST,
    OPENED,
    PER_DAY,
    REFUND,
    RETURN_REASON,
    SCORE,
    SHOP,
    SLA,
    TOP,
    Facts,
    day_start,
    rollup_facts,
    stored_facts,
    stored_top_shops,
)
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.money import Money
from marketdesk.core.parsing import int_or_none
from marketdesk.core.policies import policy_current
from marketdesk.ledger.models import LedgerEntry
from marketdesk.ledger.selectors import funding_report_for_actor
from marketdesk.orders.models import Shop
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.returns.models import ReturnLine, ReturnReason

STAFF = (Role.OPERATOR, Role.ADMIN)
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
AGE_BUCKETS = [(0, 24), (24, 48), (48, 72), (72, 168), (168, None)]


@dataclass(frozen=True)
class DashboardFilters:
    days: int = 30
    team: int | None = None
    category: str = ""

    @classmethod
    def from_query(cls, params: Any) -> DashboardFilters:
        team = params.get("team", "")
        category = params.get("category", "")
        return cls(
            days=PERIODS.get(params.get("period", "30"), 30),
            team=int_or_none(team),
            category=category if category in CaseType.values else "",
        )


def percentile(values: list[float], pct: float) -> float | None:
    """Return the ``pct`` percentile (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Dashboard:
    since: dt.datetime
    until: dt.datetime
    days: list[dt.date]
    opened: list[int]
    decided: list[int]
    first_response_h: tuple[float | None, float | None]
    decision_h: tuple[float | None, float | None]
    sla_met: float | None
    sla_counted: int
    backlog: list[tuple[str, int]]
    refunds: list[Row]
    refund_totals: list[str]
    satisfaction: list[int]
    satisfaction_average: float | None
    top_sellers: list[Row]
    return_reasons: list[Row] = field(default_factory=list)
    charts: dict[str, BarChart] = field(default_factory=dict)

    def csv_rows(self) -> list[tuple[str, str, str]]:
        """Return the dashboard as (metric, key, value) rows."""
        rows: list[tuple[str, str, str]] = []
        for day, opened, decided in zip(self.days, self.opened, self.decided, strict=True):
            rows += [("cases_opened", day.isoformat(), str(opened)), ("cases_decided", day.isoformat(), str(decided))]
        for name, (p50, p90) in (("first_response_hours", self.first_response_h), ("decision_hours", self.decision_h)):
            rows += [(name, "p50", _fmt(p50)), (name, "p90", _fmt(p90))]
        rows.append(("sla_met_percent", "", _fmt(self.sla_met)))
        rows += [("backlog_by_age", label, str(n)) for label, n in self.backlog]
        rows += [("refunds", r.label, r.text) for r in self.refunds]
        rows += [("satisfaction", str(score), str(n)) for score, n in zip(range(1, 6), self.satisfaction, strict=True)]
        rows += [("top_sellers", r.label, f"{r.value:g}") for r in self.top_sellers]
        rows += [("returned_lines_by_reason", r.label, f"{r.value:g}") for r in self.return_reasons]
        return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _scoped(qs: QuerySet[Any], actor: Actor, filters: DashboardFilters, path: str) -> QuerySet[Any]:
    """Narrow cases (``path`` "") or a case's rows (``path`` "case__") to the actor's marketplace and the filters."""
    if actor.marketplace_id is not None and actor.role in STAFF:
        # Staff see their marketplace, kept on the case: its cases are read by the (marketplace, ...) indexes.
        # A case's rows are compared as an expression on SQLite, so its planner starts from their own time index
        # (today's decisions, the week's answers), not from every case of the marketplace; PostgreSQL's weighs
        # both by its statistics (and would misjudge the expression).
        if path and connection.vendor == "sqlite":
            qs = qs.alias(_mp=F(f"{path}marketplace_id") + Value(0)).filter(_mp=actor.marketplace_id)
        else:
            qs = qs.filter(**{f"{path}marketplace_id": actor.marketplace_id})
    else:
        qs = scope_to_actor(qs, actor, order_path=f"{path}order__", shop_path=f"{path}shop__")
    if filters.category:
        qs = qs.filter(**{f"{path}case_type": filters.category})
    if filters.team is not None:
        qs = qs.filter(**{f"{path}assignee__operator_profile__team_id": filters.team})
    return qs


def _cases(actor: Actor, filters: DashboardFilters) -> QuerySet[Case]:
    return _scoped(Case.objects.all(), actor, filters, "")


def teams_for_actor(actor: Actor) -> QuerySet[Team]:
    qs = Team.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    return qs.order_by("name")


def _backlog(actor: Actor, filters: DashboardFilters, cases: QuerySet[Case], now: dt.datetime) -> list[int]:
    """Count the platform's backlog by age: the last week's escalations from their index, the older ones as the
    rest of the queue's kept count (ADR 0017) — a count over the backlog only for a category or a team."""
    waiting = cases.filter(status__in=PLATFORM_STATUSES)
    week = now - dt.timedelta(hours=AGE_BUCKETS[-1][0])
    # Two ranges of the (marketplace, status, escalated_at) index: the last week's escalations, and the backlog
    # never escalated. Asked as one "or", PostgreSQL cannot tell how few rows either holds and reads every case.
    recent = waiting.filter(escalated_at__gt=week).aggregate(
        **{
            f"b{i}": Count(
                "id",
                filter=Q(escalated_at__lte=now - dt.timedelta(hours=lo), escalated_at__gt=now - dt.timedelta(hours=hi)),
            )
            for i, (lo, hi) in enumerate(AGE_BUCKETS[:-1])
            if hi is not None
        },
        later=Count("id", filter=Q(escalated_at__gt=now)),
    )
    counts = [recent[f"b{i}"] for i in range(len(AGE_BUCKETS) - 1)]
    if filters.category or filters.team is not None:
        return [*counts, waiting.filter(escalated_at__lte=week).count()]
    unescalated = waiting.filter(escalated_at__isnull=True).count()
    kept = QueueCount.objects.filter(kind="case", status__in=PLATFORM_STATUSES)
    if actor.marketplace_id is not None:
        kept = kept.filter(marketplace_id=actor.marketplace_id)
    total = kept.aggregate(n=Sum("n"))["n"] or 0
    return [*counts, total - sum(counts) - recent["later"] - unescalated]


def dashboard_facts(actor: Actor, filters: DashboardFilters, *, since: dt.date, now: dt.datetime) -> Facts:
    """Return the period's facts: the rollup's closed days, then the rows since (ADR 0019)."""
    ledger = scope_to_actor(LedgerEntry.objects.all(), actor, order_path="order__")
    if actor.marketplace_id is not None and connection.vendor == "sqlite":
        # As in _scoped: today's refunds by their time index, then their order's marketplace.
        ledger = LedgerEntry.objects.alias(_mp=F("order__marketplace_id") + Value(0)).filter(_mp=actor.marketplace_id)
    start = day_start(since)
    # Returned lines belong to no case category and no team: counted on the unfiltered dashboard only.
    return_lines = (
        scope_to_actor(ReturnLine.objects.all(), actor, order_path="ret__order__", shop_path="ret__shop__")
        if filters.team is None and not filters.category
        else None
    )

    def scope(qs: QuerySet[Any], path: str) -> QuerySet[Any]:
        return _scoped(qs, actor, filters, path)

    if filters.team is not None:
        # A team's figures follow the cases its members hold now, which every assignment moves: from the rows.
        ledger = ledger.filter(case_id__in=_cases(actor, filters).values("pk"))
        return rollup_facts(
            scope=scope, ledger=ledger, start=start, end=now, escalated_since=start, case_type=filters.category
        )
    while True:
        stored = stored_facts(marketplace_id=actor.marketplace_id, since=since, case_type=filters.category, now=now)
        live = rollup_facts(
            scope=scope,
            ledger=ledger,
            start=stored.live_from,
            end=now,
            escalated_since=start,
            case_type=filters.category,
            return_lines=return_lines,
        )
        if stored.top_through is None:
            return stored.facts.merge(live)
        # The cases per shop of the closed days: only the shops that can make the top ten (ADR 0019).
        shops = stored_top_shops(
            marketplace_id=actor.marketplace_id,
            since=since,
            through=stored.top_through,
            case_type=filters.category,
            live=_Sums(live).by_number(SHOP),
        )
        if shops is not None:
            for shop, n in shops.items():
                stored.facts.add((0, since, "", SHOP, str(shop)), n)
            return stored.facts.merge(live)
        # The job moved the mark after the other figures were read: read them all again.


def percentile_of_tenths(counts: dict[int, int], pct: float) -> float | None:
    """Return the ``pct`` percentile (nearest rank) of durations counted by tenths of an hour, in hours."""
    total = sum(counts.values())
    if not total:
        return None
    rank = min(max(1, round(pct / 100 * total)), total)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            break
    return value / 10


class _Sums:
    """The period's facts summed by metric and key, and the per-day metrics by day: one pass over the facts.

    A year at 1M cases holds tens of thousands of facts (a key per tenth of an hour, a day per daily count);
    each figure reads its own sums instead of walking them all again.
    """

    def __init__(self, facts: Facts) -> None:
        self._by_key: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self._by_day: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for (_mp, day, _type, name, key), (n, total) in facts.items():
            keyed = self._by_key[name]
            cell = keyed.get(key)
            if cell is None:
                keyed[key] = [n, total]
            else:
                cell[0] += n
                cell[1] += total
            if name in PER_DAY:
                days = self._by_day[name]
                days[day] = days.get(day, 0) + n

    def by_key(self, metric: str) -> dict[str, list[int]]:
        return self._by_key.get(metric, {})

    def per_day(self, metric: str, days: list[dt.date]) -> list[int]:
        counts = self._by_day.get(metric, {})
        return [counts.get(day, 0) for day in days]

    def by_number(self, metric: str) -> dict[int, int]:
        """The counts by a numeric key: a tenth of an hour, a score, a shop."""
        return {int(key): n for key, (n, _total) in self.by_key(metric).items()}


def dashboard_for_actor(actor: Actor, filters: DashboardFilters, *, now: dt.datetime | None = None) -> Dashboard:
    """Return the dashboard of the actor's marketplace over the last ``filters.days`` days."""
    if actor.role not in STAFF:
        raise PermissionError
    now = now or clock.now()
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    days = [today - dt.timedelta(days=i) for i in range(filters.days - 1, -1, -1)]
    since = dt.datetime.combine(days[0], dt.time(0), tzinfo=tz)
    until = now
    cases = _cases(actor, filters)
    sums = _Sums(dashboard_facts(actor, filters, since=days[0], now=now))
    opened = sums.per_day(OPENED, days)
    decided = sums.per_day(DECIDED, days)

    # Time to decision (from the escalation) and the SLA (less the time spent waiting for a party).
    to_decision = sums.by_number(DECISION)
    working = sums.by_number(SLA)
    target = policy_current().decision_target_hours
    sla_counted = sum(working.values())
    sla_met = 100 * sum(n for hours, n in working.items() if hours <= target) / sla_counted if sla_counted else None
    # Time to first response: the escalation to the first thing support did on the case.
    to_first = sums.by_number(FIRST)

    # Backlog now, by how long it has waited since the escalation.
    backlog_counts = _backlog(actor, filters, cases, now)
    labels = [_("under 1 day"), _("1–2 days"), _("2–3 days"), _("3–7 days"), _("over a week")]
    backlog = list(zip(labels, backlog_counts, strict=True))

    # Refunds by payer and reason, per currency.
    refund_rows: list[tuple[str, str, str, int, int]] = []
    for key, (n, total) in sums.by_key(REFUND).items():
        payer, reason, currency = key.split("|")
        refund_rows.append((payer, reason, currency, total, n))
    refunds = ranked(
        sorted(
            (
                (f"{_payer(payer)} · {_reason(reason)}", float(total), f"{Money(total, currency).format()} ({n})")
                for payer, reason, currency, total, n in refund_rows
            ),
            key=lambda row: (-row[1], row[0]),
        )
    )
    totals: dict[str, int] = defaultdict(int)
    for _payer_code, _reason_code, currency, total, _n in refund_rows:
        totals[currency] += total
    refund_totals = [Money(v, c).format() for c, v in sorted(totals.items())]

    # Satisfaction answered in the period.
    scores = sums.by_number(SCORE)
    satisfaction = [scores.get(s, 0) for s in range(1, 6)]
    answered = sum(satisfaction)
    average = sum(s * n for s, n in zip(range(1, 6), satisfaction, strict=True)) / answered if answered else None

    top_sellers = ranked(_top_sellers(sums.by_key(SHOP)))
    return_reasons = ranked(
        sorted(
            ((_return_reason(key), float(n), str(n)) for key, (n, _items) in sums.by_key(RETURN_REASON).items()),
            key=lambda row: (-row[1], row[0]),
        )
    )

    board = Dashboard(
        since=since,
        until=until,
        days=days,
        opened=opened,
        decided=decided,
        first_response_h=(percentile_of_tenths(to_first, 50), percentile_of_tenths(to_first, 90)),
        decision_h=(percentile_of_tenths(to_decision, 50), percentile_of_tenths(to_decision, 90)),
        sla_met=sla_met,
        sla_counted=sla_counted,
        backlog=backlog,
        refunds=refunds,
        refund_totals=refund_totals,
        satisfaction=satisfaction,
        satisfaction_average=average,
        top_sellers=top_sellers,
        return_reasons=return_reasons,
    )
    day_labels = [d.strftime("%d.%m") for d in days]
    board.charts = {
        "per_day": bar_chart(
            _("Cases opened and decided per day"),
            day_labels,
            [[float(n) for n in opened], [float(n) for n in decided]],
            legend=[_("Opened"), _("Decided")],
        ),
        "backlog": bar_chart(
            _("Backlog by age"), [str(label) for label, _n in backlog], [[float(n) for _l, n in backlog]]
        ),
        "satisfaction": bar_chart(_("Ratings"), ["1", "2", "3", "4", "5"], [[float(n) for n in satisfaction]]),
        "funding": funding_chart(funding_report_for_actor(actor, months=REPORT_MONTHS)),
    }
    return board


def _top_sellers(by_shop: dict[str, list[int]]) -> list[tuple[str, float, str]]:
    """The ten shops with the most cases opened, ties by name as the shops are called now (one query)."""
    counts = sorted((n for n, _total in by_shop.values()), reverse=True)
    cut = counts[TOP - 1] if len(counts) >= TOP else 1
    named = {int(key): n for key, (n, _total) in by_shop.items() if n >= cut}
    names = dict(Shop.objects.filter(pk__in=named).values_list("pk", "name"))
    top = sorted(((names[pk], n) for pk, n in named.items()), key=lambda item: (-item[1], item[0]))[:TOP]
    return [(name, float(n), str(n)) for name, n in top]


def _payer(code: str) -> str:
    from marketdesk.ledger.models import Payer

    return str(Payer(code).label) if code in Payer.values else code


def _reason(code: str) -> str:
    return str(CaseType(code).label) if code in CaseType.values else code


def _return_reason(code: str) -> str:
    return str(ReturnReason(code).label) if code in ReturnReason.values else code
