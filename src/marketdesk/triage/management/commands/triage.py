"""``marketdesk triage``: classify requests read one per line from standard input."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marketdesk.triage.stream import BATCH_SIZE, triage_stream


class Command(BaseCommand):
    help = (
        'Read one request per line on standard input; write one JSON object per line: {"label", "confidence", '
        '"lang", "alternatives"}, in input order.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Lines classified (and flushed) at once."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        triage_stream(sys.stdin.buffer, sys.stdout.buffer, batch_size=max(1, options["batch_size"]))
