"""Load the starting categories and articles (English and Russian, each pair linked) and index them."""

from django.db import migrations

from marketdesk.helpcenter.content import CATEGORIES, seed_articles
from marketdesk.helpcenter.content.loader import seed_load


def load(apps, schema_editor):
    seed_load(apps, schema_editor)


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
