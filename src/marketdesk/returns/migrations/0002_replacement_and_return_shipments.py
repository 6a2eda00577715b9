import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("shipping", "0002_carriers"),
    ]

    operations = [
        # The plain id column goes first: the foreign key below takes its column name.
        migrations.RemoveField(
            model_name="return",
            name="replacement_shipment_id",
        ),
        migrations.RemoveConstraint(
            model_name="return",
            name="return_status_valid",
        ),
        migrations.AddField(
            model_name="return",
            name="refund_offered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="refund offered"),
        ),
        migrations.AddField(
            model_name="return",
            name="replacement_shipment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shipping.shipment",
                verbose_name="replacement shipment",
            ),
        ),
        migrations.AddField(
            model_name="return",
            name="return_shipment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shipping.shipment",
                verbose_name="return parcel",
            ),
        ),
        migrations.AlterField(
            model_name="return",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "Waiting for the seller"),
                    ("approved", "Approved: ship it back"),
                    ("refused", "Refused"),
                    ("shipped", "On its way back"),
                    ("received", "Received by the seller"),
                    ("refunded", "Refunded"),
                    ("replacement_requested", "Replacement to be sent"),
                    ("replacement_shipped", "Replacement on its way"),
                    ("refund_offered", "Out of stock: refund offered"),
                    ("closed", "Closed without refund"),
                    ("lapsed", "Lapsed: not shipped in time"),
                    ("cancelled", "Cancelled"),
                    ("escalated", "Escalated to a case"),
                ],
                default="requested",
                max_length=24,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="return",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "requested",
                            "approved",
                            "refused",
                            "shipped",
                            "received",
                            "refunded",
                            "replacement_requested",
                            "replacement_shipped",
                            "refund_offered",
                            "closed",
                            "lapsed",
                            "cancelled",
                            "escalated",
                        ],
                    )
                ),
                name="return_status_valid",
            ),
        ),
    ]
