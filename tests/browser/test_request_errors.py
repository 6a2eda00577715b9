"""A refused htmx request says so on the page instead of changing nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_buyer_journey import PASSWORD, journey_buyer  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("jane")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/orders/")


def test_a_refused_htmx_request_answered_with_a_whole_page_shows_its_heading(live_server, page, journey_buyer):  # noqa: F811
    # given the buyer on their orders page
    _signed_in(page, live_server.url)
    error = page.locator("#request-error")
    expect(error).to_be_hidden()

    # when an htmx request is answered 404 with a whole page
    page.evaluate("htmx.ajax('GET', '/no-such-page/', {target: '#main', swap: 'none'})")

    # then the page says what happened, in the error page's heading, not the whole page's text
    expect(error).to_be_visible()
    expect(error).to_have_text("We could not find this page")


def test_an_empty_refusal_shows_the_general_sentence(live_server, page, journey_buyer):  # noqa: F811
    # given the buyer on their orders page
    _signed_in(page, live_server.url)

    # when an htmx request is refused with an empty answer
    page.route("**/refused-here/", lambda route: route.fulfill(status=403, content_type="text/html", body=""))
    page.evaluate("htmx.ajax('POST', '/refused-here/', {target: '#main', swap: 'none'})")

    # then the general sentence says it did not work
    expect(page.locator("#request-error")).to_have_text(
        "That did not work (error 403). Nothing was changed; please try again."
    )


def test_a_short_refusal_is_shown_as_the_server_wrote_it(live_server, page, journey_buyer):  # noqa: F811
    # given the buyer on their orders page
    _signed_in(page, live_server.url)

    # when an htmx request is refused with a short plain answer
    page.route(
        "**/refused-here/",
        lambda route: route.fulfill(status=400, content_type="text/plain", body="The amount is too large."),
    )
    page.evaluate("htmx.ajax('POST', '/refused-here/', {target: '#main', swap: 'none'})")

    # then that answer is what the person reads
    expect(page.locator("#request-error")).to_have_text("The amount is too large.")
