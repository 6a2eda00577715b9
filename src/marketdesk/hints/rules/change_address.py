"""Can the buyer still change the delivery address, and how?"""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule
from marketdesk.shipping.eligibility import delivery_change_verdict
from marketdesk.shipping.states import FINAL


@rule("change_address")
def change_address(state: OrderState) -> Hint | None:
    moving = [s for s in state.shipments if s.tracking_status not in FINAL]
    if not moving:
        return None
    shipment = moving[0]
    verdict = delivery_change_verdict(shipment)
    if verdict.allowed:
        return Hint(
            "change_address",
            Severity.INFO,
            verdict.reason,
            _("Change the delivery"),
            state.url(f"change:{shipment.pk}"),
        )
    return Hint(
        "change_address", Severity.INFO, verdict.reason, _("Track the parcel"), state.url(f"tracking:{shipment.pk}")
    )
