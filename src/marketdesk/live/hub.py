"""Fan-out of stored live events to the streams a web process serves, woken by a doorbell.

One ``Hub`` per web process (per event loop) follows the event table with a high-water mark and
hands each new row to the open streams of its user. It reads the table once per wake-up however
many pages are open, on a worker thread, and closes that database connection after each read: an
idle stream holds no connection. Wake-ups come from ``ring()``: directly when the publisher runs in
this process, through Redis pub/sub (``MARKETDESK_REDIS_URL``) from any other process, and from a
timer, which is how events of other processes (the task worker, the marketplace ticker, other web
processes) arrive when there is no Redis, and a safety net when there is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, connection
from redis import asyncio as aioredis

from marketdesk.live.selectors import Delivery, live_events_after, live_high_water

log = logging.getLogger(__name__)

CHANNEL = "marketdesk:live"
POLL_SECONDS = 2.0
# With Redis the timer only covers a lost ring (a failed publish); on reconnecting, the listener catches up.
POLL_SECONDS_WITH_REDIS = 30.0
FETCH_BATCH = 1000
# A stream this far behind is ended; the page reconnects and resumes from the table.
QUEUE_LIMIT = 1000
REDIS_RETRY_MAX_SECONDS = 10.0
READ_ATTEMPTS = 5


def redis_url() -> str:
    """Return the Redis URL that carries events between processes ("" for one process alone)."""
    return str(getattr(settings, "MARKETDESK_REDIS_URL", "") or "")


class Subscription:
    """One open stream: the events of ``user_id`` stored after ``start``, oldest first."""

    def __init__(self, user_id: int, start: int) -> None:
        self.user_id = user_id
        self.start = start
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self.overflowed = False

    def put(self, delivery: Delivery) -> None:
        self.queue.put_nowait(delivery)
        if self.queue.qsize() > QUEUE_LIMIT:
            self.overflowed = True


class Hub:
    """This process's subscriptions by user, and the loop that feeds them from the event table."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, redis_url: str = "") -> None:
        self.loop = loop
        self.redis_url = redis_url
        self.high_water = 0
        self._subscribers: dict[int, set[Subscription]] = {}
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._announced = 0
        self._forced = False
        # The high-water mark is unknown until read, and goes stale while nobody listens.
        self._stale = True
        self._listening = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def subscribe(self, user_id: int) -> Subscription:
        """Start following ``user_id``'s events; return once events stored from now on will arrive."""
        self._start()
        await self._listening.wait()
        async with self._lock:
            if self._stale:
                self.high_water = max(self.high_water, await _read(live_high_water))
                self._stale = False
            subscription = Subscription(user_id, self.high_water)
            self._subscribers.setdefault(user_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop feeding a stream (it was closed)."""
        subscriptions = self._subscribers.get(subscription.user_id)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._subscribers[subscription.user_id]

    def streams(self) -> int:
        """Return how many streams this hub feeds."""
        return sum(len(s) for s in self._subscribers.values())

    def wake(self, last_id: int | None = None) -> None:
        """Look for new events: up to ``last_id`` if a doorbell said so, or whatever is there."""
        if last_id is None:
            self._forced = True
        else:
            self._announced = max(self._announced, last_id)
        self._wake.set()

    def wake_threadsafe(self, last_id: int) -> None:
        """``wake`` from any thread (a publisher's commit runs in a worker thread)."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is left to tell
            self.loop.call_soon_threadsafe(self.wake, last_id)

    def _start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(self.loop.create_task(self._run(), name="live-hub"))
        if self.redis_url:
            self._tasks.append(self.loop.create_task(self._listen(), name="live-hub-redis"))
        else:
            self._listening.set()

    async def _run(self) -> None:
        poll = POLL_SECONDS_WITH_REDIS if self.redis_url else POLL_SECONDS
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
                rung = True
            except TimeoutError:
                rung = False
            self._wake.clear()
            if rung and not self._forced and self._announced <= self.high_water:
                continue  # our own ring echoed back by Redis, or one we already caught up with
            self._forced = False
            try:
                await self._catch_up()
            except Exception:  # the database may be away for a moment; the next poll retries
                log.exception("live: could not read new events")

    async def _catch_up(self) -> None:
        async with self._lock:
            if not self._subscribers:
                self._stale = True
                return
            while True:
                rows = await _read(live_events_after, self.high_water, limit=FETCH_BATCH)
                for row in rows:
                    for subscription in self._subscribers.get(row.user_id, ()):
                        subscription.put(row)
                if rows:
                    self.high_water = rows[-1].id
                if len(rows) < FETCH_BATCH:
                    return

    async def _listen(self) -> None:
        """Wake on every ring published through Redis; reconnect with back-off when it goes away."""
        delay = 0.5
        while True:
            client = aioredis.Redis.from_url(self.redis_url, socket_keepalive=True, health_check_interval=30)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            # Confirmed: every ring from now on reaches us. Catch up on what we missed.
                            self._listening.set()
                            self.wake()
                            delay = 0.5
                        elif message["type"] == "message":
                            self.wake(int(message["data"]))
            except (redis.RedisError, OSError, ValueError) as exc:
                log.warning("live: Redis pub/sub unavailable (%s); polling every %s s meanwhile", exc, POLL_SECONDS)
            finally:
                await client.aclose()
            # Never keep a page waiting on Redis: the timer delivers meanwhile, only later.
            self._listening.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, REDIS_RETRY_MAX_SECONDS)


def _closing[T](fn: Callable[..., T]) -> Callable[..., T]:
    """Run ``fn`` and close this thread's database connection: the hub reads rarely, then idles."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return call


async def _read[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # Not thread-sensitive: the hub belongs to no request, and must not queue behind one.
    read = sync_to_async(_closing(fn), thread_sensitive=False)
    for attempt in range(1, READ_ATTEMPTS):
        try:
            return await read(*args, **kwargs)
        except OperationalError:
            # SQLite refuses a read while a writer holds the table in shared-cache mode (an in-memory
            # database), and a server may drop a connection: a short wait and a new connection do.
            await asyncio.sleep(0.05 * attempt)
    return await read(*args, **kwargs)


_hub: Hub | None = None
_publishers: dict[str, redis.Redis] = {}
_publishers_lock = threading.Lock()


def hub_current() -> Hub:
    """Return the hub of the running event loop, made on first use."""
    global _hub  # noqa: PLW0603 (one hub per event loop, found by publishers in other threads)
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop, redis_url=redis_url())
    return _hub


def ring(last_id: int) -> None:
    """Tell this process's hub, and through Redis every other, that events up to ``last_id`` are stored."""
    hub = _hub
    if hub is not None:
        hub.wake_threadsafe(last_id)
    url = redis_url()
    if not url:
        return
    try:
        _publisher(url).publish(CHANNEL, last_id)
    except (redis.RedisError, OSError) as exc:
        # Stored already: other processes pick it up at their next poll, only later.
        log.warning("live: could not ring through Redis (%s)", exc)


def _publisher(url: str) -> redis.Redis:
    with _publishers_lock:
        client = _publishers.get(url)
        if client is None:
            client = _publishers[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return client
