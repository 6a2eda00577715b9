"""Admin of the ledger: read-only, because entries are written by decisions only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketdesk.ledger.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "case_id", "kind", "payer", "amount_minor", "currency", "instruction_status")
    list_filter = ("kind", "payer", "instruction_status", "currency")
    search_fields = ("decision_key", "order__external_id", "reason")
    list_select_related = ("order",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
