from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "marketdesk.safety"
    label = "safety"
    verbose_name = _("Message safety")

    def ready(self) -> None:
        from marketdesk.messaging.screening import register_guard
        from marketdesk.safety.guard import SafetyGuard

        # Messaging knows nothing of safety: it asks whichever guard is registered at the point a
        # message is posted, and when it lists messages.
        register_guard(SafetyGuard())
