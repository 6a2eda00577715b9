"""Load the starting articles in a migration: idempotent, so a later migration can add new ones.

Works with the migration's historical models (``apps``), never the live ones.
"""

from __future__ import annotations

from typing import Any

from marketdesk.helpcenter.content import CATEGORIES, seed_articles
from marketdesk.helpcenter.search_index import sqlite_index_write


def seed_load(apps: Any, schema_editor: Any) -> None:
    """Create the categories and articles that do not exist yet, and index the new articles."""
    HelpCategory = apps.get_model("helpcenter", "HelpCategory")
    Article = apps.get_model("helpcenter", "Article")
    categories: dict[str, Any] = {}
    for position, (slug, name_en, name_ru, description_en, description_ru) in enumerate(CATEGORIES):
        categories[slug], _ = HelpCategory.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_ru": name_ru,
                "description_en": description_en,
                "description_ru": description_ru,
                "position": position,
            },
        )
    created: list[tuple[int, str, str, str]] = []
    for seed in seed_articles():
        article, was_created = Article.objects.get_or_create(
            language=seed.language,
            slug=seed.slug,
            defaults={
                "category": categories[seed.category],
                "title": seed.title,
                "body_markdown": seed.body,
                "translation_group": seed.translation_group,
                "position": seed.position,
            },
        )
        if was_created:
            created.append((article.pk, article.language, article.title, article.body_markdown))
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_index_write(cursor, created)


def seed_refresh(apps: Any, schema_editor: Any, *, retracted: tuple[str, ...]) -> None:
    """Rewrite seeded articles still carrying a retracted phrase (never edited away) to today's seed text.

    An article an administrator already corrected no longer holds the phrase and is left alone.
    """
    Article = apps.get_model("helpcenter", "Article")
    seeds = {(seed.language, seed.slug): seed for seed in seed_articles()}
    changed: list[tuple[int, str, str, str]] = []
    for article in Article.objects.filter(slug__in={slug for _language, slug in seeds}):
        seed = seeds.get((article.language, article.slug))
        if seed is None or not any(phrase in article.body_markdown for phrase in retracted):
            continue
        article.title, article.body_markdown = seed.title, seed.body
        article.save(update_fields=["title", "body_markdown"])
        changed.append((article.pk, article.language, article.title, article.body_markdown))
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_index_write(cursor, changed)
