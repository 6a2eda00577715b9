"""marketdesk benchmarks: simulate 100,000 orders, then time the buyer's pages and API upserts.

    .venv/bin/python bench/run.py                 # SQLite in a temporary directory
    .venv/bin/python bench/run.py --postgres      # also a throw-away PostgreSQL (scripts/pg.sh)
    .venv/bin/python bench/run.py --quick         # 2,000 orders: checks that everything runs
    BENCH_DATABASE_URL=postgres://… bench/run.py  # an existing, empty database instead

Each step runs in its own process against a fresh database: ``migrate``, then
``simulate`` (wall time and peak RSS of that process), then the page and API
scripts, which print one JSON line each. The results end in one table.

The console is timed as its marketplace grows: the queue's first page and the dashboard over a year at
each size (``bench_console.py --queue-scale`` and ``--dashboard-scale``; 1,000,000 open cases with
``--scale``). Run alone, ``bench_console.py`` still times both among ORM-written orders.
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
    started = time.perf_counter()
    out = _run(argv, env, label=label)
    print(f"  {label}: {time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
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
    print(f"[{name}] open a case: {args.opens} through the API and as many through the service", flush=True)
    result["open"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_open.py"), "--rows", str(args.orders), "--opens", str(args.opens)],
        env,
        label="open",
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
    print(f"[{name}] webhooks: {args.slow_webhooks} events each to a receiver answering in 2 s, 1 then 2 workers")
    result["webhook_workers"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_webhook_workers.py"), "--events", str(args.slow_webhooks)],
        env,
        label="webhook workers",
    )
    print(f"[{name}] messaging: {args.messages} messages, a 12-megapixel photo, a 50 MB upload", flush=True)
    result["messaging"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_messaging.py"), "--messages", str(args.messages)],
        env,
        label="messaging",
    )
    print(
        f"[{name}] downloads: {args.download_clients} clients fetch a {args.download_mb} MB video at once", flush=True
    )
    result["downloads"] = _json_result(
        [
            sys.executable,
            str(BENCH_DIR / "bench_downloads.py"),
            *("--clients", str(args.download_clients), "--megabytes", str(args.download_mb)),
        ],
        env,
        label="downloads",
    )
    print(f"[{name}] hostile input: a 500 MB anonymous POST, four 64 MP uploads at once, pages meanwhile", flush=True)
    result["hostile"] = _json_result([sys.executable, str(BENCH_DIR / "bench_hostile.py")], env, label="hostile")
    print(
        f"[{name}] cases: {args.cases} lifecycles, {args.racers} deciders at once, decision webhooks via db_worker",
        flush=True,
    )
    result["cases"] = _json_result(
        [
            sys.executable,
            str(BENCH_DIR / "bench_cases.py"),
            "--lifecycles",
            str(args.cases),
            "--racers",
            str(args.racers),
            "--samples",
            str(args.case_samples),
        ],
        env,
        label="cases",
    )
    print(f"[{name}] returns: {args.return_labels} labels, {args.returns} lifecycles", flush=True)
    result["returns"] = _json_result(
        [
            sys.executable,
            str(BENCH_DIR / "bench_returns.py"),
            "--labels",
            str(args.return_labels),
            "--lifecycles",
            str(args.returns),
        ],
        env,
        label="returns",
    )
    result["triage_api"] = _json_result([sys.executable, str(BENCH_DIR / "bench_triage_api.py")], env, label="triage")
    print(
        f"[{name}] shipping: {args.tracking_events:,} interleaved tracking events over HTTP vs a raw insert", flush=True
    )
    result["shipping"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_shipping.py"), "--events", str(args.tracking_events)],
        env,
        label="shipping",
    )
    print(f"[{name}] live: {args.live_clients} SSE clients on uvicorn, one process, then two with Redis", flush=True)
    result["live"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_live.py"), "--clients", str(args.live_clients)], env, label="live"
    )
    print(f"[{name}] standards: nightly run for {args.standards_shops:,} sellers over {args.standards_orders:,} orders")
    result["standards"] = _json_result(
        [
            sys.executable,
            str(BENCH_DIR / "bench_standards.py"),
            "--shops",
            str(args.standards_shops),
            "--orders",
            str(args.standards_orders),
        ],
        env,
        label="standards",
    )
    # The queue's first page as its marketplace grows (bench_console.py --queue-scale; 1M only with --scale).
    sizes = args.queue_sizes_sqlite if database_url.startswith("sqlite") else args.queue_sizes
    print(f"[{name}] queue: first page at {sizes} open cases", flush=True)
    result["queue_scale"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_console.py"), "--queue-scale", sizes], env, label="queue"
    )
    # The dashboard over a year, from its rollups, as its marketplace grows (1M open cases only with --scale).
    sizes = args.dashboard_sizes_sqlite if database_url.startswith("sqlite") else args.dashboard_sizes
    print(f"[{name}] dashboard: 365 days at {sizes} open cases", flush=True)
    result["dashboard_scale"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_console.py"), "--dashboard-scale", sizes], env, label="dashboard"
    )
    # History search: its own marketplace of bulk-written messages, added last (it is the largest load).
    history_messages = args.history_messages_sqlite if database_url.startswith("sqlite") else args.history_messages
    print(f"[{name}] history: search over {history_messages:,} bulk-written messages", flush=True)
    result["history"] = _json_result(
        [sys.executable, str(BENCH_DIR / "bench_history.py"), "--messages", str(history_messages)], env, label="history"
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


def _queue_scale(r: dict[str, Any]) -> str:
    """Each size of the queue: open cases, p50 / p95 ms, queries per request, and whether p95 holds."""
    return "; ".join(
        f"{z['open_cases']:,}: {z['p50_ms']:.0f} / {z['p95_ms']:.0f} ms, {z['queries']} q ({_holds(z['holds'])})"
        for z in r["queue_scale"]["sizes"]
    )


def _dashboard_scale(r: dict[str, Any]) -> str:
    return "; ".join(
        f"{z['open_cases']:,}: {z['p50_ms']:.0f} / {z['p95_ms']:.0f}, {z['queries']} q ({_holds(z['holds'])})"
        for z in r["dashboard_scale"]["sizes"]
    )


def _holds(holds: bool) -> str:
    return "holds" if holds else "FAILS"


def goals(results: list[dict[str, Any]]) -> str:
    """Each figure that has a goal: the figure, the goal and whether it holds, one line per database."""
    lines = []
    for r in results:
        d = r["downloads"]
        lines.append(
            f"[{r['database']}] web process RSS while {d['clients']} clients download a "
            f"{d['bytes'] / 2**20:.0f} MB video at once: grows by {d['rss_growth_mb']:.1f} MB "
            f"(goal: less than {d['goal_mb']:.0f} MB; {d['complete']} of {d['clients']} downloads complete): "
            f"{_holds(d['holds'])}"
        )
        h = r["hostile"]
        lines.append(
            f"[{r['database']}] web process RSS during a 500 MB anonymous POST (declared, then chunked): grows by "
            f"{h['anonymous_rss_growth_mb']:.1f} MB, {len(h['anonymous_temp_files'])} temporary files "
            f"(goal: less than {h['anonymous_goal_mb']:.0f} MB, none): {_holds(h['anonymous_holds'])}"
        )
        lines.append(
            f"[{r['database']}] web process RSS during four 64 MP uploads at once: grows by "
            f"{h['decode_rss_growth_mb']:.1f} MB in {h['decode_seconds']:.1f} s, answers {h['decode_uploads']} "
            f"(goal: less than {h['decode_goal_mb']:.0f} MB, all stored): {_holds(h['decode_holds'])}"
        )
        lines.append(
            f"[{r['database']}] ordinary pages meanwhile: p95 {h['pages_p95_ms']:.0f} ms over {h['pages_requests']} "
            f"requests, {h['pages_idle_p95_ms']:.0f} ms idle (goal: less than {h['pages_goal_ms']:.0f} ms): "
            f"{_holds(h['pages_holds'])}"
        )
    return "\n".join(lines)


def _rounds(r: dict[str, Any], key: str, fmt: Any = str) -> str:
    """One figure of each race round, "a / b / c"."""
    return " / ".join(str(fmt(round_[key])) for round_ in r["cases"]["race"]["rounds"])


def _received(w: dict[str, Any]) -> str:
    return f"{w['received']:,} of {w['queued']:,}"


def _live(r: dict[str, Any], leg: str, kind: str, key: str) -> str:
    """One live delivery figure; "—" for the Redis leg when redis-server is not installed."""
    figures = r["live"][leg]
    return "—" if figures is None else f"{figures[kind][key]:.1f}"


def _goal(value: str, holds: bool) -> str:
    """A figure with a goal: the value and whether the goal holds."""
    return f"{value} ({_holds(holds)})"


def _slow_pair(r: dict[str, Any], key: str, fmt: str = "{:.0f}") -> str:
    """One figure of the slow-receiver bench for one worker and for two, "a / b"."""
    w = r["webhook_workers"]
    return f"{fmt.format(w['one'][key])} / {fmt.format(w['two'][key])}"


def _slow_scaling(r: dict[str, Any]) -> str:
    w = r["webhook_workers"]
    ratio = w["two"]["per_s"] / w["one"]["per_s"]
    return _goal(f"{w['one']['per_s']:.2f} / {w['two']['per_s']:.2f} (×{ratio:.2f})", ratio >= 1.8)


def _slow_delay(r: dict[str, Any]) -> str:
    # A backlog drains at the receiver's pace: the last event waits events × answer ÷ workers; allow 3 s more.
    w = r["webhook_workers"]
    bound = {n: w[leg]["events"] * w["answer_seconds"] * 1000 / n + 3000 for leg, n in (("one", 1), ("two", 2))}
    holds = w["one"]["delay_p95_ms"] <= bound[1] and w["two"]["delay_p95_ms"] <= bound[2]
    return _goal(_slow_pair(r, "delay_p95_ms"), holds)


def _slow_writes(r: dict[str, Any]) -> str:
    w = r["webhook_workers"]
    return _goal(_slow_pair(r, "write_p95_ms", "{:.1f}"), max(w["one"]["write_p95_ms"], w["two"]["write_p95_ms"]) < 250)


def _slow_write_errors(r: dict[str, Any]) -> str:
    w = r["webhook_workers"]
    return _goal(_slow_pair(r, "write_errors"), w["one"]["write_errors"] + w["two"]["write_errors"] == 0)


def _slow_once(r: dict[str, Any]) -> str:
    w = r["webhook_workers"]
    legs = (w["one"], w["two"])
    holds = all(leg["requests_per_id_max"] == 1 and leg["delivered_recorded"] == leg["events"] for leg in legs)
    return _goal(_slow_pair(r, "requests_per_id_max"), holds and w["bad_signatures"] == 0)


def _photo(p: dict[str, Any]) -> str:
    return f"{p['reencode_ms']:.0f} / {p['thumbnail_ms']:.0f}"


def _history_load(r: dict[str, Any]) -> str:
    s = r["history"]["load_seconds"]
    return f"{s['substrate']:.0f} / {s['messages']:.0f} / {s['index']:.0f}"


def _history_p95(r: dict[str, Any]) -> str:
    search = r["history"]["search"]
    return " / ".join(f"{search[who]['p95_ms']:.0f}" for who in ("buyer", "busy_buyer", "seller", "big_seller"))


def _history_page(r: dict[str, Any]) -> str:
    page = r["history"]["page"]
    return f"{page['list']['p95_ms']:.0f} / {page['search']['p95_ms']:.0f}"


def _ingest_request(r: dict[str, Any]) -> str:
    s = r["shipping"]
    q = s["ingest_queries_per_request"]
    return f"{s['ingest_request_ms']['p50']} / {s['ingest_request_ms']['p95']}, {q['min']}–{q['max']}"


def _projection(r: dict[str, Any]) -> str:
    s = r["shipping"]
    q = s["projection_queries_per_batch"]
    ms = s["projection_batch_ms"]
    return f"{s['projection_events_per_s']:,}; {ms['p50']} / {ms['p95']}, {q['min']}–{q['max']}"


def _ingest_goal(r: dict[str, Any]) -> str:
    return f"{r['shipping']['ingest_pct_of_raw']} % {_holds(r['shipping']['ingest_holds'])}"


def _triage_api(r: dict[str, Any]) -> str:
    t = r["triage_api"]
    return f"{t['p50_ms']:.1f} / {t['p95_ms']:.1f}, {t['queries']['max']} {_holds(t['holds'])}"


def _webhook_goal(r: dict[str, Any]) -> str:
    return f"{r['webhooks']['delay_p95_ms']:.0f} {_holds(r['webhooks']['delay_holds'])}"


def _open(r: dict[str, Any], way: str) -> str:
    """The median round's opens per second, with the slowest and the quickest round (and the goal, if it has one)."""
    o = r["open"][way]
    figure = (
        f"{o['per_s']:.0f} ({min(o['rounds_per_s'])}–{max(o['rounds_per_s'])} over {len(o['rounds_per_s'])} rounds)"
    )
    return _goal(figure, o["holds"]) if "holds" in o else figure


