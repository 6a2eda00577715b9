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
            order_id=order_id, buyer_id=buyer_of[order_id], shop_id=shop_of[order_id],
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


def main() -> None:
    parser = argparse.ArgumentParser()
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

    queue_urls = ["/console/queue/", "/console/queue/?view=at_risk", "/console/queue/?view=escalated",
                  "/console/queue/?page=200"]  # fmt: skip
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
