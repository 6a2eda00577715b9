"""The queue fits the screen: at 1280 and at 1024 px wide, in English and in Russian, no column of the queue runs off
the right edge (the page scrolls down, never sideways), on a page with the widest rows the queue draws, each row within 40 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from marketdesk.accounts.models import User
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor
from marketdesk.risk.models import RiskKind, RiskSignal
from marketdesk.standards.services import enforcement_apply
from marketdesk.standards.states import EnforcementKind
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
SHOPS = ["Электроника и бытовая техника на Полянке", "Детский мир у дома — игрушки и одежда"]


@pytest.fixture
def world(transactional_db, request):
    """Ten open cases of two long-named shops, one restricted and flagged, their buyers flagged; two operators
    with long names, one speaking English, one Russian."""
    request.getfixturevalue("at_now")
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shops = [factories.ShopFactory(marketplace=marketplace, name=name) for name in SHOPS]
    factories.OperatorFactory(marketplace=marketplace, username="john", display_name="John Fitzgerald-Whitmore",
                              language="en")  # fmt: skip
    olga = factories.OperatorFactory(marketplace=marketplace, username="olga", display_name="Ольга Константиновна",
                                     language="ru")  # fmt: skip
    enforcer = factories.OperatorFactory(marketplace=marketplace)
    enforcer.user_permissions.add(Permission.objects.get(codename="apply_enforcement"))
    enforcement_apply(actor=Actor.for_user(User.objects.get(pk=enforcer.pk)), shop=shops[0],
                      kind=EnforcementKind.RESTRICTION, reason="Defects.")  # fmt: skip
    RiskSignal.objects.create(shop=shops[0], kind=RiskKind.REPEATED_NOT_AS_DESCRIBED)
    for i in range(10):
        buyer = factories.BuyerFactory(marketplace=marketplace, language=["ru", "en"][i % 2])
        RiskSignal.objects.create(buyer=buyer, kind=RiskKind.NOT_RECEIVED_WITH_PROOF)
        order = factories.OrderFactory(marketplace=marketplace, shop=shops[i % 2], buyer=buyer,
                                       external_id=f"MARKET-2026-{i:08d}", total_minor=12_345_678_00, currency="RUB")  # fmt: skip
        due = NOW + (i * 30 - 2) * HOUR
        CaseFactory(order=order, status=STATUSES[i % 5], seller_due_at=due, decision_due_at=due, info_due_at=due,
                    escalated_at=NOW - 30 * HOUR, policy_version=1,
                    assignee=olga if STATUSES[i % 5] != CaseStatus.AWAITING_SELLER and i % 2 else None)  # fmt: skip


@pytest.mark.parametrize("username", ["john", "olga"])
@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)], ids=["1280", "1024"])
def test_the_queue_is_no_wider_than_the_screen(live_server, page: Page, world, username, size):
    # given an operator (English or Russian) on a 1280 or 1024 px wide screen
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server.url, username)
    # when the console's queue opens
    page.goto(f"{live_server.url}/console/")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(10)
    snap(page, f"queue-{username}-{width}")
    # then the table and each of its columns end inside the screen, and the page does not scroll sideways
    table = page.locator("table.table--queue").bounding_box()
    assert table["x"] + table["width"] <= width, (table, width)
    ends = page.locator("table.table--queue th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().right)"
    )
    assert max(ends) <= width, (ends, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # and the rows stay dense: what moved to a second line keeps each within 40 px
    heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) <= 40, heights
