"""The administrator publishes a new policy version in real Chromium, in Russian.

The seller's response time goes from 3 to 2 business days: a case opened afterwards
shows the new deadline while a case opened before keeps its own. The journey also
visits each management page (screenshots for docs/img when MARKETDESK_SCREENSHOTS is set).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.opening import case_open
from marketdesk.console.models import AuditEntry
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import due_at
from marketdesk.core.models import BusinessCalendar, PolicyVersion
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


def _late_order(marketplace, shop, buyer, external_id: str):
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        external_id=external_id,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - dt.timedelta(days=2),
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    with clock.frozen(NOW - dt.timedelta(days=3)):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)
    return order


@pytest.fixture
def world(transactional_db, at_now):
    """Two late orders of one buyer; a case is already open on the first."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Ольга", language="ru")
    factories.AdminFactory(marketplace=marketplace, username="adam", display_name="Адам", language="ru")
    older_order = _late_order(marketplace, shop, buyer, "O-41")
    newer_order = _late_order(marketplace, shop, buyer, "O-42")
    older = case_open(
        actor=Actor.for_user(buyer),
        order=older_order,
        case_type=CaseType.ITEM_NOT_RECEIVED,
        description="Посылка не пришла",
    )
    BusinessCalendar.objects.create(
        code="ru-moscow", name="Россия, Москва", country="RU", timezone="Europe/Moscow", weekend_days=[5, 6]
    )
    WebhookEndpoint.objects.create(
        marketplace=marketplace, url="https://hooks.example.test/marketdesk", secret=webhook_secret_generate()
    )
    return older, newer_order


def test_admin_publishes_a_shorter_seller_response_time(live_server, page: Page, world):
    older, newer_order = world
    base = live_server.url
    versions_before = PolicyVersion.objects.count()

    # The administrator opens Manage → Policy versions → Publish a new version.
    sign_in(page, base, "adam")
    page.get_by_role("link", name="Управление").click()
    page.get_by_role("link", name="Версии правил").first.click()
    snap(page, "manage-policy-list")
    page.get_by_role("link", name="Опубликовать новую версию").click()
    rule = page.get_by_label("Срок ответа продавца")
    expect(rule).to_have_value("3")

    # Changes the seller's response time, previews the difference, publishes.
    rule.fill("2")
    page.get_by_label("Примечание").fill("Продавцы отвечают быстрее")
    page.get_by_role("button", name="Показать изменения").click()
    diff = page.locator("#diff-title").locator("..")
    expect(diff).to_contain_text("Срок ответа продавца")
    snap(page, "manage-policy-new")
    assert PolicyVersion.objects.count() == versions_before
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.locator(".messages")).to_contain_text("опубликована")
    expect(page.get_by_role("heading", name=re.compile(r"Версия правил \d+"))).to_be_visible()
    snap(page, "manage-policy-detail")
    assert PolicyVersion.objects.order_by("-version").first().values["seller_response_business_days"] == 2
    assert AuditEntry.objects.filter(action="policy.published").count() == 1

    # The other management pages, for the screenshots.
    page.get_by_role("link", name="Производственные календари").first.click()
    page.get_by_role("link", name="ru-moscow").click()
    expect(page.get_by_role("heading", name="Ближайшие 10 рабочих дней")).to_be_visible()
    snap(page, "manage-calendar")
    page.get_by_role("link", name="Адреса вебхуков").first.click()
    snap(page, "manage-webhooks")
    page.get_by_role("link", name="https://hooks.example.test/marketdesk").click()
    page.get_by_role("button", name="Сменить секрет").click()
    expect(page.locator("[data-testid=shown-secret]")).to_contain_text("whsec_")
    snap(page, "manage-webhook-detail")
    page.get_by_role("link", name="API-ключи").first.click()
    page.get_by_label("Название").fill("Импорт заказов")
    page.get_by_role("button", name="Создать").click()
    expect(page.locator("[data-testid=shown-secret]")).to_contain_text("mdk_")
    snap(page, "manage-api-keys")
    page.get_by_role("link", name="Операторы и администраторы").first.click()
    page.get_by_label("Имя пользователя").fill("nina")
    page.get_by_label("Электронная почта").fill("nina@example.test")
    page.get_by_role("button", name="Пригласить").click()
    expect(page.locator("[data-testid=shown-secret]")).to_contain_text("/password-reset/")
    snap(page, "manage-people")

    # The buyer opens a case on the second order: two business days for the seller.
    sign_in(page, base, "olga")
    page.goto(f"{base}/orders/{newer_order.pk}/")
    page.get_by_role("link", name="Нужна помощь").click()
    page.get_by_label("Опишите, что случилось").fill("Посылка так и не пришла, трек не обновляется уже неделю")
    page.get_by_label("Заказ не пришёл").check()
    page.get_by_role("button", name="Следующий шаг").click()
    page.get_by_role("button", name="Открыть спор").click()
    expect(page.locator(".next-step")).to_contain_text("осталось 2 рабочих дня")
    newer = Case.objects.get(order=newer_order)
    assert newer.seller_due_at == due_at(NOW, business_days=2)

    # The case opened before keeps its three days.
    page.goto(f"{base}/cases/{older.pk}/")
    expect(page.locator(".next-step")).to_contain_text("осталось 3 рабочих дня")
    older.refresh_from_db()
    assert older.seller_due_at == due_at(NOW, business_days=3)
