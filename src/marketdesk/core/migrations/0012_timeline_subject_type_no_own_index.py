"""The timeline's subject type loses its single-column index: both composite indexes lead with it.

Only the index is dropped (the table is not rebuilt, as SQLite's AlterField would do to a table that only grows).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "core_timelineevent_subject_type_id_943dd137"


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0011_timeline_type_recent_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="timelineevent",
                    name="subject_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="subject type",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "core_timelineevent" ("subject_type_id")',
                ),
            ],
        ),
    ]
