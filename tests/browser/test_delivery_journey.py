"""Delivery in real Chromium: a stalled parcel shows why it is late, and the address cannot change in transit."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.states import OrderStatus
from marketdesk.shipping.ingest import tracking_events_ingest
from marketdesk.shipping.models import Carrier, DeliveryChangeRequest
from marketdesk.shipping.services import AddressData, shipment_create, shipment_flags_recompute
from marketdesk.simulator.shipping import carrier_stream
from tests import factories
from tests.shipping.conftest import carriers_ensure, worker_ran

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"  # the factories' password


@pytest.fixture
def stalled_order(transactional_db):
    """A buyer whose Evri parcel was last scanned eight days ago (now is the real clock)."""
    carriers_ensure()
    marketplace = factories.MarketplaceFactory(slug="market-default")
    buyer = factories.BuyerFactory(marketplace=marketplace, username="ann", display_name="Ann")
    order = factories.OrderFactory(
        marketplace=marketplace,
        buyer=buyer,
        external_id="O-42",
        status=OrderStatus.SHIPPED,
        placed_at=clock.now() - dt.timedelta(days=10),
        estimated_delivery_at=clock.now() - dt.timedelta(days=3),
    )
    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    evri = Carrier.objects.get(code="evri")
    shipment = shipment_create(
        actor=actor,
        order=order,
        carrier=evri,
        tracking_number="EV-STALLED",
        address=AddressData("Ann", "1 High Street", "", "London", "N1 1AA", "GB"),
        estimated_to=clock.now() - dt.timedelta(days=3),
        time_zone="Europe/London",
    )
    start = clock.now() - dt.timedelta(days=9)
    rows = carrier_stream(carrier=evri, tracking_number=shipment.tracking_number, path="stalled", start=start)
    tracking_events_ingest(actor=actor, rows=rows)
    worker_ran()  # the worker folds the events into the parcel after commit
    shipment_flags_recompute(actor=Actor.system())
    return order


def test_stalled_parcel_explains_itself_and_the_address_cannot_change_in_transit(
    live_server, page: Page, stalled_order
):
    # given: the buyer signs in and opens the order
    page.goto(f"{live_server.url}/sign-in/")
    page.locator("input[name=username]").fill("ann")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.get_by_role("link", name="O-42").click()

    # then: the stalled hint says why the order is late and what to do
    hint = page.locator("[data-hint=late_order][data-cause=stalled]")
    expect(hint).to_contain_text("Your parcel is stalled: it has not been scanned for 8 days")
    expect(hint.get_by_role("link", name="Ask the seller to check")).to_be_visible()

    # when: the buyer follows the change-address hint
    page.locator("[data-hint=change_address]").get_by_role("link", name="Track the parcel").click()
    expect(page.get_by_role("heading", name="Evri parcel EV-STALLED")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_have_text("On its way")
    page.goto(f"{live_server.url}/shipments/{stalled_order.shipments.get().pk}/change/")

    # then: before asking, the buyer is told it is not possible in transit with this carrier
    verdict = page.get_by_test_id("change-verdict")
    expect(verdict).to_contain_text("It cannot be changed now")
    expect(verdict).to_contain_text("Evri cannot redirect parcels on their way")
    expect(page.get_by_role("button", name="Send the request")).to_have_count(0)
    assert DeliveryChangeRequest.objects.count() == 0
