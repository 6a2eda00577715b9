"""Message safety in real Chromium, in Russian.

A seller asks the buyer to pay by card and write in Telegram. Under the default policy the message
is held: the seller sees it under review, the buyer sees nothing, the operator finds it among the
flagged messages and blocks it. Under a marketplace that warns instead, the same request typed in
Latin letters reaches the buyer with the warning; the operator blocks it and it is gone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketdesk.orders.states import OrderStatus
from marketdesk.safety.models import MarketplaceSafety, MessageFlag
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CYRILLIC = "переведите мне на карту напрямую, пишите в телеграм"
LATIN = "perevedite mne na kartu napryamuyu, pishite v telegram"
WARNING = "Защищены только платежи через площадку"


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def world(transactional_db):
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Ольга", language="ru")
    factories.MembershipFactory(shop=shop, user__username="pavel", user__display_name="Павел", user__language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Иван", language="ru")
    order = factories.OrderFactory(
        buyer=buyer, shop=shop, marketplace=marketplace, external_id="O-77", status=OrderStatus.SHIPPED
    )
    return marketplace, order


def _write(page: Page, base: str, order_pk: int, text: str) -> None:
    page.goto(f"{base}/messages/{order_pk}/")
    page.locator("textarea[name=body]").fill(text)
    page.locator("form.composer button[type=submit]").click()
    expect(page.locator(".msg--mine .msg__body").last).to_have_text(text)


def _block(page: Page, base: str, text: str) -> None:
    page.goto(f"{base}/console/flagged-messages/")
    expect(page.get_by_role("heading", name="Сообщения на проверке")).to_be_visible()
    page.get_by_role("link", name=text).click()
    expect(page.locator("blockquote.flag-body")).to_have_text(text)
    snap(page, "safety-flag-ru")
    page.get_by_role("button", name="Заблокировать").click()
    expect(page.locator("[data-flag-status]")).to_have_text("Заблокировано")


def test_a_held_payment_request_never_reaches_the_buyer_and_is_blocked(live_server, page: Page, world):
    _marketplace, order = world
    base = live_server.url

    # The seller asks to be paid by card and to move to Telegram: held, and the seller is told.
    sign_in(page, base, "pavel")
    _write(page, base, order.pk, CYRILLIC)
    expect(page.locator(".msg--mine .msg__note")).to_contain_text("На проверке")
    snap(page, "safety-seller-held-ru")

    # The buyer sees nothing of it.
    sign_in(page, base, "olga")
    page.goto(f"{base}/messages/{order.pk}/")
    expect(page.get_by_text("Сообщений пока нет")).to_be_visible()
    expect(page.get_by_text(CYRILLIC)).to_have_count(0)

    # The operator finds it among the flagged messages and blocks it.
    sign_in(page, base, "ivan")
    page.goto(f"{base}/console/flagged-messages/")
    snap(page, "safety-list-ru")
    _block(page, base, CYRILLIC)
    assert MessageFlag.objects.get(order=order).status == "blocked"

    # Still nothing for the buyer; the seller reads that it was not delivered.
    sign_in(page, base, "olga")
    page.goto(f"{base}/messages/{order.pk}/")
    expect(page.get_by_text(CYRILLIC)).to_have_count(0)
    sign_in(page, base, "pavel")
    page.goto(f"{base}/messages/{order.pk}/")
    expect(page.locator(".msg--mine .msg__note")).to_contain_text("Не доставлено")


def test_under_warn_the_buyer_sees_the_transliterated_request_with_the_warning_until_blocked(
    live_server, page: Page, world
):
    marketplace, order = world
    MarketplaceSafety.objects.create(marketplace=marketplace, payment_action="warn")
    base = live_server.url

    sign_in(page, base, "pavel")
    _write(page, base, order.pk, LATIN)
    expect(page.get_by_text(WARNING)).to_have_count(0)  # the seller is not the one to warn

    # The buyer reads it with the warning under it.
    sign_in(page, base, "olga")
    page.goto(f"{base}/messages/{order.pk}/")
    expect(page.locator(".msg__body")).to_have_text(LATIN)
    expect(page.locator(".msg__note--warning")).to_contain_text(WARNING)
    snap(page, "safety-buyer-warning-ru")

    # The operator blocks it; the buyer no longer sees it.
    sign_in(page, base, "ivan")
    _block(page, base, LATIN)
    sign_in(page, base, "olga")
    page.goto(f"{base}/messages/{order.pk}/")
    expect(page.get_by_text(LATIN)).to_have_count(0)
