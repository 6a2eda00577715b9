"""The console's home is a dense queue: in real Chromium at 1280×800, rows at most 40 px, 15 or more above the fold,
50 to a page with a next page by keyset, and one navigation (no second bar repeating the first)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from marketdesk.cases.states import CaseStatus
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap
from tests.browser.test_console_journey import at_now  # noqa: F401 - the journeys' frozen Thursday noon
from tests.cases.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
HOUR = dt.timedelta(hours=1)
STATUSES = [CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO, CaseStatus.AWAITING_SELLER,
            CaseStatus.APPEALED]  # fmt: skip
SHOPS = ["Лавка Ткача", "Книжный двор", "Электроника на Полянке", "Сад и огород", "Детский мир у дома"]


@pytest.fixture
def world(transactional_db, request):
    """Sixty open cases of five shops, due from two hours overdue to a week ahead; two operators, one of them ours."""
    request.getfixturevalue("at_now")
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shops = [factories.ShopFactory(marketplace=marketplace, name=name) for name in SHOPS]
    ivan = factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Иван", language="ru")
    olga = factories.OperatorFactory(marketplace=marketplace, display_name="Ольга Смирнова", language="ru")
    for i in range(60):
        buyer = factories.BuyerFactory(marketplace=marketplace, display_name=f"Покупатель {i}", language="ru")
        order = factories.OrderFactory(marketplace=marketplace, shop=shops[i % 5], buyer=buyer, external_id=f"R-{i:05d}",
                                       total_minor=150_000 + i * 7_900, currency="RUB")  # fmt: skip
        due = NOW + (i * 3 - 2) * HOUR
        CaseFactory(order=order, status=STATUSES[i % 5], seller_due_at=due, decision_due_at=due, info_due_at=due,
                    escalated_at=NOW - 30 * HOUR, policy_version=1,
                    assignee=[None, ivan, olga][i % 3] if STATUSES[i % 5] != CaseStatus.AWAITING_SELLER else None)  # fmt: skip
    return ivan


def test_the_queue_is_dense_and_has_one_navigation(live_server, page: Page, world):
    # given an operator at 1280×800
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, "ivan")
    # when the console opens (its home is the queue)
    page.goto(f"{live_server.url}/console/")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(50)
    boxes = [rows.nth(i).bounding_box() for i in range(50)]
    # then
    assert max(box["height"] for box in boxes) <= 40, [round(box["height"]) for box in boxes]
    assert sum(1 for box in boxes if box["y"] + box["height"] <= 800) >= 15, [round(box["y"]) for box in boxes[:3]]
    assert page.locator("nav a[href='/console/dashboard/']").count() == 1
    last_section = page.locator("nav a[href='/console/audit/']").bounding_box()
    assert last_section["x"] + last_section["width"] <= 1280  # every section in sight, none scrolled away
    snap(page, "queue-full-page")
    page.locator("a[rel=next]").click()
    expect(rows).to_have_count(10)
    expect(page.locator("a[rel=prev]")).to_be_visible()
