from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "marketdesk.messaging"
    label = "messaging"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from marketdesk.attachments.access import register_reader
        from marketdesk.messaging.models import Message
        from marketdesk.messaging.selectors import message_attachment_readable

        register_reader(Message, message_attachment_readable)
