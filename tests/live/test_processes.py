"""Across processes: published in one uvicorn, an event reaches streams on another through Redis.

Two real web processes share one database (a SQLite file copied from the test database, or the test
PostgreSQL) and one throw-away redis-server. Nothing is mocked: the browser's side is an HTTP
connection to /live/ with a session cookie.
"""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.live.servers import publish, redis_server, server_env, web_servers
from tests.live.sse import HttpFrames

pytestmark = pytest.mark.django_db(transaction=True)

APPLICATION_NAME = "marketdesk-live-test"
# Shorter than the hubs' 30 s safety poll: an event that arrives came through Redis.
READ_TIMEOUT = 8.0


@dataclass
class WebProcesses:
    ports: list[int]
    cookies: dict[int, str]
    held_connections: Callable[[], int]

    def stream(self, port: int, user_id: int, *, last_event_id: int | None = None) -> HttpFrames:
        frames = HttpFrames(port, cookie=self.cookies[user_id], last_event_id=last_event_id, timeout=READ_TIMEOUT)
        assert (frames.status, frames.content_type) == (200, "text/event-stream; charset=utf-8")
        frames.preamble()
        return frames


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"sessionid={client.cookies['sessionid'].value}"


def _shared_database(workdir: Path, pids: list[int]) -> tuple[str, Callable[[], int]]:
    """Return a database URL the web processes share with this test, and a count of their open connections."""
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it, users and sessions included, into a file.
        path = workdir / "live.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)

        def sqlite_files_open() -> int:
            return sum(
                1 for pid in pids for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith(str(path))
            )

        return f"sqlite:///{path}", sqlite_files_open
    settings = connection.settings_dict
    user, password = urllib.parse.quote(settings["USER"]), urllib.parse.quote(settings["PASSWORD"] or "")
    url = f"postgres://{user}:{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"

    def sessions_open() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME])
            return int(cursor.fetchone()[0])

    return f"{url}?application_name={APPLICATION_NAME}", sessions_open


@pytest.fixture
def web_processes(tmp_path: Path, buyer, other_buyer) -> Iterator[WebProcesses]:
    """Redis and two uvicorn processes on one database, with signed-in sessions for two buyers."""
    cookies = {user.pk: _session_cookie(user) for user in (buyer, other_buyer)}
    pids: list[int] = []
    database_url, held_connections = _shared_database(tmp_path, pids)
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server(tmp_path))
        env = server_env(database_url=database_url, var_dir=tmp_path / "var", redis_url=redis_url)
        # On PostgreSQL connections come from a pool: let it close those nobody uses within half a
        # second, so that a connection still open at the end is one a stream holds.
        env.update({"MARKETDESK_DB_POOL_MIN_SIZE": "0", "MARKETDESK_DB_POOL_MAX_IDLE": "0.5"})
        servers = stack.enter_context(web_servers(env, [tmp_path / f"web-{name}.log" for name in "ab"]))
        pids.extend(proc.pid for _port, proc in servers)
        yield WebProcesses([port for port, _proc in servers], cookies, held_connections)


def _eventually_zero(count: Callable[[], int], seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while (found := count()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_two_web_processes_share_live_events_through_redis(web_processes, buyer, other_buyer):
    """One test, as starting two web servers costs most of its time: fan-out, privacy, resume, idling."""
    a, b = web_processes.ports
    mine_on_a = web_processes.stream(a, buyer.pk)
    mine_on_b = web_processes.stream(b, buyer.pk)
    theirs_on_a = web_processes.stream(a, other_buyer.pk)
    theirs_on_b = web_processes.stream(b, other_buyer.pk)

    # Published in a: each event reaches its users' streams in a (in process) and in b (through Redis).
    publish(a, user_ids=[buyer.pk], event="message.posted", data={"n": 1})
    publish(a, user_ids=[other_buyer.pk], event="case.changed", data={"n": 2})
    publish(a, user_ids=[buyer.pk, other_buyer.pk], event="case.decided", data={"n": 3})
    on_b = [mine_on_b.next(), mine_on_b.next()]
    mine = [
        [(f.event, f.data["n"]) for f in (mine_on_a.next(), mine_on_a.next())],
        [(f.event, f.data["n"]) for f in on_b],
    ]
    theirs = [[(f.event, f.data["n"]) for f in (s.next(), s.next())] for s in (theirs_on_a, theirs_on_b)]
    assert mine == [[("message.posted", 1), ("case.decided", 3)]] * 2
    assert theirs == [[("case.changed", 2), ("case.decided", 3)]] * 2

    # Open and idle, the four streams hold no database connection in either process.
    assert _eventually_zero(web_processes.held_connections) == 0

    # b's connection drops; the browser reconnects with Last-Event-ID and the balancer picks a.
    mine_on_b.close()
    publish(a, user_ids=[buyer.pk], event="message.read", data={"n": 4})
    publish(b, user_ids=[buyer.pk], event="message.posted", data={"n": 5})
    resumed_on_a = web_processes.stream(a, buyer.pk, last_event_id=on_b[-1].id)
    missed = [resumed_on_a.next(), resumed_on_a.next()]
    publish(b, user_ids=[buyer.pk], event="message.posted", data={"n": 6})
    live = resumed_on_a.next()

    frames = [*on_b, *missed, live]
    assert [f.data["n"] for f in frames] == [1, 3, 4, 5, 6]
    assert [f.id for f in frames] == sorted({f.id for f in frames})
    for stream in (mine_on_a, theirs_on_a, theirs_on_b, resumed_on_a):
        stream.close()
