"""The operator console in real Chromium: work the queue by keyboard, claim the case at risk, answer with a
Russian macro, decide; the dashboard's charts show the decision and the audit trail lists each step.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from marketdesk.cases.models import Case, Decision
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import AuditEntry, Macro
from marketdesk.core import clock
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.conftest import sign_in
from tests.cases.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
HOUR = dt.timedelta(hours=1)
MACRO = "Здравствуйте, {buyer_name}! Мы проверили заказ {order}: посылка не доставлена, вернём {amount}."


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


def _case(marketplace, shop, buyer, external_id: str, *, escalated_ago: dt.timedelta, status: str) -> Case:
    order = factories.OrderFactory(
        marketplace=marketplace, shop=shop, buyer=buyer, external_id=external_id, status=OrderStatus.SHIPPED
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    escalated = NOW - escalated_ago
    return CaseFactory(
        order=order,
        status=status,
        opened_at=escalated - 80 * HOUR,
        escalated_at=escalated,
        decision_due_at=escalated + 48 * HOUR,
        policy_version=1,
    )


@pytest.fixture
def world(transactional_db, at_now):
    """Two cases waiting for support: one due in 18 hours (at risk), one just escalated; a Russian macro."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Лавка Ткача")
    buyer = factories.BuyerFactory(marketplace=marketplace, display_name="Ольга", language="ru")
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Ivan")
    fresh = _case(marketplace, shop, buyer, "O-7", escalated_ago=HOUR, status=CaseStatus.ESCALATED)
    at_risk = _case(marketplace, shop, buyer, "O-42", escalated_ago=30 * HOUR, status=CaseStatus.UNDER_REVIEW)
    Macro.objects.create(title="Полный возврат", language="ru", body=MACRO)
    return at_risk, fresh


def snap(page: Page, name: str) -> None:
    """Keep a full-page screenshot when MARKETDESK_SCREENSHOTS names a folder (for looking, not for asserting)."""
    folder = os.environ.get("MARKETDESK_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_operator_works_the_queue_by_keyboard_and_decides_with_a_russian_macro(live_server, page: Page, world):
    at_risk, _fresh = world
    base = live_server.url
    sign_in(page, base, "ivan")

    # The queue: the case at risk first; the help opens with "?".
    page.goto(f"{base}/console/?view=at_risk")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(1)
    page.goto(f"{base}/console/")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(f"#{at_risk.pk}")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    snap(page, "console-queue")

    # j selects the first case, c claims it; the queue says who works on it now.
    page.keyboard.press("j")
    expect(rows.first).to_have_class("is-current")
    page.keyboard.press("c")
    expect(page.locator(".messages")).to_contain_text(f"Case {at_risk.pk} is yours.")
    expect(rows.first.locator(".assignee")).to_have_text("Ivan")
    assert Case.objects.get(pk=at_risk.pk).assignee.username == "ivan"

    # o opens it; the Russian macro fills in the rationale with the case's details.
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name=f"Case {at_risk.pk}")).to_be_visible()
    decide = page.locator("[data-decision-form]")
    rationale = decide.get_by_label("Rationale (both parties read it)")
    rationale.fill("")
    decide.locator("[data-macro-select]").select_option(label="RU · Полный возврат")
    decide.get_by_role("button", name="Insert macro").click()
    expect(rationale).to_have_value(
        "Здравствуйте, Ольга! Мы проверили заказ O-42: посылка не доставлена, вернём 25,00\xa0£."
    )
    decide.get_by_label("Reason code").select_option("not_received_no_proof")
    snap(page, "console-workspace-macro")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messages")).to_contain_text("The decision was recorded")
    decision = Decision.objects.get(case=at_risk)
    assert decision.rationale.startswith("Здравствуйте, Ольга!")

    # The dashboard: today's "decided" bar is 1 and the SLA was met.
    page.goto(f"{base}/console/dashboard/?period=7")
    expect(page.locator("[data-chart=per_day] rect.chart__bar--1").last).to_have_attribute("data-value", "1")
    expect(page.locator("[data-metric=sla]")).to_have_text("100 %")
    # Its bars are drawn (an inline span had no height), and the Refunded figure stays inside its card.
    fill = page.locator(".hbar__fill").first.bounding_box()
    assert fill is not None
    assert fill["height"] > 0
    refunds = page.locator("[data-metric=refunds]").bounding_box()
    card = page.locator(".stat", has=page.locator("[data-metric=refunds]")).bounding_box()
    assert refunds is not None
    assert card is not None
    assert refunds["x"] + refunds["width"] <= card["x"] + card["width"]
    snap(page, "console-dashboard")

    # The audit trail lists each step, newest first (the workspace seen again after deciding is a view too).
    page.goto(f"{base}/console/audit/")
    listed = page.locator("tr[data-audit-action]")
    expect(listed).to_have_count(5)
    actions = listed.evaluate_all("rows => rows.map(r => r.dataset.auditAction)")
    assert actions == ["case.viewed", "case.decided", "macro.used", "case.viewed", "case.claim"]
    assert AuditEntry.objects.filter(actor_user__username="ivan").count() == 5
    snap(page, "console-audit")
