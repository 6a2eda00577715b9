"""Get help in real Chromium: a Russian-speaking buyer types the problem and is offered the fix, without a reload."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from playwright.sync_api import Page, expect

from marketdesk.helpcenter.content.loader import seed_load
from marketdesk.helpcenter.models import Article
from marketdesk.orders.states import OrderStatus
from marketdesk.triage.model import model_get
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"  # the factories' password


@pytest.fixture
def browser_locale() -> str:
    return "ru-RU"


@pytest.fixture
def help_articles(transactional_db) -> None:
    """The seeded help center (a transactional test before this one may have flushed it)."""
    if not Article.objects.filter(language="ru").exists():
        seed_load(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def triage_model_loaded() -> None:
    """Load the model before the journey, as the ASGI entry point does when a server starts."""
    model_get()


@pytest.fixture
def russian_buyer(transactional_db, help_articles, triage_model_loaded):
    """A Russian-speaking buyer with one delivered order."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Ольга", language="ru")
    factories.OrderFactory(
        buyer=buyer, shop=shop, marketplace=marketplace, external_id="O-7", status=OrderStatus.DELIVERED
    )
    return buyer


def test_buyer_types_the_problem_and_gets_the_item_fix_and_russian_articles(live_server, page: Page, russian_buyer):
    # given: the buyer is signed in and opens the order
    page.goto(f"{live_server.url}/sign-in/")
    page.locator("input[name=username]").fill("olga")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/orders/")
    page.get_by_role("link", name="O-7").click()
    expect(page.get_by_role("heading", name=re.compile("Заказ O-7"))).to_be_visible()

    # when: the buyer asks for help and types what happened
    page.get_by_role("link", name="Нужна помощь").click()
    expect(page.get_by_role("heading", name="Помощь с заказом")).to_be_visible()
    page.evaluate("window.__same_page = true")
    page.get_by_label("Опишите, что случилось").press_sequentially("посылка пришла разбитая, что делать", delay=20)

    # then: the item problem is preselected, with the damaged-item fix and Russian articles
    suggestion = page.locator("#help-suggestion")
    expect(suggestion.locator("[data-label=item_problem]")).to_be_visible()
    expect(suggestion).to_contain_text("Похоже, посылка")
    expect(suggestion).to_contain_text("Сфотографируйте товар и упаковку")
    expect(page.get_by_label("Товар пришёл повреждённым")).to_be_checked()
    articles = suggestion.locator(".suggestion__articles a[lang=ru]")
    expect(articles.first).to_be_visible()
    assert 1 <= articles.count() <= 3
    assert "/help/a/" in (articles.first.get_attribute("href") or "")
    # ... all without a page reload
    assert page.evaluate("window.__same_page === true")
    expect(page).to_have_url(re.compile(r"/orders/\d+/help/$"))
