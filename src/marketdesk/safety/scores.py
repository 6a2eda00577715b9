"""Precision and recall of a binary detector."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def precision_recall(truth: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float]:
    """Return (precision, recall); 1.0 where nothing was predicted or nothing was to find."""
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p and not t)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def say(line: str) -> None:
    """Write one line of a report to standard output (the training and evaluation commands)."""
    sys.stdout.write(line + "\n")
