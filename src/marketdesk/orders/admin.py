"""Admin views of the marketplace's data (read-only: the marketplace owns it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment, Shop


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(ReadOnlyInline):
    model = OrderLine


class PaymentInline(ReadOnlyInline):
    model = Payment


@admin.register(Marketplace)
class MarketplaceAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "country", "calendar_code"]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "marketplace", "country"]
    search_fields = ["name", "external_id"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "marketplace", "shop", "buyer", "status", "total_minor", "currency", "placed_at"]
    list_filter = ["status", "marketplace", "currency"]
    search_fields = ["external_id"]
    raw_id_fields = ["buyer", "shop"]
    inlines = [LineInline, PaymentInline]
    list_select_related = ["marketplace", "shop", "buyer"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
