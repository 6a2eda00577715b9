"""The API fuzzed by schemathesis against a live uvicorn: no server error, no undocumented answer.

A migrated SQLite database of its own, seeded with the demo marketplace, a demo key, uvicorn on a
loopback port; then ``schemathesis run --checks all`` over every operation, bounded in time and in
examples per operation. Run with ``pytest -m fuzz`` (scripts/test.sh has it as a step of its own).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import process_stop

pytestmark = pytest.mark.fuzz

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_SECONDS = 150  # schemathesis's own budget; the whole test stays within about three minutes of fuzzing
EXAMPLES_PER_OPERATION = 25
REQUEST_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) /api/v1/')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "marketdesk"), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """Start uvicorn on a free loopback port over a migrated, seeded database; yield its URL, a key, its log."""
    var = tmp_path_factory.mktemp("fuzz-var")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {
        "MARKETDESK_VAR_DIR": str(var),
        "MARKETDESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # The fuzzer tests answers, not the rate limit (tests/api/test_throttle.py does).
        "MARKETDESK_API_CALLS_PER_MINUTE": "1000000",
    }
    _run(env, "migrate", "--verbosity", "0")
    _run(env, "simulate", "--orders", "12", "--demo-accounts", "--quiet")
    key = _run(env, "create_api_key", "--marketplace", "demo", "--name", "fuzz").strip()
    port = _free_port()
    log_path = var / "uvicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "python"), "-m", "uvicorn", "marketdesk.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--no-use-colors"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 120
        try:
            while True:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "uvicorn did not answer within 2 minutes"
                try:
                    with urllib.request.urlopen(f"{url}/openapi.json", timeout=5):  # noqa: S310 (our loopback)
                        break
                except OSError:
                    time.sleep(0.5)
            yield url, key, log_path
        finally:
            process_stop(server)


def test_schemathesis_finds_no_failure_in_any_operation(live_api, capsys):
    # given
    url, key, log_path = live_api
    # when
    done = subprocess.run(
        [
            str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
            "--checks", "all",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", str(EXAMPLES_PER_OPERATION),
            "--max-time", str(MAX_SECONDS),
            "--generation-deterministic",
            "--workers", "1",
            "--request-timeout", "20",
            "--header", f"Authorization: Bearer {key}",
            "--no-color",
        ],
        capture_output=True, text=True, timeout=MAX_SECONDS + 120, check=False,
        cwd=log_path.parent,  # its example cache (.schemathesis/) goes there, not into the checkout
    )  # fmt: skip
    # then
    output = done.stdout + done.stderr
    tested = re.search(r"Tested:\s+(\d+)", output)
    requests = len(REQUEST_LINE.findall(log_path.read_text()))
    with capsys.disabled():  # shown in CI's log even when output is captured
        print(f"\nschemathesis: {tested.group(1) if tested else '?'} operations, {requests} requests")  # noqa: T201
    assert done.returncode == 0, output[-20000:]
    assert tested is not None
    assert int(tested.group(1)) > 30
