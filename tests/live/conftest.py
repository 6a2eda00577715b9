"""Open streams on /live/ through Django's AsyncClient and publish committed events to them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import AsyncClient

from marketdesk.live.models import LiveEvent
from marketdesk.live.services import live_publish
from tests.live.sse import AsyncFrames

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a scenario on an event loop of its own, as a server would (the test itself stays sync)."""

    async def main() -> T:
        return await coroutine

    return async_to_sync(main)()


@contextlib.asynccontextmanager
async def open_stream(
    user: Any, *, last_event_id: int | None = None, since: int | None = None
) -> AsyncIterator[AsyncFrames]:
    """Sign ``user`` in, open GET /live/ and wait until it is subscribed."""
    client = AsyncClient()
    await client.aforce_login(user, backend=MODEL_BACKEND)
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    query = {} if since is None else {"since": str(since)}
    response = await client.get("/live/", query, headers=headers)
    assert (response.status_code, response["Content-Type"]) == (200, "text/event-stream; charset=utf-8")
    frames = AsyncFrames(response.streaming_content)  # type: ignore[arg-type]
    try:
        await frames.preamble()
        yield frames
    finally:
        await frames.close()


def publish_committed(user_ids: list[int], n: int, event: str = "message.posted") -> int:
    """Publish one event in a committed transaction, as a service would; return its newest row id."""
    with transaction.atomic():
        live_publish(user_ids=user_ids, event=event, data={"n": n})
    return LiveEvent.objects.filter(data__n=n).order_by("-id").values_list("id", flat=True)[0]


apublish = sync_to_async(publish_committed)


def fails_after_publishing(user_id: int, n: int) -> None:
    """A service that publishes, then fails: its transaction rolls back."""
    with transaction.atomic():
        live_publish(user_ids=[user_id], event="case.changed", data={"n": n, "status": "escalated"})
        raise RuntimeError("the service failed after publishing")
