"""Webhooks to a slow receiver, with one db_worker and with two: throughput, delay, and a writable database.

Runs against the database in DATABASE_URL (after ``migrate``). A real HTTP
receiver on 127.0.0.1 takes ``--answer-seconds`` (2 s) to answer each request
and checks every signature with the ``standardwebhooks`` package. For each leg
(one worker, then two) ``marketdesk db_worker`` processes are started and warmed
up with one event each; then ``--events`` events are committed one after
another (a backlog) and delivered by the workers as in production (outbox
message → task → claim, POST, record).

* Deliveries per second: from the first arrival to the last.
* Delay: from each event's commit to the receiver having its request (p50, p95).
* Writable database: meanwhile a thread with its own connection writes a small
  row update in its own transaction every ``--write-every`` seconds, as a web
  request would; its p95 latency and how many writes failed (e.g. "database is
  locked").
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from typing import Any

from _common import Receiver, db_workers, django_setup, emit, percentile


class Writer:
    """A thread that keeps doing a small write in its own transaction and times each one."""

    def __init__(self, every: float, marketplace_id: int) -> None:
        self.every = every
        self.marketplace_id = marketplace_id
        self.latencies_ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import DatabaseError, connection, transaction

        from marketdesk.orders.models import Marketplace

        n = 0
        try:
            while not self.stop.wait(self.every):
                n += 1
                began = time.perf_counter()
                try:
                    with transaction.atomic():
                        Marketplace.objects.filter(pk=self.marketplace_id).update(name=f"Bench write {n}")
                except DatabaseError as exc:
                    self.errors[str(exc)[:80]] += 1
                self.latencies_ms.append((time.perf_counter() - began) * 1000)
        finally:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=40, help="Events in each leg's backlog (default 40).")
    parser.add_argument("--answer-seconds", type=float, default=2.0, help="The receiver's answer time (default 2).")
    parser.add_argument("--write-every", type=float, default=0.1, help="Seconds between small writes (default 0.1).")
    parser.add_argument(
        "--worker-interval", type=float, default=1.0, help="db_worker's --interval when idle (its default, 1 s)."
    )
    args = parser.parse_args()
    django_setup()

    from django.db import connection, transaction

    from marketdesk.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from marketdesk.notifications.webhooks import webhook_event_emit, webhook_secret_generate
    from marketdesk.orders.models import Marketplace

    receiver = Receiver(answer_seconds=args.answer_seconds)
    run = time.time_ns()
    # A marketplace of its own per run: an earlier run's endpoint (its receiver gone) would get deliveries too.
    marketplace = Marketplace.objects.create(slug=f"bench-slow-hooks-{run}", name="Bench slow receiver")
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate()
    )
    receiver.secret = endpoint.secret
    written = Marketplace.objects.create(slug=f"bench-slow-hooks-writes-{run}", name="Bench write")
    connection.close()  # the workers and the writer use their own connections; this one reopens on demand

    def commit_event(event_id: str) -> float:
        with transaction.atomic():
            webhook_event_emit(
                marketplace_id=marketplace.pk,
                event_type="case.decided",
                data={"case_id": 1, "outcome": "buyer_full_refund"},
                event_id=event_id,
            )
        return time.perf_counter()

    def leg(workers: int) -> dict[str, Any]:
        writer = Writer(args.write_every, written.pk)
        with db_workers(workers, interval=args.worker_interval) as tails:
            try:
                for n in range(workers):  # each worker process starts up on a warm-up event
                    commit_event(f"msg_{run}_{workers}_warm_{n}")
                warmed = receiver.wait_for(receiver.count() + workers, timeout=120)
                time.sleep(args.answer_seconds + 0.5)  # let the warm-up requests be answered and recorded
                writer.thread.start()
                ids = [f"msg_{run}_{workers}_{n}" for n in range(args.events)]
                before = receiver.count()
                committed = {event_id: commit_event(event_id) for event_id in ids}
                drained = receiver.wait_for(before + args.events, timeout=args.events * (args.answer_seconds + 1) + 60)
                time.sleep(args.answer_seconds + 0.5)  # the last answers, then their records
            finally:
                writer.stop.set()
                if writer.thread.is_alive():
                    writer.thread.join(timeout=30)
        arrivals = sorted(receiver.arrived[i] for i in ids if i in receiver.arrived)
        delays = [(receiver.arrived[i] - committed[i]) * 1000 for i in ids if i in receiver.arrived]
        leg_deliveries = WebhookDelivery.objects.filter(endpoint=endpoint, event_id__in=ids)
        return {
            "workers": workers,
            "warmed": warmed,
            "drained": drained,
            "events": args.events,
            "received": len(arrivals),
            "requests_per_id_max": max((receiver.requests[i] for i in ids), default=0),
            "delivered_recorded": leg_deliveries.filter(status=DeliveryStatus.DELIVERED).count(),
            "per_s": (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else float("nan"),
            "delay_p50_ms": percentile(delays, 50),
            "delay_p95_ms": percentile(delays, 95),
            "writes": len(writer.latencies_ms),
            "write_p95_ms": percentile(writer.latencies_ms, 95),
            "write_max_ms": max(writer.latencies_ms, default=float("nan")),
            "write_errors": sum(writer.errors.values()),
            "write_error_kinds": dict(writer.errors),
            "worker_log_tail": [t for t in tails if t.strip()],
        }

    one = leg(1)
    two = leg(2)
    receiver.server.shutdown()
    emit(
        {
            "answer_seconds": args.answer_seconds,
            "vendor": connection.vendor,
            "one": one,
            "two": two,
            "bad_signatures": receiver.bad_signatures,
        }
    )


if __name__ == "__main__":
    main()
