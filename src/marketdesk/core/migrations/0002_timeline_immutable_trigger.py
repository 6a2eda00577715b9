"""Refuse UPDATE and DELETE of timeline rows in the database itself (PostgreSQL).

On SQLite the refusal lives in code only: Django's test flush deletes rows
with DELETE there, and a trigger would break it. PostgreSQL flushes with
TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_timeline_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'timeline events are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_timeline_append_only
    BEFORE UPDATE OR DELETE ON core_timelineevent
    FOR EACH ROW EXECUTE FUNCTION core_timeline_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS core_timeline_append_only ON core_timelineevent;
DROP FUNCTION IF EXISTS core_timeline_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: with the default () the PostgreSQL schema editor composes the SQL
        # client-side and reads the "%" of RAISE EXCEPTION as a placeholder.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
