"""Admin for help categories and articles, with a preview of the sanitized, policy-filled body."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.core import clock
from marketdesk.core.admin import AccusativeTitles
from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.models import Article, ArticleLanguage, HelpCategory
from marketdesk.helpcenter.presenters import article_url
from marketdesk.helpcenter.rendering import article_html
from marketdesk.helpcenter.services import article_index_forget, article_index_refresh

# A preview of more than an article could hold is not worth rendering.
MAX_PREVIEW_CHARS = 100_000


@admin.register(HelpCategory)
class HelpCategoryAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "help category")
    list_display = ["slug", "name_en", "name_ru", "position"]
    list_editable = ["position"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "help article")
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

    class Media:
        # Re-renders the preview as the body is typed (debounced), through preview_view below.
        js = ["helpcenter/admin_preview.js"]
        # Its layout as a stylesheet: the Content-Security-Policy refuses style attributes.
        css = {"all": ["helpcenter/admin_preview.css"]}

    @admin.display(description=_("Preview (with the current policy, updated as you type)"))
    def preview(self, obj: Article) -> SafeString:
        # article_html sanitizes with an allow-list, so its output is safe to embed.
        html = article_html(obj.body_markdown, policy_current(), obj.language) if obj.body_markdown else ""
        return format_html(
            '<div id="article-preview" data-preview-url="{}" class="article-preview">{}</div>',
            reverse(f"{self.admin_site.name}:helpcenter_article_preview"),
            mark_safe(html),  # sanitized above
        )

    def get_urls(self) -> list[URLPattern]:
        preview = path("preview/", self.admin_site.admin_view(self.preview_view), name="helpcenter_article_preview")
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """Render a draft body as the article page would (sanitized, policy filled in); nothing is saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        language = request.POST.get("language", "")
        if language not in ArticleLanguage.values:
            language = ArticleLanguage.EN
        body = request.POST.get("body_markdown", "")[:MAX_PREVIEW_CHARS]
        return HttpResponse(article_html(body, policy_current(), language), content_type="text/html; charset=utf-8")

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
