"""Store each return's running deadline (``queue_due_at``) for the queue's index."""

import datetime
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

FROM_COLUMN = {"requested": "seller_due_at", "approved": "ship_by", "received": "refund_due_at"}


def fill(apps, schema_editor):
    Return = apps.get_model("returns", "Return")
    for status, column in FROM_COLUMN.items():
        Return.objects.filter(status=status, **{f"{column}__isnull": False}).update(queue_due_at=F(column))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_case_queue_due_at'),
        ('orders', '0001_initial'),
        ('returns', '0002_replacement_and_return_shipments'),
        ('shipping', '0002_carriers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='return',
            name='queue_due_at',
            field=models.DateTimeField(default=datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.UTC), editable=False, verbose_name='deadline that matters now'),
        ),
        migrations.AddIndex(
            model_name='return',
            index=models.Index(condition=models.Q(('status__in', ['requested', 'approved', 'received'])), fields=['queue_due_at', 'id'], name='return_queue_due_idx'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
