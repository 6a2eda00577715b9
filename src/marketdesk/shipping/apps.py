from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "marketdesk.shipping"
    label = "shipping"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from marketdesk.ledger.funding import register_guarantee_facts
        from marketdesk.orders.situation import register_delivery_reader
        from marketdesk.shipping.selectors import order_guarantee_facts, order_parcels_delivered_at
        from marketdesk.shipping.services import care  # noqa: F401 - registers the shipping.care outbox handler

        # The marketplace may not (yet) have said the order was delivered while its parcels all were.
        register_delivery_reader(order_parcels_delivered_at)
        # The ledger's refund funding asks whether an order shipped on time with valid tracking.
        register_guarantee_facts(shipping=order_guarantee_facts)
