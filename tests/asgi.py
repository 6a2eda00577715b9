"""Requests served as under uvicorn: Django's AsyncClient builds an ASGIRequest and runs the async handler."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.test import AsyncClient

# Thread-sensitive work (the view, the pieces of a stream) runs in the calling test's thread, so it
# shares the test's database connection and transaction.


def asgi_get(user: Any, url: str) -> Any:
    """GET ``url`` as ``user`` through the ASGI handler; the body of a stream is not read yet."""

    async def run() -> Any:
        client = AsyncClient()
        await client.aforce_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return await client.get(url)

    return async_to_sync(run)()


def asgi_pieces(response: Any) -> list[bytes]:
    """Read a streamed response's body as the ASGI handler would: asynchronously, one piece at a time."""

    async def run() -> list[bytes]:
        return [piece async for piece in response.streaming_content]

    return async_to_sync(run)()
