"""A hand-off link in real Chromium: the marketplace's Russian-speaking buyer lands on Get help, signed in.

The browser asks for English on purpose: the page is Russian only because the
token's ``locale`` is, which is what a marketplace relies on.
"""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from playwright.sync_api import Page, expect

from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.accounts.handoff_tokens import configure
from tests.browser.screenshots import snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISSUER = "https://shop.example"


@pytest.fixture
def marketplace_with_order(transactional_db):
    """A marketplace set up for hand-off links, and an order its feed sent for buyer B-77."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    _config, secret = configure(marketplace, ISSUER)
    shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-77", display_name="Olga", language="en")
    order = factories.OrderFactory(
        marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-7", status=OrderStatus.DELIVERED
    )
    return order, secret


def test_handoff_link_lands_the_buyer_on_get_help_signed_in_and_in_russian(
    live_server, settings, page: Page, marketplace_with_order
):
    # given: the marketplace's backend signs a link for its buyer, in Russian, to Get help on order O-7
    order, secret = marketplace_with_order
    settings.MARKETDESK_BASE_URL = live_server.url
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": live_server.url,
        "sub": "B-77",
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "role": "buyer",
        "name": "Ольга",
        "locale": "ru-RU",
        "order": "O-7",
        "page": "help",
    }
    token = jwt.encode(claims, secret, algorithm="HS256")

    # when: the buyer's browser follows it
    page.goto(f"{live_server.url}/sso/handoff?token={token}")

    # then: the order's Get help page, signed in as the buyer, in Russian
    expect(page).to_have_url(f"{live_server.url}/orders/{order.pk}/help/")
    expect(page.get_by_role("heading", name="Помощь с заказом")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_text("Ольга").first).to_be_visible()
    snap(page, "handoff-get-help-ru")

    # and: the same link does not sign anyone in a second time (the refusal trusts nothing in the token,
    # so it speaks the browser's language)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sso/handoff?token={token}")
    expect(page.get_by_role("heading", name="This sign-in link did not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("has already been used")
