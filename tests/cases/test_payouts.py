"""Money at stake on cases: held from the opening, released once when the case ends, keeping the seller's refunds."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import CaseType, OfferKind
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.decisions import case_close
from marketdesk.cases.services.offers import case_offer_accept, case_offer_make, case_withdraw
from marketdesk.cases.services.opening import case_open
from marketdesk.cases.services.scheduled import cases_expire_idle
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.ledger.models import PayoutHold
from marketdesk.ledger.payouts import payout_release
from marketdesk.notifications.models import WebhookDelivery
from tests.cases.conftest import CONTACTED_AT, EXPIRES, NOW, late_order
from tests.workers import fan_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_case(opened_case):
    """The opened case, its opening fanned out after commit as the worker does (which holds the money)."""
    fan_out()
    return opened_case


def holds() -> list[tuple[str, int, str, int | None, int | None]]:
    return list(
        PayoutHold.objects.order_by("id").values_list(
            "reason_type", "amount_minor", "status", "released_minor", "kept_minor"
        )
    )


def payout_events() -> list[tuple[str, str, int, int | None, int | None]]:
    return [
        (
            d.event_type,
            d.event_id,
            d.payload["data"]["amount_minor"],
            d.payload["data"]["released_minor"],
            d.payload["data"]["kept_minor"],
        )
        for d in WebhookDelivery.objects.filter(event_type__startswith="payout.").order_by("id")
    ]


def test_an_held_case_holds_the_whole_order(endpoint, held_case):
    hold = PayoutHold.objects.get()

    assert holds() == [("case", 2500, "held", None, None)]
    assert (hold.reason_id, hold.order_id, hold.shop_id) == (held_case.pk, held_case.order_id, held_case.shop_id)
    assert payout_events() == [("payout.hold", f"payout-{hold.pk}-hold", 2500, None, None)]


def test_a_case_about_one_line_holds_that_line(endpoint, marketplace, shop, buyer, buyer_actor):
    order = late_order(marketplace, shop, buyer)
    order.lines.create(external_id="L2", title="Felt hat", quantity=2, unit_price_minor=700, total_minor=1400)
    with clock.frozen(CONTACTED_AT) as at:
        seller_contact_record(actor=buyer_actor, order=order)
        at.advance(NOW - CONTACTED_AT)
        case_open(
            actor=buyer_actor,
            order=order,
            line=order.lines.get(external_id="L2"),
            case_type=CaseType.ITEM_NOT_RECEIVED,
            description="The hats never came.",
        )
    fan_out()

    assert holds() == [("case", 1400, "held", None, None)]


def test_a_withdrawn_case_releases_everything(endpoint, held_case, buyer_actor):
    case_withdraw(actor=buyer_actor, case=held_case)

    assert holds() == [("case", 2500, "released", 2500, 0)]
    hold = PayoutHold.objects.get()
    assert payout_events() == [
        ("payout.hold", f"payout-{hold.pk}-hold", 2500, None, None),
        ("payout.release", f"payout-{hold.pk}-release", 2500, 2500, 0),
    ]


def test_an_accepted_partial_refund_keeps_that_part_once_fanned_out(endpoint, held_case, buyer_actor, seller_actor):
    # given an accepted partial refund: the hold is released after commit, by the acceptance's fan-out
    case_offer_make(actor=seller_actor, case=held_case, kind=OfferKind.PARTIAL_REFUND, amount=Money(1000, "GBP"))
    case_offer_accept(actor=buyer_actor, case=held_case)
    held_until_fanned_out = holds()

    # when the worker fans the steps out
    fan_out()

    # then the refund is kept back and the rest released, once
    assert held_until_fanned_out == [("case", 2500, "held", None, None)]
    assert holds() == [("case", 2500, "released", 1500, 1000)]
    assert [kind for kind, *_rest in payout_events()] == ["payout.hold", "payout.release"]


def test_an_accepted_replacement_keeps_nothing(endpoint, held_case, buyer_actor, seller_actor):
    case_offer_make(actor=seller_actor, case=held_case, kind=OfferKind.REPLACEMENT)
    case_offer_accept(actor=buyer_actor, case=held_case)
    fan_out()

    assert holds() == [("case", 2500, "released", 2500, 0)]


def test_an_offer_accepted_before_the_opening_was_fanned_out_holds_nothing(
    endpoint, opened_case, buyer_actor, seller_actor
):
    # given an offer made and accepted before the worker fanned the opening out
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.PARTIAL_REFUND, amount=Money(1000, "GBP"))
    case_offer_accept(actor=buyer_actor, case=opened_case)

    # when the worker fans out the opening, the offer and its acceptance, in order
    fan_out()

    # then nothing was held (the case had ended), so nothing is released
    assert holds() == []


def test_a_decided_case_stays_held_while_it_may_be_appealed(endpoint, decided):
    assert holds() == [("case", 2500, "held", None, None)]


def test_closing_a_decided_case_keeps_the_refund_decided_against_the_seller(endpoint, decided, at_now):
    at_now.advance(decided.appeal_due_at - clock.now() + dt.timedelta(minutes=1))
    case_close(actor=Actor.system(), case=decided)

    assert holds() == [("case", 2500, "released", 0, 2500)]
    assert [kind for kind, *_rest in payout_events()] == ["payout.hold", "payout.release"]


def test_an_idle_case_that_expires_releases_everything(endpoint, held_case):
    cases_expire_idle(now=EXPIRES)

    assert holds() == [("case", 2500, "released", 2500, 0)]


def test_a_repeated_release_changes_nothing_and_sends_nothing(endpoint, held_case, buyer_actor):
    case_withdraw(actor=buyer_actor, case=held_case)

    payout_release(reason_type="case", reason_id=held_case.pk, kept_minor=2500)

    assert holds() == [("case", 2500, "released", 2500, 0)]
    assert [kind for kind, *_rest in payout_events()] == ["payout.hold", "payout.release"]


def test_the_marketplace_hears_the_hold_and_its_release_signed(backend, order, buyer):
    # Given a case opened through the API, after the buyer contacted the seller
    with clock.frozen(CONTACTED_AT) as at:
        backend.post(f"/orders/{order.external_id}/seller-contact", {})
        at.advance(NOW - CONTACTED_AT)
        opening = {"order": order.external_id, "case_type": "item_not_received", "description": "No parcel."}
        case = backend.post("/cases", opening, 201)
        # Then the marketplace hears the hold, verified against the endpoint's secret
        heard = backend.hears()
        hold = PayoutHold.objects.get()
        assert [kind for kind, _data in heard] == ["payout.hold", "case.opened"]
        assert heard[0][1] == {
            "hold_id": hold.pk,
            "order": order.external_id,
            "shop": order.shop.external_id,
            "reason": {"type": "case", "id": case["id"]},
            "status": "held",
            "amount_minor": 2500,
            "currency": "GBP",
            "held_at": "2026-11-26T12:00:00Z",
            "released_at": None,
            "released_minor": None,
            "kept_minor": None,
        }

        # When the buyer withdraws the case
        at.advance(dt.timedelta(hours=2))
        backend.post(f"/cases/{case['id']}/withdraw", {"buyer": buyer.external_id})

        # Then the release is heard once, with everything released
        released = [(kind, data) for kind, data in backend.hears() if kind.startswith("payout.")]
        assert [(kind, data["released_minor"], data["kept_minor"], data["released_at"]) for kind, data in released] == [
            ("payout.release", 2500, 0, "2026-11-26T14:00:00Z")
        ]


def test_a_case_withdrawn_before_its_opening_is_fanned_out_holds_nothing(endpoint, opened_case, buyer_actor):
    case_withdraw(actor=buyer_actor, case=opened_case)

    fan_out()

    assert holds() == []


def test_a_fanout_run_again_holds_once(endpoint, held_case):
    from marketdesk.cases.fanout import FANOUT_TOPIC
    from marketdesk.core.models import OutboxMessage
    from marketdesk.core.outbox import outbox_deliver

    outbox_deliver(OutboxMessage.objects.get(topic=FANOUT_TOPIC).pk)

    assert holds() == [("case", 2500, "held", None, None)]
    assert [kind for kind, *_rest in payout_events()] == ["payout.hold"]
