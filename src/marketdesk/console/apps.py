from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "marketdesk.console"
    label = "console"
    verbose_name = _("Operator console")

    def ready(self) -> None:
        from marketdesk.console import admin_audit

        admin_audit.connect()
