"""Admin of delivery: carriers with their mapping tables, unmapped raw statuses, shipments (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.core.actors import Actor
from marketdesk.core.admin import AccusativeTitles
from marketdesk.core.errors import DomainError
from marketdesk.shipping.models import Carrier, CarrierStatusMapping, Shipment, TrackingEvent
from marketdesk.shipping.selectors import unmapped_statuses
from marketdesk.shipping.services import carrier_mapping_save


class MappingInline(admin.TabularInline):
    model = CarrierStatusMapping
    extra = 0
    fields = ("raw_status", "status", "exception_reason")


@admin.register(Carrier)
class CarrierAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "carrier")
    list_display = ("name", "code", "supports_redirect")
    inlines = [MappingInline]
    change_form_template = "shipping/admin/carrier_change_form.html"

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        extra = {"unmapped": [row for row in unmapped_statuses() if str(row["carrier_id"]) == str(object_id)]}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Mappings go through the service, so the events waiting for them are normalized at once.
        if formset.model is not CarrierStatusMapping:
            super().save_formset(request, form, formset, change)
            return
        for obj in formset.deleted_objects:
            obj.delete()
        actor = Actor.for_user(request.user)
        for row in formset.save(commit=False):
            try:
                _mapping, fixed = carrier_mapping_save(
                    actor=actor,
                    carrier=form.instance,
                    raw_status=row.raw_status,
                    status=row.status,
                    exception_reason=row.exception_reason,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                continue
            if fixed:
                messages.info(
                    request,
                    _("%(count)s waiting events of %(raw)s were normalized.") % {"count": fixed, "raw": row.raw_status},
                )


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    list_display = ("carrier_event_id", "carrier", "tracking_number", "raw_status", "status", "event_at", "shipment")
    list_filter = ("carrier", "status")
    search_fields = ("tracking_number", "carrier_event_id", "raw_status")
    readonly_fields = [f.name for f in TrackingEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_number",
        "carrier",
        "order",
        "tracking_status",
        "late_to_ship",
        "delayed",
        "stalled",
        "likely_lost",
    )
    list_filter = ("tracking_status", "late_to_ship", "delayed", "stalled", "likely_lost", "carrier")
    search_fields = ("tracking_number", "external_id", "order__external_id")
    readonly_fields = [f.name for f in Shipment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
