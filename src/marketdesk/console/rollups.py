"""The dashboard's daily rollups: facts of closed days kept in ``DashboardRollup``, today read from the rows.

A *fact* is (marketplace, day, case type, metric, key) → (count, total). ``rollup_facts`` computes them
from the cases, decisions, ledger, surveys and timeline for a stretch of time; the hourly job stores the
facts of each day once it has closed, and the dashboard adds the facts of the stretch since the last
closed day, computed by the same function (ADR 0019). Every fact is dated by a moment that never changes
once written (an opening, a decision, a refund, an answered survey, support's first act after the
escalation, filed under the escalation's day), so a closed day's figures stay true.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from marketdesk.cases.models import Case, Decision, InfoRequest
from marketdesk.console.models import DashboardRollup, DashboardRollupMark, DashboardTopShop, SatisfactionSurvey
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.models import TimelineEvent
from marketdesk.ledger.models import EntryKind, LedgerEntry
from marketdesk.returns.models import ReturnLine

STAFF = (Role.OPERATOR, Role.ADMIN)
DAY, MONTH = "d", "m"
# The metrics: cases opened (and by shop: the key), first decisions, the time to them (tenths of an hour) and
# their working time for the SLA (whole hours, rounded up), the first response (tenths, filed under the
# escalation's day), refunds (payer|reason|currency, with the total) and ratings (the score).
OPENED, SHOP, DECIDED, DECISION, SLA = "opened", "shop", "decided", "decision", "sla"
FIRST, REFUND, SCORE = "first", "refund", "score"
# Returned lines by their structured reason (the key), dated by their return's request (total: the items).
RETURN_REASON = "returned"  # the metric column holds 8 characters
# Drawn day by day, so never summed into months.
PER_DAY = (OPENED, DECIDED)
# Every fact is also stored under this case type, summed over the types: the unfiltered page reads one row per
# day and key, not one per case type.
ALL = "*"
# The periods whose cases per shop are kept in ``DashboardTopShop``, aligned to the mark (the page's periods).
TOP_PERIODS = (7, 30, 90, 365)
TOP = 10
HOUR_US = 3_600_000_000

FactKey = tuple[int, dt.date, str, str, str]  # marketplace, day, case type, metric, key
# Narrows a queryset of cases (path "") or of rows of a case (path "case__") to what a reader may count.
Scope = Callable[[QuerySet[Any], str], QuerySet[Any]]


def everything(qs: QuerySet[Any], path: str) -> QuerySet[Any]:
    """The job's scope: every marketplace's rows."""
    return qs


class Facts(defaultdict[FactKey, list[int]]):
    """Counts and totals by fact key; adding two adds them."""

    def __init__(self) -> None:
        super().__init__(lambda: [0, 0])

    def add(self, key: FactKey, n: int, total: int = 0) -> None:
        cell = self[key]
        cell[0] += n
        cell[1] += total

    def merge(self, other: Facts) -> Facts:
        for key, (n, total) in other.items():
            self.add(key, n, total)
        return self


def tenths(delta: dt.timedelta) -> int:
    """Return a duration in tenths of an hour, rounded half up from the exact microseconds (as the page shows it)."""
    us = delta // dt.timedelta(microseconds=1)
    return (us * 10 + HOUR_US // 2) // HOUR_US


def hours_up(delta: dt.timedelta) -> int:
    """Return a duration in whole hours rounded up: ``delta <= T hours`` exactly when this is ``<= T``."""
    return -(-(delta // dt.timedelta(microseconds=1)) // HOUR_US)


def _zone() -> dt.tzinfo:
    return timezone.get_current_timezone()


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_zone()).date()


def day_start(day: dt.date) -> dt.datetime:
    """Return the first moment of a local day."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=_zone())


def _between(field: str, start: dt.datetime | None, end: dt.datetime) -> Q:
    """``start <= field <= end`` (no lower bound without a start)."""
    q = Q(**{f"{field}__lte": end})
    return q & Q(**{f"{field}__gte": start}) if start is not None else q


