"""Admin of webhooks: endpoints, the delivery log with each attempt, and a manual retry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from marketdesk.core.admin import AccusativeTitles
from marketdesk.notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.services import webhook_delivery_retry


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints are registered by the marketplace through the API; here they are watched and paused."""

    list_display = ("id", "marketplace", "url", "active", "created_at", "deleted_at")
    list_filter = ("active", "marketplace")
    search_fields = ("url",)
    fields = ("marketplace", "url", "event_types", "active", "created_at", "deleted_at")
    readonly_fields = ("marketplace", "url", "event_types", "created_at", "deleted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "webhook delivery")
    list_display = ("id", "endpoint", "event_type", "event_id", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint",)
    inlines = [WebhookAttemptInline]
    actions = ["retry_deliveries"]
    readonly_fields = (
        "endpoint",
        "event_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    )
    exclude = ("round", "round_attempts")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the selected deliveries again"))
    def retry_deliveries(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery_id in queryset.values_list("id", flat=True):
            webhook_delivery_retry(actor=None, delivery_id=delivery_id)
            count += 1
        message = ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
