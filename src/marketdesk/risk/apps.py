from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "marketdesk.risk"
    label = "risk"
    verbose_name = _("Risk signals")

    def ready(self) -> None:
        from marketdesk.cases.workspace_panels import register_workspace_panel
        from marketdesk.risk.workspace import case_risk_panel

        # Cases know nothing of risk: the workspace draws whichever panels are registered.
        register_workspace_panel("risk", case_risk_panel)
