from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "marketdesk.console"
    label = "console"
    verbose_name = _("Operator console")

    def ready(self) -> None:
        from marketdesk.cases.workspace_macros import register_workspace_macros
        from marketdesk.console import admin_audit
        from marketdesk.console.models import AuditEntry
        from marketdesk.console.workspace import case_workspace_macros
        from marketdesk.core.audit import register_audit_store

        register_audit_store(AuditEntry.objects.create)
        register_workspace_macros(case_workspace_macros)
        admin_audit.connect()
