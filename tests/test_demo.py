"""`marketdesk demo` serves the sign-in page and each role's home after signing in, over real HTTP."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from marketdesk.simulator.management.commands.demo import demo_environment
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


def test_demo_answers_a_wrong_address_with_its_own_404_not_the_debug_list_of_urls(demo_url: str) -> None:
    # when someone opens an address the demo does not have
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{demo_url}/no-such-page/", timeout=30)  # noqa: S310 - loopback

    # then it is the product's 404 page, not Django's debug page listing every URL
    page = answer.value.read().decode()
    assert answer.value.code == 404
    assert "Using the URLconf" not in page
    assert "/static/web/css/app.css" in page


def test_demo_links_emails_to_the_port_it_runs_on() -> None:
    # when the demo starts on port 8123 with nothing chosen
    env = demo_environment({}, host="127.0.0.1", port=8123)

    # then links in emails point there, and debug is off
    assert (env["MARKETDESK_BASE_URL"], env["MARKETDESK_DEBUG"]) == ("http://127.0.0.1:8123", "0")


def test_demo_keeps_a_base_url_the_person_chose() -> None:
    # when the person starting the demo chose where links point
    env = demo_environment({"MARKETDESK_BASE_URL": "https://demo.example.org"}, host="0.0.0.0", port=8123)  # noqa: S104

    # then the demo keeps it
    assert env["MARKETDESK_BASE_URL"] == "https://demo.example.org"
