"""Time cases end to end: full lifecycles per second, a decision race, and decision webhooks via db_worker.

Runs against the database in DATABASE_URL (after ``migrate``), in its own
marketplace, through the services only:

* Lifecycles: ``--lifecycles`` cases, each open → offer → decline → escalate →
  review → decide, one after another; the buyer's contact with the seller is
  recorded beforehand (three days back on the injectable clock) and not timed.
* Race: ``--racers`` threads, each with its own connection and operator, call
  ``case_decide`` on one case under review, released together by a barrier;
  ``--rounds`` cases. Every round must end with one decision, one ledger set and
  one ``case.decided`` delivery; the others are refused with AlreadyDecided.
* Webhooks: a real HTTP receiver on 127.0.0.1 verifies each signature with the
  ``standardwebhooks`` package. Nothing delivers until ``marketdesk db_worker``
  starts (the production path: outbox message → task → ``outbox_deliver``), so
  everything the cases above queued is a backlog; deliveries per second are
  timed from its first to its last arrival. Then ``--samples`` single decisions,
  each timed from its commit to the receiver having its ``case.decided``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import threading
import time
from collections import Counter
from typing import Any

from _common import Receiver, db_workers, django_setup, emit, percentile


def main() -> None:  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifecycles", type=int, default=200, help="Full case lifecycles timed (default 200).")
    parser.add_argument("--racers", type=int, default=50, help="Concurrent deciders of one case (default 50).")
    parser.add_argument("--rounds", type=int, default=3, help="Cases raced, one after another (default 3).")
    parser.add_argument("--samples", type=int, default=50, help="Single decisions timed to delivery (default 50).")
    parser.add_argument(
        "--worker-interval", type=float, default=1.0, help="db_worker's --interval when idle (its default, 1 s)."
    )
    args = parser.parse_args()
    # Each racer holds a connection of its own through the barrier: on PostgreSQL the pool must hold them all
    # (its default of 20 left 30 racers waiting for one until the pool gave up, and the race ran no decision).
    os.environ.setdefault("MARKETDESK_DB_POOL_MAX_SIZE", str(args.racers + 5))
    django_setup()

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
    from marketdesk.cases.models import Case, CaseType, Decision, DecisionOutcome, OfferKind, Payer
    from marketdesk.cases.services.contact import seller_contact_record
    from marketdesk.cases.services.decisions import AlreadyDecided, case_decide
    from marketdesk.cases.services.offers import case_escalate, case_offer_decline, case_offer_make
    from marketdesk.cases.services.opening import case_open
    from marketdesk.cases.services.review import case_review_start
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.core.money import Money
    from marketdesk.ledger.models import LedgerEntry
    from marketdesk.notifications.models import DeliveryStatus, WebhookDelivery
    from marketdesk.notifications.services import webhook_endpoint_create
    from marketdesk.orders.models import Marketplace, Order, Payment, PaymentStatus, Shop
    from marketdesk.orders.states import OrderStatus

    run = time.time_ns()
    receiver = Receiver()
    # A marketplace of its own per run: an earlier run's endpoint (its receiver gone) would get deliveries too.
    marketplace = Marketplace.objects.create(slug=f"bench-cases-{run}", name="Bench cases")
    endpoint = webhook_endpoint_create(
        actor=Actor.marketplace(marketplace_id=marketplace.pk), url=receiver.url, event_types=[]
    )
    receiver.secret = endpoint.secret

    # The parties. Nobody signs in, so one unusable password hash serves them all.
    password = make_password(None)

    def person(role: str, name: str) -> User:
        return User.objects.create(
            username=f"bench-{run}-{name}", role=role, marketplace=marketplace, display_name=name, password=password
        )

    shop = Shop.objects.create(marketplace=marketplace, external_id=f"bench-{run}", name="Bench shop")
    buyer = Actor.for_user(person(UserRole.BUYER, "buyer"))
    seller_user = person(UserRole.SELLER, "seller")
    ShopMembership.objects.create(user=seller_user, shop=shop, role=MembershipRole.OWNER)
    seller = Actor.for_user(seller_user)
    operators = [Actor.for_user(person(UserRole.OPERATOR, f"operator-{i}")) for i in range(max(args.racers, 1))]
    operator = operators[0]

    # Late orders: shipped, estimated delivery yesterday, paid in full.
    now = clock.now()
    wanted = 2 + args.lifecycles + args.rounds + args.samples  # and one warm-up and one counted lifecycle
    orders = Order.objects.bulk_create(
        Order(
            marketplace=marketplace,
            external_id=f"bench-{run}-{n}",
            buyer=buyer.user,
            shop=shop,
            status=OrderStatus.SHIPPED,
            currency="GBP",
            total_minor=2500,
            placed_at=now - dt.timedelta(days=10),
            estimated_delivery_at=now - dt.timedelta(days=1),
            content_hash="bench",
        )
        for n in range(wanted)
    )
    Payment.objects.bulk_create(
        Payment(
            order=o,
            external_id=f"bench-{run}-{o.pk}",
            method="card",
            amount_minor=2500,
            currency="GBP",
            status=PaymentStatus.CAPTURED,
        )
        for o in orders
    )
    orders = list(Order.objects.filter(marketplace=marketplace, external_id__startswith=f"bench-{run}-").order_by("id"))
    # Contact the seller three days back, so that a case may be opened now.
    with clock.frozen(now - dt.timedelta(days=3)):
        for order in orders:
            seller_contact_record(actor=buyer, order=order)

    steps: dict[str, float] = Counter()
    queries: dict[str, int] = Counter()
    counting = False

    def step(name: str, fn: Any, **kwargs: Any) -> Any:
        if counting:
            with CaptureQueriesContext(connection) as captured:
                result = fn(**kwargs)
            queries[name] += len(captured.captured_queries)
            return result
        began = time.perf_counter()
        result = fn(**kwargs)
        steps[name] += time.perf_counter() - began
        return result

    def to_review(order: Order) -> Case:
        case = step(
            "open",
            case_open,
            actor=buyer,
            order=order,
            case_type=CaseType.ITEM_NOT_RECEIVED,
            description="The parcel never arrived.",
        )
        step(
            "offer",
            case_offer_make,
            actor=seller,
            case=case,
            kind=OfferKind.PARTIAL_REFUND,
            amount=Money(1000, "GBP"),
            message="Half back?",
        )
        step("decline", case_offer_decline, actor=buyer, case=case)
        step("escalate", case_escalate, actor=buyer, case=case)
        return step("review", case_review_start, actor=operator, case=case)

    def decide(case: Case, actor: Actor = operator) -> Decision:
        return case_decide(
            actor=actor,
            case=case,
            outcome=DecisionOutcome.BUYER_FULL_REFUND,
            payer=Payer.SELLER,
            reason_code="not_received_no_proof",  # valid as free text and in the fixed list
            rationale="No proof of delivery.",
        )

    # 1. Full lifecycles, one after another, after one untimed warm-up: a process's first case
    # pays one-off costs (the holidays package is imported by the first deadline computed).
    warm_up, counted, lifecycle_orders, rest = (
        orders[0],
        orders[1],
        orders[2 : 2 + args.lifecycles],
        orders[2 + args.lifecycles :],
    )
    step("decide", decide, case=to_review(warm_up))
    steps.clear()
    started = time.perf_counter()
    for order in lifecycle_orders:
        step("decide", decide, case=to_review(order))
    lifecycle_s = time.perf_counter() - started
    step_ms = {name: seconds / max(args.lifecycles, 1) * 1000 for name, seconds in steps.items()}
    # Queries of one more lifecycle, counted apart: capturing them slows the timed ones.
    counting = True
    step("decide", decide, case=to_review(counted))
    counting = False

    # 2. The race: every racer decides the same case at once.
    def race(case: Case) -> dict[str, Any]:
        racers = operators[: args.racers]
        copies = [Case.objects.get(pk=case.pk) for _ in racers]
        barrier = threading.Barrier(len(racers), timeout=60)
        outcomes: list[str] = []
        named: set[str] = set()  # whom the refusals name as the one who decided
        spans: list[tuple[float, float]] = []
        record = threading.Lock()

        def racer(actor: Actor, mine: Case) -> None:
            try:
                connection.ensure_connection()  # connect before the start, not in the timed part
                barrier.wait()
                began = time.perf_counter()
                try:
                    decide(mine, actor)
                    outcome = "decided"
                except AlreadyDecided as exc:
                    outcome = "already_decided"
                    named.add(str(exc.extra.get("decided_by")))
                except Exception as exc:  # noqa: BLE001 - any other failure is counted and named
                    outcome = f"{type(exc).__name__}: {exc}"[:200]
                with record:
                    outcomes.append(outcome)
                    spans.append((began, time.perf_counter()))
            finally:
                connection.close()

        threads = [threading.Thread(target=racer, args=pair) for pair in zip(racers, copies, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        tally = Counter(outcomes)
        key = f"case-{case.pk}-decision"
        deciders = [d.decided_by.name for d in Decision.objects.filter(case_id=case.pk).select_related("decided_by")]
        return {
            "racers": len(racers),
            "decided": tally.pop("decided", 0),
            "already_decided": tally.pop("already_decided", 0),
            "errors": dict(tally),
            "decisions": len(deciders),
            "refusals_name_the_decider": named <= set(deciders[:1]),
            "ledger_entries": LedgerEntry.objects.filter(decision_key=key).count(),
            "ledger_entries_of_case": LedgerEntry.objects.filter(case_id=case.pk).count(),
            "decided_webhooks": WebhookDelivery.objects.filter(endpoint=endpoint, event_id=key).count(),
            "wall_ms": (max(e for _b, e in spans) - min(b for b, _e in spans)) * 1000 if spans else float("nan"),
        }

    race_rounds = [race(to_review(order)) for order in rest[: args.rounds]]

    # 3. Webhooks: queue the sample cases' earlier events too, then let the worker drain everything.
    samples = [to_review(order) for order in rest[args.rounds : args.rounds + args.samples]]
    backlog = WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).count()
    with db_workers(1, interval=args.worker_interval) as worker_tails:
        drained = receiver.wait_for(backlog, timeout=600)
        arrivals = sorted(receiver.arrived.values())
        # From the first arrival to the last: the worker's start-up is not delivery time.
        per_s = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else float("nan")

        delays: list[float] = []
        decide_ms: list[float] = []
        pace = random.Random(1)  # spacing, not secrets
        for case in samples:
            # Land each decision at a random moment of the idle worker's polling cycle, as real ones do;
            # straight after a delivery the worker is still awake and would pick it up at once.
            time.sleep(pace.uniform(0, args.worker_interval))
            began = time.perf_counter()
            decide(case)
            committed = time.perf_counter()
            # The decision's own event: a decision sends others too (refund.instructed, ...), in any order.
            key = f"case-{case.pk}-decision"
            if not receiver.wait_for_event(key, timeout=60):
                break
            decide_ms.append((committed - began) * 1000)
            delays.append((receiver.arrived[key] - committed) * 1000)
    worker_tail = worker_tails[0]
    receiver.server.shutdown()

    delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.DELIVERED).count()
    queued = WebhookDelivery.objects.filter(endpoint=endpoint).count()
    result: dict[str, Any] = {
        "lifecycle": {
            "cases": args.lifecycles,
            "seconds": lifecycle_s,
            "per_s": args.lifecycles / lifecycle_s if lifecycle_s else float("nan"),
            "step_ms": step_ms,
            "queries": sum(queries.values()),
            "step_queries": queries,
        },
        "race": {
            "rounds": race_rounds,
            # A database that serialises whole transactions (SQLite) proves the outcome, not the row locks.
            "vendor": connection.vendor,
        },
        "webhooks": {
            "backlog": backlog,
            "backlog_drained": drained,
            "per_s": per_s,
            "samples": len(delays),
            "decide_p50_ms": percentile(decide_ms, 50),
            "delay_p50_ms": percentile(delays, 50),
            "delay_p95_ms": percentile(delays, 95),
            "delay_max_ms": max(delays) if delays else float("nan"),
            "worker_interval_s": args.worker_interval,
            "queued": queued,
            "delivered": delivered,
            "received": receiver.count(),
            "bad_signatures": receiver.bad_signatures,
        },
    }
    if not drained or len(delays) < len(samples) or receiver.bad_signatures:
        result["webhooks"]["worker_log_tail"] = worker_tail
    emit(result)


if __name__ == "__main__":
    main()