def _open_latency(r: dict[str, Any], way: str) -> str:
    o = r["open"][way]
    return f"{o['p50_ms']:.1f} / {o['p95_ms']:.1f}, {o['queries']}"


def _big(r: dict[str, Any], who: str) -> str:
    first, last = r["pages"]["big"][f"{who}_first"], r["pages"]["big"][f"{who}_last"]
    return _goal(f"{first['p95_ms']:.1f} / {last['p95_ms']:.1f}", first["holds"] and last["holds"])


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
        ("open a case through the API, /s, median round (goal on SQLite ≥ 200; peer 64–75)", lambda r: _open(r, "api")),
        ("open a case through the API: p50 / p95 ms, queries", lambda r: _open_latency(r, "api")),
        ("open a case through the service, /s, median round", lambda r: _open(r, "service")),
        ("open a case through the service: p50 / p95 ms, queries", lambda r: _open_latency(r, "service")),
        (
            "a request's own connection under ASGI, p50 ms (not in the open figures: the test client keeps one)",
            lambda r: f"{r['open']['connection_p50_ms']:.2f}",
        ),
        ("20k-order buyer: first / last page p95 ms (goal ≤ 50)", lambda r: _big(r, "buyer")),
        ("20k-order shop: first / last page p95 ms (goal ≤ 50)", lambda r: _big(r, "seller")),
        ("API upserts (new), orders/s", lambda r: f"{r['api']['new_per_s']:.0f}"),
        ("API upserts (repeat), orders/s", lambda r: f"{r['api']['repeat_per_s']:.0f}"),
        ("help search p50 ms (1,000 articles/lang)", lambda r: f"{r['helpcenter']['search']['p50_ms']:.1f}"),
        ("help search p95 ms (1,000 articles/lang)", lambda r: f"{r['helpcenter']['search']['p95_ms']:.1f}"),
        ("/help/search/ page p95 ms", lambda r: f"{r['helpcenter']['page']['p95_ms']:.1f}"),
        ("webhook deliveries/s (local receiver)", lambda r: f"{r['webhooks']['per_s']:.0f}"),
        ("webhook decision → delivery p50 ms (db_worker)", lambda r: f"{r['webhooks']['delay_p50_ms']:.0f}"),
        ("webhook decision → delivery p95 ms (goal ≤ 2 s)", _webhook_goal),
        ("slow receiver (2 s): deliveries/s, 1 / 2 workers (goal ×1.8)", _slow_scaling),
        ("slow receiver: commit → receipt p95 ms, 1 / 2 workers (goal: its pace)", _slow_delay),
        ("slow receiver: small write p95 ms meanwhile (goal < 250)", _slow_writes),
        ("slow receiver: small writes failed (goal 0)", _slow_write_errors),
        ("slow receiver: requests per event id (goal 1, all recorded)", _slow_once),
        ("messages posted/s (service, with notifications)", lambda r: f"{r['messaging']['messages']['per_s']:.0f}"),
        ("message post p95 ms", lambda r: f"{r['messaging']['messages']['p95_ms']:.1f}"),
        ("12 MP photo: re-encode ms / thumbnail ms", lambda r: _photo(r["messaging"]["photo"])),
        (
            "12 MP photo: peak RSS above baseline MB",
            lambda r: f"{r['messaging']['photo']['peak_rss_above_baseline_mb']:.0f}",
        ),
        ("50 MB upload: web peak RSS growth MB", lambda r: f"{r['messaging']['upload']['web_peak_growth_mb']:.1f}"),
        (
            "downloads at once: web RSS growth MB (goal < 20)",
            lambda r: f"{r['downloads']['rss_growth_mb']:.1f} ({_holds(r['downloads']['holds'])})",
        ),
        (
            "downloads at once: complete / wall s",
            lambda r: f"{r['downloads']['complete']} / {r['downloads']['seconds']:.1f}",
        ),
        ("case lifecycles timed", lambda r: f"{r['cases']['lifecycle']['cases']:,}"),
        ("case lifecycles/s (open → … → decide)", lambda r: f"{r['cases']['lifecycle']['per_s']:.1f}"),
        ("case lifecycle: queries", lambda r: f"{r['cases']['lifecycle']['queries']}"),
        ("decide race: deciders at once", lambda r: _rounds(r, "racers")),
        ("decide race: decided (must be 1)", lambda r: _rounds(r, "decided")),
        ("decide race: refused AlreadyDecided", lambda r: _rounds(r, "already_decided")),
        ("decide race: other errors", lambda r: _rounds(r, "errors", lambda e: sum(e.values()))),
        ("decide race: ledger entries (one set = 1)", lambda r: _rounds(r, "ledger_entries")),
        ("decide race: wall ms", lambda r: _rounds(r, "wall_ms", lambda v: f"{v:.0f}")),
        ("db_worker deliveries/s (backlog)", lambda r: f"{r['cases']['webhooks']['per_s']:.0f}"),
        ("case decided → received p50 ms (db_worker)", lambda r: f"{r['cases']['webhooks']['delay_p50_ms']:.0f}"),
        ("case decided → received p95 ms (db_worker)", lambda r: f"{r['cases']['webhooks']['delay_p95_ms']:.0f}"),
        ("case webhooks received, signature valid", lambda r: _received(r["cases"]["webhooks"])),
        ("case webhooks with a bad signature", lambda r: f"{r['cases']['webhooks']['bad_signatures']}"),
        ("return label (PDF + PNG) ms/label", lambda r: f"{r['returns']['labels']['ms_per_label']:.1f}"),
        ("return labels/s", lambda r: f"{r['returns']['labels']['per_s']:.1f}"),
        ("return lifecycles/s (request → refund)", lambda r: f"{r['returns']['lifecycle']['per_s']:.1f}"),
        ("return lifecycle: queries", lambda r: f"{r['returns']['lifecycle']['queries']}"),
        ("triage via API p50 / p95 ms, queries (goal p95 ≤ 50 ms)", _triage_api),
        ("tracking ingest via HTTP, interleaved: events/s", lambda r: f"{r['shipping']['ingest_events_per_s']:,}"),
        ("tracking ingest: p50/p95 ms, queries/request", _ingest_request),
        ("tracking raw insert floor events/s", lambda r: f"{r['shipping']['raw_insert_events_per_s']:,}"),
        ("tracking ingest % of raw floor (goal ≥ 50 %)", _ingest_goal),
        (
            "tracking ingest's own statements replayed, % of raw floor (its ceiling)",
            lambda r: f"{r['shipping']['ingest_sql_pct_of_raw']} %",
        ),
        ("tracking projection by the worker: events/s; p50/p95 ms, queries/batch", _projection),
        (
            "tracking stored and projected, both counted: events/s, % of raw floor",
            lambda r: (
                f"{r['shipping']['stored_and_projected_events_per_s']:,}, "
                f"{r['shipping']['stored_and_projected_pct_of_raw']} %"
            ),
        ),
        ("hints p50/p95 ms (5 events)", lambda r: "{p50} / {p95}".format(**r["shipping"]["hints_ms_5_events"])),
        ("hints p50/p95 ms (500 events)", lambda r: "{p50} / {p95}".format(**r["shipping"]["hints_ms_500_events"])),
        ("live: open SSE connections", lambda r: f"{r['live']['clients']}"),
        ("live fan-out → every page p50 ms (1 process)", lambda r: _live(r, "one_process", "fanout", "p50_ms")),
        ("live fan-out → every page p95 ms (1 process)", lambda r: _live(r, "one_process", "fanout", "p95_ms")),
        ("live one page p50 ms (1 process)", lambda r: _live(r, "one_process", "single", "p50_ms")),
        ("live one page p95 ms (1 process)", lambda r: _live(r, "one_process", "single", "p95_ms")),
        ("live fan-out p50 ms (2 processes, Redis)", lambda r: _live(r, "redis", "fanout", "p50_ms")),
        ("live fan-out p95 ms (2 processes, Redis)", lambda r: _live(r, "redis", "fanout", "p95_ms")),
        ("live one page p50 ms (2 processes, Redis)", lambda r: _live(r, "redis", "single", "p50_ms")),
        ("live one page p95 ms (2 processes, Redis)", lambda r: _live(r, "redis", "single", "p95_ms")),
        ("history: messages searched", lambda r: f"{r['history']['messages']:,}"),
        ("history: load s (rows / messages / index)", _history_load),
        ("history search p50 ms (all actors)", lambda r: f"{r['history']['search']['all']['p50_ms']:.1f}"),
        ("history search p95 ms (all actors)", lambda r: f"{r['history']['search']['all']['p95_ms']:.1f}"),
        ("history p95 ms: buyer / busy / shop / big shop", _history_p95),
        ("/history/ page p95 ms (list / search)", _history_page),
        ("queue first page by open cases: p50 / p95, queries (goal p95 ≤ 50 ms)", _queue_scale),
        ("dashboard, 365 days: p50 / p95 ms, queries by open cases (goal p95 ≤ 300)", _dashboard_scale),
        ("standards: sellers / orders", lambda r: f"{r['standards']['sellers']:,} / {r['standards']['orders']:,}"),
        ("standards nightly run: seconds", lambda r: f"{r['standards']['seconds']:.1f}"),
        ("standards nightly run: peak RSS MB", lambda r: f"{r['standards']['peak_mb']:.0f}"),
    ]
    header = ["metric", *[r["database"] for r in results]]
    body = [[label, *[fmt(r) for r in results]] for label, fmt in rows]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"

    def render(row: list[str]) -> str:
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row)]
        return "| " + " | ".join(cells) + " |"

    return "\n".join([line, render(header), line, *[render(r) for r in body], line])


