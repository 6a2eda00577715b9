from collections.abc import Callable

from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "marketdesk.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from marketdesk.attachments.access import register_reader
        from marketdesk.attachments.models import Attachment
        from marketdesk.cases.models import CaseEvidence, CaseType, DecisionOutcome, OfferKind, Party
        from marketdesk.cases.selectors import cases_for_actor
        from marketdesk.core.actors import Actor
        from marketdesk.messaging.system import system_label_register

        def labeller(choices: type[models.TextChoices]) -> Callable[[str], str]:
            return lambda code: str(choices(code).label).lower() if code in choices.values else code

        system_label_register("reason", labeller(CaseType))
        system_label_register("offer", labeller(OfferKind))
        system_label_register("outcome", labeller(DecisionOutcome))
        system_label_register("party", labeller(Party))

        def evidence_readable(actor: Actor, attachment: Attachment) -> bool:
            # Evidence is shown to both parties and support side by side: whoever may see the case reads it.
            owner = attachment.owner_id
            return owner is not None and cases_for_actor(actor).filter(evidence__pk=owner).exists()

        register_reader(CaseEvidence, evidence_readable)
