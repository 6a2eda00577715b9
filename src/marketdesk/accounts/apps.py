from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketdesk.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from marketdesk.accounts.services import marketplace_buyer_get
        from marketdesk.orders.services import register_buyer_source

        # An order received from a marketplace names its buyer: accounts find or create them.
        register_buyer_source(marketplace_buyer_get)
