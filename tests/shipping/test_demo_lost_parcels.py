"""The lost-parcel flow as the demo shows it: the seeded marketplace has stalled parcels, and the operator asks the carrier."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from marketdesk.accounts.models import User
from marketdesk.shipping.models import LostParcelInvestigation, Shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_operator() -> Client:
    # The demo's own seeding (`marketdesk demo` runs this with its defaults: seed 1, 300 orders).
    call_command("simulate", "--seed", "1", "--orders", "300", "--demo-accounts", "--quiet")
    client = Client()
    client.force_login(User.objects.get(username="operator"))
    return client


def test_the_operator_of_the_demo_opens_an_inquiry_on_a_stalled_parcel(demo_operator):
    # given the seeded demo, whose simulator leaves parcels without a scan for days and some likely lost
    assert Shipment.objects.filter(stalled=True).exists()
    assert Shipment.objects.filter(likely_lost=True).exists()

    # when the operator opens the stalled parcels from the console and the first one listed
    listing = demo_operator.get("/console/parcels/?flag=stalled")
    first = re.search(r'href="/console/parcels/(\d+)/"', listing.content.decode())
    assert listing.status_code == 200
    assert first is not None
    parcel_page = demo_operator.get(f"/console/parcels/{first.group(1)}/")

    # then the parcel offers the inquiry, and asking for it opens one with the carrier's deadline
    assert "Open an inquiry with the carrier" in parcel_page.content.decode()
    answer = demo_operator.post(f"/console/parcels/{first.group(1)}/investigate/")
    assert answer.status_code == 302
    inquiry = LostParcelInvestigation.objects.get(shipment_id=int(first.group(1)))
    assert inquiry.shipment.stalled
    assert inquiry.due_at > inquiry.opened_at
    assert "The inquiry with the carrier is open." in demo_operator.get(answer["Location"]).content.decode()
