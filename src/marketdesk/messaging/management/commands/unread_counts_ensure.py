"""Count, once, the unread messages of everyone whose counts are not kept yet (run after upgrading)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from marketdesk.messaging.services import unread_counts_ensure_all


class Command(BaseCommand):
    help = (
        "Count the unread messages of every buyer and shop member whose counts are not kept yet, so that no "
        "first page after an upgrade (or after joining a shop) pays for it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counted = unread_counts_ensure_all()
        self.stdout.write(self.style.SUCCESS(f"Unread counts kept from now on: {counted} counted."))
