"""Time live delivery: from publishing an event to its arrival on open pages' SSE connections.

Runs against the database in DATABASE_URL (after ``migrate``). ``--clients`` signed-in users each
hold one ``GET /live/`` connection to a real uvicorn (the app of ``tests/live/publish_asgi.py``:
marketdesk plus an endpoint that publishes inside the web process, committed as a service would).
Fan-out: ``--fanout`` events, each addressed to every client, one after another; each delivery is
timed from the start of the publishing request to the moment the client has read the event.
Single: ``--singles`` events, each to one client. Then the same again with two uvicorn processes
and a throw-away redis-server, clients split between them and every event published in the first,
so half the deliveries cross processes through Redis (skipped when redis-server is not installed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile

ROOT = Path(__file__).resolve().parents[1]
# The servers are started the way the live tests start them (tests/live/servers.py).
sys.path.insert(0, str(ROOT))


CONNECT_BATCH = 25


class Client:
    """One page's /live/ connection, read on the benchmark's event loop."""

    def __init__(self, user_id: int, cookie: str, port: int) -> None:
        self.user_id, self.cookie, self.port = user_id, cookie, port
        self.arrived: dict[int, float] = {}
        self.changed = asyncio.Event()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"GET /live/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {self.cookie}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise SystemExit(f"GET /live/ answered {status!r}")
        while await reader.readline() not in (b"\r\n", b""):
            pass
        buffer = b""
        try:
            while True:
                size = int((await reader.readline()).strip(), 16)  # chunked transfer coding
                if size == 0:
                    return
                buffer += await reader.readexactly(size)
                await reader.readexactly(2)  # the CRLF that ends a chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._block(block.decode(), time.perf_counter())
        finally:
            writer.close()

    def _block(self, block: str, now: float) -> None:
        self.ready.set()  # the first block: the server has subscribed this stream
        for line in block.split("\n"):
            if line.startswith("data: "):
                payload = json.loads(line[len("data: ") :])
                self.arrived[payload["data"]["n"]] = now
                self.changed.set()


async def _post(port: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST /__live__/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    await writer.drain()
    status = await reader.readline()
    if b" 204 " not in status:
        raise SystemExit(f"publishing answered {status!r}")
    writer.close()


async def _until_arrived(clients: list[Client], n: int, timeout: float = 30.0) -> None:
    async def one(client: Client) -> None:
        while n not in client.arrived:
            client.changed.clear()
            await client.changed.wait()

    await asyncio.wait_for(asyncio.gather(*(one(c) for c in clients)), timeout)


async def _measure(clients: list[Client], publish_port: int, fanout: int, singles: int) -> dict[str, Any]:
    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    # Pages open a batch at a time, as over a morning: a storm of sign-ins at once would measure the
    # database's connection limit (PostgreSQL's 100), not live delivery.
    for first in range(0, len(clients), CONNECT_BATCH):
        batch = clients[first : first + CONNECT_BATCH]
        tasks += [asyncio.create_task(c.run()) for c in batch]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in batch)), 120)
    connect_s = time.perf_counter() - started
    everyone = [c.user_id for c in clients]
    fan: list[float] = []
    single: list[float] = []
    rng = random.Random(1)
    n = 0
    for _ in range(fanout):
        n += 1
        sent = time.perf_counter()
        await _post(publish_port, {"user_ids": everyone, "event": "message.posted", "data": {"n": n}})
        await _until_arrived(clients, n)
        fan.extend((c.arrived[n] - sent) * 1000 for c in clients)
    for _ in range(singles):
        n += 1
        client = rng.choice(clients)
        sent = time.perf_counter()
        await _post(publish_port, {"user_ids": [client.user_id], "event": "message.posted", "data": {"n": n}})
        await _until_arrived([client], n)
        single.append((client.arrived[n] - sent) * 1000)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "connect_all_s": connect_s,
        "fanout": {"deliveries": len(fan), "p50_ms": percentile(fan, 50), "p95_ms": percentile(fan, 95)},
        "single": {"deliveries": len(single), "p50_ms": percentile(single, 50), "p95_ms": percentile(single, 95)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200, help="Open pages, one user each (default 200).")
    parser.add_argument("--fanout", type=int, default=20, help="Events to every client (default 20).")
    parser.add_argument("--singles", type=int, default=100, help="Events to one client each (default 100).")
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from marketdesk.accounts.models import User, UserRole
    from tests.live.servers import redis_server, server_env, web_servers

    run = time.time_ns()
    password = make_password(None)
    User.objects.bulk_create(
        User(username=f"bench-live-{run}-{i}", role=UserRole.BUYER, password=password) for i in range(args.clients)
    )
    users = list(User.objects.filter(username__startswith=f"bench-live-{run}-").order_by("id"))
    cookies = {}
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[user.pk] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    database_url = os.environ["DATABASE_URL"]
    result: dict[str, Any] = {"clients": args.clients, "fanout_events": args.fanout, "single_events": args.singles}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp_name:
        tmp = Path(tmp_name)
        env = server_env(database_url=database_url, var_dir=tmp / "var")
        with web_servers(env, [tmp / "web.log"]) as [(port, _proc)]:
            clients = [Client(u.pk, cookies[u.pk], port) for u in users]
            result["one_process"] = asyncio.run(_measure(clients, port, args.fanout, args.singles))
        if shutil.which("redis-server") is None:
            result["redis"] = None
        else:
            with ExitStack() as stack:
                redis_url = stack.enter_context(redis_server(tmp))
                env = server_env(database_url=database_url, var_dir=tmp / "var", redis_url=redis_url)
                servers = stack.enter_context(web_servers(env, [tmp / f"web-{i}.log" for i in range(2)]))
                ports = [port for port, _proc in servers]
                clients = [Client(u.pk, cookies[u.pk], ports[i % 2]) for i, u in enumerate(users)]
                result["redis"] = asyncio.run(_measure(clients, ports[0], args.fanout, args.singles))
    emit(result)


if __name__ == "__main__":
    main()
