"""A buyer in real Chromium through the balancer: sign in, the order's conversation, a message with a photo."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, expect, sync_playwright

from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.attachments import samples
from tests.browser.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.topology, pytest.mark.browser]

PASSWORD = "demo-pass-123"  # the factories' password


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_a_buyer_posts_a_photo_through_the_balancer_and_gets_it_back_from_the_bucket(topology, orm, browser, tmp_path):
    # given a buyer with a delivered order (passwords hashed as the web processes check them)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        marketplace = factories.MarketplaceFactory()
        shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
        buyer = factories.BuyerFactory(marketplace=marketplace, username=f"anna-{marketplace.slug}")
        order = factories.OrderFactory(buyer=buyer, shop=shop, marketplace=marketplace, status=OrderStatus.DELIVERED)
    page = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB").new_page()

    # when the buyer signs in at the balancer, opens the order's conversation and sends a photo
    page.goto(f"{topology.url}/sign-in/")
    page.locator("input[name=username]").fill(buyer.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_have_count(0)
    page.goto(f"{topology.url}/messages/{order.pk}/")
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(samples.jpeg_with_gps())
    page.locator("[data-attach]").set_input_files(str(photo))
    expect(page.locator(".attach-chip input[name=attachment_ids]")).to_have_count(1)
    page.get_by_label("Your message").fill("The vase arrived broken, see the photo")
    page.get_by_role("button", name="Send").click()

    # then the message shows, and its photo comes back through marketdesk's redirect to the S3 bucket
    expect(page.locator(".msg--mine .msg__body")).to_have_text("The vase arrived broken, see the photo")
    href = page.locator(".msg__files a").first.get_attribute("href") or ""
    assert re.fullmatch(r"/attachments/f/[^/]+/", href)
    redirect = page.request.get(topology.url + href, max_redirects=0)
    assert (redirect.status, redirect.headers["location"].startswith(f"http://127.0.0.1:{topology.s3_port}/")) == (
        302,
        True,
    )
    assert page.request.get(redirect.headers["location"]).status == 200
