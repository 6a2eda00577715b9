"""Buyer protection end to end in real Chromium, in Russian.

The buyer opens an *item not received* case; the seller stays silent; the clock moves
three business days; the buyer escalates; the operator asks the buyer for information,
gets it, and decides a full refund paid by the seller. The ledger holds one entry, the
marketplace's receiver gets a ``case.decided`` webhook that ``standardwebhooks``
verifies, and the buyer reads the decision and its reasons.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from marketdesk.cases.models import Case, Decision
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import due_at
from marketdesk.core.outbox import outbox_sweep
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.conftest import sign_in
from tests.notifications.receiver import Receiver, receiver_running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    """One clock for the test and the live server's thread, moved by the test."""
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


@pytest.fixture
def world(transactional_db, at_now, receiver):
    """A late order whose buyer wrote to the seller three days ago, and the marketplace's webhook endpoint."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Ольга", language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Иван", language="ru")
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        external_id="O-42",
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - dt.timedelta(days=2),
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    with clock.frozen(NOW - dt.timedelta(days=3)):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate()
    )
    return order, endpoint


def snap(page: Page, name: str) -> None:
    """Keep a full-page screenshot when MARKETDESK_SCREENSHOTS names a folder (for looking, not for asserting)."""
    folder = os.environ.get("MARKETDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_item_not_received_case_from_opening_to_a_verified_decision_webhook(
    live_server, page: Page, world, at_now, receiver
):
    order, endpoint = world
    base = live_server.url

    # The buyer asks for help: the order has not arrived.
    sign_in(page, base, "olga")
    page.goto(f"{base}/orders/{order.pk}/")
    page.get_by_role("link", name="Нужна помощь").click()
    page.get_by_label("Опишите, что случилось").fill("Посылка так и не пришла, трек не обновляется уже неделю")
    page.get_by_label("Заказ не пришёл").check()
    page.get_by_role("button", name="Следующий шаг").click()
    page.get_by_role("button", name="Открыть спор").click()
    expect(page.get_by_role("heading", name=re.compile(r"Спор \d+"))).to_be_visible()
    expect(page.locator(".next-step")).to_contain_text("Продавец может ответить до указанной ниже даты")
    expect(page.locator(".next-step")).to_contain_text("осталось 3 рабочих дня")
    case = Case.objects.get(order=order)
    assert case.status == CaseStatus.AWAITING_SELLER
    snap(page, "case-buyer-opened")

    # The seller stays silent for three business days: the buyer escalates.
    at_now.at = due_at(NOW, business_days=3) + dt.timedelta(minutes=1)
    page.reload()
    page.get_by_role("button", name="Передать спор платформе").click()
    expect(page.locator(".messages")).to_contain_text("Спор передан платформе")

    # The operator takes it from the queue and asks the buyer for information.
    sign_in(page, base, "ivan")
    page.goto(f"{base}/console/")
    page.get_by_role("link", name=f"#{case.pk}").click()
    page.get_by_role("button", name="Начать рассмотрение").first.click()
    page.locator("[data-field=party]").get_by_label("Покупатель").check()
    page.get_by_label("Вопрос").fill("Пришлите, пожалуйста, снимок экрана с трекингом.")
    page.get_by_role("button", name="Отправить вопрос").click()
    expect(page.locator(".messages")).to_contain_text("Вопрос отправлен")
    snap(page, "case-workspace-asked")
    page.goto(f"{base}/console/")
    snap(page, "case-queue")

    # The buyer answers.
    sign_in(page, base, "olga")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Вопрос поддержки к вам")).to_be_visible()
    page.get_by_label("Ваш ответ").fill("Трекинг последний раз обновлялся 15 ноября, скриншот отправила продавцу.")
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.locator(".messages")).to_contain_text("Ваш ответ отправлен в поддержку")

    # The operator decides a full refund paid by the seller, from the rationale template.
    sign_in(page, base, "ivan")
    page.goto(f"{base}/console/cases/{case.pk}/")
    expect(page.locator(".sides")).to_contain_text("Трекинг последний раз обновлялся 15 ноября")
    decide = page.locator("[data-decision-form]")
    expect(decide.get_by_label("Итог")).to_have_value("buyer_full_refund")
    expect(decide.get_by_label("Кто платит")).to_have_value("seller")
    expect(decide.get_by_label("Обоснование (его читают обе стороны)")).to_have_value(
        re.compile("Мы изучили заказ O-42")
    )
    decide.get_by_label("Код причины").select_option("not_received_no_proof")
    snap(page, "case-workspace-deciding")
    decide.get_by_role("button", name="Записать решение").click()
    expect(page.locator(".messages")).to_contain_text("Решение записано")

    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.payer, decision.amount_minor) == (
        "buyer_full_refund",
        "seller",
        order.total_minor,
    )
    entries = list(LedgerEntry.objects.filter(order=order))
    assert [(e.payer, e.amount_minor) for e in entries] == [("seller", order.total_minor)]

    # The marketplace's receiver gets case.decided, signed per Standard Webhooks.
    outbox_sweep(older_than=dt.timedelta(0))
    decided = [r for r in receiver.received if json.loads(r.body)["type"] == "case.decided"]
    assert len(decided) == 1
    verified = Webhook(endpoint.secret).verify(decided[0].body, decided[0].headers)
    assert verified["data"]["case_id"] == case.pk
    assert (verified["data"]["outcome"], verified["data"]["payer"]) == ("buyer_full_refund", "seller")
    assert verified["data"]["amount_minor"] == order.total_minor

    # The buyer sees the decision and its reasons.
    sign_in(page, base, "olga")
    page.goto(f"{base}/cases/{case.pk}/")
    decision_card = page.locator(".decision")
    expect(decision_card).to_contain_text("Полный возврат денег покупателю")
    expect(decision_card).to_contain_text("Не получен: нет подтверждения доставки")
    expect(decision_card).to_contain_text("Мы изучили заказ O-42")
    expect(page.locator(".next-step")).to_contain_text("Его можно один раз обжаловать")
    snap(page, "case-buyer-decided")
