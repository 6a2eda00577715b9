"""Macros, carriers and quick replies managed in real Chromium, in Russian.

The operator writes a macro, sees the allowed placeholders while typing, previews it on a real case,
translates it into English and inserts it into the case's decision; the administrator maps a carrier's
unknown status in one click; the seller writes a quick reply in Russian. Screenshots for docs/img when
MARKETDESK_SCREENSHOTS is set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import AuditEntry, Macro
from marketdesk.core import clock
from marketdesk.orders.states import OrderStatus
from marketdesk.shipping.models import Carrier, TrackingEvent
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap
from tests.cases.factories import CaseFactory
from tests.shipping.conftest import carriers_ensure, ingest, make_shipment, stream

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def world(transactional_db, at_now) -> Case:
    """A case under review for Ольга's order O-42; a parcel of another order with a status no table maps."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, display_name="Ольга", language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Иван", language="ru")
    factories.AdminFactory(marketplace=marketplace, username="adam", display_name="Адам", language="ru")
    seller = factories.MembershipFactory(shop=shop).user
    seller.username, seller.display_name, seller.language = "pavel", "Павел", "ru"
    seller.save(update_fields=["username", "display_name", "language"])
    order = factories.OrderFactory(
        marketplace=marketplace, shop=shop, buyer=buyer, external_id="O-42", status=OrderStatus.SHIPPED
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    case = CaseFactory(
        order=order,
        status=CaseStatus.UNDER_REVIEW,
        opened_at=NOW - 80 * HOUR,
        escalated_at=NOW - 10 * HOUR,
        decision_due_at=NOW + 38 * HOUR,
        policy_version=1,
    )
    carriers_ensure()
    parcel = make_shipment(
        factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer), Carrier.objects.get(code="evri")
    )
    first = stream(parcel, "on_time")[0]
    odd = {**first, "status": "HUB_WEATHER_DELAY", "event_id": "odd-1", "description": "Delayed at hub by weather"}
    ingest(parcel, [first, odd], at=NOW - HOUR)
    return case


def test_operator_writes_previews_translates_and_uses_a_macro(live_server, page: Page, world):
    case = world
    base = live_server.url
    sign_in(page, base, "ivan")

    # The operator opens Macros and starts a new one.
    page.goto(f"{base}/console/macros/")
    page.get_by_role("link", name="Новый шаблон ответа").click()
    page.get_by_label("Название").fill("Посылка в пути")
    page.get_by_label("Язык", exact=True).select_option("ru")

    # While the text is typed, the placeholders that fit what follows the brace are marked.
    body = page.get_by_label("Текст")
    body.click()
    page.keyboard.type("Здравствуйте, {bu")
    expect(page.locator("[data-placeholder=buyer_name][data-suggested]")).to_be_visible()
    expect(page.locator("[data-placeholder=order][data-suggested]")).to_have_count(0)
    page.keyboard.type("yer_name}! Заказ {order} уже в пути, ответим до {deadline}.")

    # Picking a real case fills the text in, as the buyer would read it.
    page.get_by_label("Предпросмотр на обращении").select_option(str(case.pk))
    preview = page.locator("[data-macro-preview]")
    expect(preview).to_contain_text("Здравствуйте, Ольга! Заказ O-42 уже в пути")
    snap(page, "macros-new-preview")
    page.get_by_role("button", name="Сохранить шаблон ответа").click()
    expect(page.locator(".messages")).to_contain_text("«Посылка в пути» сохранён")
    russian = Macro.objects.get(title="Посылка в пути")

    # Translated into English beside the Russian text.
    page.locator(f"[data-macro-family='{russian.pk}'] [data-translate=en]").click()
    expect(page.locator(".macro-text")).to_contain_text("Здравствуйте, {buyer_name}!")
    page.get_by_label("Название").fill("Parcel on its way")
    page.get_by_label("Текст").fill("Hello {buyer_name}! Order {order} is on its way; we answer by {deadline}.")
    snap(page, "macros-translate")
    page.get_by_role("button", name="Сохранить шаблон ответа").click()
    expect(page.locator(f"[data-macro-family='{russian.pk}']")).to_contain_text("Hello {buyer_name}!")
    snap(page, "macros-list")
    assert Macro.objects.get(title="Parcel on its way").translation_of == russian

    # In the workspace the macro fills the decision's rationale for this case.
    page.goto(f"{base}/console/cases/{case.pk}/")
    decide = page.locator("[data-decision-form]")
    rationale = decide.get_by_label("Обоснование (его читают обе стороны)")
    rationale.fill("")
    decide.locator("[data-macro-select]").select_option(label="RU · Посылка в пути")
    decide.get_by_role("button", name="Вставить шаблон ответа").click()
    expect(rationale).to_have_value(re.compile(r"^Здравствуйте, Ольга! Заказ O-42 уже в пути, ответим до .+\.$"))
    snap(page, "macros-workspace")
    assert [e.action for e in AuditEntry.objects.filter(object_type="console.macro").order_by("id")] == [
        "macro.created",
        "macro.translated",
        "macro.used",
    ]


def test_admin_maps_a_carriers_unknown_status_in_one_click(live_server, page: Page, world):
    base = live_server.url
    sign_in(page, base, "adam")

    page.goto(f"{base}/manage/")
    page.get_by_role("link", name="Перевозчики").first.click()
    expect(page.locator("[data-carrier=evri]")).to_contain_text("1 статус, событий: 1")
    snap(page, "manage-carriers")
    page.get_by_role("link", name="Evri").click()
    row = page.locator("[data-unmapped=HUB_WEATHER_DELAY]")
    expect(row).to_contain_text("Delayed at hub by weather")
    snap(page, "manage-carrier-detail")
    row.locator("select[name=status]").select_option("in_transit")
    row.get_by_role("button", name="Сопоставить").click()
    expect(page.locator(".messages")).to_contain_text("HUB_WEATHER_DELAY теперь означает «В пути»")
    expect(page.locator("[data-mapping=HUB_WEATHER_DELAY]")).to_be_visible()
    assert TrackingEvent.objects.get(raw_status="HUB_WEATHER_DELAY").status == "in_transit"


def test_seller_writes_a_quick_reply_in_russian(live_server, page: Page, world):
    base = live_server.url
    sign_in(page, base, "pavel")

    page.goto(f"{base}/seller/quick-replies/")
    page.get_by_label("Название").fill("Отправили")
    page.get_by_label("Язык текста").select_option("ru")
    page.get_by_label("Текст", exact=True).fill("Спасибо за заказ! Он сегодня уехал со склада.")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messages")).to_contain_text("сохранён")
    page.get_by_label("Название").fill("Shipped today")
    page.get_by_label("Язык текста").select_option("en")
    page.get_by_label("Текст", exact=True).fill("Thank you for your order! It left our warehouse today.")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".inbox__item")).to_have_count(2)
    snap(page, "seller-quick-replies")
