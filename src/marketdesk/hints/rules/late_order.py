"""The order is late: say the likely cause (as the order's situation found it) and what to do about it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.core.formatting import format_moment
from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule
from marketdesk.shipping.models import Shipment


def _words(state: OrderState, cause: str, shipment: Shipment | None) -> tuple[str, str, str, str]:
    """Return (severity, reason, action label, action URL) for a cause."""
    silent = (state.now - shipment.last_scan_at).days if shipment and shipment.last_scan_at else 0
    tracking = state.url(f"tracking:{shipment.pk}") if shipment is not None else state.url("conversation")
    if cause == "likely_lost":
        reason = _(
            "Your parcel has had no scan for %(days)s days while in transit: it is likely lost. "
            "The seller has been told; you can ask for a refund or a new parcel now."
        ) % {"days": silent}
        return Severity.URGENT, reason, _("Get a refund or a new parcel"), state.url("get_help")
    if cause == "customs":
        reason = _(
            "Your parcel is held in customs. Customs may need a document or a fee from you: "
            "check the carrier's message on the tracking page, or ask the seller for the invoice."
        )
        return Severity.WARNING, reason, _("See what customs needs"), tracking
    if cause == "exception" and shipment is not None:
        reason = _("The carrier reported a problem: %(problem)s. Ask the seller to sort it out with the carrier.") % {
            "problem": str(shipment.get_exception_reason_display()).lower()
        }
        return Severity.WARNING, reason, _("Message the seller"), state.url("conversation")
    if cause == "stalled" and shipment is not None and shipment.last_scan_at is not None:
        reason = _(
            "Your parcel is stalled: it has not been scanned for %(days)s days, since %(when)s. "
            "Ask the seller to check with the carrier."
        ) % {"days": silent, "when": format_moment(shipment.last_scan_at)}
        return Severity.WARNING, reason, _("Ask the seller to check"), state.url("conversation")
    if cause == "not_shipped":
        reason = _("Your order is late because the seller has not shipped it yet. Ask the seller when it will ship.")
        return Severity.WARNING, reason, _("Ask the seller"), state.url("conversation")
    due = state.situation.lateness.due if state.situation.lateness else None
    reason = _(
        "Your parcel is late (it was due by %(when)s) but still moving. Most late parcels arrive within a few days."
    ) % {"when": format_moment(due) if due else "—"}
    return Severity.INFO, reason, _("Track the parcel"), tracking


@rule("late_order")
def late_order(state: OrderState) -> Hint | None:
    lateness = state.situation.lateness
    if lateness is None:
        return None
    severity, reason, label, url = _words(state, lateness.cause, lateness.shipment)
    return Hint("late_order", severity, reason, label, url, lateness.cause)
