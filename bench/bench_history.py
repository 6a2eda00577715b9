"""Time the history's search over ``--messages`` person messages (default 1,000,000): p50/p95 ms.

Runs against the database in DATABASE_URL (after ``migrate``; ``simulate`` is not needed), in its
own marketplace. The rows are bulk-written, not through the services: users, shops, orders,
threads, cases and decisions with ``bulk_create`` in batches, the messages with COPY on PostgreSQL
(the stored tsvectors are computed as rows arrive; the GIN indexes on them are dropped for the
load and built again after it, timed) and with
``executemany`` in batches on SQLite (then ``history_index_rebuild`` builds the FTS5 tables,
timed). The texts are sentences of the triage data set, buyers' own words in English (60 % of the
conversations) and Russian, one to three per message.

Shape: one conversation per order with 2 to 18 messages (10 on average), a buyer per 4 orders
(one busy buyer with 300), 100 shops (one big shop with a tenth of the orders), a case on every
20th order and a decision on every other case.

Timed: ``history_search`` as a typical buyer, the busy buyer, a typical shop's seller and the big
shop's seller, over queries in both languages (whole words, other forms, a word being typed, two
words, a word found nowhere), ``--rounds`` times each, plus each query's second page; then the
``/history/`` page (the list and the searches) as the typical buyer through Django's test Client.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile

DATA = Path(__file__).resolve().parent.parent / "data" / "triage"
SLUG = "bench-history"
BATCH = 5000
SHOPS = 100
BUSY_BUYER_ORDERS = 300

QUERIES = [
    "refund", "refunds", "refu", "parcel damaged", "where is my order", "tracking number", "cancel", "xylophone",
    "возврат", "возвращу", "посылка", "деньги не пришли", "отменить заказ", "трек номер", "ксилофон",
]  # fmt: skip


def _sentences() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"en": [], "ru": []}
    for language in found:
        with (DATA / f"{language}.csv").open(encoding="utf-8") as handle:
            found[language] = [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]
    return found


@dataclass
class Loaded:
    buyers: list[Any]
    sellers: list[Any]
    conversations: int
    cases: int
    decisions: int
    seconds: dict[str, float]


class Loader:
    """Writes the bench marketplace in bulk; every draw comes from one seeded generator."""

    def __init__(self, messages: int) -> None:
        from marketdesk.core import clock

        self.rng = random.Random(11)
        self.texts = _sentences()
        self.year_ago = clock.now() - dt.timedelta(days=365)
        # Message counts per conversation until they add up to ``messages``.
        self.counts: list[int] = []
        remaining = messages
        while remaining > 0:
            self.counts.append(min(remaining, self.rng.randint(2, 18)))
            remaining -= self.counts[-1]

    def text(self, language: str) -> str:
        return " ".join(self.rng.choice(self.texts[language]) for _ in range(self.rng.randint(1, 3)))

    def users(self, marketplace: Any, role: str, n: int, prefix: str) -> list[Any]:
        from marketdesk.accounts.models import User

        unusable = "!"  # no password: nobody signs in as these
        rows = [
            User(username=f"{prefix}{i}", role=role, marketplace=marketplace, display_name=f"{prefix} {i}")
            for i in range(n)
        ]
        for user in rows:
            user.password = unusable
        return User.objects.bulk_create(rows, batch_size=BATCH)

    def substrate(self) -> tuple[list[Any], list[Any], list[Any], list[Any], Any]:
        """Write buyers, sellers, shops, orders and their threads; return them and the operator."""
        from marketdesk.accounts.models import MembershipRole, ShopMembership, UserRole
        from marketdesk.messaging.models import Thread
        from marketdesk.orders.models import Marketplace, Order, Shop

        marketplace, _ = Marketplace.objects.get_or_create(slug=SLUG, defaults={"name": "Bench history"})
        if Order.objects.filter(marketplace=marketplace).exists():
            raise SystemExit(f"marketplace {SLUG!r} is there already: run on a fresh database")
        orders_total = len(self.counts)
        buyers = self.users(marketplace, UserRole.BUYER, max(2, orders_total // 4), "hb")
        sellers = self.users(marketplace, UserRole.SELLER, SHOPS, "hs")
        (operator,) = self.users(marketplace, UserRole.OPERATOR, 1, "ho")
        shops = Shop.objects.bulk_create(
            [Shop(marketplace=marketplace, external_id=f"HS{i}", name=f"History shop {i}") for i in range(SHOPS)]
        )
        ShopMembership.objects.bulk_create(
            [ShopMembership(user=u, shop=s, role=MembershipRole.OWNER) for u, s in zip(sellers, shops, strict=True)]
        )
        rng = self.rng
        self.plan = []
        for i in range(orders_total):
            buyer = buyers[0] if i < BUSY_BUYER_ORDERS else buyers[rng.randrange(1, len(buyers))]
            shop = shops[0] if rng.random() < 0.1 else shops[rng.randrange(1, SHOPS)]
            start = self.year_ago + dt.timedelta(seconds=rng.randrange(335 * 86400))
            self.plan.append((buyer, shop, start, dt.timedelta(minutes=rng.randint(5, 600))))
        orders = Order.objects.bulk_create(
            [
                Order(
                    marketplace=marketplace, external_id=f"H-{i:07d}", buyer=buyer, shop=shop, status="delivered",
                    currency="GBP", total_minor=2500, placed_at=start - dt.timedelta(days=2), content_hash="bench",
                )
                for i, (buyer, shop, start, _step) in enumerate(self.plan)
            ],
            batch_size=BATCH,
        )  # fmt: skip
        threads = Thread.objects.bulk_create(
            [
                Thread(
                    order=order, buyer_id=order.buyer_id, shop_id=order.shop_id, created_at=start,
                    last_message_at=start + (n - 1) * step,
                )
                for order, (_buyer, _shop, start, step), n in zip(orders, self.plan, self.counts, strict=True)
            ],
            batch_size=BATCH,
        )  # fmt: skip
        self.languages = ["en" if rng.random() < 0.6 else "ru" for _ in threads]
        self.seller_of = {shop.pk: seller for shop, seller in zip(shops, sellers, strict=True)}
        return buyers, sellers, orders, threads, operator

    def cases(self, orders: list[Any], operator: Any) -> tuple[int, int]:
        """Write a case on every 20th order and a decision on every other case."""
        from marketdesk.cases.models import Case, Decision

        cases = Case.objects.bulk_create(
            [
                Case(
                    order=order, buyer_id=order.buyer_id, shop_id=order.shop_id, marketplace_id=order.marketplace_id,
                    case_type="not_as_described",
                    description=self.text(self.languages[i]), status="decided",
                    opened_at=self.plan[i][2] + dt.timedelta(days=3),
                    last_activity_at=self.plan[i][2] + dt.timedelta(days=3),
                    seller_due_at=self.plan[i][2] + dt.timedelta(days=6), policy_version=0,
                )
                for i, order in enumerate(orders)
                if i % 20 == 0
            ],
            batch_size=BATCH,
        )  # fmt: skip
        decisions = Decision.objects.bulk_create(
            [
                Decision(
                    case=case, outcome="buyer_full_refund", payer="seller", amount_minor=2500, currency="GBP",
                    reason_code="other", rationale=self.text("en"), policy_version=0, decided_by=operator,
                    decided_at=case.opened_at + dt.timedelta(days=5),
                )
                for case in cases[::2]
            ],
            batch_size=BATCH,
        )  # fmt: skip
        return len(cases), len(decisions)

    def message_rows(self, threads: list[Any]) -> Iterator[tuple[int, int, str, str, dt.datetime]]:
        """(thread, author, author role, body, time) of every message, buyer and seller in turn."""
        for thread, (buyer, shop, start, step), n, language in zip(
            threads, self.plan, self.counts, self.languages, strict=True
        ):
            for k in range(n):
                author, role = (buyer, "buyer") if k % 2 == 0 else (self.seller_of[shop.pk], "seller")
                yield thread.pk, author.pk, role, self.text(language), start + k * step


def _load(messages: int) -> Loaded:
    from django.db import connection, transaction

    from marketdesk.messaging.history_index import history_index_rebuild

    migration = importlib.import_module("marketdesk.messaging.migrations.0002_history_search")
    postgres = connection.vendor == "postgresql"
    loader = Loader(messages)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    buyers, sellers, orders, threads, operator = loader.substrate()
    cases, decisions = loader.cases(orders, operator)
    seconds["substrate"] = time.perf_counter() - started

    started = time.perf_counter()
    columns = "thread_id, kind, author_id, author_role, body, event, data, created_at, client_token"
    if postgres:
        with connection.cursor() as cursor:
            for index, _table, _column in migration.PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
            with cursor.cursor.copy(f"COPY messaging_message ({columns}) FROM STDIN") as copy:
                for thread_id, author_id, role, body, at in loader.message_rows(threads):
                    copy.write_row((thread_id, "text", author_id, role, body, "", "{}", at, ""))
    else:
        sql = f"INSERT INTO messaging_message ({columns}) VALUES (%s, 'text', %s, %s, %s, '', '{{}}', %s, '')"  # noqa: S608
        adapt = connection.ops.adapt_datetimefield_value
        for batch in itertools.batched(loader.message_rows(threads), BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, [(t, a, r, b, adapt(at)) for t, a, r, b, at in batch])
    seconds["messages"] = time.perf_counter() - started

    started = time.perf_counter()
    if postgres:
        with connection.cursor() as cursor:
            for index, table, _column in migration.PG_INDEXES:
                cursor.execute(migration.pg_index_sql(index, table))
    history_index_rebuild()  # PostgreSQL: ANALYZE of the new rows; SQLite: the FTS5 tables
    seconds["index"] = time.perf_counter() - started
    return Loaded(buyers, sellers, len(threads), cases, decisions, seconds)


def _measure_search(actors: dict[str, Any], rounds: int) -> dict[str, Any]:
    from marketdesk.core.actors import Actor
    from marketdesk.history.search import history_search
    from marketdesk.messaging.models import Message
    from marketdesk.messaging.selectors import threads_for_actor

    results: dict[str, Any] = {}
    everything: list[float] = []
    for name, user in actors.items():
        actor = Actor.for_user(user)
        times, hits = [], 0
        for query in QUERIES:
            history_search(actor, query=query, limit=20)  # warm-up
            for _ in range(rounds):
                t0 = time.perf_counter()
                page = history_search(actor, query=query, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
            hits += bool(page.items)
            if page.next_cursor:  # the next page: a keyset, so it costs about the same
                t0 = time.perf_counter()
                history_search(actor, query=query, limit=20, cursor=page.next_cursor)
                times.append((time.perf_counter() - t0) * 1000)
        everything += times
        results[name] = {
            "messages_in_scope": Message.objects.filter(thread__in=threads_for_actor(actor).values("pk")).count(),
            "queries_with_results": hits,
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "max_ms": max(times),
        }
    results["all"] = {"p50_ms": percentile(everything, 50), "p95_ms": percentile(everything, 95)}
    return results


def _measure_page(user: Any, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    pages: dict[str, Any] = {}
    for label, params in (("list", [{}]), ("search", [{"q": q} for q in QUERIES])):
        times, queries = [], set()
        client.get("/history/", params[0])
        for i in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get("/history/", params[i % len(params)])
                times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"/history/ answered {response.status_code}")
            queries.add(len(ctx.captured_queries))
        pages[label] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "queries": sorted(queries)}
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000, help="Person messages (default 1,000,000).")
    parser.add_argument("--rounds", type=int, default=10, help="Times each query runs per actor (default 10).")
    parser.add_argument("--requests", type=int, default=60, help="Page requests timed (default 60).")
    args = parser.parse_args()
    django_setup()

    from django.db.models import Count

    from marketdesk.orders.models import Order

    loaded = _load(args.messages)
    # A buyer with the usual four orders (or as near as there is), the busy buyer, an ordinary
    # shop's seller, the big shop's.
    orders_of = (
        Order.objects.filter(buyer__in=loaded.buyers[1:]).values("buyer").annotate(n=Count("id")).order_by("buyer")
    )
    typical_id = min(orders_of, key=lambda row: (abs(row["n"] - 4), row["buyer"]))["buyer"]
    typical = next(b for b in loaded.buyers if b.pk == typical_id)
    actors = {
        "buyer": typical,
        "busy_buyer": loaded.buyers[0],
        "seller": loaded.sellers[1],
        "big_seller": loaded.sellers[0],
    }
    emit(
        {
            "messages": args.messages,
            "conversations": loaded.conversations,
            "cases": loaded.cases,
            "decisions": loaded.decisions,
            "load_seconds": loaded.seconds,
            "search": _measure_search(actors, args.rounds),
            "page": _measure_page(typical, args.requests),
        }
    )


if __name__ == "__main__":
    main()
