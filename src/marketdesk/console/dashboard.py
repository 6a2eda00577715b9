"""The console's dashboard: what happened over a period, as figures, charts and a CSV.

Every figure is scoped to the operator's marketplace and narrowed by team (the cases
its members hold) and category. A fixed number of queries whatever the period: the
per-day series are grouped in the database, durations are read as pairs of moments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.cases.models import Case, CaseType, Decision, InfoRequest
from marketdesk.console.charts import BarChart, Row, bar_chart, ranked
from marketdesk.console.deadlines import PLATFORM_STATUSES
from marketdesk.console.models import SatisfactionSurvey, Team
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.models import TimelineEvent
from marketdesk.core.money import Money
from marketdesk.core.parsing import int_or_none
from marketdesk.core.policies import policy_current
from marketdesk.ledger.models import EntryKind, LedgerEntry
from marketdesk.orders.selectors import scope_to_actor

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


def _hours(values: list[dt.timedelta]) -> list[float]:
    return [v.total_seconds() / 3600 for v in values]


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
        return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cases(actor: Actor, filters: DashboardFilters) -> QuerySet[Case]:
    # The marketplace from the shop: a join of its few shops, not of every order it ever had.
    qs = scope_to_actor(Case.objects.all(), actor, order_path="order__", shop_path="shop__")
    if filters.category:
        qs = qs.filter(case_type=filters.category)
    if filters.team is not None:
        qs = qs.filter(assignee__operator_profile__team_id=filters.team)
    return qs


def teams_for_actor(actor: Actor) -> QuerySet[Team]:
    qs = Team.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    return qs.order_by("name")


def _per_day(qs: QuerySet[Any], field_name: str, days: list[dt.date]) -> list[int]:
    tz = timezone.get_current_timezone()
    counts = {
        row["day"]: row["n"]
        for row in qs.annotate(day=TruncDate(field_name, tzinfo=tz)).values("day").annotate(n=Count("id")).order_by()
    }
    return [counts.get(day, 0) for day in days]


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
    opened = _per_day(cases.filter(opened_at__gte=since, opened_at__lte=until), "opened_at", days)
    first_decisions = Decision.objects.filter(
        is_appeal=False, case__in=cases, decided_at__gte=since, decided_at__lte=until
    )
    decided = _per_day(first_decisions, "decided_at", days)

    # Time to decision and the SLA: from the escalation, less the time spent waiting for a party.
    # The difference is taken in the database: one duration per case read, not two timestamps.
    pairs = list(
        first_decisions.filter(case__escalated_at__isnull=False)
        .annotate(took=ExpressionWrapper(F("decided_at") - F("case__escalated_at"), output_field=DurationField()))
        .values_list("case_id", "took")
    )
    waits: dict[int, dt.timedelta] = defaultdict(dt.timedelta)
    for case_id, asked, answered in InfoRequest.objects.filter(
        case_id__in=first_decisions.values("case_id"), answered_at__isnull=False
    ).values_list("case_id", "asked_at", "answered_at"):
        if answered is not None:  # filtered above; for the type checker
            waits[case_id] += answered - asked
    to_decision = [took for _id, took in pairs]
    target = dt.timedelta(hours=policy_current().decision_target_hours)
    working = [took - waits[case_id] for case_id, took in pairs]
    sla_met = 100 * sum(1 for w in working if w <= target) / len(working) if working else None

    # Time to first response: the escalation to the first thing support did on the case.
    case_type = ContentType.objects.get_for_model(Case)
    first_staff = (
        TimelineEvent.objects.filter(
            subject_type=case_type,
            subject_id=OuterRef("pk"),
            actor_role__in=STAFF,
            occurred_at__gte=OuterRef("escalated_at"),
        )
        .order_by()
        .values("subject_id")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    responded = (
        cases.filter(escalated_at__gte=since, escalated_at__lte=until)
        .annotate(first=Subquery(first_staff))
        .filter(first__isnull=False)
        .annotate(took=ExpressionWrapper(F("first") - F("escalated_at"), output_field=DurationField()))
        .values_list("took", flat=True)
    )
    to_first = list(responded)

    # Backlog now, by how long it has waited since the escalation.
    backlog_counts = cases.filter(status__in=PLATFORM_STATUSES).aggregate(
        **{
            f"b{i}": Count(
                "id",
                filter=Q(escalated_at__lte=now - dt.timedelta(hours=lo))
                & (Q(escalated_at__gt=now - dt.timedelta(hours=hi)) if hi else Q()),
            )
            for i, (lo, hi) in enumerate(AGE_BUCKETS)
        }
    )
    labels = [_("under 1 day"), _("1–2 days"), _("2–3 days"), _("3–7 days"), _("over a week")]
    backlog = [(labels[i], backlog_counts[f"b{i}"]) for i in range(len(AGE_BUCKETS))]

    # Refunds by payer and reason, per currency.
    refunds_qs = scope_to_actor(LedgerEntry.objects.all(), actor, order_path="order__").filter(
        kind=EntryKind.REFUND, created_at__gte=since, created_at__lte=until
    )
    if filters.category or filters.team is not None:
        refunds_qs = refunds_qs.filter(case_id__in=cases.values("pk"))
    refund_rows = list(
        refunds_qs.values("payer", "reason", "currency").annotate(total=Sum("amount_minor"), n=Count("id")).order_by()
    )
    refunds = ranked(
        sorted(
            (
                (
                    f"{_payer(r['payer'])} · {_reason(r['reason'])}",
                    float(r["total"]),
                    f"{Money(r['total'], r['currency']).format()} ({r['n']})",
                )
                for r in refund_rows
            ),
            key=lambda row: -row[1],
        )
    )
    totals: dict[str, int] = defaultdict(int)
    for r in refund_rows:
        totals[r["currency"]] += r["total"]
    refund_totals = [Money(v, c).format() for c, v in sorted(totals.items())]

    # Satisfaction answered in the period.
    scores = dict(
        SatisfactionSurvey.objects.filter(
            case__in=cases, answered_at__gte=since, answered_at__lte=until, score__isnull=False
        )
        .values_list("score")
        .annotate(n=Count("id"))
        .order_by()
    )
    satisfaction = [scores.get(s, 0) for s in range(1, 6)]
    answered = sum(satisfaction)
    average = sum(s * n for s, n in zip(range(1, 6), satisfaction, strict=True)) / answered if answered else None

    top = list(
        cases.filter(opened_at__gte=since, opened_at__lte=until)
        .values("shop__name")
        .annotate(n=Count("id"))
        .order_by("-n", "shop__name")[:10]
    )
    top_sellers = ranked([(r["shop__name"], float(r["n"]), str(r["n"])) for r in top])

    board = Dashboard(
        since=since,
        until=until,
        days=days,
        opened=opened,
        decided=decided,
        first_response_h=(percentile(_hours(to_first), 50), percentile(_hours(to_first), 90)),
        decision_h=(percentile(_hours(to_decision), 50), percentile(_hours(to_decision), 90)),
        sla_met=sla_met,
        sla_counted=len(working),
        backlog=backlog,
        refunds=refunds,
        refund_totals=refund_totals,
        satisfaction=satisfaction,
        satisfaction_average=average,
        top_sellers=top_sellers,
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
    }
    return board


def _payer(code: str) -> str:
    from marketdesk.ledger.models import Payer

    return str(Payer(code).label) if code in Payer.values else code


def _reason(code: str) -> str:
    return str(CaseType(code).label) if code in CaseType.values else code
