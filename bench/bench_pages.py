"""Time the buyer's order list and order page: p50/p95 ms and queries per request.

Runs against the database in DATABASE_URL (filled by ``simulate``), through
Django's test ``Client`` logged in as the buyer with the most orders.
"""

from __future__ import annotations

import argparse
import time

from _common import django_setup, emit, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
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
    emit(
        {
            "buyer_orders": len(order_ids),
            "orders_total": Order.objects.count(),
            "list": measure([list_url] * args.requests),
            "detail": measure(detail_urls),
        }
    )


if __name__ == "__main__":
    main()
