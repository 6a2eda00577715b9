"""Bound what an upload costs before it is read: how many files a request may carry, and each file's size.

``UPLOAD_ROUTES`` names the addresses that take files and how many one request may carry
(``web.bodylimit`` sizes their bodies from it). ``FileCountHandler``, first of every request's
upload handlers (``settings.FILE_UPLOAD_HANDLERS``), stops the parser at the first file beyond
that count: the file is never handed to the handlers that keep files in memory or on disk, and the
rest of the body is read and thrown away. A view that takes files asks ``files_refused`` and
answers with its error (a 413 problem, or the form's error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from marketdesk.attachments.errors import TooManyFiles
from marketdesk.core.policies import policy_current


@dataclass(frozen=True)
class UploadRoute:
    """A route that takes files: its path, how many files one request may carry, and how it answers."""

    pattern: re.Pattern[str]
    files: str  # "one" or "message" (the policy's files per message)
    problem: bool  # answers problem+json (an endpoint scripts call) rather than a page


UPLOAD_ROUTES = (
    UploadRoute(re.compile(r"^/attachments/$"), "one", problem=True),
    UploadRoute(re.compile(r"^/api/v1/attachments$"), "one", problem=True),
    UploadRoute(re.compile(r"^/messages/\d+/post/$"), "message", problem=False),
    UploadRoute(re.compile(r"^/orders/\d+/return/$"), "message", problem=False),
)


def upload_route(path: str) -> UploadRoute | None:
    """Return the upload route of ``path``, or None for an address that takes no files."""
    return next((route for route in UPLOAD_ROUTES if route.pattern.match(path)), None)


def files_allowed(route: UploadRoute | None) -> int:
    """How many files one request to ``route`` may carry (none where no route takes them)."""
    if route is None:
        return 0
    return 1 if route.files == "one" else int(policy_current().values.attachments_per_message)


class FileCountHandler(FileUploadHandler):
    """First of every request's upload handlers: stop at the first file beyond what the route takes."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files = 0
        self.allowed: int | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.allowed is None:
            self.allowed = files_allowed(upload_route(self.request.path if self.request else ""))
        self.files += 1
        if self.files > self.allowed:
            if self.request is not None:
                self.request.files_beyond = self.allowed  # type: ignore[attr-defined]
            # Before any handler keeps this file: the rest of the body is read and discarded, not stored.
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the UploadedFile


def files_refused(request: HttpRequest) -> TooManyFiles | None:
    """Return the error if the request carried more files than its route takes (read its files first)."""
    allowed = getattr(request, "files_beyond", None)
    return None if allowed is None else TooManyFiles(limit=allowed)


class SizeLimitHandler(FileUploadHandler):
    """First in a request's upload handlers: gives up on a file that grows past ``limit`` bytes.

    The rest of the body is still read and discarded (``connection_reset=False``), so the browser
    gets the answer saying why, instead of a dropped connection.
    """

    def __init__(self, request: HttpRequest, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the UploadedFile
