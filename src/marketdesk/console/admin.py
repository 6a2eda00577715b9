"""Admin of the console: the audit trail read-only, teams and operators' skills, macros, surveys read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import pgettext_lazy

from marketdesk.console.models import AuditEntry, Macro, OperatorProfile, SatisfactionSurvey, Team
from marketdesk.core.admin import AccusativeTitles, ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor_label", "actor_role", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "actor_role")
    search_fields = ("actor_label", "action", "object_label", "object_id")
    date_hierarchy = "occurred_at"


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    list_display = ("case", "party", "score", "asked_at", "answered_at")
    list_filter = ("party", "score")


class OperatorProfileInline(admin.TabularInline):
    model = OperatorProfile
    extra = 0
    fields = ("user", "languages", "categories", "cap", "available")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "team")
    list_display = ("name", "marketplace", "auto_assign")
    inlines = [OperatorProfileInline]


@admin.register(OperatorProfile)
class OperatorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "languages", "categories", "cap", "available", "last_assigned_at")
    raw_id_fields = ("user",)


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Saving runs the model's clean(): an unknown placeholder is refused here too."""

    list_display = ("title", "language", "use", "active", "usage_count")
    list_filter = ("language", "use", "active")
    readonly_fields = ("usage_count", "created_by", "updated_at")
