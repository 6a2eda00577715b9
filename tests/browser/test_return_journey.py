"""A return end to end in real Chromium.

The buyer requests an in-policy return (the scarf does not fit): it is approved at
once; the buyer downloads the label PDF, whose QR code a real decoder (zxing-cpp, over
the page rendered by PDFium) reads as the return authorization. The seller records the
parcel's receipt by that code, inspects it and refunds: the ledger holds the refund once,
and the marketplace's receiver gets ``return.refunded`` signed per Standard Webhooks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from marketdesk.core import clock
from marketdesk.core.outbox import outbox_sweep
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Return
from marketdesk.returns.states import ReturnStatus
from tests import factories
from tests.browser.test_case_journey import sign_in, snap
from tests.notifications.receiver import Receiver, receiver_running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


@pytest.fixture
def world(transactional_db, at_now, receiver):
    """An order delivered a week ago, its buyer and seller, and the marketplace's webhook endpoint."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Weaver's Corner")
    factories.MembershipFactory(shop=shop, user=factories.SellerFactory(marketplace=marketplace, username="sam"))
    buyer = factories.BuyerFactory(marketplace=marketplace, username="olga", display_name="Olga")
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        external_id="O-77",
        status=OrderStatus.DELIVERED,
        delivered_at=NOW - dt.timedelta(days=7),
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate()
    )
    return order, endpoint


def decode_pdf_qr(pdf: bytes) -> list[str]:
    """Render the PDF's first page as a printer would see it and read every QR code on it."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_in_policy_return_from_request_to_a_verified_refund_webhook(live_server, page: Page, world, receiver):
    order, endpoint = world
    base = live_server.url

    # The buyer returns the scarf: it does not fit, which the policy accepts at once.
    sign_in(page, base, "olga")
    page.goto(f"{base}/orders/{order.pk}/")
    page.get_by_role("link", name="Return an item").click()
    expect(page.locator(".page-subtitle")).to_contain_text("You can return items of this order until")
    page.get_by_label("Wool scarf").fill("1")
    page.get_by_label("Doesn't fit").check()
    page.get_by_label("Refund", exact=True).check()
    snap(page, "return-request")
    page.get_by_role("button", name="Request the return").click()
    expect(page.locator(".messages")).to_contain_text("Your return is approved")
    ret = Return.objects.get(order=order)
    assert ret.status == ReturnStatus.APPROVED
    expect(page.locator(".stages")).to_contain_text("Approved")
    expect(page.locator(".next-step")).to_contain_text("Ship back by")
    snap(page, "return-approved")

    # The label PDF downloads, and its QR code decodes to the return authorization.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the label (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert decode_pdf_qr(pdf) == [f"MDRA:{ret.code}"]

    # The seller scans the code at the warehouse desk, inspects and refunds.
    sign_in(page, base, "sam")
    page.goto(f"{base}/returns/")
    page.get_by_label("Scan the label's QR code or type the return code").fill(decode_pdf_qr(pdf)[0])
    page.get_by_role("button", name="Record receipt").click()
    expect(page.locator(".messages")).to_contain_text(f"Return {ret.code} is recorded as received")
    page.get_by_label("Condition of Wool scarf").select_option("as_new")
    snap(page, "return-inspecting")
    page.get_by_role("button", name="Record the inspection and refund").click()
    expect(page.locator(".messages")).to_contain_text("The inspection is recorded")
    expect(page.locator("[data-refund]")).to_contain_text("25.00")

    entries = list(LedgerEntry.objects.filter(order=order))
    assert [(e.kind, e.payer, e.amount_minor, e.decision_key) for e in entries] == [
        ("refund", "seller", 2500, f"return:{ret.pk}:refund")
    ]

    # The marketplace's receiver gets return.refunded, signed per Standard Webhooks, once.
    outbox_sweep(older_than=dt.timedelta(0))
    refunded = [r for r in receiver.received if json.loads(r.body)["type"] == "return.refunded"]
    assert len(refunded) == 1
    verified = Webhook(endpoint.secret).verify(refunded[0].body, refunded[0].headers)
    assert (verified["data"]["code"], verified["data"]["refund_minor"], verified["data"]["paid_by"]) == (
        ret.code,
        2500,
        "seller",
    )

    # The buyer sees every stage with its date, and the refund.
    sign_in(page, base, "olga")
    page.goto(f"{base}/returns/{ret.pk}/")
    expect(page.locator(".stages")).to_contain_text("Refunded")
    expect(page.locator(".stages .stage--done")).to_have_count(5)
    snap(page, "return-buyer-refunded")
