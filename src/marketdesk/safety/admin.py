"""Admin: each marketplace's choice of hold or warn; flags are read-only (support reviews them in the console)."""

from __future__ import annotations

from django.contrib import admin

from marketdesk.core.admin import ReadOnlyAdmin
from marketdesk.safety.models import MarketplaceSafety, MessageFlag


@admin.register(MarketplaceSafety)
class MarketplaceSafetyAdmin(admin.ModelAdmin[MarketplaceSafety]):
    list_display = ("marketplace", "payment_action", "contact_action")


@admin.register(MessageFlag)
class MessageFlagAdmin(ReadOnlyAdmin):
    list_display = ("id", "marketplace", "order", "kind", "action", "status", "created_at")
    list_filter = ("status", "kind", "action")
