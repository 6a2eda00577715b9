"""Help-center categories and articles (each article in one language, translations linked)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock


class ArticleLanguage(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class HelpCategory(models.Model):
    """A group of articles; the slugs match the buyer's help reasons."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=80)
    name_ru = models.CharField(_("name in Russian"), max_length=80)
    description_en = models.CharField(_("description in English"), max_length=200, blank=True)
    description_ru = models.CharField(_("description in Russian"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_ru if (get_language() or "en").startswith("ru") else self.name_en

    @property
    def description(self) -> str:
        """The description in the active language."""
        return self.description_ru if (get_language() or "en").startswith("ru") else self.description_en


class Article(models.Model):
    """One help article in one language; its translations share ``translation_group``."""

    category = models.ForeignKey(
        HelpCategory, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    slug = models.SlugField(_("slug"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=ArticleLanguage.choices)
    title = models.CharField(_("title"), max_length=200)
    body_markdown = models.TextField(
        _("body (Markdown)"),
        help_text=_("Markdown. Policy numbers as placeholders, e.g. {{ policy.return_window_days }}."),
    )
    translation_group = models.UUIDField(
        _("translation group"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Articles that translate each other share this value."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)
    helpful_yes = models.PositiveIntegerField(_("helpful: yes"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("helpful: no"), default=0, editable=False)

    class Meta:
        ordering = ["category__position", "position", "title"]
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        constraints = [
            models.UniqueConstraint(fields=["translation_group", "language"], name="helpcenter_one_per_language"),
            models.UniqueConstraint(fields=["language", "slug"], name="helpcenter_slug_per_language"),
            models.CheckConstraint(
                condition=models.Q(language__in=ArticleLanguage.values), name="helpcenter_article_language"
            ),
        ]
        indexes = [models.Index(fields=["language", "published"], name="helpcenter_lang_pub")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
