"""Tasks for tests that run a real worker process (importable by it through PYTHONPATH)."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task()
def hang_first_time(marker: str) -> str:
    """Hang the first time (leaving ``marker``), so the worker can be killed mid-task; finish any later time."""
    path = Path(marker)
    if path.exists():
        return "finished"
    path.write_text("started")
    time.sleep(600)
    return "slept"
