"""marketdesk benchmarks: simulate 100,000 orders, then time the buyer's pages and API upserts.

    .venv/bin/python bench/run.py                 # SQLite in a temporary directory
    .venv/bin/python bench/run.py --postgres      # also a throw-away PostgreSQL (scripts/pg.sh)
    .venv/bin/python bench/run.py --quick         # 2,000 orders: checks that everything runs
    BENCH_DATABASE_URL=postgres://… bench/run.py  # an existing, empty database instead

Each step runs in its own process against a fresh database: ``migrate``, then
``simulate`` (wall time and peak RSS of that process), then the page and API
scripts, which print one JSON line each. The results end in one table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MANAGE = ROOT / "manage.py"
PG_SCRIPT = ROOT / "scripts" / "pg.sh"


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    (var_dir / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns when STATIC_ROOT is missing
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "MARKETDESK_VAR_DIR": str(var_dir),
            # Measure what production runs: no debug cursor, no debug pages.
            "MARKETDESK_DEBUG": "0",
            "MARKETDESK_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
        }
    )
    return env


def _run(argv: list[str], env: dict[str, str], *, label: str) -> str:
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"{label} failed with exit code {proc.returncode}")
    return proc.stdout


def _json_result(argv: list[str], env: dict[str, str], *, label: str) -> dict[str, Any]:
    out = _run(argv, env, label=label)
    return json.loads(out.strip().splitlines()[-1])


def _simulate(orders: int, env: dict[str, str]) -> dict[str, float]:
    """Run simulate in its own process; return its wall time and peak resident memory."""
    argv = [sys.executable, str(MANAGE), "simulate", "--seed", "1", "--orders", str(orders), "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)
    # wait4 gives this one child's rusage; RUSAGE_CHILDREN would also count the migrate before it.
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"simulate failed with exit code {proc.returncode}")
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is in kilobytes on Linux.
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "children_peak_mb": max(before, children_peak) / 1024,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_database(name: str, database_url: str, var_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = _env(database_url, var_dir)
    print(f"[{name}] migrate", flush=True)
    _run([sys.executable, str(MANAGE), "migrate", "--verbosity", "0"], env, label="migrate")
    print(f"[{name}] simulate {args.orders:,} orders", flush=True)
    result: dict[str, Any] = {"database": name, "orders": args.orders}
    result["simulate"] = _simulate(args.orders, env)
    print(f"[{name}] pages: {args.requests} requests each", flush=True)
    result["pages"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_pages.py"), "--requests", str(args.requests)], env, label="pages"
    )
    print(f"[{name}] API: {args.upserts} upserts", flush=True)
    result["api"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_api.py"), "--count", str(args.upserts)], env, label="api"
    )
    print(f"[{name}] help center: search with 1,000 articles per language", flush=True)
    result["helpcenter"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_helpcenter.py")], env, label="helpcenter"
    )
    print(f"[{name}] webhooks: {args.webhooks} events to a local receiver", flush=True)
    result["webhooks"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_webhooks.py"), "--events", str(args.webhooks)], env, label="webhooks"
    )
    return result


def _postgres(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    pg_dir = tmp / "pg"
    if not PG_SCRIPT.exists():
        raise SystemExit(f"{PG_SCRIPT} is missing: it starts the throw-away PostgreSQL")
    url = subprocess.run(
        ["bash", str(PG_SCRIPT), "start", str(pg_dir), str(_free_port())],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        return bench_database("PostgreSQL", url, tmp / "var-pg", args)
    finally:
        subprocess.run(["bash", str(PG_SCRIPT), "stop", str(pg_dir)], check=False, capture_output=True)


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        ("simulate: orders", lambda r: f"{r['orders']:,}"),
        ("simulate: seconds", lambda r: f"{r['simulate']['seconds']:.1f}"),
        ("simulate: peak RSS, MB", lambda r: f"{r['simulate']['peak_mb']:.0f}"),
        ("orders in database", lambda r: f"{r['pages']['orders_total']:,}"),
        ("buyer's orders (list size)", lambda r: f"{r['pages']['buyer_orders']}"),
        ("/orders/ p50 ms", lambda r: f"{r['pages']['list']['p50_ms']:.1f}"),
        ("/orders/ p95 ms", lambda r: f"{r['pages']['list']['p95_ms']:.1f}"),
        ("/orders/ queries/request", lambda r: f"{r['pages']['list']['queries']}"),
        ("/orders/<pk>/ p50 ms", lambda r: f"{r['pages']['detail']['p50_ms']:.1f}"),
        ("/orders/<pk>/ p95 ms", lambda r: f"{r['pages']['detail']['p95_ms']:.1f}"),
        ("/orders/<pk>/ queries/request", lambda r: f"{r['pages']['detail']['queries']}"),
        ("API upserts (new), orders/s", lambda r: f"{r['api']['new_per_s']:.0f}"),
        ("API upserts (repeat), orders/s", lambda r: f"{r['api']['repeat_per_s']:.0f}"),
        ("help search p50 ms (1,000 articles/lang)", lambda r: f"{r['helpcenter']['search']['p50_ms']:.1f}"),
        ("help search p95 ms (1,000 articles/lang)", lambda r: f"{r['helpcenter']['search']['p95_ms']:.1f}"),
        ("/help/search/ page p95 ms", lambda r: f"{r['helpcenter']['page']['p95_ms']:.1f}"),
        ("webhook deliveries/s (local receiver)", lambda r: f"{r['webhooks']['per_s']:.0f}"),
        ("webhook decision → delivery p50 ms", lambda r: f"{r['webhooks']['delay_p50_ms']:.1f}"),
        ("webhook decision → delivery p95 ms", lambda r: f"{r['webhooks']['delay_p95_ms']:.1f}"),
    ]
    header = ["metric", *[r["database"] for r in results]]
    body = [[label, *[fmt(r) for r in results]] for label, fmt in rows]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"

    def render(row: list[str]) -> str:
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row)]
        return "| " + " | ".join(cells) + " |"

    return "\n".join([line, render(header), line, *[render(r) for r in body], line])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="Orders to simulate (default 100,000).")
    parser.add_argument("--requests", type=int, default=200, help="Requests per page (default 200).")
    parser.add_argument("--upserts", type=int, default=1000, help="API upserts (default 1,000).")
    parser.add_argument("--webhooks", type=int, default=500, help="Webhook events delivered (default 500).")
    parser.add_argument("--quick", action="store_true", help="2,000 orders, 50 requests, 100 upserts, 50 webhooks.")
    parser.add_argument("--postgres", action="store_true", help="Also run on a throw-away PostgreSQL (scripts/pg.sh).")
    parser.add_argument("--only-postgres", action="store_true", help="Run on PostgreSQL only.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="Run on this (empty) database instead of a temporary SQLite one (env BENCH_DATABASE_URL).",
    )
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.requests, args.upserts, args.webhooks = 2000, 50, 100, 50

    results = []
    tmp = Path(tempfile.mkdtemp(prefix="marketdesk-bench-"))
    try:
        if args.database_url:
            results.append(bench_database("given database", args.database_url, tmp / "var", args))
        elif not args.only_postgres:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            results.append(bench_database("SQLite", url, tmp / "var", args))
        if args.postgres or args.only_postgres:
            results.append(_postgres(tmp, args))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(table(results))
    print(
        f"{args.requests} requests per page as the buyer with the most orders (Django test Client, in process); "
        f"{args.upserts} API upserts, then the same again as repeats."
    )
    if args.postgres or args.only_postgres:
        print("The throw-away PostgreSQL of scripts/pg.sh runs with fsync and synchronous_commit off.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    # The triage model needs no database: its own script, its own table.
    subprocess.run([sys.executable, str(BENCH_DIR / "bench_triage.py")], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
