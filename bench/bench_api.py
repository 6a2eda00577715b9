"""Time order upserts through the API: PUT /api/v1/orders/{external_id} with an API key.

New orders first (each creates an order, its lines, payments and event), then
the same bodies again (idempotent repeats that must change nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from dataclasses import asdict
from typing import Any

from _common import django_setup, emit


def body(data: Any) -> dict[str, Any]:
    """Return the JSON the marketplace sends for one order (the OrderData shape)."""

    def encode(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        return value

    fields = asdict(data)
    del fields["external_id"]  # it is in the URL
    return encode(fields)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=424242)
    args = parser.parse_args()
    django_setup()

    from django.test import Client

    from marketdesk.accounts.services import api_key_create
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.orders.models import Marketplace, Order
    from marketdesk.simulator.generator import MarketplaceGenerator

    marketplace = Marketplace.objects.get(slug="demo")
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="bench")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    plan = MarketplaceGenerator(seed=args.seed, orders=args.count, epoch=clock.now())
    bodies = [(o.data.external_id, json.dumps(body(o.data))) for o in plan.orders()]
    before = Order.objects.count()

    def put_all() -> float:
        started = time.perf_counter()
        for external_id, payload in bodies:
            response = client.put(f"/api/v1/orders/{external_id}", payload, content_type="application/json")
            if response.status_code not in (200, 201):
                raise SystemExit(
                    f"PUT /api/v1/orders/{external_id} answered {response.status_code}: {response.content[:500]!r}"
                )
        return time.perf_counter() - started

    new_seconds = put_all()
    repeat_seconds = put_all()
    created = Order.objects.count() - before
    if created != len(bodies):
        raise SystemExit(f"expected {len(bodies)} new orders, the API created {created}")
    emit(
        {
            "upserts": len(bodies),
            "new_per_s": len(bodies) / new_seconds,
            "repeat_per_s": len(bodies) / repeat_seconds,
        }
    )


if __name__ == "__main__":
    main()
