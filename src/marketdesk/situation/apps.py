from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationConfig(AppConfig):
    name = "marketdesk.situation"
    label = "situation"
    verbose_name = _("Order situation")

    def ready(self) -> None:
        from marketdesk.orders.situation import register_situation_reader
        from marketdesk.situation.read import situations_read

        # Pages on the floors below (Get help, returns, case lists, the delivery card) read it through orders.
        register_situation_reader(situations_read)
