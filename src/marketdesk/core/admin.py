"""Admin for policies (read-only: published on /manage/), calendars and the outbox."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import BusinessCalendar, OutboxMessage, PolicyVersion, TimelineEvent


class AccusativeTitles(admin.ModelAdmin):
    """Name the model in the accusative in the admin's titles ("Добавить версию правил").

    Django words its titles "Add %s", "Change %s", "Select %s to change" with the model's nominative
    name, which Russian declines: a model whose name changes in the accusative gives it here.
    """

    accusative: Promise | None = None

    def _titled(self, extra_context: dict[str, Any] | None, pattern: str) -> dict[str, Any]:
        context = dict(extra_context or {})
        if self.accusative is not None:
            context.setdefault("title", pattern % self.accusative)
        return context

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        return super().add_view(request, form_url, self._titled(extra_context, gettext("Add %s")))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        pattern = gettext("Change %s") if self.has_change_permission(request) else gettext("View %s")
        return super().change_view(request, object_id, form_url, self._titled(extra_context, pattern))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        pattern = (
            gettext("Select %s to change") if self.has_change_permission(request) else gettext("Select %s to view")
        )
        return super().changelist_view(request, self._titled(extra_context, pattern))


class ReadOnlyAdmin(AccusativeTitles):
    """Shown and searchable, never added, changed or deleted here (append-only records)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    accusative = pgettext_lazy("accusative", "policy version")
    """Read-only here: a new version is published at /manage/policies/new/, where every rule is a field."""

    list_display = ["version", "note", "effective_at", "created_at", "created_by"]
    ordering = ["-version"]
    readonly_fields = ["version", "values", "note", "effective_at", "created_at", "created_by"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        messages.info(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Policy versions are published on the management pages."),
                reverse("manage:policy_new"),
                _("Publish a new version"),
            ),
        )
        return super().changelist_view(request, extra_context)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "timezone", "opens_at", "closes_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "delivered_at", "claimed_until", "attempts", "last_error"]
    list_filter = ["topic"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "event_type", "actor_role", "actor_user", "audience", "subject_type", "subject_id"]
    list_filter = ["event_type", "audience"]
    readonly_fields = [f.name for f in TimelineEvent._meta.fields]
