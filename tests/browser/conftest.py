"""Real Chromium (Debian's, driven by Playwright) for the browser journeys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.live.servers import server_env, web_servers
from tests.live.test_processes import _shared_database

PASSWORD = "demo-pass-123"  # the factories' password

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


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    """One Chromium for journeys that need several people signed in at once (a context each)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign `page` in as `username` (the factories' password), after leaving whatever page it was on.

    The old page is left for a blank one first: a request it still had in flight (a live refresh, a
    redirect after a form) could otherwise answer after the cookies are cleared and replace the sign-in
    form's CSRF cookie, and the sign-in would be refused.
    """
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    # Wait for the signed-in page itself: a navigation started before the sign-in answered would cancel it.
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    expect(page.locator("input[name=password]")).to_have_count(0)


def signed_in(browser: Browser, base: str, username: str) -> BrowserContext:
    """A new context of `browser` signed in as `username` with the factories' password."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    sign_in(context.new_page(), base, username)
    return context


@pytest.fixture
def base_url(world, tmp_path: Path) -> Iterator[str]:
    """One real uvicorn (ASGI: live streams work) on a copy of the test database, after the module's `world`."""
    database_url, _held = _shared_database(tmp_path, [])
    env = server_env(database_url=database_url, var_dir=tmp_path / "var")
    with ExitStack() as stack:
        ((port, _proc),) = stack.enter_context(web_servers(env, [tmp_path / "web.log"]))
        yield f"http://127.0.0.1:{port}"
