import importlib

from django.db import migrations

# SQLite adds a NOT NULL column by rebuilding the table, which drops its triggers: returns 0005 (keep_item)
# rebuilt returns_return and so dropped the triggers keeping the returns' queue counts (0006). They are put
# back here, and the returns' counts recounted, since a return written while they were missing was not
# counted. PostgreSQL alters the table in place and keeps its triggers, so there is nothing to do there.
# Migrating back, returns 0005 puts them back itself after its columns are removed.
counts = importlib.import_module("marketdesk.console.migrations.0006_queue_counts")


def return_triggers_restore(apps, schema_editor):
    counts.sqlite_triggers_restore(schema_editor, "return", recount=True)


class Migration(migrations.Migration):

    dependencies = [
        ("console", "0008_dashboard_top_shops"),
        ("returns", "0005_return_economics"),
    ]

    operations = [
        migrations.RunPython(return_triggers_restore, migrations.RunPython.noop),
    ]
