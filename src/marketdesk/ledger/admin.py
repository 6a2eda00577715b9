"""Admin of the ledger: read-only, because entries are written by decisions only."""

from __future__ import annotations

from django.contrib import admin

from marketdesk.core.admin import ReadOnlyAdmin
from marketdesk.ledger.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id", "order", "case_id", "kind", "payer", "amount_minor", "currency", "funding_source", "instruction_status"
    )  # fmt: skip
    list_filter = ("kind", "payer", "funding_source", "instruction_status", "currency")
    search_fields = ("decision_key", "order__external_id", "reason")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
