"""Load: the locust mix (bench/load_scenario.py) through haproxy at 1, 2 and 4 web processes on PostgreSQL.

Starts the topology of scripts/topology.py (PostgreSQL, Redis, S3 on moto, haproxy, RQ workers on
the webhooks and the other queues, a scheduler) with four uvicorn web processes, fills a marketplace
with the simulator (``simulate``), then for each step leaves that many web processes running behind
haproxy (the others stopped: its health check takes them out) and runs locust headless for
``--seconds``: buyers browsing their orders, reading and posting messages and opening cases,
sellers answering, operators working the queue and case workspaces, the marketplace upserting
orders and ingesting tracking through the API. Prints each step's throughput and p95 with its goal,
and the machine it ran on.

    .venv/bin/python bench/bench_load.py [--seconds 35] [--users 40] [--webs 1,2,4] [--orders 2000]

``make bench`` runs it with its defaults (bench/run.py). The marketplace's API call throttle is
lifted for the run (MARKETDESK_API_CALLS_PER_MINUTE): the bench measures capacity, not the throttle.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR), str(ROOT)]

from _common import django_setup, signed_in_cookie  # noqa: E402

from scripts.topology import Topology, listening, wait_until  # noqa: E402

SCENARIO = BENCH_DIR / "load_scenario.py"
LOCUST = str(Path(sys.executable).with_name("locust"))
#: Goals per step: every request answered without an error, p95 of the whole mix under this, and
#: throughput with more web processes at least that of one (2 cores: scaling is bounded by the CPU).
GOAL_P95_MS = 1000.0
GOAL_FAILURES = 0
SLUG = "load"


def machine() -> dict[str, Any]:
    """Facts about the machine the numbers come from."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(int(meminfo[1]) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _order_body(
    *, buyer: str, shop: dict[str, str], placed: dt.datetime, status: str, eta: dt.datetime | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "buyer": {"external_id": buyer, "name": "Load Buyer", "email": f"{buyer.lower()}@example.test"},
        "shop": shop,
        "currency": "GBP",
        "total_minor": 5450,
        "shipping_minor": 450,
        "placed_at": placed.isoformat(),
        "status": status,
        "lines": [
            {"external_id": "L1", "title": "Wool scarf", "quantity": 2, "unit_price_minor": 1500, "total_minor": 3000},
            {"external_id": "L2", "title": "Beanie", "quantity": 1, "unit_price_minor": 2000, "total_minor": 2000},
        ],
        "payments": [
            {
                "external_id": "P1",
                "method": "card",
                "amount_minor": 5450,
                "currency": "GBP",
                "status": "captured",
                "paid_at": placed.isoformat(),
            }
        ],
    }
    if eta is not None:
        body["estimated_delivery_at"] = eta.isoformat()
    return body


