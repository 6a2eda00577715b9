"""Time the nightly seller standards: ``--shops`` sellers (10,000) over ``--orders`` orders (1,000,000).

Runs against the database in DATABASE_URL (after ``migrate``; ``simulate`` is not needed), in its
own marketplace, written in bulk (``bulk_create`` in batches, not through the services): orders
spread over the last 120 days (so about three quarters fall in the 90-day window), a case on 1.5 %
of them (a decision for the buyer at the seller's cost on one in ten of those), a shipment on 90 %
(5 % shipped late, 3 % never scanned by the carrier) and a buyer's first contact on 10 % (3 %
answered after 24 h). With about 75 orders each in the window, chance alone puts many sellers over
one threshold or another (in the full-size run about two thirds end below standard): the bench
times the computation, it does not model a healthy marketplace.

Timed, in a child process of its own so that its peak memory is the computation's alone:
``standards_nightly()`` over every shop of the database — the job with its chunks, five grouped
queries per chunk of 500 shops, the snapshots' upserts and the proposals. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import django_setup, emit

SLUG = "bench-standards"
BATCH = 5000


def load(shops: int, orders: int) -> dict[str, float]:
    """Write the bench marketplace; return the seconds each part took."""
    from marketdesk.accounts.models import User, UserRole
    from marketdesk.cases.models import Case, CaseType, Decision, DecisionOutcome, Payer, SellerContact
    from marketdesk.cases.states import CaseStatus
    from marketdesk.core import clock
    from marketdesk.orders.models import Marketplace, Order, Shop
    from marketdesk.orders.states import OrderStatus
    from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent
    from marketdesk.shipping.states import TrackingStatus

    rng = random.Random(17)
    now = clock.now()
    started = time.perf_counter()
    marketplace, _ = Marketplace.objects.get_or_create(slug=SLUG, defaults={"name": "Bench standards"})
    carrier, _ = Carrier.objects.get_or_create(code="bench-standards", defaults={"name": "Bench Post"})
    buyer, _ = User.objects.get_or_create(
        username="bench-standards-buyer", defaults={"role": UserRole.BUYER, "marketplace": marketplace}
    )
    operator, _ = User.objects.get_or_create(
        username="bench-standards-operator", defaults={"role": UserRole.OPERATOR, "marketplace": marketplace}
    )
    Shop.objects.bulk_create(
        [Shop(marketplace=marketplace, external_id=f"BS{i}", name=f"Bench shop {i}") for i in range(shops)],
        batch_size=BATCH,
    )
    shop_ids = list(Shop.objects.filter(marketplace=marketplace).values_list("pk", flat=True))
    seconds: dict[str, float] = {}
    made = 0
    serial = 0
    while made < orders:
        size = min(BATCH, orders - made)
        batch = []
        for _ in range(size):
            serial += 1
            batch.append(
                Order(
                    marketplace=marketplace,
                    external_id=f"BSO{serial}",
                    buyer=buyer,
                    shop_id=rng.choice(shop_ids),
                    status=OrderStatus.DELIVERED,
                    currency="GBP",
                    total_minor=2500,
                    placed_at=now - dt.timedelta(minutes=rng.randint(0, 120 * 24 * 60)),
                    content_hash="bench",
                )
            )
        created = Order.objects.bulk_create(batch)
        cases, shipments, contacts = [], [], []
        for order in created:
            draw = rng.random()
            if draw < 0.015:
                cases.append(
                    Case(
                        order=order,
                        buyer=buyer,
                        shop_id=order.shop_id,
                        marketplace_id=order.marketplace_id,
                        case_type=CaseType.ITEM_NOT_RECEIVED,
                        description="Bench.",
                        status=CaseStatus.DECIDED,
                        opened_at=order.placed_at + dt.timedelta(days=8),
                        seller_due_at=order.placed_at + dt.timedelta(days=11),
                        policy_version=0,
                    )
                )
            if draw < 0.9:
                ship_by = order.placed_at + dt.timedelta(days=2)
                late = rng.random() < 0.05
                shipments.append(
                    Shipment(
                        marketplace=marketplace,
                        order=order,
                        external_id=f"BSS{order.pk}",
                        carrier=carrier,
                        tracking_number=f"BST{order.pk}",
                        ship_by=ship_by,
                        handed_over_at=ship_by + dt.timedelta(hours=6 if late else -6),
                        created_at=order.placed_at + dt.timedelta(hours=12),
                    )
                )
            if rng.random() < 0.1:
                contacted = order.placed_at + dt.timedelta(days=3)
                reply = dt.timedelta(hours=30 if rng.random() < 0.03 else 3)
                contacts.append(
                    SellerContact(order=order, buyer=buyer, contacted_at=contacted, seller_replied_at=contacted + reply)
                )
        made_cases = Case.objects.bulk_create(cases)
        Decision.objects.bulk_create(
            [
                Decision(
                    case=c,
                    outcome=DecisionOutcome.BUYER_FULL_REFUND,
                    payer=Payer.SELLER,
                    amount_minor=2500,
                    currency="GBP",
                    reason_code="not_received_no_proof",
                    rationale="Bench.",
                    policy_version=0,
                    decided_by=operator,
                )
                for i, c in enumerate(made_cases)
                if i % 10 == 0
            ]
        )
        made_shipments = Shipment.objects.bulk_create(shipments)
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    marketplace=marketplace,
                    carrier=carrier,
                    shipment=s,
                    tracking_number=s.tracking_number,
                    carrier_event_id=f"BSE{s.pk}",
                    event_at=s.handed_over_at,
                    raw={"status": "IT"},
                    raw_status="IT",
                    status=TrackingStatus.IN_TRANSIT,
                )
                for s in made_shipments
                if rng.random() >= 0.03
            ]
        )
        SellerContact.objects.bulk_create(contacts)
        made += size
    seconds["load"] = time.perf_counter() - started
    return seconds


def _reset_peak() -> None:
    """Forget the peak RSS so far: a forked child starts with its parent's (the loader's) high-water mark."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """Return the peak resident memory since ``_reset_peak`` (VmHWM; ru_maxrss where /proc is missing)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compute() -> None:
    """The child: run the nightly computation once and print its figures."""
    django_setup()
    from marketdesk.standards.models import Level, StandardsSnapshot
    from marketdesk.standards.services import standards_nightly

    _reset_peak()
    started = time.perf_counter()
    job = standards_nightly()
    seconds = time.perf_counter() - started
    day = job.day
    levels = {
        level: StandardsSnapshot.objects.filter(day=day, level=level).count() for level in Level.values
    }  # not timed
    emit(
        {
            "seconds": seconds,
            "shops": job.done,
            "peak_mb": _peak_mb(),
            "levels": levels,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="200 shops, 20,000 orders.")
    parser.add_argument("--compute-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compute_only:
        compute()
        return 0
    if args.quick:
        args.shops, args.orders = 200, 20_000
    django_setup()
    from marketdesk.orders.models import Marketplace

    if Marketplace.objects.filter(slug=SLUG).exists():
        raise SystemExit(f"{SLUG} exists already: run on a fresh database")
    seconds = load(args.shops, args.orders)
    env = dict(os.environ)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--compute-only"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    result = json.loads(out.strip().splitlines()[-1])
    result.update({"orders": args.orders, "sellers": args.shops, "load_seconds": seconds["load"]})
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
