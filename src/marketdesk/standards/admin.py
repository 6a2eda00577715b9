"""Admin: snapshots and runs are read-only records; measures change only through the operator pages."""

from __future__ import annotations

from django.contrib import admin

from marketdesk.core.admin import ReadOnlyAdmin
from marketdesk.standards.models import Enforcement, StandardsJob, StandardsSnapshot


@admin.register(StandardsSnapshot)
class StandardsSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("shop", "day", "level", "orders", "defects", "unresolved_cases", "policy_version")
    list_filter = ("level", "day")
    search_fields = ("shop__name",)


@admin.register(StandardsJob)
class StandardsJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "scope", "shop", "day", "status", "done", "total", "finished_at")
    list_filter = ("status", "scope")


@admin.register(Enforcement)
class EnforcementAdmin(ReadOnlyAdmin):
    list_display = ("shop", "kind", "status", "effective_at", "applied_by", "appealed_at")
    list_filter = ("kind", "status")
    search_fields = ("shop__name",)
