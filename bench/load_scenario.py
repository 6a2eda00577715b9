"""The locust mix of bench/bench_load.py: buyers, sellers, operators and the marketplace at once.

Run by ``bench_load.py`` (and tests/topology/test_load.py) as
``locust -f bench/load_scenario.py --headless --host URL …`` with ``MARKETDESK_LOAD_WORLD`` naming
the JSON file that ``bench_load.seed_world`` wrote: the people's session cookies and CSRF tokens,
their orders, open cases for the operators, orders ready for a case, shipments to track, and the
marketplace's API key. No Django here: every request goes through the balancer like a browser's or
the marketplace's back office's would.

Every request has a name saying who does what; the bench reports each name's count, failures and p95.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid
from typing import Any

from locust import HttpUser, between, task

WORLD: dict[str, Any] = json.loads(open(os.environ["MARKETDESK_LOAD_WORLD"], encoding="utf-8").read())  # noqa: SIM115
_lock = threading.Lock()
_people = {kind: itertools.cycle(WORLD[kind]) for kind in ("buyers", "sellers", "operators")}
#: Orders whose buyer may open a case now (seller contacted long ago, past the delivery estimate): one case each.
_eligible = list(WORLD["eligible"])
_shipments = WORLD["shipments"]
_new_orders = itertools.count(1)


def _next(kind: str) -> dict[str, Any]:
    with _lock:
        return dict(next(_people[kind]))


def _each_once(user: HttpUser) -> None:
    """A person's first visit does each of its things once (then the weights take over)."""
    for name in sorted(vars(type(user))):
        if hasattr(getattr(type(user), name), "locust_task_weight"):
            getattr(user, name)()


class _Person(HttpUser):
    """A signed-in person: a session cookie, and its CSRF token on writes."""

    abstract = True
    kind = ""
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.me = _next(self.kind)
        self.client.headers.update({"Cookie": self.me["cookie"]})
        _each_once(self)

    def post_message(self, name: str) -> None:
        order = random.choice(self.me["orders"])
        self.client.post(
            f"/api/v1/orders/{order}/messages",
            json={"body": "Any news on this one? Thanks.", "client_token": uuid.uuid4().hex},
            headers={"X-CSRFToken": self.me["csrf"], "Idempotency-Key": uuid.uuid4().hex},
            name=name,
        )


class Buyer(_Person):
    weight = 5
    kind = "buyers"

    @task(4)
    def my_orders(self) -> None:
        self.client.get("/orders/", name="buyer: my orders (page)")

    @task(3)
    def read_conversation(self) -> None:
        order = random.choice(self.me["orders"])
        self.client.get(f"/api/v1/orders/{order}/messages", name="buyer: read a conversation (API)")

    @task(2)
    def write(self) -> None:
        self.post_message("buyer: post a message (API)")

    @task(1)
    def open_case(self) -> None:
        # In the marketplace's own app: the app opens the case with the marketplace's key.
        with _lock:
            order = _eligible.pop() if _eligible else None
        if order is None:
            return
        self.client.post(
            "/api/v1/cases",
            json={"order": order, "case_type": "item_not_received", "description": "It never came."},
            headers={"Authorization": f"Bearer {WORLD['key']}", "Idempotency-Key": uuid.uuid4().hex},
            name="buyer: open a case (marketplace app)",
        )


class Seller(_Person):
    weight = 2
    kind = "sellers"

    @task(3)
    def shop_orders(self) -> None:
        self.client.get("/seller/orders/", name="seller: shop orders (page)")

    @task(2)
    def answer(self) -> None:
        self.post_message("seller: answer a buyer (API)")


class Operator(_Person):
    weight = 1
    kind = "operators"

    @task
    def work_the_queue(self) -> None:
        """Look at the queue, then open a case from it (an operator never opens one without the other)."""
        self.client.get("/console/queue/", name="operator: queue (page)")
        case = random.choice(self.me["cases"])
        self.client.get(f"/console/cases/{case}/", name="operator: case workspace (page)")


class Marketplace(HttpUser):
    """The marketplace's back office: order upserts and carrier tracking through the API."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers.update({"Authorization": f"Bearer {WORLD['key']}"})
        _each_once(self)

    @task(3)
    def upsert_order(self) -> None:
        number = next(_new_orders)
        external_id = f"{WORLD['order_prefix']}{number}"
        buyer = f"{external_id}-B"
        body = {
            **WORLD["order_template"],
            "buyer": {"external_id": buyer, "name": "New Buyer", "email": f"{buyer.lower()}@example.test"},
            "shop": random.choice(WORLD["shops"]),
        }
        self.client.put(
            f"/api/v1/orders/{external_id}",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="marketplace: upsert an order (API)",
        )

    @task(2)
    def ingest_tracking(self) -> None:
        shipment = random.choice(_shipments)
        events = [
            {
                "carrier": shipment["carrier"],
                "tracking_number": shipment["tracking_number"],
                "event_id": uuid.uuid4().hex,
                "status": "in_transit",
                "occurred_at": WORLD["tracking_at"],
                "description": "Arrived at a sorting centre",
                "location": "Leeds",
            }
            for _ in range(10)
        ]
        self.client.post(
            "/api/v1/tracking-events",
            json={"events": events},
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="marketplace: ingest 10 tracking events (API)",
        )
