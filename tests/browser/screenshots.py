"""Screenshots of the browser journeys, kept for the docs (for looking, not for asserting)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page


def snap(page: Page, name: str) -> None:
    """Keep a full-page screenshot when MARKETDESK_SCREENSHOTS names a folder (e.g. docs/img)."""
    folder = os.environ.get("MARKETDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
