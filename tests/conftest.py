"""Fixtures shared by the whole suite: the clock, actors for each role, a real SMTP sink.

Network blocking is configured in pyproject.toml (pytest-socket): ``connect()`` reaches only
loopback and unix sockets, so PostgreSQL, the live server and the SMTP sink work and nothing else.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test.utils import override_settings

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from tests import factories

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday

pytest_plugins = ["tests.api.headless"]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Hash test passwords with MD5: PBKDF2's deliberate slowness costs ~0.3 s per factory user."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """Freeze the one clock at a known Thursday noon UTC; move it with ``.advance()``."""
    with clock.frozen(NOW) as c:
        yield c


@pytest.fixture
def marketplace(db):
    return factories.MarketplaceFactory(slug="market-default", name="Default Market")


@pytest.fixture
def other_marketplace(db):
    return factories.MarketplaceFactory(slug="market-other", name="Other Market")


@pytest.fixture
def shop(marketplace):
    return factories.ShopFactory(marketplace=marketplace)


@pytest.fixture
def buyer(marketplace):
    return factories.BuyerFactory(marketplace=marketplace)


@pytest.fixture
def other_buyer(marketplace):
    return factories.BuyerFactory(marketplace=marketplace)


@pytest.fixture
def seller(shop):
    return factories.MembershipFactory(shop=shop).user


@pytest.fixture
def operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace)


@pytest.fixture
def admin_user(marketplace):
    return factories.AdminFactory(marketplace=marketplace)


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system()


@pytest.fixture
def marketplace_actor(marketplace) -> Actor:
    return Actor.marketplace(marketplace_id=marketplace.pk)


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server received it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        """The plain-text part, decoded."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives in ``messages``."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Return the messages once at least ``count`` have arrived (SMTP is synchronous, but be safe)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.messages) >= count, f"expected {count} message(s), the SMTP sink got {len(self.messages)}"
        return list(self.messages)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """Start an SMTP server on 127.0.0.1 and send every configured mailer's mail to it."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO
    sink = SmtpSink(host="127.0.0.1", port=_free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port, loop=asyncio.new_event_loop())
    controller.start()
    smtp = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": sink.host, "port": sink.port, "use_tls": False, "timeout": 5},
    }
    settings.MAILERS = dict.fromkeys(getattr(settings, "MAILERS", None) or {"default": {}}, smtp)
    try:
        yield sink
    finally:
        controller.stop()
        controller.loop.close()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Start every test with an empty cache: throttle counts (and anything cached) never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in the default language: a test that switched to Russian never leaks it into the next."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
