"""Admin of returns: read-only records (they change only through services); shops' return policies are edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketdesk.returns.models import Return, ReturnLine, ShopReturnPolicy


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    readonly_fields = ("order_line", "quantity", "accepted_quantity", "condition", "notes", "inspected_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ("code", "order", "shop", "status", "reason", "resolution", "requested_at")
    list_filter = ("status", "reason", "resolution")
    search_fields = ("code", "order__external_id")
    inlines = [ReturnLineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Return._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ShopReturnPolicy)
class ShopReturnPolicyAdmin(admin.ModelAdmin):
    list_display = ("shop", "window_days", "auto_approve_reasons")
