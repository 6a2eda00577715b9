"""Triage benchmark: latency of one request, CLI throughput, model size, load time and memory.

    .venv/bin/python bench/bench_triage.py            # 10,000 lines through the CLI
    .venv/bin/python bench/bench_triage.py --lines 1000

Prints a table and, last, one JSON line with every figure (bench/run.py reads it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))


def _texts() -> list[str]:
    texts: list[str] = []
    for lang in ("en", "ru"):
        with (ROOT / "data" / "triage" / f"{lang}.csv").open(newline="", encoding="utf-8") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    # Some of what a real stream holds besides requests.
    return [*texts, "", "😀😀", "<b>hi</b>", "x" * 20_000]


def _child() -> dict[str, Any]:
    """In a fresh process: load the model, classify once, report load time and peak memory."""
    from marketdesk.triage.model import model_dir, model_get

    started = time.perf_counter()
    model = model_get()
    load_s = time.perf_counter() - started
    model.predict(["where is my order"])
    return {
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "size_mb": (model_dir() / "model.joblib").stat().st_size / 1e6,
        "version": model.version,
    }


def _latency(texts: list[str], count: int) -> dict[str, float]:
    from marketdesk.triage.model import model_get

    model = model_get()
    model.predict(texts[:10])  # warm caches (stemmer, numpy)
    timings = []
    for i in range(count):
        text = texts[(i * 7919) % len(texts)]
        started = time.perf_counter()
        model.predict([text])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
    }


def _cli(texts: list[str], lines: int) -> dict[str, float]:
    payload = "\n".join(texts[i % len(texts)].replace("\n", " ") for i in range(lines)).encode() + b"\n"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketdesk.settings", "MARKETDESK_LOG_LEVEL": "WARNING"}
    argv = [sys.executable, str(ROOT / "manage.py"), "triage"]
    started = time.perf_counter()
    subprocess.run(argv, input=b"hello\n", capture_output=True, env=env, check=True)
    startup = time.perf_counter() - started  # Django, scikit-learn and the model, for one line
    started = time.perf_counter()
    proc = subprocess.run(argv, input=payload, capture_output=True, env=env, check=True)
    seconds = time.perf_counter() - started
    answered = proc.stdout.count(b"\n")
    if answered != lines:
        raise SystemExit(f"the CLI answered {answered} of {lines} lines")
    steady = lines / max(seconds - startup, 1e-3)
    return {"lines": lines, "seconds": seconds, "startup_s": startup, "per_s": lines / seconds, "steady_per_s": steady}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000, help="Lines through the CLI (default 10,000).")
    parser.add_argument("--requests", type=int, default=1000, help="Single requests timed (default 1,000).")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child()))
        return 0

    child = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=True)
    loaded = json.loads(child.stdout.strip().splitlines()[-1])
    texts = _texts()
    result = {"model": loaded, "latency": _latency(texts, args.requests), "cli": _cli(texts, args.lines)}

    rows = [
        ("triage model version", loaded["version"]),
        ("model size on disk, MB", f"{loaded['size_mb']:.2f}"),
        ("model load time, s", f"{loaded['load_s']:.2f}"),
        ("peak RSS with model loaded, MB", f"{loaded['peak_rss_mb']:.0f}"),
        ("one request p50, ms", f"{result['latency']['p50_ms']:.2f}"),
        ("one request p99, ms", f"{result['latency']['p99_ms']:.2f}"),
        (f"CLI {args.lines:,} lines, s (incl. start-up)", f"{result['cli']['seconds']:.2f}"),
        ("CLI start-up (one line), s", f"{result['cli']['startup_s']:.2f}"),
        ("CLI requests/s (incl. start-up)", f"{result['cli']['per_s']:.0f}"),
        ("CLI requests/s (after start-up)", f"{result['cli']['steady_per_s']:.0f}"),
    ]
    report("Triage", rows, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