def seed_world(*, orders: int, steps: int, eligible_per_step: int) -> list[dict[str, Any]]:
    """Fill the marketplace ``load`` with the simulator; return one locust world per step (their own case orders)."""
    from django.core.management import call_command
    from django.db.models import Count

    from marketdesk.accounts.models import User, UserRole
    from marketdesk.accounts.services import api_key_create
    from marketdesk.cases.models import Case
    from marketdesk.cases.services.contact import seller_contact_record
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.orders.models import Marketplace, Order, Shop
    from marketdesk.orders.schemas import OrderUpsertIn
    from marketdesk.orders.services import order_upsert
    from marketdesk.shipping.models import Shipment

    call_command("simulate", orders=orders, marketplace=SLUG, seed=7, quiet=True)
    marketplace = Marketplace.objects.get(slug=SLUG)
    _key, raw_key = api_key_create(actor=Actor.system(), marketplace=marketplace, name="load")

    def person(user: User, order_filter: dict[str, Any]) -> dict[str, Any]:
        cookie, csrf = signed_in_cookie(user)
        refs = Order.objects.filter(**order_filter).order_by("-placed_at").values_list("external_id", flat=True)
        return {"cookie": cookie, "csrf": csrf, "orders": list(refs[:20])}

    buyers = (
        User.objects.filter(role=UserRole.BUYER, marketplace=marketplace)
        .annotate(n=Count("orders"))
        .filter(n__gte=2)
        .order_by("-n", "pk")[:40]
    )
    sellers = (
        User.objects.filter(role=UserRole.SELLER, marketplace=marketplace)
        .annotate(n=Count("memberships__shop__orders"))
        .filter(n__gte=2)
        .order_by("-n", "pk")[:15]
    )
    operators = [
        User.objects.update_or_create(
            username=f"load-operator-{i}",
            defaults={"role": UserRole.OPERATOR, "marketplace": marketplace, "display_name": f"Load operator {i}"},
        )[0]
        for i in range(5)
    ]
    cases = list(Case.objects.filter(order__marketplace=marketplace).order_by("-pk").values_list("pk", flat=True)[:100])
    # New orders and case orders spread over the simulated shops, as a marketplace's are.
    shops = [
        {"external_id": ref, "name": name}
        for ref, name in Shop.objects.filter(marketplace=marketplace).order_by("pk").values_list("external_id", "name")
    ]
    if not shops:
        raise SystemExit("simulate made no shop")
    now = clock.now()
    system = Actor.marketplace(marketplace_id=marketplace.pk)

    def eligible_order(step: int, n: int) -> str:
        """A shipped order past its delivery estimate whose buyer contacted the seller 20 days ago."""
        ref = f"LOAD-CASE-{step}-{n}"
        body = _order_body(
            buyer=f"LOADB-{step}-{n}",
            shop=shops[n % len(shops)],
            placed=now - dt.timedelta(days=30),
            status="shipped",
            eta=now - dt.timedelta(days=21),
        )
        order, _created = order_upsert(
            actor=system, marketplace=marketplace, data=OrderUpsertIn.model_validate(body).to_data(ref)
        )
        with clock.frozen(now - dt.timedelta(days=20)):
            seller_contact_record(actor=system, order=order)
        return ref

    shipments = [
        {"carrier": code, "tracking_number": number}
        for code, number in Shipment.objects.filter(marketplace=marketplace).values_list(
            "carrier__code", "tracking_number"
        )[:200]
    ]
    base = {
        "key": raw_key,
        "buyers": [person(u, {"buyer": u}) for u in buyers],
        "sellers": [person(u, {"shop__memberships__user": u}) for u in sellers],
        "operators": [{**person(u, {"pk__in": []}), "cases": cases} for u in operators],
        "shipments": shipments,
        "tracking_at": (now - dt.timedelta(hours=2)).isoformat(),
        "shops": shops,
        "order_template": _order_body(
            buyer="", shop=shops[0], placed=now - dt.timedelta(days=1), status="paid", eta=None
        ),
    }
    if not (base["buyers"] and base["sellers"] and cases and shipments):
        raise SystemExit(f"simulate gave too little to load: {orders} orders; use more --orders")
    return [
        {
            **base,
            "order_prefix": f"LOAD-NEW-{step}-",
            "eligible": [eligible_order(step, n) for n in range(eligible_per_step)],
        }
        for step in range(steps)
    ]


def run_locust(url: str, world: Path, *, seconds: int, users: int, out: Path) -> dict[str, Any]:
    """Run the mix headless for ``seconds``; return its totals and each request name's figures."""
    env = {**os.environ, "MARKETDESK_LOAD_WORLD": str(world)}
    argv = [LOCUST, "-f", str(SCENARIO), "--headless", "--host", url, "--users", str(users)]
    argv += ["--spawn-rate", str(max(1, users // 2)), "--run-time", f"{seconds}s", "--csv", str(out)]
    argv += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    # At the end each user finishes what it is doing (a first visit does one of each thing): a run on a
    # busy machine still makes every kind of request, and no request is cut off and left uncounted.
    argv += ["--stop-timeout", "30"]
    subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, timeout=seconds + 180)
    rows = list(csv.DictReader(Path(f"{out}_stats.csv").read_text(encoding="utf-8").splitlines()))
    steps = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_s": float(row["Requests/s"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
        }
        for row in rows
    }
    failures = [
        {"name": row["Name"], "error": row["Error"][:200], "count": int(row["Occurrences"])}
        for row in csv.DictReader(Path(f"{out}_failures.csv").read_text(encoding="utf-8").splitlines())
    ]
    total = steps.pop("Aggregated")
    return {**total, "by_name": steps, "errors": failures}


