from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "marketdesk.standards"
    label = "standards"
    verbose_name = _("Seller standards")

    def ready(self) -> None:
        from marketdesk.cases.suspension import register_suspension_source
        from marketdesk.ledger.funding import register_guarantee_facts
        from marketdesk.standards.selectors import shop_level_latest, suspended_shop_ids, suspension_in_force

        # Cases sit below the standards and learn of a suspension through this hook.
        register_suspension_source(in_force=suspension_in_force, shop_ids=suspended_shop_ids)
        # The ledger's refund funding asks whether a shop is in good standing.
        register_guarantee_facts(standing=shop_level_latest)
