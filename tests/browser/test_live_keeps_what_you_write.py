"""A case page refreshes itself when the case changes, but never under the hands of someone writing in it.

Two people have the same case open in real Chromium against a real uvicorn (live updates need
ASGI). When the buyer adds evidence, the seller's page that nobody has touched shows it by itself;
the page where the seller has started an answer keeps the answer, says the case changed and offers
to show the changes, and the answer can still be sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.conftest import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUYERS_NEWS = "The courier says the parcel went back to the depot"


@pytest.fixture
def world(transactional_db) -> Case:
    # The web process checks passwords with the real hashers, and keeps the real time.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        marketplace = factories.MarketplaceFactory(slug="market-default")
        shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
        buyer = factories.BuyerFactory(marketplace=marketplace, username="anna", display_name="Anna")
        factories.MembershipFactory(shop=shop, user__username="sam", user__display_name="Sam")
        now = clock.now()
        order = factories.OrderFactory(
            buyer=buyer,
            shop=shop,
            marketplace=marketplace,
            external_id="O-77",
            status=OrderStatus.SHIPPED,
            estimated_delivery_at=now - dt.timedelta(days=2),
        )
        factories.PaymentFactory(order=order, amount_minor=order.total_minor)
        with clock.frozen(now - dt.timedelta(days=3)):
            seller_contact_record(actor=Actor.for_user(buyer), order=order)
        return case_open(
            actor=Actor.for_user(buyer),
            order=order,
            case_type=CaseType.ITEM_NOT_RECEIVED,
            description="The parcel has not arrived",
        )


def test_a_live_update_keeps_the_sellers_unsent_answer_and_offers_the_changes(browser, base_url, world):
    case_url = f"{base_url}/cases/{world.pk}/"
    # The seller has the case open twice: one tab only reads, in the other they start an answer.
    seller = signed_in(browser, base_url, "sam")
    reading = seller.pages[0]
    reading.goto(case_url)
    writing = seller.new_page()
    writing.goto(case_url)
    writing.get_by_label("Full refund").check()
    writing.get_by_label("Message to the buyer").fill("Sorry about that: here is a full refund.")

    # The buyer adds to their side of the case.
    buyer = signed_in(browser, base_url, "anna").pages[0]
    buyer.goto(case_url)
    buyer.get_by_label("Add to your side of the case").fill(BUYERS_NEWS)
    buyer.get_by_role("button", name="Add").click()
    expect(buyer.get_by_text(BUYERS_NEWS)).to_be_visible()

    # The tab nobody touched shows the buyer's news by itself.
    expect(reading.get_by_text(BUYERS_NEWS)).to_be_visible(timeout=15_000)

    # The tab with the unsent answer keeps it, and says the case changed.
    notice = writing.get_by_role("status").filter(has_text="This changed while you were writing")
    expect(notice).to_be_visible(timeout=15_000)
    expect(writing.get_by_label("Full refund")).to_be_checked()
    expect(writing.get_by_label("Message to the buyer")).to_have_value("Sorry about that: here is a full refund.")
    expect(writing.get_by_text(BUYERS_NEWS)).to_have_count(0)

    # The answer can still be sent, and then the page shows everything.
    writing.get_by_role("button", name="Send").click()
    expect(writing.locator(".messages")).to_contain_text("Your answer was sent to the buyer.")
    expect(writing.get_by_text(BUYERS_NEWS)).to_be_visible()

    # "Show the changes" brings the news to a tab with an unsent edit, dropping the edit.
    other = seller.new_page()
    other.goto(case_url)
    other.get_by_label("Add to your side of the case").fill("Tracking: RA123456789RU")
    buyer.get_by_label("Add to your side of the case").fill("Still nothing at the depot")
    buyer.get_by_role("button", name="Add").click()
    expect(other.get_by_role("status").filter(has_text="This changed")).to_be_visible(timeout=15_000)
    other.get_by_role("button", name="Show the changes").click()
    expect(other.get_by_text("Still nothing at the depot")).to_be_visible()
    expect(other.get_by_label("Add to your side of the case")).to_have_value("")