def _use_webs(topology: Topology, count: int) -> None:
    """Leave web-1 … web-``count`` running behind the balancer; stop the others."""
    for n, (name, port) in enumerate(topology.web_ports.items(), start=1):
        process = topology.processes[name]
        if n <= count and not process.alive():
            process.start()
            wait_until(lambda port=port: listening(port), seconds=120, what=name)
        elif n > count and process.alive():
            process.stop()
    for n, port in enumerate(topology.web_ports.values(), start=1):
        if n <= count:  # warm each one (imports, pool) so the first seconds of the step are not start-up
            for _ in range(5):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=30):
                    pass
    time.sleep(2)  # haproxy's check (every 300 ms, rise 2) takes a started process in, a stopped one out


def table(result: dict[str, Any]) -> str:
    """The bench's figures with their goals, as the other benches print them."""
    lines = []
    facts = result["machine"]
    lines.append(
        f"Load (locust, {result['users']} users, {result['seconds']} s per step, through haproxy; PostgreSQL, "
        f"RQ workers): machine {facts['nproc']} cores ({facts['cpu']}), {facts['ram_gb']} GB RAM, "
        f"load average at start {facts['load_average_at_start']}"
    )
    one = result["steps"][0]["per_s"] if result["steps"] else 0.0
    for step in result["steps"]:
        p95_ok = step["p95_ms"] <= GOAL_P95_MS
        failures_ok = step["failures"] <= GOAL_FAILURES
        scale_ok = step["per_s"] >= 0.95 * one
        lines.append(
            f"  {step['webs']} web: {step['per_s']:.1f} req/s (goal ≥ 1 web's {one:.1f}: "
            f"{'holds' if scale_ok else 'misses'}), p95 {step['p95_ms']:.0f} ms (goal ≤ {GOAL_P95_MS:.0f}: "
            f"{'holds' if p95_ok else 'misses'}), failures {step['failures']} of {step['requests']} "
            f"(goal {GOAL_FAILURES}: {'holds' if failures_ok else 'misses'})"
        )
        for name, figures in sorted(step["by_name"].items()):
            lines.append(
                f"      {name:<48} {figures['requests']:>6} req {figures['per_s']:>7.1f}/s "
                f"p50 {figures['p50_ms']:>6.0f} ms p95 {figures['p95_ms']:>6.0f} ms failures {figures['failures']}"
            )
        lines.extend(f"      ! {e['name']}: {e['count']} × {e['error']}" for e in step["errors"][:5])
    lines.append(
        "  2 cores run locust, haproxy, the web processes, 2 RQ workers, the scheduler, Redis, moto and "
        "PostgreSQL together: more web processes than cores add no CPU, only contention."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=35, help="Locust run time per step (default 35).")
    parser.add_argument("--users", type=int, default=40, help="Locust users at once (default 40).")
    parser.add_argument("--webs", default="1,2,4", help="Web processes per step (default 1,2,4).")
    parser.add_argument("--orders", type=int, default=2000, help="Orders the simulator fills the marketplace with.")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    webs = [int(n) for n in args.webs.split(",")]
    facts = machine()
    workdir = Path(tempfile.mkdtemp(prefix="marketdesk-load-", dir="/tmp"))
    topology = Topology(
        workdir=workdir,
        scheduler_every=30.0,
        web_count=max(webs),
        extra_env={"MARKETDESK_API_CALLS_PER_MINUTE": "1000000"},
    )
    steps = []
    try:
        topology.start()
        os.environ.update(topology.env())
        django_setup()
        started = time.monotonic()
        worlds = seed_world(orders=args.orders, steps=len(webs), eligible_per_step=max(40, args.seconds * 3))
        print(f"load: seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
        for index, (count, world) in enumerate(zip(webs, worlds, strict=True)):
            _use_webs(topology, count)
            world_file = workdir / f"world-{index}.json"
            world_file.write_text(json.dumps(world))
            figures = run_locust(
                topology.url, world_file, seconds=args.seconds, users=args.users, out=workdir / f"step-{index}"
            )
            steps.append({"webs": count, **figures})
            print(f"load: {count} web: {figures['per_s']:.1f} req/s, p95 {figures['p95_ms']:.0f} ms", file=sys.stderr)
    finally:
        topology.stop()
    result = {"machine": facts, "seconds": args.seconds, "users": args.users, "steps": steps}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
