"""The whole topology (scripts/topology.py), started once for the session, and what it talks to.

The processes are the launcher's own; this test process reaches the same PostgreSQL through the
ORM (to seed people and to count what was written) and runs the loopback peers marketdesk
talks to: a webhook receiver that verifies each delivery with ``standardwebhooks`` and an SMTP sink.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dj_database_url
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connections
from standardwebhooks.webhooks import Webhook

from scripts.topology import Topology, wait_until
from tests.conftest import SmtpSink

#: Fault tests wait for recovery; each wait is bounded by this many seconds.
RECOVERY = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebhookReceiver:
    """A marketplace's endpoint: verifies each delivery and counts, by webhook-id, what it accepted."""

    port: int
    #: Each endpoint's secret, by path (one endpoint per marketplace).
    secrets: dict[str, str] = field(default_factory=dict)
    accepted: Counter[str] = field(default_factory=Counter)
    arrived: list[str] = field(default_factory=list)
    #: While set, every request waits here (a receiver that stalls) until it is cleared.
    stall: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url_for(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    def accepted_of(self, expected: Counter[str]) -> Counter[str]:
        """How many times the receiver accepted each of ``expected``'s ids."""
        with self._lock:
            return Counter({webhook_id: self.accepted[webhook_id] for webhook_id in expected})

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                Webhook(receiver.secrets[self.path]).verify(
                    body, headers
                )  # raises (and the server answers nothing) on a bad signature
                webhook_id = headers["webhook-id"]
                with receiver._lock:
                    receiver.arrived.append(webhook_id)
                if receiver.stall.is_set():
                    receiver.released.wait(timeout=RECOVERY)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._lock:
                    receiver.accepted[webhook_id] += 1

            def log_message(self, format: str, *args: object) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        """Go down: connections are refused until ``start``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(port=_free_port())
    receiver.start()
    yield receiver
    receiver.released.set()
    receiver.stop()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[SmtpSink]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink(host="127.0.0.1", port=_free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port, loop=asyncio.new_event_loop())
    controller.start()
    yield sink
    controller.stop()
    controller.loop.close()


@pytest.fixture(scope="session")
def topology(mail_sink: SmtpSink) -> Iterator[Topology]:
    """The launcher's topology, with delivery retries, claim leases and sweeps made quick for the faults."""
    workdir = Path(tempfile.mkdtemp(prefix="marketdesk-topology-test-", dir="/tmp"))
    topology = Topology(
        workdir=workdir,
        extra_env={
            "MARKETDESK_EMAIL_HOST": mail_sink.host,
            "MARKETDESK_EMAIL_PORT": str(mail_sink.port),
            # Seconds instead of minutes: a dead worker's claim lapses, failures retry, the sweep comes often.
            "MARKETDESK_OUTBOX_LEASE_SECONDS": "5",
            "MARKETDESK_OUTBOX_RETRY_SECONDS": "1,1,2,2,3",
            "MARKETDESK_OUTBOX_SWEEP_SECONDS": "2",
            "MARKETDESK_WEBHOOK_RETRY_SECONDS": "1,1,2,2,3,3,3",
            # A request that died with its web process is taken over by its repeat after 3 s, not 2 min.
            "MARKETDESK_IDEMPOTENCY_ABANDONED_SECONDS": "3",
        },
    )
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


@pytest.fixture(scope="session")
def django_db_setup(topology: Topology, django_db_blocker) -> None:
    """Point the ORM at the topology's PostgreSQL (migrated by the launcher) instead of a test database."""
    database = dj_database_url.parse(topology.database_url)
    database["CONN_MAX_AGE"] = 0
    with django_db_blocker.unblock():
        connections.close_all()
        settings.DATABASES["default"].update(database)
        settings.DATABASES["default"]["OPTIONS"] = {}
        del connections["default"]


@pytest.fixture
def orm(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The ORM on the live database, outside any test transaction: workers must see what a test writes."""
    with django_db_blocker.unblock():
        yield
        connections.close_all()


def eventually(condition: Callable[[], bool], *, what: str, seconds: float = RECOVERY) -> None:
    wait_until(condition, seconds=seconds, what=what)


@contextlib.contextmanager
def stalled(receiver: WebhookReceiver) -> Iterator[None]:
    receiver.released.clear()
    receiver.stall.set()
    try:
        yield
    finally:
        receiver.stall.clear()
        receiver.released.set()
