"""Restricting a buyer's protection in real Chromium, in Russian.

The operator restricts the buyer from the case workspace's risk panel (a date inside the notice is refused
first); the buyer finds the restriction from Get help, reads what it means and appeals; another operator
finds the appeal first in the console's list and rejects it; the buyer reads the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from marketdesk.core import clock
from marketdesk.risk.models import BuyerRestriction
from marketdesk.risk.states import RestrictionStatus
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap
from tests.risk.conftest import _case, _order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday; 7 days of notice end on 3 December
NOTICE = "Три претензии «не получен» по посылкам, вручённым под подпись: заказы O-1, O-2, O-3."
APPEAL = "Посылки получала соседка, я их не видела."
ANSWER = "Подписи совпадают с вашей: ограничение остаётся."


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def world(transactional_db, at_now):
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Ольга", language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Иван", language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="maria", display_name="Мария", language="ru")
    return _case(_order(buyer, shop))


def test_the_operator_restricts_the_buyer_appeals_another_operator_decides(live_server, page: Page, world):
    case = world
    base = live_server.url

    # The operator restricts the buyer from the workspace's risk panel; a date inside the notice is refused.
    sign_in(page, base, "ivan")
    page.goto(f"{base}/console/cases/{case.pk}/")
    page.get_by_text("Ограничить защиту покупателя").click()
    page.get_by_label("Уведомление (его увидит покупатель)").fill(NOTICE)
    page.get_by_label("Действует с").fill("2026-12-01")
    page.get_by_role("button", name="Ограничить защиту").click()
    expect(page.locator("#id_effective_at-error")).to_contain_text("Ограничение начинается после уведомления")
    assert BuyerRestriction.objects.count() == 0
    page.get_by_label("Действует с").fill("2026-12-03")
    page.get_by_role("button", name="Ограничить защиту").click()
    expect(page.get_by_role("heading", name="Ограничение: Ольга")).to_be_visible()
    expect(page.locator("[data-restriction-status]")).to_have_text("Действует")
    snap(page, "restriction-operator-ru")

    # The buyer finds it from Get help, reads what it means, and appeals once.
    sign_in(page, base, "olga")
    page.goto(f"{base}/orders/{case.order_id}/help/")
    page.get_by_role("link", name="Узнать причину и подать апелляцию").click()
    expect(page.get_by_role("heading", name="Ваша защита покупателя ограничена")).to_be_visible()
    expect(page.locator("[data-restriction-notice]")).to_have_text(NOTICE)
    expect(page.locator("[data-restriction-meaning]")).to_contain_text("Споры, открытые после")
    snap(page, "restriction-buyer-ru")
    page.get_by_label("Ваша апелляция").fill(APPEAL)
    page.get_by_role("button", name="Отправить апелляцию").click()
    expect(page.locator("[data-appeal-waiting]")).to_be_visible()
    expect(page.locator("[data-restriction-appeal]")).to_have_text(APPEAL)

    # Another operator finds the appeal first in the console's list and rejects it.
    sign_in(page, base, "maria")
    page.goto(f"{base}/console/")
    page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Ограничения", exact=True).click()
    expect(page.locator("[data-restriction-row]").first).to_contain_text("Обжаловано")
    page.get_by_role("link", name="Ольга").click()
    page.get_by_label("Отклонить: ограничение остаётся в силе").check()
    page.get_by_label("Ответ (его увидит покупатель)").fill(ANSWER)
    page.get_by_role("button", name="Решить апелляцию").click()
    expect(page.locator("[data-restriction-answer]")).to_have_text(ANSWER)
    expect(page.locator("[data-restriction-status]")).to_have_text("Действует")
    assert BuyerRestriction.objects.get().status == RestrictionStatus.ACTIVE

    # The buyer reads the answer; the appeal was heard once, so no form is offered again.
    sign_in(page, base, "olga")
    page.goto(f"{base}/protection/restrictions/{BuyerRestriction.objects.get().pk}/")
    expect(page.locator("[data-restriction-answer]")).to_have_text(ANSWER)
    expect(page.get_by_role("button", name="Отправить апелляцию")).to_have_count(0)
