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
        from marketdesk.cases import fanout  # noqa: F401 - registers the case.fanout outbox handler
        from marketdesk.cases.contact import order_message_noted
        from marketdesk.cases.history_index import CASES, DECISIONS
        from marketdesk.cases.models import Case, CaseEvidence, CaseType, DecisionOutcome, OfferKind, Party
        from marketdesk.cases.selectors import case_attachment_readable
        from marketdesk.messaging.history_index import register_indexed_text
        from marketdesk.messaging.services import register_order_message_listener
        from marketdesk.messaging.system import system_label_register

        # A case's files (the buyer's, sent with Get help, and either party's later evidence) are read by
        # exactly who may see the case: its buyer, the shop's members, support.
        register_reader(Case, case_attachment_readable)
        register_reader(CaseEvidence, case_attachment_readable)
        # A message in the order's conversation may be the buyer's contact with the seller, or the reply.
        register_order_message_listener(order_message_noted)
        # The history's search finds case descriptions and decision rationales too.
        register_indexed_text(CASES)
        register_indexed_text(DECISIONS)

        def labeller(choices: type[models.TextChoices]) -> Callable[[str], str]:
            return lambda code: str(choices(code).label).lower() if code in choices.values else code

        system_label_register("reason", labeller(CaseType))
        system_label_register("offer", labeller(OfferKind))
        system_label_register("outcome", labeller(DecisionOutcome))
        system_label_register("party", labeller(Party))
        # Money at stake: a case holds part of the seller's payout from its opening to its end.
        from marketdesk.cases.payouts import ENDED, OPENED, case_payout_listen
        from marketdesk.core.timeline import timeline_listener_register

        timeline_listener_register((*OPENED, *ENDED), case_payout_listen)
