"""Printing the triage scores: per-label precision, recall and F1, a confusion table, the macro-F1."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support  # type: ignore[import-untyped, unused-ignore]

from marketdesk.triage.labels import LABELS


def _short(label: str) -> str:
    head, _sep, tail = label.partition("_")
    return f"{head[:3]}.{tail[:1]}" if tail else head[:4]


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Return the macro-F1 over the labels present in ``truth``."""
    present = [label for label in LABELS if label in set(truth)]
    return float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))


def report(title: str, truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Print per-label scores and the confusion table; return the macro-F1 over the labels present."""
    labels = [label for label in LABELS if label in set(truth) | set(predicted)]
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    macro = macro_f1(truth, predicted)
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


def acceptance(truth: Sequence[str], predicted: Sequence[str], confidences: Sequence[float], bp: int) -> str:
    """Describe how many suggestions a threshold lets through and how many of those are right."""
    accepted = [t == p for t, p, c in zip(truth, predicted, confidences, strict=True) if c * 10000 >= bp]
    share = len(accepted) / len(truth) if truth else 0.0
    precision = sum(accepted) / len(accepted) if accepted else 0.0
    return f"at threshold {bp} bp: {share:.1%} suggested, {precision:.1%} of them right"
