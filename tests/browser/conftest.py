"""Real Chromium (Debian's, driven by Playwright) for the browser journeys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_locale() -> str:
    """The browser's Accept-Language; a journey module overrides it."""
    return "en-GB"


@pytest.fixture
def page(monkeypatch, settings, browser_locale: str) -> Iterator[Page]:
    """A fresh Chromium page; the live server's ORM calls happen under Playwright's event loop."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=browser_locale)
        yield context.new_page()
        context.close()
        browser.close()
