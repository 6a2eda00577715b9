"""Writes of delivery (one package: shipments and the projection, delivery changes, lost parcels).

The batch ingest of carrier events lives in ``shipping.ingest``; it leaves the events it stored to the worker,
which folds them into their parcels with ``shipments_apply_events`` (``tracking_projection_put``).
"""

from marketdesk.shipping.services.changes import delivery_change_answer, delivery_change_request
from marketdesk.shipping.services.flags import shipment_flags, shipment_flags_recompute
from marketdesk.shipping.services.lost import (
    carrier_claim_pay,
    inquiry_possible,
    lost_parcel_investigate,
    lost_parcel_resolve,
)
from marketdesk.shipping.services.mappings import carrier_mapping_save
from marketdesk.shipping.services.projection import (
    shipments_apply_events,
    tracking_events_project,
    tracking_projection_put,
)
from marketdesk.shipping.services.shipments import (
    AddressData,
    DeliveryChangeNotPossible,
    shipment_create,
    shipment_upsert,
)

__all__ = [
    "AddressData",
    "DeliveryChangeNotPossible",
    "carrier_claim_pay",
    "carrier_mapping_save",
    "delivery_change_answer",
    "delivery_change_request",
    "inquiry_possible",
    "lost_parcel_investigate",
    "lost_parcel_resolve",
    "shipment_create",
    "shipment_flags",
    "shipment_flags_recompute",
    "shipment_upsert",
    "shipments_apply_events",
    "tracking_events_project",
    "tracking_projection_put",
]
