"""Every page of every role in real Chromium under the Content-Security-Policy: not one violation.

Chromium reports a refused script, style, image or frame twice: as a ``securitypolicyviolation``
event in the page and as a console error. Both are collected on every page, after its scripts have
run; the test fails on any. An inline handler, a style attribute, an inline ``<style>`` that htmx
injects, a CDN script on the API docs: each would be refused and reported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.test_case_journey import sign_in  # signs in afresh (cookies cleared)
from tests.cases.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def world(transactional_db, at_now) -> dict[str, object]:
    """One marketplace with a buyer, a seller, an operator and an administrator; an escalated case."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace)
    buyer = factories.BuyerFactory(marketplace=marketplace, username="buyer")
    seller = factories.SellerFactory(marketplace=marketplace, username="seller")
    factories.MembershipFactory(user=seller, shop=shop)
    factories.OperatorFactory(marketplace=marketplace, username="operator")
    factories.AdminFactory(marketplace=marketplace, username="admin")
    order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED)
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    case = CaseFactory(
        order=order,
        status=CaseStatus.ESCALATED,
        opened_at=NOW - 80 * HOUR,
        escalated_at=NOW - HOUR,
        decision_due_at=NOW + 47 * HOUR,
        policy_version=1,
    )
    return {"order": order.pk, "case": case.pk, "shop": shop.pk}


def pages_by_role(ids: dict[str, object]) -> dict[str, list[str]]:
    order, case, shop = ids["order"], ids["case"], ids["shop"]
    return {
        "": [
            reverse("web:login"),
            reverse("web:password_reset"),
            reverse("helpcenter:home"),
            "/api/v1/docs",
        ],
        "buyer": [
            reverse("web:home"),
            reverse("web:buyer_orders"),
            reverse("web:order_detail", args=[order]),
            reverse("cases:get_help", args=[order]),
            reverse("cases:case_list"),
            reverse("cases:case_detail", args=[case]),
            reverse("messaging:inbox"),
            reverse("messaging:conversation", args=[order]),
            reverse("messaging:history"),
            reverse("returns:return_start", args=[order]),
            reverse("returns:return_list"),
            reverse("notifications:list"),
            reverse("notifications:preferences"),
            reverse("helpcenter:home"),
        ],
        "seller": [
            reverse("web:seller_orders"),
            reverse("web:seller_order_detail", args=[order]),
            reverse("cases:case_detail", args=[case]),
            reverse("messaging:conversation", args=[order]),
            reverse("messaging:quick_replies"),
            reverse("standards:seller"),
        ],
        "operator": [
            reverse("web:operator_home"),
            reverse("web:console_order_detail", args=[order]),
            reverse("cases:workspace", args=[case]),
            reverse("console:queue"),
            reverse("console:dashboard"),
            reverse("console:audit"),
            reverse("console:macros"),
            reverse("console:satisfaction"),
            reverse("shipping:console_parcels"),
            reverse("standards:overview"),
            reverse("standards:shop", args=[shop]),
        ],
        "admin": [
            reverse("web:admin_home"),
            reverse("console:macro_new"),
            "/admin/",
            "/api/v1/docs",
        ],
    }


def test_no_page_of_any_role_breaks_the_content_security_policy(live_server, page: Page, world):
    base = live_server.url
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(LISTEN)
    violations: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}

    for role, urls in pages_by_role(world).items():
        page.context.clear_cookies()
        if role:
            sign_in(page, base, role)
        for url in urls:
            response = page.goto(base + url)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # scripts run on DOMContentLoaded and after; violations are reported async
            statuses[f"{role} {url}"] = response.status if response else 0
            found = page.evaluate("window.__csp") + console_errors
            console_errors.clear()
            if found:
                violations[f"{role} {url}"] = found

    assert violations == {}
    assert {k: v for k, v in statuses.items() if v != 200} == {}
