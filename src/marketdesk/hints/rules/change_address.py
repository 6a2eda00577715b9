"""Can the buyer still change the delivery address, and how?"""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule


@rule("change_address")
def change_address(state: OrderState) -> Hint | None:
    moving = state.situation.delivery_changes
    if not moving:
        return None
    shipment, verdict = moving[0].shipment, moving[0].change
    if verdict is None:
        return None
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
