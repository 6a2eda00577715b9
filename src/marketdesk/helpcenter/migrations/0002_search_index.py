"""The full-text index of each database: FTS5 on SQLite, GIN expression indexes on PostgreSQL."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations
from django.db.models import Q

from marketdesk.helpcenter.search_index import CREATE_FTS_SQL, DROP_FTS_SQL, PG_CONFIGS, pg_vector

PG_INDEX_NAMES = {language: f"helpcenter_fts_{language}" for language in PG_CONFIGS}


def _pg_indexes():
    return [
        GinIndex(pg_vector(language), name=PG_INDEX_NAMES[language], condition=Q(language=language))
        for language in PG_CONFIGS
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(CREATE_FTS_SQL)
    elif vendor == "postgresql":
        article = apps.get_model("helpcenter", "Article")
        for index in _pg_indexes():
            schema_editor.add_index(article, index)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(DROP_FTS_SQL)
    elif vendor == "postgresql":
        article = apps.get_model("helpcenter", "Article")
        for index in _pg_indexes():
            schema_editor.remove_index(article, index)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
