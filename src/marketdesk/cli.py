"""The ``marketdesk`` console command: Django's management commands with our settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a management command, e.g. ``marketdesk simulate --seed 1``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
    return 0
