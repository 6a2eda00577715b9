"""Time triage as a client meets it: ``POST /api/v1/triage`` with a marketplace's API key, not ``model.predict``.

Runs against the database in DATABASE_URL (after ``migrate``). The texts are the training
sets' own requests (English and Russian) and a few of what a real stream holds besides; each
request is timed from the client's call to its parsed answer, with its queries counted.
Goal: p95 ≤ 50 ms (the model alone answers in about 2 ms; the rest is the API's own cost).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 50


def _texts() -> list[str]:
    texts: list[str] = []
    for lang in ("en", "ru"):
        with (ROOT / "data" / "triage" / f"{lang}.csv").open(newline="", encoding="utf-8") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    return [*texts, "😀😀", "<b>hi</b>", "x" * 20_000]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000, help="Requests timed (default 1,000).")
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test import Client

    from marketdesk.accounts.services import api_key_create
    from marketdesk.core.actors import Actor
    from marketdesk.orders.models import Marketplace

    marketplace, _ = Marketplace.objects.get_or_create(slug="bench-triage", defaults={"name": "Bench triage"})
    _key, secret = api_key_create(actor=Actor.system(), marketplace=marketplace, name="bench-triage")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    texts = _texts()
    bodies = [json.dumps({"text": texts[(i * 7919) % len(texts)]}) for i in range(args.requests)]
    # Warm up (the model's load, URL patterns) outside the timing, as a running server is.
    client.post("/api/v1/triage", bodies[0], content_type="application/json")
    queries = 0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    timings: list[float] = []
    per_request: list[int] = []
    with connection.execute_wrapper(counted):
        for body in bodies:
            before, started = queries, time.perf_counter()
            response = client.post("/api/v1/triage", body, content_type="application/json")
            response.json()
            timings.append((time.perf_counter() - started) * 1000)
            per_request.append(queries - before)
            if response.status_code != 200:
                raise SystemExit(f"POST /api/v1/triage answered {response.status_code}: {response.content[:300]!r}")
    p95 = percentile(timings, 95)
    emit(
        {
            "requests": args.requests,
            "p50_ms": round(percentile(timings, 50), 2),
            "p95_ms": round(p95, 2),
            "p99_ms": round(percentile(timings, 99), 2),
            "queries": {"min": min(per_request), "max": max(per_request)},
            "goal_p95_ms": GOAL_P95_MS,
            "holds": p95 <= GOAL_P95_MS,
        }
    )


if __name__ == "__main__":
    main()
