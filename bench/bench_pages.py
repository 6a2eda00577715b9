"""Time the buyer's order list and order page: p50/p95 ms and queries per request.

Runs against the database in DATABASE_URL (filled by ``simulate``), through
Django's test ``Client`` logged in as the buyer with the most orders.

Then the shape a big marketplace has and ``simulate`` does not make: a buyer with
``--big`` (20,000) orders and a shop with as many (bulk inserted, in a marketplace of
the run's own). "My orders" and the seller's orders are timed on their first and their
last page (goal: p95 ≤ 50 ms each, and the same queries on either page).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _common import bench_shop, django_setup, emit, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--big", type=int, default=20_000, help="Orders of the big buyer and shop (20,000).")
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from marketdesk.accounts.models import User, UserRole
    from marketdesk.orders.models import Order

    buyer = User.objects.filter(role=UserRole.BUYER).annotate(n=Count("orders")).order_by("-n", "pk").first()
    if buyer is None:
        raise SystemExit("no buyer in the database: run simulate first")
    order_ids = list(Order.objects.filter(buyer=buyer).order_by("-placed_at").values_list("pk", flat=True))
    client = Client()
    client.force_login(buyer)

    def measure(urls: list[str]) -> dict[str, float]:
        for url in urls[: args.warmup]:
            client.get(url)
        times, queries = [], []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            queries.append(len(ctx.captured_queries))
        return {
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "queries": max(queries),
            "queries_min": min(queries),
            "requests": len(urls),
        }

    list_url = reverse("web:buyer_orders")
    detail_urls = [reverse("web:order_detail", args=[order_ids[i % len(order_ids)]]) for i in range(args.requests)]
    result = {
        "buyer_orders": len(order_ids),
        "orders_total": Order.objects.count(),
        "list": measure([list_url] * args.requests),
        "detail": measure(detail_urls),
    }

    # The big buyer and the big shop.
    big_buyer, big_seller = big_buyer_and_shop(args.big)
    big: dict[str, object] = {"orders": args.big, "goal_p95_ms": BIG_GOAL_MS}
    for who, user, url in (
        ("buyer", big_buyer, reverse("web:buyer_orders")),
        ("seller", big_seller, reverse("web:seller_orders")),
    ):
        client.force_login(user)
        for page, suffix in (("first", ""), ("last", "?last")):
            figures = measure([url + suffix] * args.requests)
            big[f"{who}_{page}"] = {**figures, "holds": figures["p95_ms"] <= BIG_GOAL_MS}
    result["big"] = big
    emit(result)


BIG_GOAL_MS = 50


def big_buyer_and_shop(n: int) -> tuple[Any, Any]:
    """A buyer with ``n`` orders from one shop, and that shop's seller (its ``n`` orders), by bulk inserts."""
    import datetime as dt

    from marketdesk.core import clock
    from marketdesk.orders.models import Order
    from marketdesk.orders.states import OrderStatus

    marketplace, buyer, seller, shop = bench_shop("bench-big")
    now = clock.now()
    Order.objects.bulk_create(
        (
            Order(
                marketplace=marketplace,
                external_id=f"big-{i}",
                buyer=buyer,
                shop=shop,
                status=OrderStatus.DELIVERED,
                currency="GBP",
                total_minor=2500 + i % 100,
                placed_at=now - dt.timedelta(minutes=17 * i),
                line_count=1 + i % 3,
                content_hash="bench",
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        # The statistics a deployed database's autovacuum keeps: read right after the bulk insert, PostgreSQL still
        # took the buyer for one with a few dozen orders and sorted all 20,000 (about 70 ms) instead of reading the
        # (buyer, placed_at) index (about 30 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_order")
    return buyer, seller


if __name__ == "__main__":
    main()
