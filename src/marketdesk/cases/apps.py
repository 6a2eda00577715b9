from collections.abc import Callable

from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "marketdesk.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from marketdesk.cases.models import CaseType, DecisionOutcome, OfferKind, Party
        from marketdesk.messaging.system import system_label_register

        def labeller(choices: type[models.TextChoices]) -> Callable[[str], str]:
            return lambda code: str(choices(code).label).lower() if code in choices.values else code

        system_label_register("reason", labeller(CaseType))
        system_label_register("offer", labeller(OfferKind))
        system_label_register("outcome", labeller(DecisionOutcome))
        system_label_register("party", labeller(Party))
