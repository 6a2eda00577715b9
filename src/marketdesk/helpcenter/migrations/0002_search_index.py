"""The full-text index of each database: FTS5 on SQLite, a generated tsvector column on PostgreSQL."""

from django.db import migrations

from marketdesk.helpcenter.search_index import (
    CREATE_FTS_SQL,
    CREATE_PG_DOCUMENT_SQL,
    DROP_FTS_SQL,
    DROP_PG_DOCUMENT_SQL,
)


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [CREATE_FTS_SQL])
    elif vendor == "postgresql":
        _run(schema_editor, CREATE_PG_DOCUMENT_SQL)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [DROP_FTS_SQL])
    elif vendor == "postgresql":
        _run(schema_editor, DROP_PG_DOCUMENT_SQL)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
