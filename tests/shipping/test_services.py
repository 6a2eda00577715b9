"""Services of delivery beyond the ingest: shipment creation, mappings, lost parcels, carrier claims."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.ledger.models import LedgerEntry
from marketdesk.shipping.models import CarrierClaim, Shipment, TrackingEvent
from marketdesk.shipping.selectors import unmapped_statuses
from marketdesk.shipping.services import (
    carrier_mapping_save,
    lost_parcel_investigate,
    lost_parcel_resolve,
    shipment_create,
    shipment_flags_recompute,
)
from marketdesk.shipping.states import InvestigationStatus
from tests.core.transition_matrix import timeline_of
from tests.shipping.conftest import HOUR, START, ingest, make_shipment, stream

DAY = dt.timedelta(days=1)


def test_split_shipments_carry_their_own_lines(order, evri, seller):
    line = order.lines.get()

    first = make_shipment(order, evri, "EV-A", actor=Actor.for_user(seller))

    assert [(sl.line_id, sl.quantity) for sl in first.lines.all()] == [(line.pk, 1)]
    assert first.ship_by is not None


@pytest.mark.parametrize(
    ("who", "error"), [("buyer", PermissionDenied), ("other_seller", NotFound), ("other_market", NotFound)]
)
def test_shipment_create_is_refused_to_others(order, evri, buyer, request, who, error, other_marketplace, marketplace):
    from tests import factories

    actors = {
        "buyer": lambda: Actor.for_user(buyer),
        "other_seller": lambda: Actor.for_user(factories.MembershipFactory().user),
        "other_market": lambda: Actor.marketplace(marketplace_id=other_marketplace.pk),
    }

    with pytest.raises(error):
        make_shipment(order, evri, actor=actors[who]())

    assert Shipment.objects.count() == 0


def test_shipment_create_refuses_a_quantity_beyond_the_order(order, evri, marketplace):
    with pytest.raises(DomainValidationError):
        shipment_create(
            actor=Actor.marketplace(marketplace_id=marketplace.pk),
            order=order,
            carrier=evri,
            tracking_number="EV-Q",
            lines=[(order.lines.get().pk, 5)],
        )


def test_unmapped_status_is_kept_and_normalized_when_the_mapping_is_added(parcel, evri, admin_user):
    row = {**stream(parcel, "on_time")[1], "status": "77", "event_id": "odd"}
    result = ingest(parcel, [row], at=START + 7 * HOUR)
    waiting = unmapped_statuses()

    _mapping, fixed = carrier_mapping_save(
        actor=Actor.for_user(admin_user), carrier=evri, raw_status="77", status="in_transit"
    )

    parcel.refresh_from_db()
    assert (result.unmapped, [w["raw_status"] for w in waiting]) == (1, ["77"])
    assert (fixed, parcel.tracking_status, unmapped_statuses()) == (1, "in_transit", [])
    assert TrackingEvent.objects.get().raw == row


def test_a_mapping_needs_a_reason_for_exceptions_only(evri, admin_user, seller):
    with pytest.raises(DomainValidationError):
        carrier_mapping_save(actor=Actor.for_user(admin_user), carrier=evri, raw_status="88", status="exception")
    with pytest.raises(PermissionDenied):
        carrier_mapping_save(actor=Actor.for_user(seller), carrier=evri, raw_status="88", status="delivered")


def likely_lost(parcel):
    ingest(parcel, stream(parcel, "stalled"), at=START + 21 * HOUR)
    with clock.frozen(START + 12 * DAY):
        shipment_flags_recompute(actor=Actor.system())
    parcel.refresh_from_db()
    return parcel


def test_lost_parcel_reshipped_with_a_carrier_claim(parcel, operator):
    actor = Actor.for_user(operator)
    with clock.frozen(START + 12 * DAY):
        investigation = lost_parcel_investigate(actor=actor, shipment=likely_lost(parcel))
        again = lost_parcel_investigate(actor=actor, shipment=parcel)
        done = lost_parcel_resolve(
            actor=actor,
            investigation=investigation,
            outcome=InvestigationStatus.RESHIPPED,
            carrier_liable=True,
            reshipment_tracking_number="EV-NEW",
        )

    assert again.pk == investigation.pk
    assert investigation.due_at > START + 12 * DAY
    assert (done.status, done.reshipment.tracking_number) == ("reshipped", "EV-NEW")
    assert CarrierClaim.objects.get().amount_minor == 2500
    assert list(timeline_of(done).values_list("event_type", flat=True)) == ["lost_parcel.reshipped"]


def test_lost_parcel_refunded_without_liability_files_no_claim(parcel, operator):
    actor = Actor.for_user(operator)
    with clock.frozen(START + 12 * DAY):
        investigation = lost_parcel_investigate(actor=actor, shipment=likely_lost(parcel))
        lost_parcel_resolve(actor=actor, investigation=investigation, outcome=InvestigationStatus.REFUNDED)

    assert CarrierClaim.objects.count() == 0
    refund = LedgerEntry.objects.get()
    assert (refund.kind, refund.payer, refund.amount_minor, refund.reason) == ("refund", "seller", 2500, "lost_parcel")


def test_a_lost_parcel_the_carrier_lost_is_refunded_by_the_platform_once(parcel, operator):
    actor = Actor.for_user(operator)
    with clock.frozen(START + 12 * DAY):
        investigation = lost_parcel_investigate(actor=actor, shipment=likely_lost(parcel))
        lost_parcel_resolve(
            actor=actor, investigation=investigation, outcome=InvestigationStatus.REFUNDED, carrier_liable=True
        )
        with pytest.raises(Conflict):
            lost_parcel_resolve(
                actor=actor, investigation=investigation, outcome=InvestigationStatus.REFUNDED, carrier_liable=True
            )

    assert list(LedgerEntry.objects.values_list("payer", "amount_minor")) == [("platform", 2500)]
    assert CarrierClaim.objects.get().amount_minor == 2500


def test_a_parcel_on_its_way_is_not_investigated(parcel, operator):
    with pytest.raises(Conflict):
        lost_parcel_investigate(actor=Actor.for_user(operator), shipment=parcel)


def test_a_seller_of_another_shop_cannot_close_the_inquiry(parcel, operator):
    from tests import factories

    with clock.frozen(START + 12 * DAY):
        investigation = lost_parcel_investigate(actor=Actor.for_user(operator), shipment=likely_lost(parcel))
        stranger = Actor.for_user(
            factories.MembershipFactory(shop=factories.ShopFactory(marketplace=parcel.marketplace)).user
        )
        with pytest.raises(NotFound):
            lost_parcel_resolve(actor=stranger, investigation=investigation, outcome=InvestigationStatus.REFUNDED)

    investigation.refresh_from_db()
    assert investigation.status == "open"
