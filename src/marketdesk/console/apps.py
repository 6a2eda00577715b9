from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "marketdesk.console"
    label = "console"
    verbose_name = _("Operator console")

    def ready(self) -> None:
        from marketdesk.console import admin_audit
        from marketdesk.console.audit import audit_record
        from marketdesk.safety.services import audit_writer_register

        admin_audit.connect()
        # Message safety sits below the console: it writes its review actions to the trail through this.
        audit_writer_register(audit_record)
