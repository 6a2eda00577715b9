"""A real HTTP receiver on 127.0.0.1 for webhook deliveries (shared by the tests of every sender)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """Answers each POST with the next status of ``statuses`` (then 200) and keeps what it got.

    ``while_in_flight``, when set, runs in the receiver's own thread after a request has
    arrived and before it is answered: the sender is waiting on the network meanwhile.
    """

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[ReceivedRequest] = field(default_factory=list)
    while_in_flight: Callable[[ReceivedRequest], None] | None = None

    def ids(self) -> list[str]:
        """Return the ``webhook-id`` of every request, in order of arrival."""
        return [request.headers["webhook-id"] for request in self.received]


@contextlib.contextmanager
def receiver_running() -> Iterator[Receiver]:
    """Run a receiver on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            request = ReceivedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            state.received.append(request)
            if state.while_in_flight is not None:
                state.while_in_flight(request)
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
