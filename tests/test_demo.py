"""`marketdesk demo` serves the sign-in page and each role's home after signing in, over real HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import process_stop

HOMES = {"buyer": "/orders/", "seller": "/seller/orders/", "operator": "/console/", "admin": "/manage/"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the real demo (web server, worker, ticker) on a free port with its own SQLite file."""
    var = tmp_path_factory.mktemp("demo-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["MARKETDESK_VAR_DIR"] = str(var)
    log = (var / "demo.log").open("w")
    cli = Path(sys.executable).with_name("marketdesk")
    proc = subprocess.Popen(
        [str(cli), "demo", "--port", str(port), "--orders", "60", "--every", "5"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while "is ready at" not in (var / "demo.log").read_text():
            assert proc.poll() is None, (var / "demo.log").read_text()
            assert time.monotonic() < deadline, "demo not ready within 3 minutes"
            time.sleep(0.5)
        yield url
    finally:
        process_stop(proc)
        log.close()


def _sign_in(base: str, username: str) -> tuple[urllib.request.OpenerDirector, str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/sign-in/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": "demo"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        f"{base}/sign-in/", data=body, headers={"Referer": f"{base}/sign-in/"}
    )
    response = opener.open(request, timeout=30)
    return opener, urllib.parse.urlparse(response.geturl()).path, response.read().decode()


def test_demo_serves_the_sign_in_page(demo_url: str) -> None:
    with urllib.request.urlopen(f"{demo_url}/", timeout=30) as response:  # noqa: S310 - loopback
        page = response.read().decode()

    assert (response.status, urllib.parse.urlparse(response.geturl()).path) == (200, "/sign-in/")
    assert 'name="password"' in page


def test_demo_serves_its_stylesheet(demo_url: str) -> None:
    with urllib.request.urlopen(f"{demo_url}/static/web/css/app.css", timeout=30) as response:  # noqa: S310
        assert (response.status, response.headers.get_content_type()) == (200, "text/css")


@pytest.mark.parametrize("username", list(HOMES))
def test_demo_login_lands_on_the_roles_home(demo_url: str, username: str) -> None:
    _opener, path, page = _sign_in(demo_url, username)

    assert path == HOMES[username]
    assert "Sign out" in page
