"""Real servers for live tests and the live benchmark: redis-server and uvicorn on free loopback ports."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASGI_APP = "tests.live.publish_asgi:application"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, f"exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            assert time.monotonic() < deadline, f"not listening on {port} within {seconds} s:\n{log.read_text()}"
            time.sleep(0.1)


def _warm_up(port: int) -> None:
    """Make the first request (URLconf, middleware) before any test timing starts: 401 to nobody."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/live/")
        assert connection.getresponse().status == 401
    finally:
        connection.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run a throw-away redis-server (no persistence) on a free port; yield its URL."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server missing: `make test` installs the Debian package redis-server"
    port = free_port()
    log = workdir / "redis.log"
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(workdir), "--logfile", str(log)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        log.touch()
        _wait_listening(port, proc, log, seconds=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)


@contextlib.contextmanager
def web_servers(
    env: dict[str, str], logs: list[Path], *, app: str = ASGI_APP
) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    """Run one uvicorn with the test ASGI app (or ``app``) per log file, started together; yield ports and processes."""
    servers: list[tuple[int, subprocess.Popen[bytes]]] = []
    with contextlib.ExitStack() as stack:
        for log in logs:
            port = free_port()
            argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
            argv += ["--no-access-log", "--log-level", "warning", "--lifespan", "off"]
            # Open streams would otherwise keep a stopping server waiting until they end.
            argv += ["--timeout-graceful-shutdown", "2"]
            out = stack.enter_context(log.open("w"))
            proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            stack.callback(_stop, proc)
            servers.append((port, proc))
        for (port, proc), log in zip(servers, logs, strict=True):
            _wait_listening(port, proc, log, seconds=120)
            _warm_up(port)
        yield servers


def server_env(*, database_url: str, var_dir: Path, redis_url: str = "") -> dict[str, str]:
    """The environment of a web process: the given database, Redis if any, quiet logs (debug as the caller's)."""
    kept = {"MARKETDESK_DEBUG"}
    env = {
        k: v for k, v in os.environ.items() if k in kept or not k.startswith(("MARKETDESK_", "DATABASE_URL", "DJANGO_"))
    }
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
            "DATABASE_URL": database_url,
            "MARKETDESK_VAR_DIR": str(var_dir),
            "MARKETDESK_REDIS_URL": redis_url,
            "MARKETDESK_LOG_LEVEL": "WARNING",
        }
    )
    return env


def publish(port: int, *, user_ids: list[int], event: str, data: dict[str, object]) -> None:
    """Publish an event from inside the web process on ``port`` (committed, as a service would)."""
    body = json.dumps({"user_ids": user_ids, "event": event, "data": data}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__live__/publish", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback http only
        assert response.status == 204
