"""Message-safety benchmark: precision and recall on the held-out rows, and messages checked per second.

    .venv/bin/python bench/bench_safety.py

No database: detection is a pure function of the text (the flag row it may lead to is one insert in
the posting transaction). Prints a table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from _common import report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))

GOAL_PRECISION = 0.95
GOAL_RECALL = 0.90


def _holds(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def main() -> int:
    from marketdesk.safety.classifier import rows_read
    from marketdesk.safety.detect import message_check
    from marketdesk.safety.evaluate import evaluation

    scores = evaluation()
    # A stream like a day's messages: every labelled row, plus what people also send.
    texts = [r.text for r in rows_read("train") + rows_read("heldout")]
    texts += ["", "ok", "👍", "Спасибо!", "x" * 20_000]
    timings = []
    started = time.perf_counter()
    for _ in range(3):
        for text in texts:
            one = time.perf_counter()
            message_check(text)
            timings.append((time.perf_counter() - one) * 1000)
    seconds = time.perf_counter() - started
    timings.sort()
    result = {
        "rows": scores["rows"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "precision_holds": scores["precision"] >= GOAL_PRECISION,
        "recall_holds": scores["recall"] >= GOAL_RECALL,
        "messages_per_s": len(timings) / seconds,
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "model_version": scores["model_version"],
    }
    rows = [
        ("held-out messages (off-platform)", f"{scores['rows']} ({scores['positives']})"),
        (
            f"precision on held-out (goal ≥ {GOAL_PRECISION})",
            f"{result['precision']:.3f} {_holds(result['precision_holds'])}",
        ),
        (f"recall on held-out (goal ≥ {GOAL_RECALL})", f"{result['recall']:.3f} {_holds(result['recall_holds'])}"),
        ("messages checked/s (one CPU)", f"{result['messages_per_s']:.0f}"),
        ("one message p50 / p99 ms", f"{result['p50_ms']:.2f} / {result['p99_ms']:.2f}"),
    ]
    report("Message safety", rows, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
