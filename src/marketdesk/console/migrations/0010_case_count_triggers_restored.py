import importlib

from django.db import migrations

# cases 0009 (the marketplace kept on the case) makes the new column NOT NULL, which SQLite does by rebuilding
# cases_case, and so drops the triggers keeping the cases' queue counts (0006). They are put back here, and the
# cases' counts recounted, since a case written while they were missing was not counted (as 0009 did for the
# returns). PostgreSQL alters the table in place and keeps its triggers, so there is nothing to do there.
counts = importlib.import_module("marketdesk.console.migrations.0006_queue_counts")


def case_triggers_restore(apps, schema_editor):
    counts.sqlite_triggers_restore(schema_editor, "case", recount=True)


class Migration(migrations.Migration):

    dependencies = [
        ("console", "0009_return_count_triggers_restored"),
        ("cases", "0009_case_marketplace"),
    ]

    operations = [
        migrations.RunPython(case_triggers_restore, migrations.RunPython.noop),
    ]
