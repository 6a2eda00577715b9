"""Time outgoing webhooks to a local receiver: deliveries per second and the delay from decision to delivery.

Runs against the database in DATABASE_URL (after ``migrate``). A real HTTP
receiver listens on 127.0.0.1; events are emitted and committed as a decision
would (``webhook_event_emit`` in a transaction), then delivered through the
outbox exactly as the worker does (``outbox_deliver``), signed per Standard
Webhooks. Throughput: ``--events`` committed first, then delivered one after
another in this process. Delay, as in production: ``--samples`` single events,
each committed at a random moment and delivered by a real ``db_worker`` process
(idle ``--worker-interval``, its default 1 s), from the start of its transaction
to the moment the receiver has it. Goal: p95 ≤ 2 s.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _common import db_workers, django_setup, emit, percentile

GOAL_P95_MS = 2000


def _receiver() -> tuple[ThreadingHTTPServer, dict[str, float]]:
    arrived: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrived[self.headers["webhook-id"]] = time.perf_counter()
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, arrived


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500, help="Events for the throughput run (default 500).")
    parser.add_argument("--samples", type=int, default=50, help="Single events timed end to end (default 50).")
    parser.add_argument(
        "--worker-interval", type=float, default=1.0, help="db_worker's --interval when idle (its default, 1 s)."
    )
    args = parser.parse_args()
    django_setup()

    from django.db import transaction

    from marketdesk.core.models import OutboxMessage
    from marketdesk.core.outbox import outbox_deliver
    from marketdesk.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from marketdesk.notifications.webhooks import webhook_event_emit, webhook_secret_generate
    from marketdesk.orders.models import Marketplace

    server, arrived = _receiver()
    marketplace, _ = Marketplace.objects.get_or_create(slug="bench-webhooks", defaults={"name": "Bench webhooks"})
    WebhookEndpoint.objects.create(
        marketplace=marketplace,
        url=f"http://127.0.0.1:{server.server_address[1]}/hooks",
        secret=webhook_secret_generate(),
    )
    run = time.time_ns()

    def decide(n: int, prefix: str) -> None:
        with transaction.atomic():
            webhook_event_emit(
                marketplace_id=marketplace.pk,
                event_type="case.decided",
                data={"case_id": n, "outcome": "buyer_full_refund", "payer": "seller"},
                event_id=f"msg_bench_{run}_{prefix}_{n}",
            )

    def pending() -> list[int]:
        return list(
            OutboxMessage.objects.filter(topic="webhook.deliver", delivered_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        )

    for n in range(args.events):
        decide(n, "t")
    started = time.perf_counter()
    for message_id in pending():
        outbox_deliver(message_id)
    throughput_s = time.perf_counter() - started

    def arrival(event_id: str, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while event_id not in arrived:
            if time.perf_counter() > deadline:
                raise SystemExit(f"{event_id} never reached the receiver through the worker")
            time.sleep(0.002)
        return arrived[event_id]

    delays: list[float] = []
    pace = random.Random(7)
    with db_workers(1, interval=args.worker_interval) as tails:
        try:
            decide(0, "warm")  # the worker's start-up is not delivery time
            arrival(f"msg_bench_{run}_warm_0", timeout=120)
            for n in range(args.samples):
                time.sleep(pace.uniform(0, args.worker_interval))  # decisions come at any moment of the poll
                began = time.perf_counter()
                decide(n, "d")
                delays.append((arrival(f"msg_bench_{run}_d_{n}") - began) * 1000)
        except SystemExit:
            server.shutdown()
            raise
    del tails

    delivered = WebhookDelivery.objects.filter(endpoint__marketplace=marketplace, status=DeliveryStatus.DELIVERED)
    server.shutdown()
    emit(
        {
            "events": args.events,
            "delivered": delivered.count(),
            "per_s": args.events / throughput_s,
            "delay_p50_ms": percentile(delays, 50),
            "delay_p95_ms": percentile(delays, 95),
            "delay_goal_p95_ms": GOAL_P95_MS,
            "delay_holds": percentile(delays, 95) <= GOAL_P95_MS,
        }
    )


if __name__ == "__main__":
    main()
