"""Reading server-sent events in tests: from Django's AsyncClient and from a real server over HTTP."""

from __future__ import annotations

import asyncio
import http.client
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Frame:
    """One event as a page receives it: the SSE id (None for the stream's own) and the payload."""

    id: int | None
    event: str
    data: dict[str, Any]


def parse_frame(block: str) -> Frame | None:
    """Parse one SSE block; None for comments (heartbeats) and `retry:` lines."""
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")
    if "data" not in fields:
        return None
    payload = json.loads(fields["data"])
    event_id = int(fields["id"]) if "id" in fields else None
    assert payload["id"] == event_id, "the payload's id must be the SSE id"
    return Frame(event_id, payload["event"], payload["data"])


class AsyncFrames:
    """Frames from a streaming response of Django's AsyncClient."""

    def __init__(self, content: AsyncIterator[bytes]) -> None:
        self._content = content
        self._buffer = ""

    async def preamble(self, timeout: float = 10.0) -> str:
        """Wait for the first block: the stream is subscribed once it arrives."""
        return await asyncio.wait_for(self._block(), timeout)

    async def next(self, timeout: float = 10.0) -> Frame:
        """Return the next event, skipping heartbeats."""
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> Frame:
        while True:
            frame = parse_frame(await self._block())
            if frame is not None:
                return frame

    async def _block(self) -> str:
        while "\n\n" not in self._buffer:
            chunk = await anext(self._content)
            self._buffer += chunk.decode()
        block, self._buffer = self._buffer.split("\n\n", 1)
        return block

    async def close(self) -> None:
        await self._content.aclose()  # type: ignore[attr-defined]


class HttpFrames:
    """Frames from a real server: one blocking HTTP/1.1 connection to /live/."""

    def __init__(self, base_port: int, *, cookie: str, last_event_id: int | None = None, timeout: float = 10.0):
        self.connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=timeout)
        headers = {"Cookie": cookie, "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", "/live/", headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")

    def _block(self) -> str:
        lines = []
        while (line := self.response.readline().decode()) not in ("\n", "\r\n"):
            assert line, "the stream ended"
            lines.append(line.rstrip("\r\n"))
        return "\n".join(lines)

    def preamble(self) -> str:
        """Wait for the first block: the server has subscribed this stream once it arrives."""
        return self._block()

    def next(self) -> Frame:
        """Return the next event, skipping heartbeats (the connection's timeout bounds the wait)."""
        while True:
            frame = parse_frame(self._block())
            if frame is not None:
                return frame

    def close(self) -> None:
        self.connection.close()
