# ruff: noqa: S608 - the SQL is built from the bench's own constants and ids, never from input
"""Time the operator console: the deadline queue with ``--open-cases`` open cases among ``--orders`` orders,
and the dashboard over a year of finished cases.

Runs against the database in DATABASE_URL (after ``migrate``), in its own marketplace. Rows are
bulk-written, not through the services: buyers, shops, orders (one per case plus the rest without
one), open cases spread over every status with deadlines from an hour overdue to a week ahead, and
finished cases opened over the last 365 days, each with its decision and, for refunds, its ledger entry.

Timed through Django's test Client as one operator: ``/console/queue/`` (every deadline, the
"deadlines at risk" view, the escalated view and a page deep in the list) and
``/console/dashboard/?period=365``; p50/p95 ms and the queries per request (constant).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from typing import Any

from _common import django_setup, emit, percentile

SLUG = "bench-console"
BATCH = 10_000
SHOPS = 1000
BUYERS = 20_000


def load(orders_total: int, open_cases: int, finished_cases: int) -> dict[str, Any]:
    from marketdesk.accounts.models import User, UserRole
    from marketdesk.cases.models import Case, Decision
    from marketdesk.cases.states import CaseStatus
    from marketdesk.core import clock
    from marketdesk.core.deadlines import NO_DEADLINE
    from marketdesk.ledger.models import LedgerEntry
    from marketdesk.orders.models import Marketplace, Order, Shop

    rng = random.Random(7)
    now = clock.now()
    started = time.perf_counter()
    marketplace, _ = Marketplace.objects.get_or_create(slug=SLUG, defaults={"name": "Bench console"})
    if Order.objects.filter(marketplace=marketplace).exists():
        raise SystemExit(f"marketplace {SLUG!r} is there already: run on a fresh database")

    def users(role: str, n: int, prefix: str) -> list[Any]:
        rows = [
            User(username=f"{prefix}{i}", role=role, marketplace=marketplace, display_name=f"{prefix} {i}",
                 password="!", language="ru" if i % 3 == 0 else "en")  # noqa: S106 - unusable
            for i in range(n)
        ]  # fmt: skip
        return User.objects.bulk_create(rows, batch_size=BATCH)

    buyers = users(UserRole.BUYER, BUYERS, "cb")
    operators = users(UserRole.OPERATOR, 20, "co")
    shops = Shop.objects.bulk_create(
        [Shop(marketplace=marketplace, external_id=f"CS{i}", name=f"Console shop {i}") for i in range(SHOPS)]
    )
    order_ids: list[int] = []
    for start in range(0, orders_total, BATCH):
        batch = [
            Order(
                marketplace=marketplace, external_id=f"C-{i:07d}", buyer=buyers[rng.randrange(BUYERS)],
                shop=shops[rng.randrange(SHOPS)], status="shipped", currency="GBP", total_minor=2500,
                placed_at=now - dt.timedelta(days=rng.randrange(400)), content_hash="bench",
            )
            for i in range(start, min(start + BATCH, orders_total))
        ]  # fmt: skip
        order_ids += [o.pk for o in Order.objects.bulk_create(batch)]
    shop_of = dict(Order.objects.filter(marketplace=marketplace).values_list("pk", "shop_id"))
    buyer_of = dict(Order.objects.filter(marketplace=marketplace).values_list("pk", "buyer_id"))
    open_statuses = [
        CaseStatus.AWAITING_SELLER, CaseStatus.OFFER_MADE, CaseStatus.DECLINED, CaseStatus.ESCALATED,
        CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO, CaseStatus.DECIDED, CaseStatus.APPEALED,
    ]  # fmt: skip
    hour = dt.timedelta(hours=1)

    def case(order_id: int, status: str, opened: dt.datetime) -> Case:
        due = now + rng.randrange(-2, 170) * hour
        escalated = status not in (CaseStatus.AWAITING_SELLER, CaseStatus.OFFER_MADE, CaseStatus.DECLINED)
        row = Case(
            order_id=order_id, buyer_id=buyer_of[order_id], shop_id=shop_of[order_id], marketplace=marketplace,
            case_type=rng.choice(["item_not_received", "not_as_described", "other"]), description="bench",
            status=status, opened_at=opened, last_activity_at=opened, updated_at=opened,
            seller_due_at=opened + 72 * hour if status != CaseStatus.AWAITING_SELLER else due,
            decision_due_at=due if status in (CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED,
                                              CaseStatus.AWAITING_INFO) else None,
            info_due_at=due if status == CaseStatus.AWAITING_INFO else None,
            expires_at=due if status in (CaseStatus.OFFER_MADE, CaseStatus.DECLINED) else None,
            escalated_at=opened + 80 * hour if escalated else None, policy_version=1,
            assignee=operators[rng.randrange(20)] if escalated and rng.random() < 0.5 else None,
            assigned_at=opened if escalated else None,
            appeal_due_at=due if status == CaseStatus.DECIDED else None,
        )  # fmt: skip
        # bulk_create skips save(), which keeps the stored queue deadline: set it as save() would.
        row.queue_due_at = row.queue_due() or NO_DEADLINE
        return row

    picked = rng.sample(order_ids, open_cases + finished_cases)
    opened_rows = [
        case(oid, rng.choice(open_statuses), now - dt.timedelta(days=rng.randrange(1, 30)))
        for oid in picked[:open_cases]
    ]
    Case.objects.bulk_create(opened_rows, batch_size=BATCH)
    finished = [
        case(oid, CaseStatus.CLOSED, now - dt.timedelta(days=rng.randrange(1, 365), hours=rng.randrange(24)))
        for oid in picked[open_cases:]
    ]
    finished = Case.objects.bulk_create(finished, batch_size=BATCH)
    decisions, entries = [], []
    for c in finished:
        decided_at = c.opened_at + dt.timedelta(hours=80 + rng.randrange(1, 72))
        refund = rng.random() < 0.6
        decisions.append(
            Decision(case=c, outcome="buyer_full_refund" if refund else "seller_wins",
                     payer=rng.choice(["seller", "platform"]) if refund else "none",
                     amount_minor=2500 if refund else 0, currency="GBP", reason_code="other", rationale="bench",
                     policy_version=1, decided_by=operators[rng.randrange(20)], decided_at=decided_at)
        )  # fmt: skip
        if refund:
            entries.append(
                LedgerEntry(order_id=c.order_id, case_id=c.pk, decision_key=f"bench-{c.pk}", kind="refund",
                            payer=decisions[-1].payer, amount_minor=2500, currency="GBP", reason=c.case_type,
                            created_at=decided_at, created_by_role="operator", instruction_status="acknowledged")
            )  # fmt: skip
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    return {"operator": operators[0], "load_seconds": time.perf_counter() - started}


QUEUE_SLUG = "bench-queue"
QUEUE_SHOPS = 2000
QUEUE_GOAL_MS = 50.0
# Case statuses as a marketplace holds them: a third finished, the rest spread over the open ones.
QUEUE_STATUSES = ["awaiting_seller", "awaiting_seller", "offer_made", "escalated", "escalated", "under_review",
                  "awaiting_info", "decided", "appealed", "declined", "closed", "resolved", "closed", "withdrawn",
                  "expired"]  # fmt: skip


def _pick(values: list[str], expr: str) -> str:
    """A SQL CASE choosing ``values[expr % len(values)]``."""
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({expr}) % {len(values)} {whens} END"


def _modulo(sql: str) -> str:
    """Escape SQL's modulo operator from the driver's ``%s`` parameters."""
    return re.sub(r"(?<=[\w)]) % (?=[\w(])", " %% ", sql)


def queue_seed(vendor: str, *, marketplace_id: int, shop0: int, buyer0: int, operator0: int, start: int, stop: int,
               now: Any, opened_minutes: int = 43200) -> None:  # fmt: skip
    """Write orders ``start``..``stop`` and one case each with bulk SQL (no ORM): many shops, three huge ones
    holding 30 % of the cases, mixed statuses (a third finished), deadlines from 3 hours overdue to a week ahead,
    half the cases waiting on support assigned to one of 20 operators. The counters' triggers run as for any write
    (on PostgreSQL the caller turns the per-row one off for the seed and recounts once after).
    """
    from django.db import connection

    if vendor == "sqlite":
        numbers = "WITH RECURSIVE n(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %s) "
        at = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, printf('%%+d minutes', {m}))"
        source = "FROM n"
        prefix, params = numbers, [start, stop]
    else:
        at = "(%s::timestamptz + ({m}) * interval '1 minute')"
        source = "FROM generate_series(%s::bigint, %s::bigint - 1) AS n(i)"
        prefix, params = "", []
    now_text = now.strftime("%Y-%m-%d %H:%M:%S") if vendor == "sqlite" else now.isoformat()
    shop = f"{shop0} + CASE WHEN i % 10 < 3 THEN i % 3 ELSE 3 + (i * 7919) % {QUEUE_SHOPS - 3} END"
    placed = at.format(m="-(i % 40000) - 2000")
    order_sql = (
        f"{prefix}INSERT INTO orders_order (external_id, status, currency, total_minor, line_count, placed_at, content_hash, "
        "payment_fingerprint, delivery_address_hash, created_at, updated_at, buyer_id, marketplace_id, shop_id) "
        f"SELECT 'Q-' || i, 'shipped', 'RUB', 50000 + (i * 37) % 900000, 1, {placed}, 'bench', '', '', {placed}, {placed}, "
        f"{buyer0} + (i * 104729) % 5000, %s, {shop} {source}"
    )
    if vendor != "sqlite":
        order_sql = order_sql.replace(source, "") + source
        params = []
    with connection.cursor() as cursor:
        order_sql = _modulo(order_sql)
        order_params = ([start, stop] if vendor == "sqlite" else []) + [now_text] * 3 + [marketplace_id]
        order_params += [] if vendor == "sqlite" else [start, stop]
        cursor.execute(order_sql, order_params)
        status = _pick(QUEUE_STATUSES, "i * 13")
        due = at.format(m="((i * 7) % 10260) - 180")
        opened = at.format(m=f"-(i % {opened_minutes}) - 60")
        platform = f"({status}) IN ('escalated', 'under_review', 'awaiting_info', 'appealed')"
        assignee = f"CASE WHEN {platform} AND i % 2 = 0 THEN {operator0} + i % 20 END"
        # A case waiting on the platform was escalated (as every escalation records it): half an hour after opening.
        escalated = f"CASE WHEN {platform} THEN {at.format(m=f'-(i % {opened_minutes}) - 30')} END"
        case_sql = (
            f"{prefix}INSERT INTO cases_case (case_type, reason_detail, description, status, opened_at, seller_due_at, "
            "last_activity_at, policy_version, escalated_by_role, updated_at, buyer_id, order_id, shop_id, marketplace_id, "
            "queue_due_at, "
            "decision_due_at, info_due_at, expires_at, appeal_due_at, assignee_id, escalated_at) "
            f"SELECT {_pick(['item_not_received', 'not_as_described', 'other'], 'i')}, '', 'bench', {status}, "
            f"{opened}, {due}, {opened}, 1, '', {opened}, o.buyer_id, o.id, o.shop_id, o.marketplace_id, "
            f"CASE WHEN ({status}) IN ('closed', 'resolved', 'withdrawn', 'expired') "
            f"THEN %s ELSE {due} END, {due}, {due}, {due}, {due}, {assignee}, {escalated} "
            f"{source} JOIN orders_order o ON o.marketplace_id = %s AND o.external_id = 'Q-' || i"
        )
        far = "9999-12-31 00:00:00" if vendor == "sqlite" else "9999-12-31T00:00:00+00:00"
        case_params = [start, stop] if vendor == "sqlite" else []
        case_params += [now_text] * 4 + [far] + [now_text] * 6
        case_params += [start, stop, marketplace_id] if vendor != "sqlite" else [marketplace_id]
        cursor.execute(_modulo(case_sql), case_params)
    del params


def _seed_people(slug: str, name: str, prefix: str) -> tuple[Any, Any, dict[str, int]]:
    """Create the marketplace ``slug`` with its shops, 5000 buyers and 20 operators, for ``queue_seed``.

    Return the marketplace, the operator who signs in, and the first ids ``queue_seed`` counts from (the ids of
    each kind must be consecutive). ``prefix`` keeps the queue's and the dashboard's people apart.
    """
    from marketdesk.accounts.models import User, UserRole
    from marketdesk.orders.models import Marketplace, Shop

    marketplace, _ = Marketplace.objects.get_or_create(slug=slug, defaults={"name": name})
    shops = Shop.objects.bulk_create(
        [Shop(marketplace=marketplace, external_id=f"{prefix.upper()}S{i}", name=f"Магазин {i}")
         for i in range(QUEUE_SHOPS)]
    )  # fmt: skip

    def people(role: str, n: int, letter: str, title: str, language: str) -> list[Any]:
        rows = [
            User(username=f"{prefix}{letter}{i}", role=role, marketplace=marketplace, display_name=f"{title} {i}",
                 password="!", language=language)  # noqa: S106 - unusable
            for i in range(n)
        ]  # fmt: skip
        return User.objects.bulk_create(rows)

    buyers = people(UserRole.BUYER, 5000, "b", "Покупатель", "ru")
    # The operator who signs in reads the console in English, as the timings always have.
    operators = people(UserRole.OPERATOR, 20, "o", "Оператор", "en")
    for rows in (shops, buyers, operators):  # the SQL counts on consecutive ids
        if rows[-1].pk - rows[0].pk != len(rows) - 1:
            raise SystemExit("ids are not consecutive: run on a fresh database")
    ids = {"marketplace_id": marketplace.pk, "shop0": shops[0].pk, "buyer0": buyers[0].pk, "operator0": operators[0].pk}
    return marketplace, operators[0], ids


def _seed(vendor: str, written: int, target: int, **ids: Any) -> None:
    """Write orders and cases ``written``..``target``, 100k per statement, and leave the counts exact.

    On PostgreSQL a row trigger per case and order is most of a 1M seed: they are off for the seed and the
    counts are recounted once after, then VACUUM ANALYZE (the steady state that autovacuum keeps).
    """
    from django.db import connection

    from marketdesk.console.counters import queue_counts_repair
    from marketdesk.orders.counters import order_counts_repair

    triggers = [("cases_case", "console_queuecount_case_insdel"), ("orders_order", "orders_ordercount_insdel")]
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    for start in range(written, target, 100_000):
        queue_seed(vendor, start=start, stop=min(start + 100_000, target), **ids)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        queue_counts_repair()
        order_counts_repair()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def queue_scale(sizes: list[int], requests: int) -> dict[str, Any]:
    """Grow one marketplace's open cases through ``sizes`` and time the queue's first page at each size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from marketdesk.cases.models import Case
    from marketdesk.cases.states import OPEN_STATUSES
    from marketdesk.core import clock

    vendor = connection.vendor
    marketplace, operator, ids = _seed_people(QUEUE_SLUG, "Bench queue", "q")
    client = Client()
    client.force_login(operator)
    urls = ["/console/", "/console/?view=escalated", "/console/?view=mine", "/console/?view=at_risk"]
    now = clock.now()
    results, written = [], 0
    open_per_row = sum(1 for s in QUEUE_STATUSES if s in OPEN_STATUSES) / len(QUEUE_STATUSES)
    for size in sizes:
        target = int(size / open_per_row) + 1
        started = time.perf_counter()
        _seed(vendor, written, target, now=now, **ids)
        written = target
        seeded = time.perf_counter() - started
        open_now = Case.objects.filter(shop__marketplace=marketplace, status__in=OPEN_STATUSES).count()
        times, queries = [], set()
        client.get(urls[0])
        for _ in range(max(1, requests // len(urls))):
            for url in urls:
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                queries.add(len(ctx.captured_queries))
        p95 = percentile(times, 95)
        results.append({"open_cases": open_now, "seed_seconds": seeded, "p50_ms": percentile(times, 50),
                        "p95_ms": p95, "queries": max(queries), "queries_min": min(queries),
                        "goal_ms": QUEUE_GOAL_MS, "holds": p95 <= QUEUE_GOAL_MS})  # fmt: skip
        print(f"  queue first page, {open_now:,} open cases: p50 {results[-1]['p50_ms']:.1f} ms, p95 {p95:.1f} ms, "
              f"{max(queries)} queries (goal ≤ {QUEUE_GOAL_MS:.0f} ms: {'holds' if p95 <= QUEUE_GOAL_MS else 'FAILS'}); "
              f"seeded in {seeded:.0f} s", file=sys.stderr, flush=True)  # fmt: skip
    return {"database": vendor, "sizes": results}


DASHBOARD_SLUG = "bench-dashboard"
DASHBOARD_GOAL_MS = 300.0


def _minutes_after(vendor: str, moment: str, minutes: str) -> str:
    """SQL for ``moment`` plus ``minutes`` (an SQL expression) minutes."""
    if vendor == "sqlite":
        return f"strftime('%Y-%m-%d %H:%M:%f', {moment}, '+' || ({minutes}) || ' minutes')"
    return f"({moment} + ({minutes}) * interval '1 minute')"


def dashboard_seed(vendor: str, *, marketplace_id: int, operator0: int, case_type_id: int, since_id: int) -> None:
    """Give the marketplace's cases (from ``queue_seed``) what a year of work leaves, in set-based SQL: escalations,
    first decisions 1 to 96 h after them (60 % refunds, from the seller or the platform, with their ledger
    entries), support's first act 0 to 10 h after the escalation, and a rating for a third of the decided cases.
    Only the cases from ``since_id`` on: the ones written since the last call.
    """
    from django.db import connection

    shops = f"(SELECT id FROM orders_shop WHERE marketplace_id = {marketplace_id})"
    mine, mine_c = f"shop_id IN {shops} AND id >= {since_id}", f"c.shop_id IN {shops} AND c.id >= {since_id}"
    platform = "('escalated', 'under_review', 'awaiting_info', 'decided', 'appealed', 'closed')"
    decided = "('decided', 'appealed', 'closed')"
    statements = [
        (
            f"UPDATE cases_case SET escalated_at = {_minutes_after(vendor, 'opened_at', '60 + id % 2880')}, "
            f"escalated_by_role = 'buyer' WHERE {mine} AND status IN {platform} AND escalated_at IS NULL"
        ),
        (
            "INSERT INTO cases_decision (case_id, is_appeal, outcome, payer, amount_minor, currency, reason_code, "
            "rationale, policy_version, decided_by_id, decided_at) "
            "SELECT id, FALSE, CASE WHEN id % 5 < 3 THEN 'buyer_full_refund' ELSE 'seller_wins' END, "
            "CASE WHEN id % 5 < 2 THEN 'seller' WHEN id % 5 = 2 THEN 'platform' ELSE 'none' END, "
            "CASE WHEN id % 5 < 3 THEN 50000 ELSE 0 END, 'RUB', 'other', 'bench', 1, "
            f"{operator0} + id % 20, {_minutes_after(vendor, 'escalated_at', '60 + (id * 7) % 5700')} "
            f"FROM cases_case WHERE {mine} AND status IN {decided} AND escalated_at IS NOT NULL"
        ),
        (
            "INSERT INTO ledger_ledgerentry (order_id, case_id, decision_key, kind, payer, amount_minor, currency, reason, "
            "created_at, created_by_role, instruction_status, funding_source, funding_reason, carrier_recovered_minor) "
            "SELECT c.order_id, c.id, 'bench-' || c.id, 'refund', d.payer, 50000, 'RUB', c.case_type, d.decided_at, "
            "'operator', 'acknowledged', '', '', 0 FROM cases_decision d JOIN cases_case c ON c.id = d.case_id "
            f"WHERE {mine_c} AND d.outcome = 'buyer_full_refund'"
        ),
        (
            "INSERT INTO core_timelineevent (subject_type_id, subject_id, event_type, actor_user_id, actor_role, "
            "audience, payload, occurred_at) "
            f"SELECT {case_type_id}, id, 'case.review_started', {operator0} + id % 20, 'operator', 'internal', '{{}}', "
            f"{_minutes_after(vendor, 'escalated_at', '(id * 13) % 600')} "
            f"FROM cases_case WHERE {mine} AND escalated_at IS NOT NULL AND status <> 'escalated'"
        ),
        (
            "INSERT INTO console_satisfactionsurvey (case_id, user_id, party, asked_at, score, comment, answered_at) "
            "SELECT c.id, c.buyer_id, 'buyer', d.decided_at, 1 + c.id % 5, '', "
            f"{_minutes_after(vendor, 'd.decided_at', '30 + c.id % 3000')} "
            f"FROM cases_decision d JOIN cases_case c ON c.id = d.case_id WHERE {mine_c} "
            "AND c.id % 3 = 0"
        ),
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _timed(client: Any, url: str, requests: int) -> tuple[list[float], set[int]]:
    """Time ``requests`` GETs of ``url`` after one to warm up; return the milliseconds and the query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], set()
    client.get(url)
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries.add(len(ctx.captured_queries))
    return times, queries


def dashboard_scale(sizes: list[int], requests: int) -> dict[str, Any]:
    """Grow one marketplace to ``sizes`` open cases among cases opened over a year (the queue's bulk loader and
    mix of statuses, then set-based SQL for the rest), rebuild the rollups as after any bulk load, and time
    ``/console/dashboard/?period=365``.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test import Client

    from marketdesk.cases.models import Case
    from marketdesk.cases.states import OPEN_STATUSES
    from marketdesk.console.rollups import dashboard_rollups_rebuild
    from marketdesk.core import clock

    vendor = connection.vendor
    marketplace, operator, ids = _seed_people(DASHBOARD_SLUG, "Bench dashboard", "d")
    client = Client()
    client.force_login(operator)
    url = "/console/dashboard/?period=365"
    now = clock.now()
    case_type_id = ContentType.objects.get_for_model(Case).pk
    results, written = [], 0
    open_per_row = sum(1 for s in QUEUE_STATUSES if s in OPEN_STATUSES) / len(QUEUE_STATUSES)
    for size in sizes:
        target = int(size / open_per_row) + 1
        started = time.perf_counter()
        since_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        _seed(vendor, written, target, now=now, opened_minutes=525_600, **ids)
        dashboard_seed(vendor, marketplace_id=marketplace.pk, operator0=ids["operator0"], case_type_id=case_type_id,
                       since_id=since_id)  # fmt: skip
        written = target
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        dashboard_rollups_rebuild()
        rebuilt = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the rollup tables' statistics too, as a deployed database keeps them
        mine = Case.objects.filter(shop__marketplace=marketplace)
        cases, open_now = mine.count(), mine.filter(status__in=OPEN_STATUSES).count()
        times, queries = _timed(client, url, max(5, requests))
        p95 = percentile(times, 95)
        holds = p95 <= DASHBOARD_GOAL_MS
        results.append({"cases": cases, "open_cases": open_now, "seed_seconds": seeded, "rebuild_seconds": rebuilt,
                        "p50_ms": percentile(times, 50), "p95_ms": p95, "queries": max(queries),
                        "queries_min": min(queries), "goal_ms": DASHBOARD_GOAL_MS, "holds": holds})  # fmt: skip
        print(f"  dashboard, 365 days, {cases:,} cases ({open_now:,} open): p50 {results[-1]['p50_ms']:.1f} ms, "
              f"p95 {p95:.1f} ms, {max(queries)} queries (goal ≤ {DASHBOARD_GOAL_MS:.0f} ms: "
              f"{'holds' if holds else 'FAILS'}); seeded in {seeded:.0f} s, rollups rebuilt in {rebuilt:.1f} s",
              file=sys.stderr, flush=True)  # fmt: skip
    return {"database": vendor, "sizes": results}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--queue-scale",
        default="",
        help="Only the queue: grow to these numbers of open cases (e.g. 10000,100000) and time the first page.",
    )
    parser.add_argument(
        "--dashboard-scale",
        default="",
        help="Only the dashboard: grow to these numbers of cases over a year (e.g. 100000) and time 365 days.",
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--open-cases", type=int, default=100_000)
    parser.add_argument("--finished-cases", type=int, default=50_000, help="Finished over the last year.")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.queue_scale:
        emit(queue_scale([int(n) for n in args.queue_scale.split(",")], args.requests))
        return
    if args.dashboard_scale:
        emit(dashboard_scale([int(n) for n in args.dashboard_scale.split(",")], args.requests))
        return
    loaded = load(args.orders, args.open_cases, args.finished_cases)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(loaded["operator"])

    def measure(urls: list[str], rounds: int) -> dict[str, float]:
        times, queries = [], set()
        client.get(urls[0])  # warm caches and the session
        for _ in range(rounds):
            for url in urls:
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                queries.add(len(ctx.captured_queries))
        return {
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "queries": max(queries),
            "queries_min": min(queries),
            "requests": len(times),
        }

    queue_urls = ["/console/", "/console/?view=at_risk", "/console/?view=escalated"]
    result = {
        "orders": args.orders,
        "open_cases": args.open_cases,
        "finished_cases": args.finished_cases,
        "load_seconds": loaded["load_seconds"],
        "queue": measure(queue_urls, max(1, args.requests // len(queue_urls))),
        "dashboard": measure(["/console/dashboard/?period=365"], max(5, args.requests // 5)),
    }
    emit(result)


if __name__ == "__main__":
    main()
