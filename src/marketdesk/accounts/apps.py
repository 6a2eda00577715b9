from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketdesk.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from marketdesk.accounts.services import api_key_authenticate, marketplace_buyer_get
        from marketdesk.api.auth import register_key_authenticator
        from marketdesk.orders.services import register_buyer_source

        # An order received from a marketplace names its buyer: accounts find or create them.
        register_buyer_source(marketplace_buyer_get)
        # The API's bearer authentication asks accounts whose key a secret is.
        register_key_authenticator(api_key_authenticate)
