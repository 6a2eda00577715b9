"""The operators' mapping of a carrier's own status codes onto tracking statuses."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.shipping.models import Carrier, CarrierStatusMapping, Shipment, TrackingEvent
from marketdesk.shipping.services.projection import _reproject
from marketdesk.shipping.states import ExceptionReason, TrackingStatus


def carrier_mapping_save(
    *, actor: Actor, carrier: Carrier, raw_status: str, status: str, exception_reason: str = ""
) -> tuple[CarrierStatusMapping, int]:
    """Map a carrier's raw status and normalize every event waiting for it; return the row and the events fixed."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied(_("Only administrators change carrier mappings."))
    if status not in TrackingStatus.values:
        raise DomainValidationError(_("Unknown status %(status)s.") % {"status": status}, field="status")
    if (status == TrackingStatus.EXCEPTION) != bool(exception_reason) or exception_reason not in ExceptionReason.values:
        raise DomainValidationError(
            _("An exception needs its reason, and only an exception has one."), field="exception_reason"
        )
    with transaction.atomic():
        mapping, _created = CarrierStatusMapping.objects.update_or_create(
            carrier=carrier, raw_status=raw_status, defaults={"status": status, "exception_reason": exception_reason}
        )
        fixed = TrackingEvent.objects.filter(carrier=carrier, raw_status=raw_status)
        shipment_ids = sorted(set(fixed.exclude(shipment=None).values_list("shipment_id", flat=True)))
        count = fixed.update(status=status, exception_reason=exception_reason)
        policy = policy_current()
        for shipment in (
            Shipment.objects.select_for_update()
            .select_related("order", "carrier")
            .filter(pk__in=shipment_ids)
            .order_by("pk")
        ):
            _reproject(shipment, actor=actor, policy=policy)
    return mapping, count
