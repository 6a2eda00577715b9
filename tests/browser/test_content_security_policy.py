"""Every page of every role in real Chromium under the Content-Security-Policy: not one violation.

The pages are what each role's navigation reaches (the crawl of ``tests/crawler.py``, one page per
URL shape), and those no link leads to: signing in and out, the API docs, Django admin's index, a
change form and an add form, the error page.

Chromium reports a refused script, style, image or frame twice: as a ``securitypolicyviolation``
event in the page and as a console error. Both are collected on every page, after its scripts have
run; the test fails on any. An inline handler, a style attribute, an inline ``<style>`` that htmx
injects, a CDN script on the API docs: each would be refused and reported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from marketdesk.accounts.models import User
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.test_case_journey import sign_in  # signs in afresh (cookies cleared)
from tests.cases.factories import CaseFactory
from tests.crawler import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("buyer", "seller", "operator", "admin")
MAX_PAGES = 40  # per role: one page per URL shape, so this is every kind of page the role reaches

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
    admin = factories.AdminFactory(marketplace=marketplace, username="admin")
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
    return {"order": order.pk, "case": case.pk, "shop": shop.pk, "admin": admin.pk}


# Pages no navigation leads to, with the status each answers: signing in, the API docs, Django admin's
# index, a change form and an add form, and the error page (the crawl adds what each role can reach).
def pages_beyond_navigation(ids: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    return {
        "": [
            (reverse("web:login"), 200),
            (reverse("web:password_reset"), 200),
            (reverse("helpcenter:home"), 200),
            ("/api/v1/docs", 200),
            ("/no-such-page/", 404),
        ],
        "buyer": [("/no-such-page/", 404), (reverse("cases:case_detail", args=[ids["case"]]), 200)],
        "seller": [(reverse("cases:case_detail", args=[ids["case"]]), 200)],
        "operator": [(reverse("cases:workspace", args=[ids["case"]]), 200)],
        "admin": [
            ("/admin/", 200),
            (reverse("admin:orders_order_change", args=[ids["order"]]), 200),
            (reverse("admin:helpcenter_article_add"), 200),
            (reverse("admin:accounts_user_change", args=[ids["admin"]]), 200),
            ("/api/v1/docs", 200),
        ],
    }


def navigation_pages(username: str) -> list[str]:
    """Every page the person's navigation and its pages lead to (one per URL shape), as the crawl finds them."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    return [path for path, _response in crawl(client, max_pages=MAX_PAGES)]


def visit(page: Page, url: str, console_errors: list[str]) -> tuple[int, list[str]]:
    """Open a page, let its scripts run, and return its status and every CSP violation reported meanwhile."""
    response = page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # scripts run on DOMContentLoaded and after; violations are reported async
    found = page.evaluate("window.__csp") + console_errors
    console_errors.clear()
    return (response.status if response else 0), found


def test_no_page_of_any_role_breaks_the_content_security_policy(live_server, page: Page, world):
    # Given Chromium listening for CSP violations (the page's event and the console's error),
    base = live_server.url
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(LISTEN)
    violations: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    expected: dict[str, int] = {}

    # when each role signs in, opens every page its navigation reaches and the pages beyond it, and signs out,
    for role, extra in pages_beyond_navigation(world).items():
        urls = [(url, None) for url in navigation_pages(role)] if role else []
        if role:
            sign_in(page, base, role)
            found = page.evaluate("window.__csp") + console_errors  # the sign-in form and the page after it
            console_errors.clear()
            if found:
                violations[f"{role} sign-in"] = found
        for url, status in urls + extra:
            key = f"{role} {url}"
            statuses[key], found = visit(page, base + url, console_errors)
            if status is not None:
                expected[key] = status
            if found:
                violations[key] = found
        if role:
            page.goto(base + "/")  # the role's home, with the sign-out button
            page.locator("form[action='/sign-out/'] button").click()
            page.wait_for_url(lambda url: "/sign-out/" not in url)
            page.wait_for_load_state("load")
            found = page.evaluate("window.__csp") + console_errors
            console_errors.clear()
            if found:
                violations[f"{role} sign-out"] = found

    # then Chromium reported no violation anywhere, on a real walk of every role's pages.
    assert violations == {}
    assert {key: statuses[key] for key in expected} == expected
    assert {key: status for key, status in statuses.items() if status >= 500} == {}
    assert {role: sum(1 for key in statuses if key.startswith(f"{role} ")) > 4 for role in ROLES} == dict.fromkeys(
        ROLES, True
    )
