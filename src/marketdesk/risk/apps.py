from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "marketdesk.risk"
    label = "risk"
    verbose_name = _("Risk signals")

    def ready(self) -> None:
        from marketdesk.cases.protection import register_protection_notice, register_protection_source
        from marketdesk.cases.workspace_panels import register_workspace_panel
        from marketdesk.returns.economics import register_buyer_risk_source
        from marketdesk.risk.selectors import buyer_has_risk, buyer_restriction_binding, buyer_restriction_in_force
        from marketdesk.risk.workspace import case_risk_panel

        # Cases know nothing of risk: the workspace draws whichever panels are registered.
        register_workspace_panel("risk", case_risk_panel)
        # Nor of a buyer's restricted protection: case eligibility asks whichever source is registered.
        register_protection_source(buyer_restriction_in_force)
        # Get help shows a restricted buyer the restriction's page, from the day they are given notice.
        register_protection_notice(buyer_restriction_binding)
        # Nor do returns: a refund without the item sent back is only for a buyer without risk.
        register_buyer_risk_source(buyer_has_risk)
