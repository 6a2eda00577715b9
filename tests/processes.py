"""Child processes a test starts (servers, workers): stopped politely, then for sure."""

from __future__ import annotations

import os
import signal
import subprocess


def process_stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Send SIGTERM to ``proc``; if it is still running after ``timeout`` seconds, kill its whole session."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
