"""Helpers shared by the benchmark scripts: Django set-up, percentiles, a webhook receiver, db_worker processes."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"


def django_setup() -> None:
    """Set up Django against the database in DATABASE_URL (the runner sets it).

    The API's per-key throttle (600 calls a minute) is lifted unless the environment sets it: a bench
    measures how fast a call is, and one key sends it a thousand times in seconds.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    os.environ.setdefault("MARKETDESK_API_CALLS_PER_MINUTE", "1000000")
    import django

    django.setup()


def bench_shop(prefix: str) -> tuple[Any, Any, Any, Any]:
    """A marketplace of the run's own with one buyer and one shop with its seller; return all four.

    Nobody signs in, so the two people share one unusable password hash.
    """
    from django.contrib.auth.hashers import make_password

    from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
    from marketdesk.orders.models import Marketplace, Shop

    run = f"{prefix}-{time.time_ns()}"
    marketplace = Marketplace.objects.create(slug=run, name=prefix)
    password = make_password(None)
    buyer = User.objects.create(
        username=f"{run}-buyer", role=UserRole.BUYER, marketplace=marketplace, password=password
    )
    seller = User.objects.create(
        username=f"{run}-seller", role=UserRole.SELLER, marketplace=marketplace, password=password
    )
    shop = Shop.objects.create(marketplace=marketplace, external_id=run, name=prefix)
    ShopMembership.objects.create(user=seller, shop=shop, role=MembershipRole.OWNER)
    return marketplace, buyer, seller, shop


def signed_in_cookie(user: object) -> tuple[str, str]:
    """Return a Cookie header signing ``user`` in (a fresh session and CSRF cookie) and the matching CSRF token."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    session.create()
    secret = _get_new_csrf_string()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={secret}"
    return cookie, _mask_cipher_secret(secret)


def video_file(path: Path, megabytes: int) -> None:
    """Write a noisy H.264 MP4 of about ``megabytes`` MB (noise does not compress) with ffmpeg."""
    seconds = 20
    bitrate = f"{megabytes * 8 * 1024 // seconds}k"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=640x360:rate=25:duration={seconds}"),
            *("-vf", "noise=alls=100:allf=t+u"),  # noise does not compress: the file reaches its size
            *("-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate),
            *("-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )


def percentile(values: list[float], pct: float) -> float:
    """Return the ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def emit(result: dict[str, object]) -> None:
    """Print the result as the last line of stdout, where the runner reads it."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def report(title: str, rows: list[tuple[str, str]], result: dict[str, Any]) -> None:
    """Print ``rows`` (label, figure) as a table under ``title``, then ``result`` as the last line (``emit``)."""
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>14}")
    emit(result)


class Receiver:
    """A local webhook receiver: verifies each request's signature and notes when it arrived.

    ``answer_seconds``: how long it takes to answer each request (a slow receiver).
    """

    def __init__(self, answer_seconds: float = 0.0) -> None:
        self.secret = ""
        self.arrived: dict[str, float] = {}
        self.requests: Counter[str] = Counter()
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                from standardwebhooks import Webhook, WebhookVerificationError

                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.perf_counter()
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(400)
                else:
                    with receiver.lock:
                        receiver.arrived.setdefault(self.headers["webhook-id"], at)
                        receiver.requests[self.headers["webhook-id"]] += 1
                    time.sleep(answer_seconds)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)

    def wait_for(self, count: int, *, timeout: float) -> bool:
        """Wait until ``count`` distinct events have arrived; return whether they did in time."""
        deadline = time.perf_counter() + timeout
        while self.count() < count:
            if time.perf_counter() > deadline:
                return False
            time.sleep(0.002)
        return True

    def wait_for_event(self, event_id: str, *, timeout: float) -> bool:
        """Wait until the event ``event_id`` has arrived; return whether it did in time."""
        deadline = time.perf_counter() + timeout
        while True:
            with self.lock:
                if event_id in self.arrived:
                    return True
            if time.perf_counter() > deadline:
                return False
            time.sleep(0.002)


@contextlib.contextmanager
def db_workers(count: int, *, interval: float) -> Iterator[list[str]]:
    """Run ``count`` ``marketdesk db_worker`` processes for the block; the list yielded gets their log tails after."""
    tails: list[str] = []
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile("w+")) for _ in range(count)]
        argv = [sys.executable, str(MANAGE), "db_worker", "--no-reload", "--no-startup-delay", "--queue-name", "*"]
        # The checks are the web's business; the worker only delivers.
        argv += ["--skip-checks", "--interval", str(interval), "--verbosity", "0"]
        env = os.environ.copy()
        procs = [
            subprocess.Popen(argv, env=env, cwd=MANAGE.parent, stdout=log, stderr=subprocess.STDOUT) for log in logs
        ]
        try:
            yield tails
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for log in logs:
                log.seek(0)
                tails.append(log.read()[-2000:])
