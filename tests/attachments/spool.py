"""A witness among a request's upload handlers: counts the files that reached the handlers which keep them.

Placed right after ``FileCountHandler`` (``witness_spooling``), it sees exactly the files handed on to
the memory and temporary-file handlers; a file stopped before it was never spooled.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.core.files.uploadhandler import FileUploadHandler


class SpoolWitness(FileUploadHandler):
    files: ClassVar[list[str]] = []

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        SpoolWitness.files.append(file_name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def witness_spooling(settings) -> list[str]:
    """Put the witness in place; ``SpoolWitness.files`` names the files that reach the spooling handlers."""
    first, *rest = settings.FILE_UPLOAD_HANDLERS
    settings.FILE_UPLOAD_HANDLERS = [first, "tests.attachments.spool.SpoolWitness", *rest]
    SpoolWitness.files = []
    return SpoolWitness.files
