"""The demo as a real integration, in Chromium: storefront → Get help → OpenID round trip → a case, answered.

Real processes on loopback: ``marketdesk demo`` runs marketdesk and the simulated marketplace's
storefront, a django-oauth-toolkit OpenID provider, each on its own port. The buyer signs in at the
storefront and presses Get help on one of their orders; marketdesk signs them in through the provider
and shows that order's Get help page, where they open a case. The seller signs in to marketdesk with
the same provider and answers it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screenshots import snap
from tests.demo_process import Demo, demo_running

pytestmark = [pytest.mark.browser]

# Run inside the demo's own environment: choose an order of the demo buyer on which the Get help page
# lets a case open now (the seed's seller contacts are days old), and make the demo seller a member of
# its shop, as the marketplace's provisioning would. Prints the order's id, number and reason label.
GIVEN = """
import json
from marketdesk.accounts.models import MembershipRole, User
from marketdesk.accounts.services import shop_membership_put
from marketdesk.cases.help_paths import SUB_REASONS
from marketdesk.orders.situation import order_situation
buyer = User.objects.get(username="buyer")
found = [
    (order, sub)
    for order in buyer.orders.order_by("-placed_at")[:20]
    for sub in SUB_REASONS.values()
    if order_situation(order).case_option(sub.case_type).allowed
]
order, sub = found[0]
shop_membership_put(user=User.objects.get(username="seller"), shop=order.shop, role=MembershipRole.STAFF)
print(json.dumps([order.pk, order.external_id, str(sub.label)]))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # The ticker is slowed right down so the chosen order stays as it is during the journey.
    with demo_running(tmp_path_factory.mktemp("oidc-demo"), "--orders", "60", "--every", "600") as running:
        yield running


def given(demo: Demo) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    cli = Path(sys.executable).with_name("marketdesk")
    done = subprocess.run(
        [str(cli), "shell", "-c", GIVEN],
        env={**env, "MARKETDESK_VAR_DIR": str(demo.var)},
        capture_output=True,
        text=True,
        check=True,
    )
    order_pk, order_number, reason = json.loads(done.stdout.strip().splitlines()[-1])
    return int(order_pk), str(order_number), str(reason)


def storefront_sign_in(page: Page, demo: Demo, username: str) -> None:
    page.goto(f"{demo.storefront_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()


def test_buyer_gets_help_from_the_storefront_and_the_seller_answers_through_the_same_provider(
    page: Page, demo: Demo
) -> None:
    order_pk, order_number, reason = given(demo)

    # The buyer signs in at the marketplace's storefront and presses Get help on the order.
    storefront_sign_in(page, demo, "buyer")
    snap(page, "oidc-storefront-orders")
    page.get_by_role("row", name=re.compile(order_number)).get_by_role("link", name="Get help").click()

    # The OpenID round trip lands them, signed in, on that order's Get help page in marketdesk.
    expect(page).to_have_url(f"{demo.url}/orders/{order_pk}/help/")
    expect(page.get_by_role("heading", name="Get help with this order")).to_be_visible()
    snap(page, "oidc-get-help")
    page.get_by_label("Describe what happened").fill("I need help with this order, the seller has not solved it")
    page.get_by_label(reason).check()
    page.get_by_role("button", name="Next step").click()
    page.get_by_role("button", name="Open a case").click()
    expect(page.get_by_role("heading", name=re.compile(r"Case \d+"))).to_be_visible()
    case_url = page.url

    # Signing out of marketdesk signs out at the provider too, and comes back to marketdesk's sign-in page.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(demo.url)}/sign-in/(\?state=[\w-]+)?$"))
    page.goto(f"{demo.storefront_url}/")
    expect(page.get_by_role("heading", name="Sign in to the storefront")).to_be_visible()

    # The seller opens the case's address, chooses the marketplace on marketdesk's sign-in page and answers.
    page.goto(case_url)
    page.get_by_role("link", name="Sign in with Demo Market").click()
    page.get_by_label("Username").fill("seller")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(case_url)
    page.get_by_label("Full refund").check()
    page.get_by_label("Message to the buyer").fill("Sorry about that: here is a full refund.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Your answer was sent to the buyer.")
    snap(page, "oidc-seller-answered")
