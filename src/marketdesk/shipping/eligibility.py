"""Can the buyer change the delivery of a parcel now, who would do it, and how? (Nothing here writes.)

By stage, as the product rules say: before the carrier has the parcel the seller changes it;
while it is on its way only a carrier that redirects parcels can; once it is out for
delivery, or later, nobody can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from marketdesk.shipping.states import BEFORE_HANDOVER, MOVING, ChangeRoute

if TYPE_CHECKING:
    from marketdesk.shipping.models import Shipment


@dataclass(frozen=True, slots=True)
class ChangeVerdict:
    """Whether a delivery change is possible now, who answers it, and what to tell the buyer."""

    allowed: bool
    route: str
    reason: str


def delivery_change_verdict(shipment: Shipment) -> ChangeVerdict:
    """Decide whether the delivery of ``shipment`` may be changed at its current stage."""
    status = shipment.tracking_status
    carrier = shipment.carrier.name
    if status in BEFORE_HANDOVER:
        return ChangeVerdict(
            True,
            ChangeRoute.SELLER,
            _("The parcel has not been handed to the carrier yet: the seller can still change the delivery."),
        )
    if status in MOVING and shipment.carrier.supports_redirect:
        return ChangeVerdict(
            True,
            ChangeRoute.CARRIER,
            _("The parcel is on its way, and %(carrier)s can redirect it: we pass your request on.")
            % {"carrier": carrier},
        )
    if status in MOVING:
        return ChangeVerdict(
            False,
            "",
            _(
                "The parcel is already in transit, and %(carrier)s cannot redirect parcels on their way. "
                "Once it arrives you can collect it or refuse it, or ask the seller for help."
            )
            % {"carrier": carrier},
        )
    return ChangeVerdict(
        False,
        "",
        _("The parcel is at the last stage (%(status)s): the delivery can no longer be changed.")
        % {"status": shipment.get_tracking_status_display()},
    )