def _standards_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--standards-shops", type=int, default=10_000, help="Sellers rated (default 10,000).")
    parser.add_argument(
        "--standards-orders", type=int, default=1_000_000, help="Orders behind the standards (default 1,000,000)."
    )


def main() -> int:  # noqa: PLR0915 - one argument per measured figure, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="Orders to simulate (default 100,000).")
    parser.add_argument("--requests", type=int, default=200, help="Requests per page (default 200).")
    parser.add_argument("--upserts", type=int, default=1000, help="API upserts (default 1,000).")
    parser.add_argument("--opens", type=int, default=500, help="Cases opened each way, in five rounds (default 500).")
    parser.add_argument("--webhooks", type=int, default=500, help="Webhook events delivered (default 500).")
    parser.add_argument(
        "--slow-webhooks",
        type=int,
        default=40,
        help="Events per leg to a receiver that answers in 2 s, with 1 then 2 workers (default 40).",
    )
    parser.add_argument("--messages", type=int, default=1000, help="Messages posted (default 1,000).")
    parser.add_argument("--cases", type=int, default=200, help="Full case lifecycles timed (default 200).")
    parser.add_argument("--racers", type=int, default=50, help="Operators deciding one case at once (default 50).")
    parser.add_argument(
        "--case-samples", type=int, default=50, help="Decisions timed to their webhook via db_worker (default 50)."
    )
    parser.add_argument(
        "--live-clients", type=int, default=200, help="Open /live/ connections, one user each (default 200)."
    )
    parser.add_argument(
        "--history-messages",
        type=int,
        default=1_000_000,
        help="Messages the history search runs over on PostgreSQL (default 1,000,000).",
    )
    parser.add_argument(
        "--history-messages-sqlite",
        type=int,
        default=200_000,
        help="Messages the history search runs over on SQLite (default 200,000).",
    )
    _standards_arguments(parser)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 orders, 50 requests, 100 upserts, 50 webhooks, 30 case lifecycles, 10 decision samples.",
    )
    parser.add_argument(
        "--tracking-events",
        type=int,
        default=100_000,
        help="Tracking events ingested (default 100,000 over 20,000 parcels).",
    )
    parser.add_argument("--download-clients", type=int, default=10, help="Clients downloading at once (default 10).")
    parser.add_argument("--download-mb", type=int, default=50, help="Size of the downloaded video (default 50 MB).")
    parser.add_argument("--return-labels", type=int, default=200, help="Return labels drawn (default 200).")
    parser.add_argument("--returns", type=int, default=200, help="Return lifecycles timed (default 200).")
    parser.add_argument("--postgres", action="store_true", help="Also run on a throw-away PostgreSQL (scripts/pg.sh).")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="Also time the queue and the dashboard at 1,000,000 open cases (PostgreSQL).",
    )
    parser.add_argument("--only-postgres", action="store_true", help="Run on PostgreSQL only.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="Run on this (empty) database instead of a temporary SQLite one (env BENCH_DATABASE_URL).",
    )
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    args.queue_sizes_sqlite = "10000,100000"
    args.queue_sizes = "100000,1000000" if args.scale else "100000"
    args.dashboard_sizes_sqlite = "100000"
    args.dashboard_sizes = "100000,1000000" if args.scale else "100000"
    if args.quick:
        args.orders, args.requests, args.upserts, args.webhooks = 2000, 50, 100, 50
        args.slow_webhooks = 6
        args.cases, args.case_samples = 30, 10
        args.return_labels, args.returns = 20, 20
        args.tracking_events = 20_000
        args.messages = 100
        args.download_mb = 10
        args.live_clients = 50
        args.history_messages = args.history_messages_sqlite = 20_000
        args.queue_sizes = args.queue_sizes_sqlite = "2000,10000"
        args.dashboard_sizes = args.dashboard_sizes_sqlite = "10000"
        args.standards_shops, args.standards_orders = 200, 20_000

    results = []
    began, load_at_start = time.perf_counter(), os.getloadavg()
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
    print(goals(results))
    print(
        f"Machine: {os.cpu_count()} cores; load average (1, 5, 15 min) "
        f"{', '.join(f'{v:.1f}' for v in load_at_start)} at the start, "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())} at the end; "
        f"{(time.perf_counter() - began) / 60:.0f} minutes."
    )
    print(
        f"{args.requests} requests per page as the buyer with the most orders (Django test Client, in process); "
        f"{args.upserts} API upserts, then the same again as repeats."
    )
    print(
        "Cases: each lifecycle is open → offer → decline → escalate → review → decide through the services, "
        "one after another. Decide race: 3 rounds, each one case under review and that many threads "
        "(own connection, own operator) released by a barrier; SQLite takes one writer at a time "
        "(BEGIN IMMEDIATE), so there it shows the outcome, not row locking. db_worker: the lifecycles' "
        "webhooks drained from first to last arrival; then single decisions at random moments of the "
        "worker's 1 s idle poll (about half of it is the expected wait), every signature checked with "
        "standardwebhooks."
    )
    print(
        f"Slow receiver: per leg, {args.slow_webhooks} events committed one after another to a receiver that "
        "answers each request in 2 s, delivered by 1 (then 2) db_worker processes; delay from each commit to "
        "the request's arrival; meanwhile a thread with its own connection updates one row in its own "
        "transaction every 100 ms (a web write), timed; 'failed' counts errors such as 'database is locked'."
    )
    print(
        f"Live: {args.live_clients} signed-in pages each hold GET /live/ on a real uvicorn; fan-out events go to "
        "every page, one-page events to one at random; each delivery is timed from the start of the request "
        "that publishes (inside the web process, committed) to the page reading the event. With Redis: two "
        "uvicorn processes, pages split between them, every event published in the first."
    )
    print(
        "History: messages, threads, orders, cases and decisions bulk-written in the bench's own marketplace "
        "(COPY on PostgreSQL), then the index built; each actor runs 15 queries in English and Russian 10 times, "
        "plus each one's second page. Buyer: 4 orders; busy buyer: 300; shop: about 1 % of the orders; big "
        "shop: 10 %."
    )
    print(
        f"Downloads: a real uvicorn serving marketdesk.asgi; {args.download_clients} signed-in clients fetch one "
        f"{args.download_mb} MB MP4 through its link at once; VmRSS of the web process sampled every 10 ms from "
        "/proc, its highest value less the value just before (after one warm-up download of a 1 MB clip)."
    )
    if args.postgres or args.only_postgres:
        print("The throw-away PostgreSQL of scripts/pg.sh runs with fsync and synchronous_commit off.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    # The triage model needs no database: its own script, its own table.
    subprocess.run([sys.executable, str(BENCH_DIR / "bench_triage.py")], cwd=ROOT, check=True)
    subprocess.run([sys.executable, str(BENCH_DIR / "bench_safety.py")], cwd=ROOT, check=True)  # no database either
    subprocess.run([sys.executable, str(BENCH_DIR / "bench_load.py")], cwd=ROOT, check=True)  # its own topology
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
