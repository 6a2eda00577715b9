"""The parcel is shipped back and received by its code."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition
from marketdesk.returns.models import Return
from marketdesk.returns.selectors import return_code_parse, returns_for_actor
from marketdesk.returns.services.common import (
    WAREHOUSE,
    _calendar,
    _locked,
    _require_role,
    _save,
    _tell,
    _text,
    _webhook,
)
from marketdesk.returns.states import RECEIVABLE_STATUSES, ReturnStatus
from marketdesk.shipping.models import Carrier
from marketdesk.shipping.services import shipment_create


class ReturnCodeUnknown(NotFound):
    code = "return_code_unknown"


def return_mark_shipped(*, actor: Actor, ret: Return, tracking_number: str = "", carrier: str = "") -> Return:
    """Record that the buyer sent the parcel back (with its tracking number, if any).

    With a carrier the shipping app knows, the parcel becomes a shipment: the carrier's events for its
    tracking number are ingested and shown on the return's page.
    """
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    tracking_number = _text(tracking_number, "tracking_number")[:64]
    carrier = _text(carrier, "carrier")
    with transaction.atomic():
        order, ret = _locked(actor, ret)
        now = clock.now()
        transition(ret, to=ReturnStatus.SHIPPED, actor=actor, payload={"tracking_number": tracking_number})
        ret.shipped_at = now
        ret.tracking_number = tracking_number
        fields = ["shipped_at", "tracking_number"]
        if tracking_number and carrier and Carrier.objects.filter(code=carrier).exists():
            # The buyer cannot add shipments; the platform records the return parcel on their behalf.
            ret.return_shipment = shipment_create(
                actor=Actor.system(),
                order=order,
                carrier=carrier,
                tracking_number=tracking_number,
                external_id=f"return-{ret.code}",
                lines=[(rl.order_line, rl.quantity) for rl in ret.lines.select_related("order_line")],
            )
            fields.append("return_shipment")
        _save(ret, now, *fields)
        _webhook(
            ret,
            "return.shipped",
            tracking_number=tracking_number,
            carrier=carrier if ret.return_shipment_id else "",
            shipment_id=ret.return_shipment_id,
        )
        return ret


def return_receive(*, actor: Actor, code: str) -> Return:
    """Record that the parcel with this return code arrived (scanned or typed); a repeat changes nothing."""
    _require_role(actor, WAREHOUSE)
    parsed = return_code_parse(code)
    if parsed is None:
        raise DomainValidationError(
            _("This is not a return code: it looks like RA- and eight letters or digits."), field="code"
        )
    found = returns_for_actor(actor).filter(code=parsed).first()
    if found is None:
        # Another shop's code answers like an unknown one: it says nothing about other sellers' returns.
        raise ReturnCodeUnknown(_("None of your returns has the code %(code)s.") % {"code": parsed}, field="code")
    with transaction.atomic():
        order, ret = _locked(actor, found)
        if ret.received_at is not None:
            return ret  # scanned twice, or a warehouse system retrying: the first receipt stands
        if ret.status not in RECEIVABLE_STATUSES:
            raise Conflict(
                _("Return %(code)s cannot be received: it is %(status)s.")
                % {"code": ret.code, "status": ret.get_status_display().lower()},
                field="code",
            )
        now = clock.now()
        transition(ret, to=ReturnStatus.RECEIVED, actor=actor)
        ret.received_at = now
        ret.refund_due_at = due_at(
            now, business_days=policy_current().return_refund_business_days, calendar=_calendar(order)
        )
        _save(ret, now, "received_at", "refund_due_at")
        _webhook(ret, "return.received", refund_due_at=ret.refund_due_at)
        _tell(ret, "return.received", to_buyer=True, to_seller=False, actor=actor)
        return ret
