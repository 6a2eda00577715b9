"""Admin for policies (publish a new version, never edit one), calendars and the outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.core.models import BusinessCalendar, OutboxMessage, PolicyVersion, TimelineEvent
from marketdesk.core.policies import PolicyValues, policy_current, policy_publish


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown and searchable, never added, changed or deleted here (append-only records)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PolicyPublishForm(forms.ModelForm):
    """One number field per rule, starting from the values in force."""

    class Meta:
        model = PolicyVersion
        fields = ["note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = policy_current().values
        for name, info in PolicyValues.model_fields.items():
            self.fields[name] = forms.IntegerField(
                label=name.replace("_", " ").capitalize(),
                initial=getattr(current, name),
                help_text=info.description or "",
            )
        self.fields["note"].required = True
        self.fields["note"].help_text = _("Why the rules change (kept with the version).")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "note", "created_at", "created_by"]
    ordering = ["-version"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            return PolicyPublishForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["version", "values", "note", "created_at", "created_by"] if obj else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in PolicyValues.model_fields}
        try:
            published = policy_publish(
                actor=Actor.for_user(request.user), changes=changes, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            raise
        obj.pk = published.pk
        obj.version = published.version
        messages.success(request, _("Policy version %(v)s is now in force.") % {"v": published.version})


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
