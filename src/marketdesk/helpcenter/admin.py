"""Admin for help categories and articles, with a preview of the sanitized, policy-filled body."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.models import Article, HelpCategory
from marketdesk.helpcenter.presenters import article_url
from marketdesk.helpcenter.rendering import article_html
from marketdesk.helpcenter.services import article_index_forget, article_index_refresh


@admin.register(HelpCategory)
class HelpCategoryAdmin(admin.ModelAdmin[HelpCategory]):
    list_display = ["slug", "name_en", "name_ru", "position"]
    list_editable = ["position"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ["title", "language", "category", "published", "helpful_yes", "helpful_no", "updated_at"]
    list_filter = ["language", "category", "published"]
    search_fields = ["title", "slug", "body_markdown"]
    list_select_related = ["category"]
    readonly_fields = ["preview", "helpful_yes", "helpful_no", "updated_at", "page_link"]
    fields = [
        "category",
        "language",
        "title",
        "slug",
        "translation_group",
        "position",
        "published",
        "body_markdown",
        "preview",
        "page_link",
        "helpful_yes",
        "helpful_no",
        "updated_at",
    ]

    @admin.display(description=_("Preview (as saved, with the current policy)"))
    def preview(self, obj: Article) -> SafeString:
        if not obj.pk:
            return format_html("<em>{}</em>", _("Save the article to see its preview."))
        # article_html sanitizes with an allow-list, so its output is safe to embed.
        html = article_html(obj.body_markdown, policy_current(), obj.language)
        return mark_safe(f'<div style="max-width:42rem;line-height:1.6">{html}</div>')

    @admin.display(description=_("Page"))
    def page_link(self, obj: Article) -> SafeString:
        if not obj.pk:
            return mark_safe("")
        url = article_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)
        article_index_refresh(article_ids=[obj.pk])

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        article_index_forget(article_ids=[pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        article_index_forget(article_ids=ids)
