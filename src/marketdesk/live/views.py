"""``GET /live/``: the signed-in user's live events as server-sent events.

A stream only ever carries events addressed to its own user (authorization by construction); the
events hold ids and kinds, and pages fetch what they show through their own views. A reconnecting
browser sends ``Last-Event-ID`` and gets exactly the events after it. The first connection of a page
passes ``since`` (when the page was rendered) and gets what happened while it loaded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from marketdesk.core import clock
from marketdesk.core.parsing import int_or_none
from marketdesk.live.hub import hub_current
from marketdesk.live.selectors import Delivery, live_backlog_for_user

HEARTBEAT_SECONDS = 15.0
# The browser reconnects after a pause drawn from here (EventSource's `retry`): spread out, so the
# pages of a restarted server do not all come back, and sign in, in the same instant.
RETRY_MS = (1000, 5000)
# A stream ends after about this long (spread out too) and the browser reconnects with
# Last-Event-ID: the sign-in is checked again, and proxies that cut long requests never see one.
STREAM_SECONDS = 300.0
BACKLOG_LIMIT = 500
# Events stored a little before the page was rendered may already be on it; refreshing again is
# harmless, missing one is not.
SINCE_MARGIN = dt.timedelta(seconds=5)
SINCE_MAX_AGE = dt.timedelta(minutes=5)
# Unix seconds beyond this are no real render time (and datetime cannot hold them).
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z
RESET = "live.reset"


@require_GET
async def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Stream the signed-in user's live events; 401 for anyone else."""
    user = await request.auser()
    if not user.is_authenticated:
        # EventSource shows no body; the 401 stops its retries (live.js retries slowly itself).
        return HttpResponse(status=401)
    if not isinstance(request, ASGIRequest):
        # A WSGI server (runserver, the test live server) would buffer the endless stream and hold a
        # thread for nothing: answer at once; pages work, only without live updates.
        return HttpResponse(status=204)
    last_id = _event_id(request.headers.get("Last-Event-ID") or request.GET.get("last_event_id"))
    since = None if last_id is not None else _since(request.GET.get("since"))
    response = StreamingHttpResponse(
        event_stream(user.pk, last_id=last_id, since=since), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def event_stream(
    user_id: int, *, last_id: int | None = None, since: dt.datetime | None = None
) -> AsyncIterator[str]:
    """Yield ``user_id``'s events as SSE frames: the missed ones first, then each as it is stored."""
    # Session and user lookups opened a connection on this request's thread; an open stream keeps none.
    await sync_to_async(_close_connection)()
    hub = hub_current()
    subscription = await hub.subscribe(user_id)
    try:
        # Sent once the subscription is live: from here on nothing stored is missed.
        yield f"retry: {random.randint(*RETRY_MS)}\n: live\n\n"  # noqa: S311 - spreading load, not a secret
        sent = subscription.start if last_id is None and since is None else (last_id or 0)
        backlog = await sync_to_async(_backlog)(user_id, last_id, since)
        if _missed_some(backlog, last_id):
            yield _frame(RESET, {})
            sent = max(sent, subscription.start)
            backlog = []
        for delivery in backlog:
            if delivery.id > sent:
                yield _frame(delivery.event, delivery.data, event_id=delivery.id)
                sent = delivery.id
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + STREAM_SECONDS * random.uniform(0.8, 1.0)  # noqa: S311 - as above
        while (left := ends_at - loop.time()) > 0:
            try:
                delivery = await asyncio.wait_for(subscription.queue.get(), timeout=min(HEARTBEAT_SECONDS, left))
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if subscription.overflowed:
                return  # far behind: the browser reconnects and resumes from the table
            if delivery.id > sent:
                yield _frame(delivery.event, delivery.data, event_id=delivery.id)
                sent = delivery.id
    finally:
        hub.unsubscribe(subscription)


def _close_connection() -> None:
    # Resolved here, on the request's thread: `django.db.connection` is per thread.
    connection.close()


def _backlog(user_id: int, last_id: int | None, since: dt.datetime | None) -> list[Delivery]:
    try:
        # From last_id itself: finding it proves nothing between it and the next was pruned.
        return live_backlog_for_user(user_id, from_id=last_id, since=since, limit=BACKLOG_LIMIT + 1)
    finally:
        connection.close()


def _missed_some(backlog: list[Delivery], last_id: int | None) -> bool:
    """Whether the page may have missed events it can no longer get: then it must refresh everything."""
    if len(backlog) > BACKLOG_LIMIT:
        return True
    return last_id is not None and last_id > 0 and (not backlog or backlog[0].id != last_id)


def _frame(event: str, data: dict[str, object], *, event_id: int | None = None) -> str:
    payload = json.dumps({"id": event_id, "event": event, "data": data}, separators=(",", ":"))
    if event_id is None:
        return f"data: {payload}\n\n"
    return f"id: {event_id}\ndata: {payload}\n\n"


def _event_id(value: str | None) -> int | None:
    return int_or_none(value)


def _since(value: str | None) -> dt.datetime | None:
    """Turn the page's render time (Unix seconds) into the earliest event it may lack."""
    seconds = int_or_none(value)
    if seconds is None or seconds > MAX_TIMESTAMP:
        return None
    now = clock.now()
    rendered = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return max(min(rendered, now) - SINCE_MARGIN, now - SINCE_MAX_AGE)
