"""``marketdesk periodic``: enqueue periodic tasks when due (run one beside the workers)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marketdesk.core.periodic import periodic_enqueue_due


class Command(BaseCommand):
    help = "Enqueue the periodic tasks that are due, every --every seconds (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=30.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, every: float, once: bool, **options: Any) -> None:
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"scheduling every {every:g} s")
        while True:
            for name in periodic_enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if once or stop.wait(every):
                return
