"""The history's full-text index: FTS5 tables of stems on SQLite, stored tsvectors with GIN on PostgreSQL.

On PostgreSQL each source table gets a generated ``history_document`` column (the text's tsvector
in Russian when it has Cyrillic letters, else in English), computed once per write as in the help
center, and a GIN index on it: a search scoped to a busy seller then reads stored vectors instead
of parsing every message again. The models do not declare the column, as it exists on PostgreSQL
only; the columns and indexes on the cases tables are named after this app, which owns them.

The SQL is written out here rather than imported, so that this migration keeps doing what it did
when the code changes; ``messaging.search`` queries the same column, and a test checks that the
two agree.
"""

from django.db import migrations

# Stems of the texts; a message's thread id too, so a search within a few conversations stays small.
FTS_TABLES = {
    "messaging_history_message_fts": "body, thread",
    "messaging_history_case_fts": "body",
    "messaging_history_decision_fts": "body",
}

DOCUMENT_COLUMN = "history_document"
# (index, table, text column)
PG_INDEXES = (
    ("messaging_history_message_idx", "messaging_message", "body"),
    ("messaging_history_case_idx", "cases_case", "description"),
    ("messaging_history_decision_idx", "cases_decision", "rationale"),
)


def pg_document(column):
    config = f"CASE WHEN {column} ~ '[А-яЁё]' THEN 'russian'::regconfig ELSE 'english'::regconfig END"
    return f"to_tsvector({config}, coalesce({column}, ''))"


def pg_index_sql(index, table):
    return f"CREATE INDEX {index} ON {table} USING gin ({DOCUMENT_COLUMN})"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, columns in FTS_TABLES.items():
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({columns}, "
                "tokenize='unicode61 remove_diacritics 0')",
                params=None,
            )
    elif vendor == "postgresql":
        for index, table, column in PG_INDEXES:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN {DOCUMENT_COLUMN} tsvector "
                f"GENERATED ALWAYS AS ({pg_document(column)}) STORED",
                params=None,
            )
            schema_editor.execute(pg_index_sql(index, table), params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in FTS_TABLES:
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}", params=None)
    elif vendor == "postgresql":
        for index, table, _column in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}", params=None)
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {DOCUMENT_COLUMN}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_threads_messages"),
        ("cases", "0002_evidence_notes_rationale_templates"),
    ]

    operations = [migrations.RunPython(create, drop)]
