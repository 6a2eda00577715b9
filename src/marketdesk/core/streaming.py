"""Streamed response bodies that stay streamed under ASGI.

Django serves a ``StreamingHttpResponse`` built on a synchronous iterator under ASGI by reading it
whole into a list first (``sync_to_async(list)`` in ``StreamingHttpResponse.__aiter__``): a 50 MB
file held in memory per download. ``stream_for(request, iterator)`` keeps the iterator as it is
for a WSGI request (and Django's test client), and under ASGI wraps it in an async iterator that
pulls one batch at a time in the request's own thread (``thread_sensitive``: a database cursor
behind the iterator stays on the connection that opened it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import FileResponse, HttpRequest

# Pieces are gathered until a batch holds this much: one hop to the request's thread per batch
# (10 downloads at once hold a few MB; smaller batches cost more hops than they save).
BATCH_BYTES = 256 * 1024


def _batch(iterator: Iterator[bytes | str], limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    for part in iterator:
        data = part.encode() if isinstance(part, str) else part
        parts.append(data)
        size += len(data)
        if size >= limit:
            break
    return b"".join(parts)


def _release_connection() -> None:
    # On the request's thread, where the view used it. Inside an atomic block (a test's) it must stay.
    if not connection.in_atomic_block:
        connection.close()  # back to the pool: a slow download holds no database connection


async def _batches(
    iterator: Iterator[bytes | str], limit: int, *, release_connection: bool = False
) -> AsyncIterator[bytes]:
    if release_connection:
        await sync_to_async(_release_connection, thread_sensitive=True)()
    take = sync_to_async(partial(_batch, iterator, limit), thread_sensitive=True)
    try:
        while batch := await take():
            yield batch
    finally:
        close = getattr(iterator, "close", None)  # a generator's finally (cursor, file) runs where it was opened
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()


def stream_for(
    request: HttpRequest, iterator: Iterator[bytes | str], *, batch_bytes: int = BATCH_BYTES
) -> Iterator[bytes | str] | AsyncIterator[bytes]:
    """Return ``iterator`` as a streaming response's content: as it is under WSGI, as an async iterator under ASGI."""
    if isinstance(request, ASGIRequest):
        return _batches(iterator, batch_bytes)
    return iterator


def file_response_streamed(request: HttpRequest, response: FileResponse) -> FileResponse:
    """Make a FileResponse read its file a batch at a time under ASGI, holding no database connection meanwhile."""
    filelike = response.file_to_stream
    if filelike is not None and isinstance(request, ASGIRequest):
        # The file stays registered for closing; only the iterator over it is replaced.
        chunks = iter(partial(filelike.read, BATCH_BYTES), b"")
        response.streaming_content = _batches(chunks, BATCH_BYTES, release_connection=True)
    return response
