"""A conversation in real Chromium, two browsers at once, against a real uvicorn with live updates.

The buyer sends a phone photo that carries GPS EXIF; the seller's open page shows it without a
reload; the file the seller downloads has no EXIF at all; another buyer gets 404 for the file
and for the conversation.
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import override_settings
from PIL import Image
from playwright.sync_api import expect

from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.attachments import samples
from tests.browser.conftest import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    # The web process checks passwords with the real hashers, not the tests' fast MD5.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        return _world()


def _world():
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="anna", display_name="Anna")
    seller = factories.MembershipFactory(shop=shop, user__username="sam", user__display_name="Sam").user
    factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Olga")
    order = factories.OrderFactory(
        buyer=buyer, shop=shop, marketplace=marketplace, external_id="O-9", status=OrderStatus.DELIVERED
    )
    return order, seller


def test_a_photo_reaches_the_sellers_open_page_live_without_exif(browser, base_url, world, tmp_path):
    order, _seller = world
    conversation = f"{base_url}/messages/{order.pk}/"

    # The seller has the conversation open.
    seller = signed_in(browser, base_url, "sam").pages[0]
    seller.goto(conversation)
    expect(seller.get_by_text("No messages yet")).to_be_visible()
    seller.evaluate("window.__same_page = true")

    # The buyer attaches a phone photo with GPS and sends it.
    buyer = signed_in(browser, base_url, "anna").pages[0]
    buyer.goto(conversation)
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(samples.jpeg_with_gps())
    buyer.locator("[data-attach]").set_input_files(str(photo))
    expect(buyer.locator(".attach-chip input[name=attachment_ids]")).to_have_count(1)
    buyer.get_by_label("Your message").fill("The vase arrived broken, see the photo")
    buyer.get_by_role("button", name="Send").click()
    expect(buyer.locator(".msg--mine .msg__body")).to_have_text("The vase arrived broken, see the photo")

    # The seller's page shows it without a reload.
    image = seller.locator(".msg__files img")
    expect(image).to_be_visible(timeout=15_000)
    expect(seller.locator(".msg__body")).to_have_text("The vase arrived broken, see the photo")
    assert seller.evaluate("window.__same_page") is True

    # What the seller downloads carries no EXIF, no GPS.
    href = seller.locator(".msg__files a").first.get_attribute("href") or ""
    assert re.fullmatch(r"/attachments/f/[^/]+/", href)
    served = seller.request.get(base_url + href)
    assert served.status == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    data = served.body()
    assert not Image.open(io.BytesIO(data)).getexif()
    assert b"GPS" not in data
    assert b"Exif" not in data

    # Another buyer gets 404 for the file and for the conversation.
    other = signed_in(browser, base_url, "olga")
    assert other.request.get(base_url + href).status == 404
    assert other.request.get(conversation).status == 404
