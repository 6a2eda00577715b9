"""Writes of lost parcels: the inquiry with the carrier, its outcome for the buyer, the carrier claim."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import calendar_for, due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition
from marketdesk.ledger.models import EntryKind, FundingSource, Payer
from marketdesk.ledger.services import EntrySpec, ledger_carrier_recovery_record, ledger_record_decision
from marketdesk.orders.selectors import shop_member_ids
from marketdesk.shipping import events
from marketdesk.shipping.models import (
    CarrierClaim,
    LostParcelInvestigation,
    Shipment,
)
from marketdesk.shipping.services.shipments import AddressData, shipment_create
from marketdesk.shipping.states import (
    ExceptionReason,
    InvestigationStatus,
)


def inquiry_possible(shipment: Shipment) -> bool:
    """Whether the carrier may be asked to look for the parcel: no scan for days, likely lost or reported lost."""
    # A stalled parcel is where an operator would ask first: waiting for "likely lost" loses days.
    return shipment.stalled or shipment.likely_lost or shipment.exception_reason == ExceptionReason.LOST


def lost_parcel_investigate(*, actor: Actor, shipment: Shipment) -> LostParcelInvestigation:
    """Open the inquiry with the carrier about a parcel stalled, likely lost or reported lost (once per parcel)."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM, Role.MARKETPLACE):
        raise PermissionDenied()
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().select_related("order__marketplace").get(pk=shipment.pk)
        if actor.marketplace_id is not None and actor.marketplace_id != locked.marketplace_id:
            raise NotFound()
        existing = LostParcelInvestigation.objects.filter(shipment=locked).first()
        if existing is not None:
            return existing
        if not inquiry_possible(locked):
            raise Conflict(_("Only a parcel without a scan for days, likely lost or reported lost is investigated."))
        policy = policy_current()
        now = clock.now()
        cal = calendar_for(locked.order.marketplace.calendar_code or None)
        investigation = LostParcelInvestigation.objects.create(
            shipment=locked,
            opened_at=now,
            due_at=due_at(now, business_days=policy.lost_investigation_business_days, calendar=cal),
            policy_version=policy.version,
        )
        events.investigation_opened(
            shipment=locked, actor=actor, investigation_id=investigation.pk, due_at=investigation.due_at.isoformat()
        )
    return investigation


def lost_parcel_resolve(
    *,
    actor: Actor,
    investigation: LostParcelInvestigation,
    outcome: str,
    carrier_liable: bool = False,
    reshipment_tracking_number: str = "",
) -> LostParcelInvestigation:
    """End an inquiry: found, refunded (a ledger refund of the parcel's value) or sent again; a liable carrier is claimed."""
    if outcome not in (InvestigationStatus.FOUND, InvestigationStatus.REFUNDED, InvestigationStatus.RESHIPPED):
        raise DomainValidationError(_("Pick how the inquiry ended."), field="outcome")
    if outcome == InvestigationStatus.RESHIPPED and not reshipment_tracking_number:
        raise DomainValidationError(_("Give the tracking number of the parcel sent again."), field="tracking_number")
    with transaction.atomic():
        row = (
            LostParcelInvestigation.objects.select_for_update()
            .select_related("shipment__order", "shipment__carrier")
            .get(pk=investigation.pk)
        )
        shipment = row.shipment
        if actor.marketplace_id is not None and actor.marketplace_id != shipment.marketplace_id:
            raise NotFound()
        if actor.role == Role.SELLER and (
            actor.user is None or actor.user.pk not in shop_member_ids(shipment.order.shop_id)
        ):
            raise NotFound()
        transition(row, to=outcome, actor=actor)
        row.carrier_liable = carrier_liable and outcome != InvestigationStatus.FOUND
        row.closed_at = clock.now()
        if outcome == InvestigationStatus.RESHIPPED:
            row.reshipment = shipment_create(
                actor=actor,
                order=shipment.order,
                carrier=shipment.carrier,
                tracking_number=reshipment_tracking_number,
                lines=[(line.line_id, line.quantity) for line in shipment.lines.all()],
                address=AddressData(
                    shipment.recipient_name,
                    shipment.address_line1,
                    shipment.address_line2,
                    shipment.city,
                    shipment.postcode,
                    shipment.country,
                ),
                time_zone=shipment.time_zone,
            )
        row.save(update_fields=["carrier_liable", "closed_at", "reshipment"])
        value = sum(line.quantity * line.line.unit_price_minor for line in shipment.lines.select_related("line"))
        if outcome == InvestigationStatus.REFUNDED and value > 0:
            # The buyer is refunded the parcel's value, once per inquiry however often this is retried.
            # A carrier at fault is claimed by the platform, which pays; otherwise the seller, who shipped it.
            ledger_record_decision(
                decision_key=f"lost-parcel-{row.pk}",
                order=shipment.order,
                case_id=None,
                entries=[
                    EntrySpec(
                        kind=EntryKind.REFUND,
                        payer=Payer.PLATFORM if row.carrier_liable else Payer.SELLER,
                        amount=Money(value, shipment.order.currency),
                        reason="lost_parcel",
                        funding=FundingSource.CARRIER_CLAIM if row.carrier_liable else "",
                    )
                ],
                actor=actor,
            )
        if row.carrier_liable:
            claim = CarrierClaim.objects.create(
                investigation=row,
                carrier=shipment.carrier,
                amount_minor=max(value, 1),
                currency=shipment.order.currency,
            )
            events.carrier_claim_filed(
                shipment=shipment,
                actor=actor,
                claim_id=claim.pk,
                amount_minor=claim.amount_minor,
                currency=claim.currency,
            )
    return row


class ClaimAlreadyPaid(Conflict):
    code = "carrier_claim_paid"
    default_message = _("This carrier claim is already paid.")


def carrier_claim_pay(*, actor: Actor, claim: CarrierClaim, amount: Money) -> CarrierClaim:
    """Record that the carrier paid a claim; what it paid is recovered against the refund the claim funds."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM, Role.MARKETPLACE):
        raise PermissionDenied()
    with transaction.atomic():
        row = CarrierClaim.objects.select_for_update().select_related("investigation__shipment").get(pk=claim.pk)
        shipment = row.investigation.shipment
        if actor.marketplace_id is not None and actor.marketplace_id != shipment.marketplace_id:
            raise NotFound()
        if row.paid_at is not None:
            raise ClaimAlreadyPaid()
        if amount.amount <= 0:
            raise DomainValidationError(_("Amounts must be greater than zero."), field="amount")
        if amount.currency != row.currency or amount.amount > row.amount_minor:
            raise DomainValidationError(
                _("The carrier pays at most the claim: %(claim)s.") % {"claim": row.amount.format()}, field="amount"
            )
        row.paid_minor = amount.amount
        row.paid_at = clock.now()
        row.save(update_fields=["paid_minor", "paid_at"])
        ledger_carrier_recovery_record(decision_key=f"lost-parcel-{row.investigation_id}", amount=amount)
        events.carrier_claim_paid(shipment=shipment, actor=actor, claim_id=row.pk, amount_minor=amount.amount)
    return row
