"""Score message safety on the held-out rows: ``python -m marketdesk.safety.evaluate`` (``make eval-safety``).

``data/safety/heldout.csv`` is read only here, never for training or tuning. Prints precision and
recall of the whole detector (and per language), each miss and false alarm, and messages checked
per second; ``--json`` prints one JSON line instead (bench/run.py reads it).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from marketdesk.safety.classifier import POSITIVE, model_get, rows_read
from marketdesk.safety.detect import message_check
from marketdesk.safety.scores import precision_recall, say

GOAL_PRECISION = 0.95
GOAL_RECALL = 0.90


def evaluation() -> dict[str, Any]:
    """Return precision, recall and the misses on the held-out rows, and the detector's speed."""
    rows = rows_read("heldout")
    model_get()  # loaded before timing: the cost per message is the steady one
    started = time.perf_counter()
    verdicts = [message_check(r.text) for r in rows]
    rounds = 5
    for _ in range(rounds - 1):
        for r in rows:
            message_check(r.text)
    seconds = time.perf_counter() - started
    truth = [r.label == POSITIVE for r in rows]
    flagged = [v.flagged for v in verdicts]
    precision, recall = precision_recall(truth, flagged)
    per_lang = {}
    for lang in sorted({r.lang for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        per_lang[lang] = precision_recall([truth[i] for i in idx], [flagged[i] for i in idx])
    wrong = [
        {"text": r.text, "expected": r.label, "reasons": list(v.reasons), "score": v.score}
        for r, v, t in zip(rows, verdicts, truth, strict=True)
        if v.flagged != t
    ]
    return {
        "rows": len(rows),
        "positives": sum(truth),
        "precision": precision,
        "recall": recall,
        "per_lang": per_lang,
        "wrong": wrong,
        "messages_per_s": len(rows) * rounds / seconds,
        "model_version": model_get().meta["version"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="One JSON line, for bench/run.py.")
    args = parser.parse_args()
    result = evaluation()
    if args.json:
        say(json.dumps(result, ensure_ascii=False))
        return 0
    say(f"held-out rows: {result['rows']} ({result['positives']} off-platform), model {result['model_version']}")
    say(
        f"  precision {result['precision']:.3f} (goal ≥ {GOAL_PRECISION})  recall {result['recall']:.3f} (goal ≥ {GOAL_RECALL})"
    )
    for lang, (p, r) in result["per_lang"].items():
        say(f"  {lang:<12} precision {p:.3f}  recall {r:.3f}")
    say(f"  messages checked per second: {result['messages_per_s']:.0f}")
    for w in result["wrong"]:
        say(f"  wrong: expected {w['expected']:<12} reasons {w['reasons']} score {w['score']}  {w['text']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
