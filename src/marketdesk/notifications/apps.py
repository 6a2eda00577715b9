from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "marketdesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registers the outbox handlers (webhook deliveries, emails) in every process, the worker's included.
        from marketdesk.notifications import inbox, webhooks  # noqa: F401
