"""`marketdesk demo` serves the sign-in page and each role's home after signing in, over real HTTP."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.demo_process import demo_running

HOMES = {"buyer": "/orders/", "seller": "/seller/orders/", "operator": "/console/", "admin": "/manage/"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the real demo (web server, worker, ticker, storefront) on free ports with its own SQLite file."""
    with demo_running(tmp_path_factory.mktemp("demo-var"), "--orders", "60", "--every", "5") as demo:
        yield demo.url


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
