"""Refuse UPDATE and DELETE of audit entries in the database itself (PostgreSQL).

As for the timeline (core 0002): on SQLite the refusal lives in code only, because
Django's test flush deletes rows there; PostgreSQL flushes with TRUNCATE, which row
triggers do not see.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION console_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER console_audit_append_only
    BEFORE UPDATE OR DELETE ON console_auditentry
    FOR EACH ROW EXECUTE FUNCTION console_audit_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS console_audit_append_only ON console_auditentry;
DROP FUNCTION IF EXISTS console_audit_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the "%" of RAISE EXCEPTION is not a placeholder.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("console", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
