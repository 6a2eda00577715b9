"""Hostile input against a real uvicorn serving ``marketdesk.asgi``: what it costs the web process.

Runs against the database in DATABASE_URL (after ``migrate`` and ``simulate``: it signs in as a
buyer). One web process is started with its own empty TMPDIR; a sampler reads its VmRSS every
10 ms, and a signed-in client fetches ordinary pages (the order list, an order) in a loop the
whole time. Then:

1. an anonymous client POSTs 500 MB to ``/attachments/`` (Content-Length declared), then the same
   chunked; the figures are the bytes the server accepted before answering, its answer, the
   highest VmRSS less VmRSS before (goal: < 5 MB), and the files left in TMPDIR (goal: none);
2. four signed-in clients upload an 8000 × 8000 RGB PNG (64 megapixels, a ~200 KB file) at once;
   the figure is the highest VmRSS less VmRSS before (goal: < 100 MB), and all four must be stored;
3. the p95 of the ordinary pages while 1 and 2 happened (goal: < 1 s), next to their p95 before,
   on the idle server. Photos are decoded in child processes at a lower CPU priority, so a page asked
   for meanwhile goes first.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile, signed_in_cookie

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANONYMOUS_GOAL_MB = 5.0
DECODE_GOAL_MB = 100.0
PAGES_GOAL_MS = 1000.0
IDLE_ROUNDS = 20
MB = 1024 * 1024


def _vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sampler:
    """The highest VmRSS of a process since the last ``reset``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _vm_rss_mb(self.pid))
            time.sleep(0.01)

    def reset(self) -> float:
        time.sleep(0.3)  # let the process settle
        self.peak = _vm_rss_mb(self.pid)
        return self.peak


def rgb_png(side: int) -> bytes:
    """A black side × side RGB PNG: a few hundred KB on disk, side² × 3 bytes decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 3)
    body = b"".join(packer.compress(row * 100) for _ in range(side // 100)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def hostile_post(port: int, *, megabytes: int, chunked: bool) -> dict[str, Any]:
    """POST ``megabytes`` of zeros anonymously to /attachments/; count what the server took before answering."""
    head = "POST /attachments/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {megabytes * MB}\r\n\r\n"
    block = b"\0" * (256 * 1024)
    piece = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode())
        conn.setblocking(False)
        answer = b""
        while sent < megabytes * MB:
            with contextlib.suppress(BlockingIOError):
                answer += conn.recv(65536)
            if answer:
                break
            try:
                sent += conn.send(piece)
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        conn.setblocking(True)
        conn.settimeout(10)
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            answer += conn.recv(65536)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return {"status": status, "sent_mb": sent / MB, "megabytes": megabytes}


def get(url: str, cookie: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback http only
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback http only
        response.read()


def upload(port: int, cookie: str, csrf: str, data: bytes) -> int:
    boundary = "benchboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/attachments/",
        data=body,
        headers={
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback http only
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def main() -> None:  # noqa: PLR0915 - one figure after another, read top to bottom
    django_setup()
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    from marketdesk.accounts.models import User
    from marketdesk.orders.models import Order
    from tests.live.servers import server_env, web_servers

    user = User.objects.filter(role="buyer", orders__isnull=False).first()
    assert user is not None  # noqa: S101 - simulate ran first
    order = Order.objects.filter(buyer=user).first()
    assert order is not None  # noqa: S101
    cookie, csrf = signed_in_cookie(user)
    pages = ["/orders/", f"/orders/{order.pk}/"]
    png = rgb_png(8000)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        spool = tmp / "tmp"
        spool.mkdir()
        env = server_env(database_url=os.environ["DATABASE_URL"], var_dir=tmp / "var")
        env["MARKETDESK_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
        env["TMPDIR"] = str(spool)
        with web_servers(env, [tmp / "web.log"], app="marketdesk.asgi:application") as [(port, proc)]:
            base = f"http://127.0.0.1:{port}"
            for page in pages:  # warm up every path
                get(base + page, cookie)
            assert upload(port, cookie, csrf, rgb_png(200)) == 201  # noqa: S101
            for leftover in spool.iterdir():
                leftover.unlink()
            idle: list[float] = []
            for _ in range(IDLE_ROUNDS):
                for page in pages:
                    started = time.perf_counter()
                    get(base + page, cookie)
                    idle.append((time.perf_counter() - started) * 1000)
            latencies: list[float] = []
            browsing = threading.Event()

            def browse() -> None:
                while not browsing.is_set():
                    for page in pages:
                        started = time.perf_counter()
                        get(base + page, cookie)
                        latencies.append((time.perf_counter() - started) * 1000)
                    time.sleep(0.05)

            sampler = Sampler(proc.pid)
            browser = threading.Thread(target=browse, daemon=True)
            browser.start()

            before = sampler.reset()
            anonymous = [hostile_post(port, megabytes=500, chunked=chunked) for chunked in (False, True)]
            anonymous_growth = sampler.peak - before
            temp_files = sorted(p.name for p in spool.iterdir())

            before = sampler.reset()
            started = time.perf_counter()
            statuses: list[int] = []
            uploaders = [
                threading.Thread(target=lambda: statuses.append(upload(port, cookie, csrf, png))) for _ in range(4)
            ]
            for t in uploaders:
                t.start()
            for t in uploaders:
                t.join()
            decode_seconds = time.perf_counter() - started
            decode_growth = sampler.peak - before

            browsing.set()
            browser.join()
            sampler.done.set()
    p95 = percentile(latencies, 95)
    emit(
        {
            "anonymous": anonymous,
            "anonymous_rss_growth_mb": anonymous_growth,
            "anonymous_temp_files": temp_files,
            "anonymous_goal_mb": ANONYMOUS_GOAL_MB,
            "anonymous_holds": anonymous_growth < ANONYMOUS_GOAL_MB
            and not temp_files
            and all(a["status"] in (401, 413) for a in anonymous),
            "decode_uploads": statuses,
            "decode_seconds": decode_seconds,
            "decode_rss_growth_mb": decode_growth,
            "decode_goal_mb": DECODE_GOAL_MB,
            "decode_holds": decode_growth < DECODE_GOAL_MB and statuses == [201] * 4,
            "pages_requests": len(latencies),
            "pages_p95_ms": p95,
            "pages_idle_p95_ms": percentile(idle, 95),
            "pages_goal_ms": PAGES_GOAL_MS,
            "pages_holds": p95 < PAGES_GOAL_MS,
        }
    )


if __name__ == "__main__":
    main()
