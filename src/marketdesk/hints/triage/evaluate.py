"""Evaluate the triage model: ``python -m marketdesk.hints.triage.evaluate`` (``make eval-triage``).

1. Held-out rows of our own examples, English and Russian separately, from a
   model trained on dev.csv and our training rows (exactly what ``make model``
   builds).
2. 5-fold stratified cross-validation over dev.csv alone (labels mapped).

Each part prints per-label precision, recall and F1, a confusion table and the
macro-F1. Tune on training rows only: reading the held-out numbers again and
again until they look good would make them meaningless.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support  # type: ignore[import-untyped, unused-ignore]

from marketdesk.hints.triage.data import dev_examples, own_examples
from marketdesk.hints.triage.labels import LABELS
from marketdesk.hints.triage.model import TriageModel
from marketdesk.hints.triage.train import cross_validated, threshold_from_cv

TARGETS = {"en": 0.95, "ru": 0.92}


def _short(label: str) -> str:
    head, _sep, tail = label.partition("_")
    return f"{head[:3]}.{tail[:1]}" if tail else head[:4]


def report(title: str, truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Print per-label scores and the confusion table; return the macro-F1 over the labels present."""
    labels = [label for label in LABELS if label in set(truth) | set(predicted)]
    present = [label for label in LABELS if label in set(truth)]
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    macro = float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))
    out = [f"\n=== {title}: {len(truth)} requests ===", f"{'label':<16} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>5}"]
    out += [f"{lb:<16} {a:6.3f} {b:6.3f} {c:6.3f} {d:5d}" for lb, a, b, c, d in zip(labels, p, r, f, n, strict=True)]
    accuracy = float(np.mean([t == q for t, q in zip(truth, predicted, strict=True)]))
    out.append(f"macro-F1 {macro:.4f}   accuracy {accuracy:.4f}")
    matrix = confusion_matrix(truth, predicted, labels=labels)
    out.append("confusion (rows: true, columns: predicted)")
    out.append(f"{'':<16}" + "".join(f"{_short(lb):>6}" for lb in labels))
    out += [f"{lb:<16}" + "".join(f"{v:>6}" for v in row) for lb, row in zip(labels, matrix, strict=True)]
    sys.stdout.write("\n".join(out) + "\n")
    return macro


def _acceptance(truth: Sequence[str], predicted: Sequence[str], confidences: Sequence[float], bp: int) -> str:
    accepted = [t == p for t, p, c in zip(truth, predicted, confidences, strict=True) if c * 10000 >= bp]
    share = len(accepted) / len(truth) if truth else 0.0
    precision = sum(accepted) / len(accepted) if accepted else 0.0
    return f"at threshold {bp} bp: {share:.1%} suggested, {precision:.1%} of them right"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="Exit 1 when a language misses its macro-F1 target.")
    parser.add_argument("--skip-cv", action="store_true", help="Only the held-out evaluation.")
    args = parser.parse_args(argv)

    own = own_examples()
    dev = dev_examples()
    train = dev + [e for e in own if e.split == "train"]
    threshold_bp = threshold_from_cv(train)
    model = TriageModel.train(train, threshold_bp=threshold_bp)
    sys.stdout.write(f"model {model.version}: trained on {len(train)} rows {model.meta['training_rows_by_source']}\n")
    sys.stdout.write(f"threshold chosen on cross-validated training predictions: {threshold_bp} bp\n")

    results: dict[str, float] = {}
    for lang in ("en", "ru"):
        heldout = [e for e in own if e.split == "heldout" and e.lang == lang]
        predictions = model.predict([e.text for e in heldout])
        truth = [e.label for e in heldout]
        predicted = [p.label for p in predictions]
        confidences = [p.confidence for p in predictions]
        results[lang] = report(f"held-out, {lang}", truth, predicted)
        sys.stdout.write(_acceptance(truth, predicted, confidences, threshold_bp) + "\n")

    if not args.skip_cv:
        classes, probabilities = cross_validated(dev)
        predicted = [classes[i] for i in probabilities.argmax(axis=1)]
        confidences = probabilities.max(axis=1).tolist()
        truth = [e.label for e in dev]
        results["dev.csv 5-fold CV"] = report("dev.csv, 5-fold stratified cross-validation", truth, predicted)
        sys.stdout.write(_acceptance(truth, predicted, confidences, threshold_bp) + "\n")

    sys.stdout.write("\n=== summary: macro-F1 ===\n")
    missed = False
    for name, macro in results.items():
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (f"  target {target:.2f} met" if macro >= target else f"  BELOW {target:.2f}")
        )
        missed = missed or (target is not None and macro < target)
        sys.stdout.write(f"{name:<20} {macro:.4f}{verdict}\n")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
