from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "marketdesk.returns"
    label = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from marketdesk.attachments.access import register_reader
        from marketdesk.attachments.models import Attachment
        from marketdesk.core.actors import Actor
        from marketdesk.returns.models import Return
        from marketdesk.returns.selectors import returns_for_actor

        def may_read(actor: Actor, attachment: Attachment) -> bool:
            owner = attachment.owner_id
            return owner is not None and returns_for_actor(actor).filter(pk=owner).exists()

        register_reader(Return, may_read)
        # Money at stake: a return holds its lines' refund of the seller's payout from its request to its end.
        from marketdesk.core.timeline import timeline_listener_register
        from marketdesk.returns.payouts import ENDED, OPENED, return_payout_listen

        timeline_listener_register((*OPENED, *ENDED), return_payout_listen)
