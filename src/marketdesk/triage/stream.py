"""One request per line in, one JSON answer per line out, in order, for any number of lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from marketdesk.triage.model import model_get

BATCH_SIZE = 256


def _batches(infile: BinaryIO, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for raw in infile:  # binary lines end at b"\n" only: a stray \r or U+2028 never splits a request
        batch.append(raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace"))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def triage_stream(infile: BinaryIO, outfile: BinaryIO, *, batch_size: int = BATCH_SIZE) -> int:
    """Classify each line of ``infile`` and write its JSON line to ``outfile``; return the line count."""
    model = model_get()
    count = 0
    for batch in _batches(infile, batch_size):
        lines = (json.dumps(p.as_dict(), ensure_ascii=False) + "\n" for p in model.predict(batch))
        outfile.write("".join(lines).encode("utf-8"))
        outfile.flush()  # a reader of a pipe gets each batch as soon as it is ready
        count += len(batch)
    return count
