"""Acceptance on simulated data: the simulator seeds abusive buyers, a scam seller, a ring of linked accounts and an
honest majority; the risk job flags exactly the abusers, and the operator sees each signal with the orders behind
it in the queue and the workspace, while the seller sees none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order, Shop
from marketdesk.risk.models import RiskSignal
from marketdesk.risk.selectors import risk_signals_for_party
from marketdesk.risk.services import risk_signals_refresh
from marketdesk.safety.models import MessageFlag

EPOCH = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
RISK_MARKS = ("data-risk", "Risk signals", "risk/recompute")


def numbers(*ns: int) -> list[str]:
    return [f"MD1-RISK-{n:04d}" for n in ns]


#: Written out by hand from the simulator's cast (simulator/abuse.py): who did what, on which orders, in order.
EXPECTED = {
    ("MD1-RISK-CLAIMER", "claim_rate"): (numbers(1, 2, 3, 4), ""),
    ("MD1-RISK-SIGNED", "inr_with_proof"): (numbers(5, 6), ""),
    ("MD1-RISK-QUICK", "quick_claims"): (numbers(7, 8), ""),
    ("MD1-RISK-LATE", "late_returns"): (numbers(15, 16, 17), ""),
    ("MD1-RISK-SWAPPER", "inspection_mismatch"): (numbers(18, 19), ""),
    ("MD1-RISK-RING-1", "shared_address"): (numbers(20, 21, 22, 23, 24, 25), "MD1-RISK-RING-2, MD1-RISK-RING-3"),
    ("MD1-RISK-RING-2", "shared_address"): (numbers(20, 21, 22, 23, 24, 25), "MD1-RISK-RING-1, MD1-RISK-RING-3"),
    ("MD1-RISK-RING-3", "shared_address"): (numbers(20, 21, 22, 23, 24, 25), "MD1-RISK-RING-1, MD1-RISK-RING-2"),
    ("MD1-RISK-RING-1", "shared_payment"): (numbers(20, 21, 22, 23), "MD1-RISK-RING-2"),
    ("MD1-RISK-RING-2", "shared_payment"): (numbers(20, 21, 22, 23), "MD1-RISK-RING-1"),
    ("MD1-RISK-SCAM-SHOP", "repeated_snad"): (numbers(26, 27, 28, 29), "SCAM-LAMP-01"),
    # The demo login ``buyer`` shows a case in every status on its dozen orders: five claims, a claim rate too.
    ("MD1-B000000", "claim_rate"): (["MD1-0000006", "MD1-0000018", "MD1-0000024", "MD1-0000054", "MD1-0000078"], ""),
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo marketplace with its abusers, and the risk job run once, rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command(
                "simulate", "--seed", "1", "--orders", "200", "--now", EPOCH.isoformat(), "--quiet", "--demo-accounts"
            )
            with clock.frozen(EPOCH + dt.timedelta(hours=1)):
                risk_signals_refresh()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def operator(seeded, db) -> User:
    return User.objects.get(username="operator")


def _party(signal: RiskSignal) -> str:
    return signal.buyer.external_id if signal.buyer_id else signal.shop.external_id


def test_the_job_flags_each_abuser_with_the_orders_behind_it_and_nobody_else(seeded, db):
    # when the signals are read back
    signals = RiskSignal.objects.select_related("buyer", "shop")
    found = {
        (_party(s), s.kind): (
            sorted(Order.objects.filter(pk__in=s.order_ids).values_list("external_id", flat=True)),
            s.detail,
        )
        for s in signals
    }

    # then
    assert found == EXPECTED


def test_the_honest_majority_is_there_and_unflagged(seeded, db):
    # given the generated buyers (with their own cases and returns, and households of two at one address)
    honest = (
        User.objects.filter(external_id__startswith="MD1-B", orders__isnull=False).exclude(username="buyer").distinct()
    )
    households = (
        Order.objects.filter(buyer__external_id__startswith="MD1-B")
        .values("delivery_address_hash")
        .annotate(accounts=Count("buyer", distinct=True))
        .filter(accounts=2)
    )

    # then
    assert honest.count() > 40
    assert Case.objects.filter(buyer__in=honest).count() >= 30
    assert households.exists()
    assert not RiskSignal.objects.filter(buyer__external_id__startswith="MD1-B", kind="shared_address").exists()
    assert not RiskSignal.objects.filter(buyer__in=honest).exists()
    assert not RiskSignal.objects.filter(shop__external_id__startswith="MD1-SHOP-").exists()


def test_the_queue_badges_each_abusive_buyers_case_and_the_scam_shops_but_no_honest_buyers(client, operator):
    # given
    client.force_login(operator)
    shop = Shop.objects.get(external_id="MD1-RISK-SHOP")
    scam = Shop.objects.get(external_id="MD1-RISK-SCAM-SHOP")

    # when
    pages = [client.get(reverse("console:queue"), {"seller": s.pk}) for s in (shop, scam)]

    # then four cases of the claimer, two of the signed-for buyer, two of the quick one, the late returner's three
    # open returns; the scam shop's four cases
    badges = [
        (p.content.decode().count('data-risk="buyer"'), p.content.decode().count('data-risk="seller"')) for p in pages
    ]
    assert [p.status_code for p in pages] == [200, 200]
    assert badges == [(4 + 2 + 2 + 3, 0), (0, 4)]


def test_the_workspace_shows_the_claimers_signal_with_its_orders(client, operator):
    # given
    client.force_login(operator)
    case = Case.objects.filter(buyer__external_id="MD1-RISK-CLAIMER").order_by("id").first()

    # when
    page = client.get(reverse("cases:workspace", args=[case.pk])).content.decode()

    # then
    assert 'data-risk-kind="claim_rate"' in page
    assert [n for n in numbers(1, 2, 3, 4) if n not in page] == []


def test_the_workspace_of_a_scam_victims_case_shows_the_sellers_listing_signal_and_nothing_on_the_buyer(
    client, operator
):
    # given
    client.force_login(operator)
    case = Case.objects.get(buyer__external_id="MD1-RISK-VICTIM-1")

    # when
    page = client.get(reverse("cases:workspace", args=[case.pk])).content.decode()

    # then
    assert page.count("data-risk-kind=") == 1
    assert ('data-risk-kind="repeated_snad"' in page, "SCAM-LAMP-01" in page) == (True, True)
    assert [n for n in numbers(26, 27, 28, 29) if n not in page] == []


def test_the_operator_reads_the_rings_signals_with_the_other_accounts(operator):
    # when
    signals = risk_signals_for_party(
        Actor.for_user(operator), buyer_id=User.objects.get(external_id="MD1-RISK-RING-3").pk
    )

    # then
    assert [(s.kind, s.detail) for s in signals] == [("shared_address", "MD1-RISK-RING-1, MD1-RISK-RING-2")]


def test_the_scam_sellers_off_platform_messages_were_flagged(seeded, db):
    # when
    flagged = MessageFlag.objects.filter(message__thread__order__shop__external_id="MD1-RISK-SCAM-SHOP")

    # then
    assert flagged.count() == 4


def test_the_scam_seller_sees_none_of_it(client, seeded, db):
    # given
    seller = User.objects.get(external_id="MD1-RISK-SCAM-SHOP-OWNER")
    client.force_login(seller)
    case = Case.objects.get(buyer__external_id="MD1-RISK-VICTIM-1")

    # when
    detail = client.get(reverse("cases:case_detail", args=[case.pk]))
    listing = client.get(reverse("cases:case_list"))
    workspace = client.get(reverse("cases:workspace", args=[case.pk]))
    recompute = client.post(reverse("risk:case_recompute", args=[case.pk]))

    # then
    assert [r.status_code for r in (detail, listing, workspace, recompute)] == [200, 200, 404, 404]
    assert [m for r in (detail, listing) for m in RISK_MARKS if m in r.content.decode()] == []
    assert risk_signals_for_party(Actor.for_user(seller), shop_id=case.shop_id) == []


def test_the_claimer_sees_none_of_it(client, seeded, db):
    # given
    buyer = User.objects.get(external_id="MD1-RISK-CLAIMER")
    client.force_login(buyer)
    case = Case.objects.filter(buyer=buyer).order_by("id").first()

    # when
    pages = [client.get(reverse("cases:case_detail", args=[case.pk])), client.get(reverse("cases:case_list"))]

    # then
    assert [p.status_code for p in pages] == [200, 200]
    assert [m for p in pages for m in RISK_MARKS if m in p.content.decode()] == []