def rollup_facts(
    *,
    scope: Scope,
    ledger: QuerySet[LedgerEntry],
    start: dt.datetime | None,
    end: dt.datetime,
    escalated_since: dt.datetime | None,
    case_type: str = "",
    return_lines: QuerySet[ReturnLine] | None = None,
) -> Facts:
    """Return the facts of the moments from ``start`` to ``end`` (both included) of ``scope`` and ``ledger``.

    Each table is read from its time index and joined to the case (never "among every case of the
    marketplace"), so the rows read grow with the stretch, not with the table. ``case_type`` narrows the refunds.

    First responses count when support's first act after the escalation falls in the stretch, for cases
    escalated from ``escalated_since``. ``return_lines`` (scoped by the caller; None counts none) are counted by
    reason under no case type. Eight queries whatever the stretch; the rows grouped in the database where no
    duration is needed.
    """
    tz = _zone()
    facts = Facts()
    opened = (
        scope(Case.objects.filter(_between("opened_at", start, end)), "")
        .values(mp=F("marketplace_id"), t=F("case_type"), s=F("shop_id"), d=TruncDate("opened_at", tzinfo=tz))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in opened:
        facts.add((row["mp"], row["d"], row["t"], OPENED, ""), row["n"])
        facts.add((row["mp"], row["d"], row["t"], SHOP, str(row["s"])), row["n"])

    first_decisions = scope(Decision.objects.filter(_between("decided_at", start, end), is_appeal=False), "case__")
    decided = list(
        first_decisions.values_list(
            "case_id", "case__marketplace_id", "case__case_type", "decided_at", "case__escalated_at"
        )
    )
    waits: dict[int, dt.timedelta] = defaultdict(dt.timedelta)
    for case_id, asked, answered in InfoRequest.objects.filter(
        case_id__in=first_decisions.values("case_id"), answered_at__isnull=False
    ).values_list("case_id", "asked_at", "answered_at"):
        if answered is not None:  # filtered above; for the type checker
            waits[case_id] += answered - asked
    for case_id, mp, kind, decided_at, escalated_at in decided:
        day = _day(decided_at)
        facts.add((mp, day, kind, DECIDED, ""), 1)
        if escalated_at is not None:
            took = decided_at - escalated_at
            facts.add((mp, day, kind, DECISION, str(tenths(took))), 1)
            facts.add((mp, day, kind, SLA, str(hours_up(took - waits[case_id]))), 1)

    # Support's first act after the escalation: looked for among the cases support acted on in the stretch.
    case_ct = ContentType.objects.get_for_model(Case)
    staff_events = TimelineEvent.objects.filter(subject_type=case_ct, actor_role__in=STAFF)
    acted_on = staff_events.filter(_between("occurred_at", start, end)).values("subject_id")
    first_staff = (
        staff_events.filter(subject_id=OuterRef("pk"), occurred_at__gte=OuterRef("escalated_at"))
        .order_by()
        .values("subject_id")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    responded = scope(Case.objects.filter(pk__in=acted_on, escalated_at__isnull=False), "")
    if escalated_since is not None:
        responded = responded.filter(escalated_at__gte=escalated_since)
    for mp, kind, escalated_at, first in (
        responded.annotate(first=Subquery(first_staff))
        .filter(_between("first", start, end))
        .values_list("marketplace_id", "case_type", "escalated_at", "first")
    ):
        facts.add((mp, _day(escalated_at), kind, FIRST, str(tenths(first - escalated_at))), 1)

    typed = ledger.filter(_between("created_at", start, end), kind=EntryKind.REFUND).annotate(
        t=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("case_type")[:1])
    )
    if case_type:
        typed = typed.filter(t=case_type)
    refunds = (
        typed.values(
            "payer", "reason", "currency", "t", mp=F("order__marketplace_id"), d=TruncDate("created_at", tzinfo=tz)
        )
        .annotate(total=Sum("amount_minor"), n=Count("id"))
        .order_by()
    )
    for row in refunds:
        key = f"{row['payer']}|{row['reason']}|{row['currency']}"
        facts.add((row["mp"], row["d"], row["t"] or "", REFUND, key), row["n"], row["total"])

    scores = (
        scope(SatisfactionSurvey.objects.filter(_between("answered_at", start, end), score__isnull=False), "case__")
        .values("score", mp=F("case__marketplace_id"), t=F("case__case_type"), d=TruncDate("answered_at", tzinfo=tz))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in scores:
        facts.add((row["mp"], row["d"], row["t"], SCORE, str(row["score"])), row["n"])

    if return_lines is not None:
        returned = (
            return_lines.filter(_between("ret__requested_at", start, end))
            .values("reason", mp=F("ret__order__marketplace_id"), d=TruncDate("ret__requested_at", tzinfo=tz))
            .annotate(n=Count("id"), items=Sum("quantity"))
            .order_by()
        )
        for row in returned:
            facts.add((row["mp"], row["d"], "", RETURN_REASON, row["reason"]), row["n"], row["items"])
    return facts


def _all_facts(start: dt.datetime | None, end: dt.datetime) -> Facts:
    return rollup_facts(
        scope=everything,
        ledger=LedgerEntry.objects.all(),
        start=start,
        end=end,
        escalated_since=None,
        return_lines=ReturnLine.objects.all(),
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _rows(facts: Facts) -> dict[tuple[int, str, dt.date, str, str, str], list[int]]:
    """The stored rows of some day facts: each fact as a day row and added into its month's row."""
    rows: dict[tuple[int, str, dt.date, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (mp, day, case_type, metric, key), (n, total) in facts.items():
        for span, at in ((DAY, day),) if metric in PER_DAY else ((DAY, day), (MONTH, _month(day))):
            for kind in (case_type, ALL):
                cell = rows[(mp, span, at, kind, metric, key)]
                cell[0] += n
                cell[1] += total
    return rows


def _top_window(through: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The closed days a period of ``days`` holds before today when ``through`` is yesterday."""
    return through - dt.timedelta(days=days - 2), through


def _tops_rewrite(through: dt.date) -> None:
    """Rewrite ``DashboardTopShop`` for the periods ending on ``through`` from the stored day rows per shop."""
    DashboardTopShop.objects.all().delete()
    for days in TOP_PERIODS:
        first, last = _top_window(through, days)
        sums = (
            DashboardRollup.objects.filter(metric=SHOP, span=DAY, day__gte=first, day__lte=last)
            .values_list("marketplace_id", "case_type", "key")
            .annotate(s=Sum("n"))
            .order_by()
        )
        DashboardTopShop.objects.bulk_create(
            (
                DashboardTopShop(marketplace_id=mp, days=days, case_type=kind, shop_id=int(shop), n=n)
                for mp, kind, shop, n in sums.iterator(chunk_size=5000)
                if n
            ),
            batch_size=5000,
        )


def _tops_recount(rows: dict[tuple[int, str, dt.date, str, str, str], list[int]], through: dt.date) -> Facts:
    """What ``DashboardTopShop`` should hold for the mark ``through``, from recounted rows (as drift keys)."""
    tops = Facts()
    for (mp, span, day, kind, metric, shop), (n, _total) in rows.items():
        if metric != SHOP or span != DAY:
            continue
        for days in TOP_PERIODS:
            first, last = _top_window(through, days)
            if first <= day <= last:
                tops.add((mp, through, kind, f"top{days}", shop), n)
    return tops


def _closed_through() -> dt.date:
    return _day(clock.now()) - dt.timedelta(days=1)


def _end_of(day: dt.date) -> dt.datetime:
    return day_start(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


def _mark(*, lock: bool) -> DashboardRollupMark:
    qs = DashboardRollupMark.objects.order_by("pk")
    mark = (qs.select_for_update() if lock else qs).first()
    return mark or DashboardRollupMark.objects.create()


def dashboard_rollups_rebuild() -> int:
    """Recompute every closed day's rollup from the rows (under the mark's lock); return the rows written."""
    with transaction.atomic():
        mark = _mark(lock=True)
        through = _closed_through()
        rows = _rows(_all_facts(None, _end_of(through)))
        DashboardRollup.objects.all().delete()
        DashboardRollup.objects.bulk_create(
            (
                DashboardRollup(
                    marketplace_id=mp, span=span, day=day, case_type=t, metric=metric, key=key, n=n, total=total
                )
                for (mp, span, day, t, metric, key), (n, total) in rows.items()
            ),
            batch_size=5000,
        )
        _tops_rewrite(through)
        mark.rolled_through, mark.time_zone = through, settings.TIME_ZONE
        mark.save(update_fields=["rolled_through", "time_zone"])
    return len(rows)


def dashboard_rollups_roll() -> int:
    """Add the days closed since the last run to the rollup (a rebuild the first time); return the days added."""
    with transaction.atomic():
        mark = _mark(lock=True)
        through = _closed_through()
        if mark.rolled_through is None or mark.time_zone != settings.TIME_ZONE:
            dashboard_rollups_rebuild()  # the first run, or days that were local to another zone
            return 0
        if mark.rolled_through >= through:
            return 0
        first = mark.rolled_through + dt.timedelta(days=1)
        rows = _rows(_all_facts(day_start(first), _end_of(through)))
        _add(rows)
        _tops_rewrite(through)
        mark.rolled_through = through
        mark.save(update_fields=["rolled_through"])
    return (through - first).days + 1


def _add(rows: dict[tuple[int, str, dt.date, str, str, str], list[int]]) -> None:
    """Add the rows' counts to the stored ones (a month's row and a first response's day may exist already)."""
    if not rows:
        return
    existing = {
        (r.marketplace_id, r.span, r.day, r.case_type, r.metric, r.key): r
        for r in DashboardRollup.objects.filter(day__in={key[2] for key in rows}).select_for_update()
    }
    new, changed = [], []
    for key, (n, total) in rows.items():
        row = existing.get(key)
        if row is None:
            mp, span, day, t, metric, fact_key = key
            new.append(
                DashboardRollup(
                    marketplace_id=mp, span=span, day=day, case_type=t, metric=metric, key=fact_key, n=n, total=total
                )
            )
        else:
            row.n += n
            row.total += total
            changed.append(row)
    DashboardRollup.objects.bulk_create(new, batch_size=5000)
    DashboardRollup.objects.bulk_update(changed, ["n", "total"], batch_size=5000)


def dashboard_rollups_drift() -> dict[tuple[int, str, dt.date, str, str, str], tuple[tuple[int, int], tuple[int, int]]]:
    """Return each stored row that differs from a recount, as (kept, recounted) (n, total) pairs; empty when exact."""
    mark = _mark(lock=False)
    if mark.rolled_through is None:
        return {}
    through = mark.rolled_through
    rows = _rows(_all_facts(None, _end_of(through)))
    recounted = {key: (n, total) for key, (n, total) in rows.items()}
    recounted |= {
        (mp, "t", day, kind, days, shop): (n, 0)
        for (mp, day, kind, days, shop), (n, _t) in _tops_recount(rows, through).items()
    }
    kept = {
        (r.marketplace_id, r.span, r.day, r.case_type, r.metric, r.key): (r.n, r.total)
        for r in DashboardRollup.objects.exclude(n=0, total=0)
    }
    kept |= {
        (r.marketplace_id, "t", through, r.case_type, f"top{r.days}", str(r.shop_id)): (r.n, 0)
        for r in DashboardTopShop.objects.all()
    }
    return {
        key: (kept.get(key, (0, 0)), recounted.get(key, (0, 0)))
        for key in sorted(kept.keys() | recounted.keys())
        if kept.get(key, (0, 0)) != recounted.get(key, (0, 0))
    }


def _mark_through(mark: DashboardRollupMark | None) -> dt.date | None:
    return mark.rolled_through if mark is not None and mark.time_zone == settings.TIME_ZONE else None


@dataclass(frozen=True)
class Stored:
    """The stored facts of a period's closed days, where its live stretch starts, and whether its cases per shop
    are left to ``stored_top_shops`` (``top_through`` the mark they were read at)."""

    facts: Facts
    live_from: dt.datetime
    top_through: dt.date | None = None


def stored_facts(*, marketplace_id: int | None, since: dt.date, case_type: str, now: dt.datetime) -> Stored:
    """Return the stored facts from ``since`` to the last rolled day, and the moment the live stretch starts.

    Two queries (three should the job commit in between). Whole months inside the stretch are read from their
    month rows, the days at either end from day rows: for a year about 60 days and 11 months of rows per
    figure (the rows summed over the case types when ``case_type`` is ""), however many cases there are; the
    per-day counts, 365 rows. When the mark is yesterday and the period is one of ``TOP_PERIODS``, the cases
    per shop are not read here but from ``DashboardTopShop`` (``stored_top_shops``): a bounded read.
    """
    mark = _mark_through(DashboardRollupMark.objects.order_by("pk").first())
    yesterday = _day(now) - dt.timedelta(days=1)
    while True:
        if mark is None or mark < since:
            return Stored(Facts(), day_start(since))
        through = min(mark, yesterday)
        # DashboardTopShop ends on the mark: it serves the period when the mark is the period's last closed day.
        tops = mark == yesterday and (through - since).days + 2 in TOP_PERIODS
        facts, seen = _stored(
            marketplace_id=marketplace_id, since=since, through=through, case_type=case_type, shops=not tops
        )
        # The job adds first responses to days it had closed before: rows read after it moved the mark on
        # would count a response twice (stored, and again from the rows). Read again with the new mark.
        if seen in (None, mark):
            return Stored(facts, day_start(through + dt.timedelta(days=1)), through if tops else None)
        mark = seen


def stored_top_shops(
    *, marketplace_id: int | None, since: dt.date, through: dt.date, case_type: str, live: dict[int, int]
) -> dict[int, int] | None:
    """Return the closed days' cases opened per shop that can make the period's top ten, or None if the mark moved.

    One query, a range of ``DashboardTopShop``'s (marketplace, days, case type, n desc) index: the ten shops
    with most cases, every shop tied with the tenth, and the shops with cases in ``live`` (opened since the
    mark). Any other shop has fewer closed-day cases than ten shops and none since, so it cannot be in the top
    ten: the top of these candidates is the period's exact top.
    """
    qs = DashboardTopShop.objects.filter(days=(through - since).days + 2, case_type=case_type or ALL)
    if marketplace_id is not None:
        qs = qs.filter(marketplace_id=marketplace_id)
    tenth = qs.order_by("-n").values("n")[TOP - 1 : TOP]
    seen_mark = DashboardRollupMark.objects.order_by("pk").values("rolled_through")[:1]
    found = list(
        qs.filter(Q(n__gte=Coalesce(Subquery(tenth), 1)) | Q(shop_id__in=list(live)))
        .annotate(seen=Subquery(seen_mark))
        .values_list("shop_id", "n", "seen")
    )
    # No rows: no closed-day cases at whichever mark was read, so nothing the live stretch also counts.
    if any(seen != through for _shop, _n, seen in found):
        return None
    return {shop: n for shop, n, _seen in found}


def _stored(
    *, marketplace_id: int | None, since: dt.date, through: dt.date, case_type: str, shops: bool
) -> tuple[Facts, Any]:
    months = []
    month = since if since.day == 1 else _month(since + dt.timedelta(days=31))
    while _next_month(month) - dt.timedelta(days=1) <= through:
        months.append(month)
        month = _next_month(month)
    others = [OPENED, SHOP, DECIDED, DECISION, SLA, FIRST, REFUND, SCORE, RETURN_REASON]
    others = [m for m in others if m not in PER_DAY and (shops or m != SHOP)]
    # Each part a range of the (marketplace, metric, span, day) index: the daily counts' days, the other
    # figures' whole months, and their days before the first and after the last whole month.
    wanted = Q(metric__in=PER_DAY, span=DAY, day__gte=since, day__lte=through)
    if months:
        wanted |= Q(metric__in=others, span=MONTH, day__gte=months[0], day__lte=months[-1])
        wanted |= Q(metric__in=others, span=DAY, day__gte=since, day__lt=months[0])
        wanted |= Q(metric__in=others, span=DAY, day__gte=_next_month(months[-1]), day__lte=through)
    else:
        wanted |= Q(metric__in=others, span=DAY, day__gte=since, day__lte=through)
    qs = DashboardRollup.objects.filter(wanted)
    if marketplace_id is not None:
        qs = qs.filter(marketplace_id=marketplace_id)
    qs = qs.filter(case_type=case_type or ALL)
    # Summed in the database, whatever the marketplaces, case types and months the rows came from: the per-day
    # counts by day (a row per day), the other figures by key (a shop, a tenth of an hour) as of ``since``. Two
    # reads, each grouped on plain columns: one grouping with the day as a CASE made PostgreSQL sort every row it
    # read (some 36,000 for a year at 1M cases) where a hash of the keys costs a third. The mark each read saw
    # is its maximum, not a grouping column.
    seen_mark = Max(Subquery(DashboardRollupMark.objects.order_by("pk").values("rolled_through")[:1]))
    sums = {"n": Sum("n"), "total": Sum("total"), "seen": seen_mark}
    per_day = qs.filter(metric__in=PER_DAY).values_list("metric", "key", "day").annotate(**sums).order_by()
    keyed = qs.exclude(metric__in=PER_DAY).values_list("metric", "key").annotate(**sums).order_by()
    facts, seen = Facts(), set()
    for metric, key, day, n, total, seen_now in per_day:
        facts.add((0, day, "", metric, key), n, total)
        seen.add(seen_now)
    for metric, key, n, total, seen_now in keyed:
        facts.add((0, since, "", metric, key), n, total)
        seen.add(seen_now)
    # No rows: no mark to go by. Reads on either side of the job's commit: the newer mark, to read again.
    return facts, max(seen) if seen else None


def _next_month(month: dt.date) -> dt.date:
    return _month(month + dt.timedelta(days=31))
