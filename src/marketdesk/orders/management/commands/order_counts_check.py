"""Recount the buyers' and shops' orders and compare with the counts the triggers keep."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketdesk.orders.counters import order_counts_drift, order_counts_repair


class Command(BaseCommand):
    help = "Check that the kept order counts equal a recount (exit 1 on a difference); --repair rewrites them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Rewrite the kept counts from a recount.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repair"]:
            written = order_counts_repair()
            self.stdout.write(self.style.SUCCESS(f"Order counts rewritten: {written} keys."))
            return
        drift = order_counts_drift()
        for key, (kept, recounted) in drift.items():
            self.stdout.write(f"{key}: kept {kept}, recounted {recounted}")
        if drift:
            raise CommandError(f"{len(drift)} order count(s) differ from a recount; run with --repair.")
        self.stdout.write(self.style.SUCCESS("Order counts equal a recount."))
