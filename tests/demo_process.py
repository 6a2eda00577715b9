"""Start the real ``marketdesk demo`` (web server, worker, ticker, storefront) for a test, and stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Demo:
    url: str
    storefront_url: str
    var: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_running(var: Path, *args: str) -> Iterator[Demo]:
    """Run the demo on free ports with its own SQLite file in ``var``; yield once it says it is ready."""
    port, storefront_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["MARKETDESK_VAR_DIR"] = str(var)
    log_path = var / "demo.log"
    log = log_path.open("w")
    cli = Path(sys.executable).with_name("marketdesk")
    argv = [str(cli), "demo", "--port", str(port), "--storefront-port", str(storefront_port), *args]
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    try:
        while "is ready at" not in log_path.read_text():
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "demo not ready within 3 minutes"
            time.sleep(0.5)
        yield Demo(url=f"http://127.0.0.1:{port}", storefront_url=f"http://127.0.0.1:{storefront_port}", var=var)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
