"""Rebuild the history's search index (after a bulk load such as ``simulate``, or to repair it)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from marketdesk.messaging.history_index import history_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the full-text index of the history (messages, case descriptions, decision rationales). "
        "SQLite: every row is indexed again; PostgreSQL keeps its index by itself, so only the planner's "
        "statistics are refreshed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = int(options.get("verbosity", 1))

        def progress(kind: str, done: int) -> None:
            if verbosity > 0:
                self.stdout.write(f"  {kind}: {done:,} indexed")

        counts = history_index_rebuild(progress=progress)
        summary = ", ".join(f"{count:,} {kind}s" for kind, count in counts.items())
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"History index on {connection.vendor}: {summary}; {time.monotonic() - started:.1f} s"
                )
            )
