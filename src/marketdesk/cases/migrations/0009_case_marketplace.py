"""Keep the marketplace on the case: the queue and the dashboard read one marketplace's cases by their own indexes.

Added empty, filled from each case's shop in one statement (the same on SQLite and PostgreSQL), then required.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE cases_case SET marketplace_id = "
    "(SELECT orders_shop.marketplace_id FROM orders_shop WHERE orders_shop.id = cases_case.shop_id)"
)


def queue_count_triggers_restore(apps, schema_editor):
    """Migrating back on SQLite: removing the column rebuilds cases_case, which drops the triggers keeping the
    cases' queue counts (console 0006); they are put back. Forwards, console 0010 puts them back."""
    counts = importlib.import_module("marketdesk.console.migrations.0006_queue_counts")
    counts.sqlite_triggers_restore(schema_editor, "case", recount=False)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_dashboard_opened_index"),
        ("orders", "0006_line_category_final_sale"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, queue_count_triggers_restore),
        migrations.AddField(
            model_name="case",
            name="marketplace",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="orders.marketplace",
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="case",
            name="marketplace",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="orders.marketplace",
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="case_status_escalated_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["marketplace", "is_open", "queue_due_at", "id"], name="case_mp_open_due_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["marketplace", "status", "escalated_at"], name="case_mp_status_escalated_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["marketplace", "opened_at"], name="case_mp_opened_at_idx"),
        ),
    ]
