"""The carriers we know and each one's table of raw statuses → our statuses (data, not code)."""

from django.db import migrations

# code, name, redirects parcels in transit, tracking page
CARRIERS = [
    ("royal-mail", "Royal Mail", True, "https://www.royalmail.com/track-your-item#/tracking-results/{number}"),
    ("evri", "Evri", False, "https://www.evri.com/track/parcel/{number}"),
    ("cdek", "CDEK", False, "https://www.cdek.ru/ru/tracking?order_id={number}"),
]

# carrier, raw status, status, exception reason
MAPPINGS = [
    ("royal-mail", "PRE_ADVICE", "info_received", ""),
    ("royal-mail", "ACCEPTED", "in_transit", ""),
    ("royal-mail", "HUB_SCAN", "in_transit", ""),
    ("royal-mail", "OUT_FOR_DELIVERY", "out_for_delivery", ""),
    ("royal-mail", "CARD_LEFT", "failed_attempt", ""),
    ("royal-mail", "AT_DELIVERY_OFFICE", "available_for_pickup", ""),
    ("royal-mail", "DELIVERED", "delivered", ""),
    ("royal-mail", "DELIVERED_SAFEPLACE", "delivered", ""),
    ("royal-mail", "CUSTOMS_HOLD", "exception", "customs"),
    ("royal-mail", "ADDRESS_QUERY", "exception", "address"),
    ("royal-mail", "REFUSED", "exception", "refused"),
    ("royal-mail", "DAMAGED", "exception", "damaged"),
    ("royal-mail", "LOST_IN_POST", "exception", "lost"),
    ("royal-mail", "RETURN_TO_SENDER", "returning_to_sender", ""),
    ("royal-mail", "RETURNED", "returned", ""),
    ("royal-mail", "TRACKING_EXPIRED", "expired", ""),
    ("evri", "10", "info_received", ""),
    ("evri", "20", "in_transit", ""),
    ("evri", "25", "in_transit", ""),
    ("evri", "30", "out_for_delivery", ""),
    ("evri", "41", "failed_attempt", ""),
    ("evri", "45", "available_for_pickup", ""),
    ("evri", "40", "delivered", ""),
    ("evri", "50", "exception", "customs"),
    ("evri", "51", "exception", "address"),
    ("evri", "52", "exception", "refused"),
    ("evri", "53", "exception", "damaged"),
    ("evri", "54", "exception", "lost"),
    ("evri", "60", "returning_to_sender", ""),
    ("evri", "61", "returned", ""),
    ("evri", "90", "expired", ""),
    ("cdek", "CREATED", "info_received", ""),
    ("cdek", "ACCEPTED_AT_PICK_UP_POINT", "in_transit", ""),
    ("cdek", "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", "in_transit", ""),
    ("cdek", "ACCEPTED_IN_RECIPIENT_CITY", "in_transit", ""),
    ("cdek", "TAKEN_BY_COURIER", "out_for_delivery", ""),
    ("cdek", "NOT_DELIVERED", "failed_attempt", ""),
    ("cdek", "READY_FOR_PICKUP", "available_for_pickup", ""),
    ("cdek", "DELIVERED", "delivered", ""),
    ("cdek", "IN_CUSTOMS_INTERNATIONAL", "exception", "customs"),
    ("cdek", "INVALID_ADDRESS", "exception", "address"),
    ("cdek", "REFUSED_BY_RECIPIENT", "exception", "refused"),
    ("cdek", "DAMAGED", "exception", "damaged"),
    ("cdek", "LOST", "exception", "lost"),
    ("cdek", "RETURNING_TO_SENDER", "returning_to_sender", ""),
    ("cdek", "RETURNED", "returned", ""),
    ("cdek", "STORAGE_EXPIRED", "expired", ""),
]


def load(apps, schema_editor):
    carrier_model = apps.get_model("shipping", "Carrier")
    mapping_model = apps.get_model("shipping", "CarrierStatusMapping")
    carriers = {}
    for code, name, redirect, url in CARRIERS:
        carriers[code], _created = carrier_model.objects.get_or_create(
            code=code, defaults={"name": name, "supports_redirect": redirect, "tracking_url": url}
        )
    for code, raw, status, reason in MAPPINGS:
        mapping_model.objects.get_or_create(
            carrier=carriers[code], raw_status=raw, defaults={"status": status, "exception_reason": reason}
        )


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
