"""A buyer's journey in real Chromium: sign in, list orders, open one, switch to Russian."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from marketdesk.orders.states import OrderStatus
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"  # the factories' password


@pytest.fixture
def journey_buyer(transactional_db):
    """A buyer with three orders; the newest is shipped."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="jane", display_name="Jane Buyer")
    factories.OrderFactory(buyer=buyer, shop=shop, marketplace=marketplace, external_id="O-3", status=OrderStatus.PAID)
    factories.OrderFactory(
        buyer=buyer, shop=shop, marketplace=marketplace, external_id="O-2", status=OrderStatus.DELIVERED
    )
    factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        external_id="O-1",
        status=OrderStatus.SHIPPED,
        placed_at=factories.BASE_TIME + dt.timedelta(days=1),
    )
    return buyer


def test_buyer_signs_in_opens_an_order_and_switches_to_russian(live_server, page: Page, journey_buyer):
    # given: the buyer signs in
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.get_by_label("Username").fill("jane")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # then: the orders list, newest first
    expect(page).to_have_url(f"{live_server.url}/orders/")
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody tr").first).to_contain_text("O-1")
    expect(page.locator("tbody tr").first).to_contain_text("£25.00")
    expect(page.get_by_text("Jane Buyer")).to_be_visible()

    # when: the buyer opens the newest order
    page.get_by_role("link", name="O-1").click()

    # then: its page with lines and totals
    expect(page.get_by_role("heading", name=re.compile("Order O-1"))).to_be_visible()
    expect(page.get_by_text("Wool scarf")).to_be_visible()
    expect(page.locator(".page-title .badge")).to_have_text("Shipped")

    # when: the buyer switches to Russian
    page.get_by_role("button", name="Русский").click()

    # then: the same order page, in Russian, and the choice is saved
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("link", name="Мои заказы").first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Заказ O-1"))).to_be_visible()
    expect(page.get_by_role("heading", name="Товары")).to_be_visible()
    expect(page.locator(".page-title .badge")).to_have_text("Отправлен")
    expect(page.get_by_text("25,00\xa0£").first).to_be_visible()
    journey_buyer.refresh_from_db()
    assert journey_buyer.language == "ru"
