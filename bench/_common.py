"""Helpers shared by the benchmark scripts: Django set-up and percentiles."""

from __future__ import annotations

import json
import os
import sys


def django_setup() -> None:
    """Set up Django against the database in DATABASE_URL (the runner sets it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    import django

    django.setup()


def percentile(values: list[float], pct: float) -> float:
    """Return the ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def emit(result: dict[str, object]) -> None:
    """Print the result as the last line of stdout, where the runner reads it."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
