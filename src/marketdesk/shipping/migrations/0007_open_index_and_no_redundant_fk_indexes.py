"""Fewer indexes to write when a parcel's row moves with its events.

* ``shipment_open_idx`` becomes partial: the ids of parcels not in a final status (what the periodic recompute reads),
  on a condition only the final status changes, where it was (status, last event time), rewritten by nearly every event.
* The marketplace, order and carrier lose their single-column indexes: each leads a composite index (the shipment
  number's, the order's, the tracking number's). Only the indexes are dropped; SQLite's AlterField would rebuild the
  table.
"""

import django.db.models.deletion
from django.db import migrations, models

#: (field, the model it points at, its single-column index, its column).
DROPPED = (
    ("carrier", "shipping.carrier", "shipping_shipment_carrier_id_364df765", "carrier_id"),
    ("marketplace", "orders.marketplace", "shipping_shipment_marketplace_id_ec1e3d72", "marketplace_id"),
    ("order", "orders.order", "shipping_shipment_order_id_3aa924dc", "order_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_line_category_final_sale"),
        ("shipping", "0006_tracking_number_index_held_only"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="shipment", name="shipment_open_idx"),
        migrations.AddIndex(
            model_name="shipment",
            index=models.Index(
                condition=models.Q(("tracking_status__in", ["delivered", "expired", "returned"]), _negated=True),
                fields=["id"],
                name="shipment_open_idx",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="shipment",
                    name=field,
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="shipments",
                        to=target,
                        verbose_name=field,
                    ),
                )
                for field, target, _index, _column in DROPPED
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "shipping_shipment" ("{column}")',
                )
                for _field, _target, index, column in DROPPED
            ],
        ),
    ]
