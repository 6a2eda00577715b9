"""Stop reading an upload as soon as it passes the size limit, rather than spooling it all to disk first."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest


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
