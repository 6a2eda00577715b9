"""Where attachment files live: the ``attachments`` storage (local disk, or an S3-compatible bucket)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    """Return the storage configured as ``STORAGES["attachments"]``."""
    return storages["attachments"]


@contextlib.contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """Yield a local path to a stored file (ffmpeg reads paths): the file itself on disk, else a temporary copy."""
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass  # a remote storage: copy it down, a chunk at a time
    with tempfile.NamedTemporaryFile(prefix="marketdesk-attachment-") as copy, storage.open(name, "rb") as source:
        shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)
