"""Recompute the dashboard's rollups from the rows and compare with the stored ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketdesk.console.rollups import dashboard_rollups_drift, dashboard_rollups_rebuild


class Command(BaseCommand):
    help = (
        "Check that the dashboard's stored daily figures equal a recount from the rows (exit 1 on a difference); "
        "--repair rebuilds them (after an import or a bulk load dated in closed days, or a new TIME_ZONE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Rebuild every closed day from the rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repair"]:
            written = dashboard_rollups_rebuild()
            self.stdout.write(self.style.SUCCESS(f"Dashboard rollups rebuilt: {written} rows."))
            return
        drift = dashboard_rollups_drift()
        for key, (kept, recounted) in drift.items():
            self.stdout.write(f"{key}: kept {kept}, recounted {recounted}")
        if drift:
            raise CommandError(f"{len(drift)} dashboard rollup row(s) differ from a recount; run with --repair.")
        self.stdout.write(self.style.SUCCESS("Dashboard rollups equal a recount."))
