"""Load the starting categories and articles (English and Russian, each pair linked) and index them."""

from django.db import migrations

from marketdesk.helpcenter.content import CATEGORIES, seed_articles
from marketdesk.helpcenter.search_index import sqlite_index_write


def load(apps, schema_editor):
    HelpCategory = apps.get_model("helpcenter", "HelpCategory")
    Article = apps.get_model("helpcenter", "Article")
    categories = {}
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
    created = []
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


def unload(apps, schema_editor):
    Article = apps.get_model("helpcenter", "Article")
    HelpCategory = apps.get_model("helpcenter", "HelpCategory")
    ids = []
    for seed in seed_articles():
        ids += list(Article.objects.filter(language=seed.language, slug=seed.slug).values_list("pk", flat=True))
    Article.objects.filter(pk__in=ids).delete()
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany("DELETE FROM helpcenter_article_fts WHERE rowid = %s", [(pk,) for pk in ids])
    HelpCategory.objects.filter(slug__in=[c[0] for c in CATEGORIES], articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_search_index")]

    operations = [migrations.RunPython(load, unload)]
